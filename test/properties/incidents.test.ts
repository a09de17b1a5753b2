import fc from "fast-check";
import { expect, it } from "vitest";
import { classify } from "../../src/domain/incidents/classify.ts";
import { type IncidentState, type SlackAction, step } from "../../src/domain/incidents/machine.ts";
import { muteFor } from "../../src/domain/incidents/mute.ts";
import {
  deploymentStop,
  type Event,
  oomStop,
  serviceEvent,
  taskEvent,
} from "../domain/incidents/events.ts";
import { propsParameters } from "./support.ts";

// Whatever order EventBridge delivers one service's events in, and however often: at most one post
// per incident and channel, no post to a channel once the incident is open there, and every edit or
// reply after its channel's post. Pure: no emulator, so many runs are cheap.
//
// Replaying: npm run test:props -- --seed S --path P --test "one post" test/properties/incidents.test.ts

const KEY = "111122223333/us-west-2/default/servicetest";
const T0 = Date.parse("2026-12-06T10:00:00Z");
const CHANNELS = ["C0OPS000001", "C0TEAM00001"];

const KINDS = [
  "oom",
  "exit",
  "scale-in",
  "running",
  "failed",
  "rollback",
  "impaired",
  "steady",
  "completed",
] as const;

const entry = fc.record({
  kind: fc.constantFrom(...KINDS),
  task: fc.nat(4),
  version: fc.integer({ min: 1, max: 9 }),
  minute: fc.nat(40),
  exitCode: fc.constantFrom(1, 2, 137),
});

type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function eventOf(e: Entry, id: string): Event {
  const time = new Date(T0 + e.minute * 60_000).toISOString();
  const task = { id, task: `t${e.task}`, version: e.version, time };
  switch (e.kind) {
    case "oom":
      return oomStop(task);
    case "exit":
      return taskEvent({ ...task, stopCode: "EssentialContainerExited", exitCode: e.exitCode });
    case "scale-in":
      return deploymentStop(task);
    case "running":
      return taskEvent({ ...task, lastStatus: "RUNNING" });
    case "failed":
      return serviceEvent("ecs-deployment-state-change-failed", id, time);
    case "rollback":
      return serviceEvent("ecs-deployment-state-change-in-progress-rollback", id, time);
    case "impaired":
      return serviceEvent("ecs-service-action-task-start-impaired", id, time);
    case "steady":
      return serviceEvent("ecs-service-action-steady-state", id, time);
    case "completed":
      return serviceEvent("ecs-deployment-state-change-completed", id, time);
  }
}

const scenario = fc.record({
  pool: fc.array(entry, { minLength: 1, maxLength: 25 }),
  /** Indexes into the pool: any order, with repeats (redeliveries). */
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
  /** Seconds between deliveries. */
  gap: fc.integer({ min: 0, max: 90 }),
  /** A mute of the second channel over part of the run, or none. */
  mute: fc.option(fc.record({ from: fc.nat(3600), seconds: fc.integer({ min: 60, max: 3600 }) })),
});

it("posts at most once per incident and channel, never after the incident is open, edits only after", () => {
  fc.assert(
    fc.property(scenario, ({ pool, order, gap, mute }) => {
      const events = pool.map((e, i) => eventOf(e, `e${i}`));
      let state: IncidentState | undefined;
      const log: { at: number; action: SlackAction }[] = [];
      order.forEach((pick, n) => {
        const now = new Date(T0 + n * gap * 1000);
        const mutes = mute
          ? [muteFor(KEY, "C0TEAM00001", mute.seconds, new Date(T0 + mute.from * 1000))]
          : [];
        const event = events[pick % events.length];
        const result = step(state, classify(event), { now, channels: CHANNELS, mutes });
        state = result.state;
        for (const action of result.actions) log.push({ at: n, action });
      });

      const posts = new Map<string, number>();
      const openedAt = new Map<string, number>();
      for (const { at, action } of log) {
        const where = `${action.incident.id} ${action.channel}`;
        if (action.type === "post") {
          expect(posts.has(where), `second post: ${where}`).toBe(false);
          posts.set(where, at);
          // Every post of an incident comes with the event that opened it.
          const first = openedAt.get(action.incident.id) ?? at;
          openedAt.set(action.incident.id, first);
          expect(at, `post after open: ${where}`).toBe(first);
        } else {
          expect(posts.has(where), `${action.type} before any post: ${where}`).toBe(true);
        }
      }
    }),
    propsParameters(300),
  );
});

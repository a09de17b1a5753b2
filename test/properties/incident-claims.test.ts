import fc from "fast-check";
import { expect, it } from "vitest";
import { claimUnfinished, settlePosts } from "../../src/domain/incidents/claims.ts";
import { classify } from "../../src/domain/incidents/classify.ts";
import {
  DEFAULT_MACHINE_OPTIONS,
  type IncidentState,
  type SlackAction,
  step,
} from "../../src/domain/incidents/machine.ts";
import { type Event, oomStop, serviceEvent } from "../domain/incidents/events.ts";
import { propsParameters } from "./support.ts";

// Never twice across containers: deliveries of one service's events (any order, redelivered, at
// any pace) run as the notify entry runs them: the step, or on a duplicate the claim of posts left
// unfinished; each post then lands, is refused (its claim given back) or dies with its Lambda, at
// most the function's 60 s timeout after it was claimed, as the state shows it then. However
// those interleave, no incident gets two messages in one channel. Pure: a simulated clock.

const T0 = Date.parse("2026-12-06T10:00:00Z");
const CHANNELS = ["C0OPS000001", "C0TEAM00001"];
const TIMEOUT_S = 60;

function eventOf(kind: "oom" | "failed" | "steady", id: string, second: number): Event {
  const time = new Date(T0 + second * 1000).toISOString();
  if (kind === "oom") return oomStop({ id, task: id, time });
  const name =
    kind === "failed" ? "ecs-deployment-state-change-failed" : "ecs-service-action-steady-state";
  return serviceEvent(name, id, time);
}

const scenario = fc.record({
  pool: fc.array(fc.constantFrom("oom", "failed", "steady"), { minLength: 1, maxLength: 8 }),
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  gaps: fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 40 }),
  fates: fc.array(
    fc.record({
      fate: fc.constantFrom("lands", "refused", "dies"),
      after: fc.integer({ min: 0, max: TIMEOUT_S }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
});

type Pending = { at: number; channel: string; incident: string; claimedAt: string; fate: string };

it("makes at most one message per incident and channel, whatever dies or races", () => {
  expect(DEFAULT_MACHINE_OPTIONS.postLeaseSeconds).toBeGreaterThan(TIMEOUT_S);
  fc.assert(
    fc.property(scenario, ({ pool, order, gaps, fates }) => {
      const events = pool.map((kind, i) => eventOf(kind, `e${i}`, i * 30));
      let state: IncidentState | undefined;
      const inFlight: Pending[] = [];
      const landed = new Map<string, number>();
      let fateIndex = 0;
      let ts = 0;
      /** Posts whose attempt ends by `now`, in time order, as each attempt writes back. */
      const settleUntil = (now: number) => {
        inFlight.sort((a, b) => a.at - b.at);
        while (inFlight[0] && inFlight[0].at <= now) {
          const p = inFlight.shift() as Pending;
          if (p.fate === "dies") continue;
          const where = `${p.incident} ${p.channel}`;
          const made =
            p.fate === "lands" ? new Map([[p.channel, `1765015200.${ts++}`]]) : new Map();
          if (p.fate === "lands") landed.set(where, (landed.get(where) ?? 0) + 1);
          const failed = p.fate === "refused" ? [p.channel] : [];
          state = settlePosts(state, p.incident, made, failed, p.claimedAt).state;
        }
      };
      let now = T0;
      order.forEach((pick, n) => {
        now += (gaps[n % gaps.length] ?? 0) * 1000;
        settleUntil(now);
        const at = new Date(now);
        const result = step(state, classify(events[pick % events.length]), {
          now: at,
          channels: CHANNELS,
          mutes: [],
        });
        state = result.state;
        let posts: SlackAction[] = result.actions.filter((a) => a.type === "post");
        if (result.note === "duplicate") {
          const claim = claimUnfinished(state, at);
          state = claim.state;
          posts = claim.actions;
        }
        for (const post of posts) {
          const { fate, after } = fates[fateIndex++ % fates.length] ?? { fate: "lands", after: 0 };
          inFlight.push({
            at: now + after * 1000,
            channel: post.channel,
            incident: post.incident.id,
            claimedAt: at.toISOString(),
            fate,
          });
        }
      });
      settleUntil(Number.POSITIVE_INFINITY);
      for (const [where, count] of landed) expect(count, `two messages: ${where}`).toBe(1);
    }),
    propsParameters(300),
  );
});

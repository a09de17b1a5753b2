import { describe, expect, it } from "vitest";
import { classify } from "../../../src/domain/incidents/classify.ts";
import {
  durationText,
  flush,
  type IncidentState,
  recordPosted,
  type SlackAction,
  type StepContext,
  step,
} from "../../../src/domain/incidents/machine.ts";
import { type Mute, muteFor } from "../../../src/domain/incidents/mute.ts";
import { deploymentStop, type Event, oomStop, serviceEvent, taskEvent, withId } from "./events.ts";

const KEY = "111122223333/us-west-2/default/servicetest";
const T0 = Date.parse("2026-12-06T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString().replace(".000Z", "Z");

/** Plays events through the machine, one context per event; returns every action and the state. */
function play(
  events: {
    event: Event;
    now: number;
    channels?: string[];
    mutes?: Mute[];
    counts?: StepContext["counts"];
  }[],
  start?: IncidentState,
) {
  let state = start;
  const actions: SlackAction[] = [];
  const notes: string[] = [];
  for (const e of events) {
    const result = step(state, classify(e.event), {
      now: at(e.now),
      channels: e.channels ?? ["C0OPS000001"],
      mutes: e.mutes ?? [],
      ...(e.counts ? { counts: e.counts } : {}),
    });
    state = result.state;
    actions.push(...result.actions);
    notes.push(result.note);
  }
  return { state, actions, notes };
}

const kinds = (actions: SlackAction[]) => actions.map((a) => `${a.type} ${a.channel}`);

describe("a storm of stops of one service", () => {
  it("folds 200 out-of-memory stops in a minute into one post and an edit at most every 10 s", () => {
    const events = Array.from({ length: 200 }, (_, i) => ({
      event: oomStop({ task: `task${i}`, time: iso(i * 0.3), id: `storm-${i}` }),
      now: i * 0.3,
    }));

    const { state, actions } = play(events);

    expect(actions.filter((a) => a.type === "post")).toHaveLength(1);
    const updates = actions.filter((a) => a.type === "update");
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThanOrEqual(6); // 60 s / 10 s
    expect(actions.filter((a) => a.type === "thread")).toHaveLength(0); // nothing new after the first
    expect(state?.incident).toMatchObject({ events: 200, stops: 200, kind: "task-stopped" });
    expect(state?.incident?.first.summary).toContain("OutOfMemoryError");
  });

  it("replies in the thread only when a stop teaches something new, once per new thing", () => {
    const { actions } = play([
      { event: oomStop({ task: "a", id: "a" }), now: 0 },
      { event: oomStop({ task: "b", id: "b" }), now: 1 },
      {
        event: taskEvent({
          task: "c",
          id: "c",
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
          exitCode: 1,
        }),
        now: 2,
      },
      {
        event: taskEvent({
          task: "d",
          id: "d",
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
          exitCode: 1,
        }),
        now: 3,
      },
    ]);

    const threads = actions.filter((a) => a.type === "thread");
    expect(threads.map((t) => (t.type === "thread" ? t.text : ""))).toEqual([
      "New exit code: app exit 1",
    ]);
  });

  it("makes the pending edit when the interval has passed, on flush or on the next routine event", () => {
    const { state } = play([
      { event: oomStop({ task: "a", id: "a" }), now: 0 },
      { event: oomStop({ task: "b", id: "b" }), now: 2 },
    ]);
    if (!state) throw new Error("no state");
    expect(state.incident?.updatePending).toBe(true);

    const early = flush(state, { now: at(5), channels: [], mutes: [] });
    expect(early).toMatchObject({ changed: false, actions: [] });
    const due = flush(state, { now: at(11), channels: [], mutes: [] });
    expect(kinds(due.actions)).toEqual(["update C0OPS000001"]);
    expect(due.state?.incident?.updatePending).toBe(false);

    const routine = play([{ event: deploymentStop({ task: "z", id: "z" }), now: 12 }], state);
    expect(kinds(routine.actions)).toEqual(["update C0OPS000001"]);
  });
});

describe("routine churn", () => {
  it("posts nothing and stores nothing for a deployment's scale-in", () => {
    const events = Array.from({ length: 20 }, (_, i) => ({
      event: deploymentStop({ task: `old${i}`, id: `scale-in-${i}` }),
      now: i,
    }));
    const { state, actions, notes } = play(events);
    expect(actions).toEqual([]);
    expect(state).toBeUndefined();
    expect(notes[0]).toBe("routine: deployment-or-scale-in");
  });

  it("opens once routine stops keep the service below its desired count past the grace period", () => {
    const below = { running: 1, desired: 3 };
    const { actions, state } = play([
      { event: deploymentStop({ task: "a", id: "a", time: iso(0) }), now: 0, counts: below },
      { event: deploymentStop({ task: "b", id: "b", time: iso(120) }), now: 120, counts: below },
      { event: deploymentStop({ task: "c", id: "c", time: iso(301) }), now: 301, counts: below },
    ]);
    expect(kinds(actions)).toEqual(["post C0OPS000001"]);
    expect(state?.incident?.kind).toBe("below-desired-count");
    expect(state?.incident?.first.summary).toMatch(
      /^1 of 3 tasks running for 5 min after routine stops/,
    );
  });

  it("forgets the shortfall when the service is back at its desired count", () => {
    const { actions, state } = play([
      {
        event: deploymentStop({ task: "a", id: "a", time: iso(0) }),
        now: 0,
        counts: { running: 1, desired: 3 },
      },
      {
        event: deploymentStop({ task: "b", id: "b", time: iso(200) }),
        now: 200,
        counts: { running: 3, desired: 3 },
      },
      {
        event: deploymentStop({ task: "c", id: "c", time: iso(400) }),
        now: 400,
        counts: { running: 2, desired: 3 },
      },
    ]);
    expect(actions).toEqual([]);
    expect(state?.belowDesiredSince).toBe(at(400).toISOString());
  });
});

describe("resolution", () => {
  it("edits the message to recovered after the time it took, and replies in the thread", () => {
    const { actions, state } = play([
      { event: serviceEvent("ecs-deployment-state-change-failed", "f", iso(0)), now: 0 },
      { event: serviceEvent("ecs-service-action-steady-state", "s", iso(12 * 60)), now: 12 * 60 },
    ]);
    expect(kinds(actions)).toEqual(["post C0OPS000001", "resolve C0OPS000001"]);
    const resolved = actions[1];
    expect(resolved).toMatchObject({
      text: "✔ recovered after 12 min",
      reply: "✔ recovered after 12 min: the service reached a steady state (1 event)",
    });
    expect(state?.incident?.resolvedAt).toBe(at(720).toISOString());
  });

  it("plays AWS's failed deployment, its rollback and its completion as one incident", () => {
    const { actions } = play([
      {
        event: withId(serviceEvent("ecs-deployment-state-change-failed", "1", iso(0)), "1"),
        now: 0,
      },
      {
        event: serviceEvent("ecs-deployment-state-change-in-progress-rollback", "2", iso(20)),
        now: 20,
      },
      { event: serviceEvent("ecs-deployment-state-change-completed", "3", iso(300)), now: 300 },
    ]);
    expect(kinds(actions)).toEqual([
      "post C0OPS000001",
      "thread C0OPS000001",
      "update C0OPS000001",
      "resolve C0OPS000001",
    ]);
    expect(actions[1]).toMatchObject({
      text: expect.stringMatching(/^Also: rollback started: ECS deployment circuit breaker/),
    });
  });

  it("does not resolve on a steady state older than the incident's last event", () => {
    const { actions, notes } = play([
      { event: oomStop({ task: "a", id: "a", time: iso(100) }), now: 100 },
      { event: serviceEvent("ecs-service-action-steady-state", "s", iso(50)), now: 101 },
    ]);
    expect(kinds(actions)).toEqual(["post C0OPS000001"]);
    expect(notes[1]).toBe("resolution older than the incident's last event");
  });

  it("does not reopen on a late stop from before the resolution, and opens anew after it", () => {
    const { actions, notes } = play([
      { event: oomStop({ task: "a", id: "a", time: iso(0) }), now: 0 },
      { event: serviceEvent("ecs-service-action-steady-state", "s", iso(60)), now: 60 },
      { event: oomStop({ task: "b", id: "b", time: iso(30) }), now: 61 },
      { event: oomStop({ task: "c", id: "c", time: iso(600) }), now: 600 },
    ]);
    expect(notes).toEqual(["opened", "resolved", "older than the resolution", "opened"]);
    expect(kinds(actions)).toEqual(["post C0OPS000001", "resolve C0OPS000001", "post C0OPS000001"]);
  });

  it("says it plainly when a resolution comes with nothing open", () => {
    const { state, notes } = play([
      { event: serviceEvent("ecs-service-action-steady-state", "s", iso(0)), now: 0 },
    ]);
    expect(notes).toEqual(["nothing open"]);
    expect(state).toBeUndefined();
  });
});

describe("mutes", () => {
  const channels = ["C0OPS000001", "C0TEAM00001"];

  it("keeps a muted channel silent for the whole incident while the others hear it", () => {
    const mute = muteFor(KEY, "C0TEAM00001", 3600, at(-10));
    const { actions, state } = play([
      { event: oomStop({ task: "a", id: "a" }), now: 0, channels, mutes: [mute] },
      {
        event: oomStop({ task: "b", id: "b", exitCode: 1, containerReason: "boom" }),
        now: 20,
        channels,
        mutes: [mute],
      },
      {
        event: serviceEvent("ecs-service-action-steady-state", "s", iso(7200)),
        now: 7200,
        channels,
      },
    ]);
    expect(kinds(actions).filter((k) => k.endsWith("C0TEAM00001"))).toEqual([]);
    expect(kinds(actions)).toEqual([
      "post C0OPS000001",
      "thread C0OPS000001",
      "update C0OPS000001",
      "resolve C0OPS000001",
    ]);
    // Still tracked: counts and resolution move while muted.
    expect(state?.incident).toMatchObject({
      events: 2,
      channels: { C0TEAM00001: { posted: false } },
    });
  });

  it("stops edits to a channel muted mid-incident, and tells it the resolution once the mute is over", () => {
    const mute = muteFor(KEY, "C0TEAM00001", 3600, at(5));
    const { actions } = play([
      { event: oomStop({ task: "a", id: "a" }), now: 0, channels },
      { event: oomStop({ task: "b", id: "b" }), now: 30, channels, mutes: [mute] },
      {
        event: serviceEvent("ecs-service-action-steady-state", "s", iso(4000)),
        now: 4000,
        channels,
        mutes: [mute],
      },
    ]);
    expect(kinds(actions)).toEqual([
      "post C0OPS000001",
      "post C0TEAM00001",
      "update C0OPS000001",
      "resolve C0OPS000001",
      "resolve C0TEAM00001",
    ]);
  });
});

describe("delivery at least once, out of order", () => {
  it("drops a second delivery of the same event", () => {
    const event = oomStop({ task: "a", id: "same" });
    const { actions, notes } = play([
      { event, now: 0 },
      { event, now: 1 },
    ]);
    expect(kinds(actions)).toEqual(["post C0OPS000001"]);
    expect(notes).toEqual(["opened", "duplicate"]);
  });

  it("drops a task's event whose detail.version is not newer than the one applied", () => {
    const { state, notes } = play([
      { event: oomStop({ task: "a", id: "v7", version: 7 }), now: 0 },
      {
        event: oomStop({ task: "a", id: "v6", version: 6, exitCode: 1, containerReason: "older" }),
        now: 1,
      },
      { event: oomStop({ task: "a", id: "v7-again", version: 7 }), now: 2 },
    ]);
    expect(notes).toEqual(["opened", "older task version", "older task version"]);
    expect(state?.incident?.events).toBe(1);
    expect(state?.taskVersions).toEqual([["arn:aws:ecs:us-west-2:111122223333:task/default/a", 7]]);
  });

  it("remembers a bounded number of event IDs and tasks", () => {
    let state: IncidentState | undefined;
    for (let i = 0; i < 50; i++) {
      state = step(state, classify(oomStop({ task: `t${i}`, id: `e${i}` })), {
        now: at(i),
        channels: [],
        mutes: [],
        options: { maxSeenIds: 10, maxTasks: 5 },
      }).state;
    }
    expect(state?.seenIds).toHaveLength(10);
    expect(state?.seenIds.at(-1)).toBe("e49");
    expect(state?.taskVersions).toHaveLength(5);
  });
});

describe("helpers", () => {
  it("records the Slack timestamp of a post", () => {
    const { state } = play([{ event: oomStop({ task: "a", id: "a" }), now: 0 }]);
    if (!state) throw new Error("no state");
    expect(recordPosted(state, "C0OPS000001", "1765015200.000100").incident?.channels).toEqual({
      C0OPS000001: { posted: true, ts: "1765015200.000100" },
    });
  });

  it.each([
    [30_000, "less than a minute"],
    [12 * 60_000, "12 min"],
    [125 * 60_000, "2 h 5 min"],
    [2 * 3_600_000, "2 h"],
    [76 * 3_600_000, "3 d 4 h"],
  ])("says %i ms as %s", (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});

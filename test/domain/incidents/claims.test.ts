import { describe, expect, it } from "vitest";
import {
  claimUnfinished,
  deferCalls,
  markPending,
  settlePosts,
} from "../../../src/domain/incidents/claims.ts";
import { classify } from "../../../src/domain/incidents/classify.ts";
import { type IncidentState, recordPosted, step } from "../../../src/domain/incidents/machine.ts";
import { muteFor } from "../../../src/domain/incidents/mute.ts";
import { oomStop, serviceEvent } from "./events.ts";

// Posts are claimed in the state write that asks for them, so two deliveries racing on one
// incident never both post; a claim holds for the lease, then a retry may post again.

const OPS = "C0OPS000001";
const TEAM = "C0TEAM00001";
const KEY = "111122223333/us-west-2/default/servicetest";
const T0 = Date.parse("2026-12-06T10:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function opened(mutedTeam = false): IncidentState {
  const mutes = mutedTeam ? [muteFor(KEY, TEAM, 3600, at(0))] : [];
  const { state } = step(undefined, classify(oomStop({ task: "a", id: "a" })), {
    now: at(0),
    channels: [OPS, TEAM],
    mutes,
  });
  if (!state) throw new Error("no state");
  return state;
}

const channelsOf = (state: IncidentState | undefined) => state?.incident?.channels;

describe("claims on posts", () => {
  it("claims each post when the incident opens, and none for a muted channel", () => {
    expect(channelsOf(opened(true))).toEqual({
      [OPS]: { posted: true, claimedAt: at(0).toISOString() },
      [TEAM]: { posted: false },
    });
  });

  it("leaves a post claimed within the lease to its attempt, and claims it again after", () => {
    const state = opened();
    const early = claimUnfinished(state, at(30));
    expect(early.changed).toBe(false);
    expect(early.actions).toEqual([]);
    expect(early.held.map((h) => h.channel)).toEqual([OPS, TEAM]);

    const late = claimUnfinished(state, at(91));
    expect(late.actions.map((a) => `${a.type} ${a.channel}`)).toEqual([
      `post ${OPS}`,
      `post ${TEAM}`,
    ]);
    expect(channelsOf(late.state)?.[OPS]).toEqual({
      posted: true,
      claimedAt: at(91).toISOString(),
    });
    // Claimed anew: another retry right after finds it held.
    expect(claimUnfinished(late.state, at(92)).actions).toEqual([]);
  });

  it("never posts again a post with a ts, a muted channel, or a resolved incident", () => {
    const posted = recordPosted(opened(true), OPS, "1765015200.000100");
    expect(claimUnfinished(posted, at(600)).actions).toEqual([]);
    const resolved = step(
      opened(),
      classify(serviceEvent("ecs-service-action-steady-state", "s", at(60).toISOString())),
      { now: at(60), channels: [], mutes: [] },
    ).state;
    expect(resolved?.incident?.resolvedAt).toBeDefined();
    expect(claimUnfinished(resolved, at(600)).actions).toEqual([]);
  });

  it("records the posts' ts and gives back only this attempt's claim on a failed post", () => {
    const state = opened();
    const id = state.incident?.id ?? "";
    const settled = settlePosts(
      state,
      id,
      new Map([[OPS, "1765015200.000100"]]),
      [TEAM],
      at(0).toISOString(),
    );
    expect(channelsOf(settled.state)).toEqual({
      [OPS]: { posted: true, ts: "1765015200.000100" },
      [TEAM]: { posted: true },
    });
    // Unclaimed: the retry posts at once.
    expect(claimUnfinished(settled.state, at(1)).actions.map((a) => a.channel)).toEqual([TEAM]);
    // A claim another attempt made since is not this attempt's to give back.
    expect(settlePosts(state, id, new Map(), [TEAM], at(5).toISOString()).changed).toBe(false);
    expect(settlePosts(state, "another", new Map([[OPS, "1"]]), [], "").changed).toBe(false);
  });
});

describe("an edit the flush could not make", () => {
  it("is pending again for the next tick, on its own incident only", () => {
    const state = opened();
    const id = state.incident?.id ?? "";
    expect(markPending(state, id).state?.incident?.updatePending).toBe(true);
    expect(markPending(state, "another").changed).toBe(false);
    expect(markPending(undefined, id).changed).toBe(false);
  });
});

describe("calls asked for while the post is in flight", () => {
  const thread = (state: IncidentState, text: string) => {
    const incident = state.incident;
    if (!incident) throw new Error("no incident");
    return { type: "thread" as const, channel: OPS, incident, subject: state.subject, text };
  };

  it("keeps a reply whose post has no ts yet, and the attempt that records the ts makes it", () => {
    const state = opened();
    const id = state.incident?.id ?? "";
    const kept = deferCalls(state, id, [thread(state, "New exit code: app exit 1")]);
    expect(kept.ready).toEqual([]);
    expect(channelsOf(kept.state)?.[OPS]?.deferred).toEqual([
      { type: "thread", text: "New exit code: app exit 1" },
    ]);

    const settled = settlePosts(
      kept.state,
      id,
      new Map([[OPS, "1.0001"]]),
      [],
      at(0).toISOString(),
    );
    expect(settled.deferred.map((a) => [a.type, a.type === "thread" ? a.text : ""])).toEqual([
      ["thread", "New exit code: app exit 1"],
    ]);
    // Taken out: nobody makes it twice.
    expect(channelsOf(settled.state)?.[OPS]).toEqual({ posted: true, ts: "1.0001" });
  });

  it("makes a reply at once when the ts was recorded in the meantime", () => {
    const state = recordPosted(opened(), OPS, "1.0001");
    const id = state.incident?.id ?? "";
    const kept = deferCalls(state, id, [thread(state, "New exit code: app exit 1")]);
    expect(kept.ready.map((a) => a.incident.channels[OPS]?.ts)).toEqual(["1.0001"]);
    expect(channelsOf(kept.state)?.[OPS]?.deferred).toBeUndefined();
  });
});

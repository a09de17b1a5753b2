import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/incidents/decide.ts";
import type { IncidentState } from "../../../src/domain/incidents/machine.ts";
import { validateRoutes } from "../../../src/domain/incidents/routes.ts";
import { actionLine } from "../../../src/domain/incidents/summary.ts";
import { deploymentStop, oomStop, serviceEvent } from "./events.ts";

const { routes } = validateRoutes({
  routes: [
    { name: "ops", channel: "C0OPS000001" },
    { name: "internal", channel: "C0INTERNAL1", match: { namespace: "internal.*" } },
    { name: "no-grace", channel: "C0QUIET0001", quiet: ["below-desired-count"] },
  ],
});
const now = new Date("2026-12-06T10:00:00Z");

describe("deciding what one event makes the bot say", () => {
  it("routes an incident event and says which namespace routes it could not decide", () => {
    const decision = decide(undefined, oomStop({ id: "a", task: "a" }), { now, routes, mutes: [] });
    expect(decision.actions.map((a) => `${a.type} ${a.channel}`)).toEqual([
      "post C0OPS000001",
      "post C0QUIET0001",
    ]);
    expect(decision.undecided).toEqual(["internal"]);
    expect(decision.classified.outcome).toBe("incident");
  });

  it("routes with the namespaces an enrichment read", () => {
    const decision = decide(undefined, oomStop({ id: "a", task: "a" }), {
      now,
      routes,
      mutes: [],
      namespaces: ["internal.local"],
    });
    expect(decision.actions.map((a) => a.channel)).toEqual([
      "C0OPS000001",
      "C0INTERNAL1",
      "C0QUIET0001",
    ]);
  });

  it("routes the grace rule's incident as its own kind, which a route may keep quiet", () => {
    let state: IncidentState | undefined;
    const lines: string[] = [];
    for (const [id, seconds] of [
      ["a", 0],
      ["b", 400],
    ] as const) {
      const at = new Date(now.getTime() + seconds * 1000);
      const decision = decide(state, deploymentStop({ id, task: id, time: at.toISOString() }), {
        now: at,
        routes,
        mutes: [],
        counts: { running: 0, desired: 2 },
      });
      state = decision.state;
      lines.push(...decision.actions.map(actionLine));
    }
    expect(lines).toEqual([
      "post C0OPS000001 ▲ servicetest (default): 0 of 2 tasks running for 6 min after routine stops (last: stopped by a deployment or scale-in: Scaling activity initiated by (deployment ecs-svc/1234567890123456789))",
    ]);
  });

  it("resolves where the incident was posted, with no route of its own", () => {
    const opened = decide(undefined, oomStop({ id: "a", task: "a" }), { now, routes, mutes: [] });
    const later = new Date(now.getTime() + 60_000);
    const resolved = decide(
      opened.state,
      serviceEvent("ecs-service-action-steady-state", "s", later.toISOString()),
      { now: later, routes: [], mutes: [] },
    );
    expect(resolved.actions.map((a) => `${a.type} ${a.channel}`)).toEqual([
      "resolve C0OPS000001",
      "resolve C0QUIET0001",
    ]);
  });

  it("ignores what is not an event, with the reason, and changes nothing", () => {
    expect(decide(undefined, { hello: "world" }, { now, routes, mutes: [] })).toMatchObject({
      state: undefined,
      actions: [],
      changed: false,
      classified: { outcome: "ignored" },
    });
  });
});

describe("a storm across services", () => {
  it("folds 1,000 stops of 10 services in one minute into 10 messages and a bounded number of edits", () => {
    const states = new Map<string, IncidentState | undefined>();
    const counts = { post: 0, update: 0, thread: 0, resolve: 0 };
    for (let i = 0; i < 1000; i++) {
      const service = `svc-${i % 10}`;
      const at = new Date(now.getTime() + i * 60);
      const event = oomStop({ id: `e${i}`, task: `t${i}`, service, time: at.toISOString() });
      const decision = decide(states.get(service), event, { now: at, routes, mutes: [] });
      states.set(service, decision.state);
      for (const action of decision.actions) counts[action.type]++;
    }
    // Two routed channels (ops and no-grace) per service; edits at most every 10 s per message.
    expect(counts.post).toBe(20);
    expect(counts.update).toBeLessThanOrEqual(20 * 6);
    expect(counts.thread).toBe(0);
    expect([...states.values()].map((s) => s?.incident?.events)).toEqual(Array(10).fill(100));
  });
});

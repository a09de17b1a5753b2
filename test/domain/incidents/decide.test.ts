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

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { steadyStateEvent, stormEvents } from "../../../emulator/fleet/storm-events.ts";
import { classify } from "../../../src/domain/incidents/classify.ts";

// The storm of the notification bench, tests and demo: AWS's published task event with the
// demo fleet's names, the same for the same seed, and each delivery what it says it is.

const published = JSON.parse(
  readFileSync(
    new URL("../../fixtures/events/ecs-task-state-change-running-fargate.json", import.meta.url),
    "utf8",
  ),
) as { detail: Record<string, unknown> } & Record<string, unknown>;

describe("stormEvents", () => {
  const storm = stormEvents({ events: 1_000, services: 10 });

  it("is the same storm for the same seed, another for another", () => {
    expect(stormEvents({ events: 1_000, services: 10 }).events).toEqual(storm.events);
    expect(stormEvents({ events: 1_000, services: 10, seed: 24 }).events).not.toEqual(storm.events);
  });

  it("has N deliveries within the minute, in delivery order, of the kinds it counts", () => {
    expect(storm.events).toHaveLength(1_000);
    expect(storm.counts).toEqual({ incident: 741, routine: 209, duplicate: 30, older: 20 });
    const at = storm.events.map((e) => e.at);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(Math.max(...at)).toBeLessThan(60_000);
    const times = storm.events.map((e) => Date.parse(e.event.time));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse("2026-12-06T10:00:00Z"));
    expect(Math.max(...times)).toBeLessThan(Date.parse("2026-12-06T10:01:00Z"));
  });

  it("stops the demo fleet's services, then generated ones beyond them, in its account and region", () => {
    const demo = loadDemoFleet();
    const n = demo.services.length;
    const wide = stormEvents({ events: 200, services: n + 1 });
    expect(wide.services.slice(0, n).map((s) => s.serviceArn)).toEqual(
      demo.services.map((s) => s.serviceArn),
    );
    expect(wide.services[n]?.key).toBe("123456789012/ap-northeast-1/prod-core/orders-api");
    expect(new Set(storm.events.map((e) => e.event.account))).toEqual(new Set([demo.accountId]));
    expect(new Set(storm.events.map((e) => e.event.region))).toEqual(new Set([demo.region]));
  });

  it("keeps the published event's shape: every envelope and detail field AWS shows", () => {
    for (const { event } of storm.events.slice(0, 50)) {
      expect(Object.keys(event).sort()).toEqual(Object.keys(published).sort());
      // A task that failed to start never pulled its image to the end nor started.
      const never =
        event.detail.stopCode === "TaskFailedToStart" ? ["pullStoppedAt", "startedAt"] : [];
      for (const field of Object.keys(published.detail).filter((f) => !never.includes(f))) {
        expect(event.detail).toHaveProperty(field);
      }
      expect(event.detail.taskArn).toMatch(
        /^arn:aws:ecs:ap-northeast-1:123456789012:task\/[a-z_-]+\/[0-9a-f]{32}$/,
      );
      expect(event.detail.version).toBeGreaterThan(1);
    }
  });

  it("says of each delivery what the classifier makes of it", () => {
    const seen = new Map<string, number>();
    for (const e of storm.events) {
      const c = classify(e.event);
      const expected = {
        incident: ["incident"],
        routine: ["routine"],
        // An earlier state is not STOPPED (or is a Spot notice): routine on its own.
        older: ["routine"],
        duplicate: ["incident", "routine"],
      }[e.delivery];
      expect(expected).toContain(c.outcome);
      if (e.delivery === "older") {
        const stopped = storm.events.find(
          (o) => o.delivery !== "older" && o.event.detail.taskArn === e.event.detail.taskArn,
        );
        expect(Number(e.event.detail.version)).toBeLessThan(Number(stopped?.event.detail.version));
        expect(e.at).toBeGreaterThan(stopped?.at ?? Number.POSITIVE_INFINITY);
      }
      if (e.delivery === "duplicate") seen.set(e.event.id, (seen.get(e.event.id) ?? 0) + 1);
    }
    // A redelivery repeats an event delivered before it, id and all.
    for (const id of seen.keys()) {
      expect(
        storm.events.filter((e) => e.event.id === id && e.delivery !== "duplicate"),
      ).toHaveLength(1);
    }
    const stops = Object.values(storm.incidentStops).reduce((a, b) => a + b, 0);
    expect(stops).toBe(storm.counts.incident);
  });

  it("mixes the stop codes of incidents: exit 137 and 1, and tasks that failed to start", () => {
    const incidents = storm.events
      .filter((e) => e.delivery === "incident")
      .map((e) => e.event.detail);
    const codes = new Set(incidents.map((d) => d.stopCode));
    expect(codes).toEqual(new Set(["EssentialContainerExited", "TaskFailedToStart"]));
    const exits = new Set(
      incidents.flatMap((d) => (d.containers as { exitCode?: number }[]).map((c) => c.exitCode)),
    );
    expect(exits).toEqual(new Set([137, 1, undefined]));
  });

  it("resolves a service with AWS's published steady-state action", () => {
    const service = storm.services[0];
    if (!service) throw new Error("no service");
    const event = steadyStateEvent(service, new Date("2026-12-06T10:05:00Z"), "steady-1");
    expect(classify(event)).toMatchObject({ outcome: "resolves", key: service.key });
  });
});

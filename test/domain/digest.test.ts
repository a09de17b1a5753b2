import { describe, expect, it } from "vitest";
import {
  buildDigest,
  type DigestEntry,
  digestKind,
  incidentDigestName,
  onDemandDigestName,
} from "../../src/domain/digest.ts";
import { DEFAULT_THRESHOLDS } from "../../src/domain/digest-targets.ts";
import { digestDocument } from "../../src/render/digest-document.ts";
import { renderText } from "../../src/render/text.ts";

const MORNING = new Date("2026-11-24T09:00:00Z");
const NEXT = new Date("2026-11-24T09:15:00Z");
const target = {
  name: "prod-morning",
  scope: "tutorial, ecs_service_discovery",
  thresholds: DEFAULT_THRESHOLDS,
};

const entry = (
  service: string,
  level: DigestEntry["level"],
  reason: string,
  extra: Partial<DigestEntry> = {},
): DigestEntry => ({
  cluster: "tutorial",
  service,
  subject: `tutorial/${service}`,
  level,
  reason,
  ...extra,
});

const healthy = (service: string, extra: Partial<DigestEntry> = {}) =>
  entry(service, "healthy", "2 of 2 endpoints healthy, 2 of 2 tasks running", extra);

describe("buildDigest", () => {
  it("puts down before degraded before noisy, counts unknown apart, and sums the healthy up", () => {
    const d = buildDigest(
      target,
      [
        healthy("a"),
        entry("b", "degraded", "1 of 3 endpoints unhealthy"),
        entry("c", "down", "0 of 2 tasks running"),
        healthy("d", { traffic: { requests: 500, errorRate: 0.08, p99: 40 } }),
        entry("e", "unknown", "could not read the ECS service tutorial/e"),
      ],
      undefined,
      MORNING,
    );

    expect(d.counts).toEqual({ down: 1, degraded: 1, noisy: 1, unknown: 1, healthy: 1 });
    expect(d.offenders.map((o) => [o.entry.service, o.level, o.reason])).toEqual([
      ["c", "down", "0 of 2 tasks running"],
      ["b", "degraded", "1 of 3 endpoints unhealthy"],
      ["d", "noisy", "5xx 8.0% (threshold 5.0%) over the last 15m"],
    ]);
    expect(d.unknown.map((e) => e.service)).toEqual(["e"]);
  });

  it("does not call a handful of requests noisy, however many fail", () => {
    const d = buildDigest(
      target,
      [healthy("a", { traffic: { requests: 4, errorRate: 0.5 } })],
      undefined,
      MORNING,
    );

    expect(d.counts.noisy).toBe(0);
  });

  it("says what changed since the previous digest: new, still failing since when, worse, recovered", () => {
    const first = buildDigest(
      target,
      [
        entry("a", "degraded", "1 of 3 unhealthy"),
        entry("b", "down", "0 of 2 running"),
        healthy("c"),
        entry("d", "degraded", "x"),
      ],
      undefined,
      MORNING,
    );
    const second = buildDigest(
      target,
      [
        entry("a", "down", "0 of 3 healthy"),
        entry("b", "down", "0 of 2 running"),
        entry("c", "degraded", "y"),
        healthy("d"),
      ],
      first.snapshot,
      NEXT,
    );

    expect(second.offenders.map((o) => [o.entry.service, o.change, o.since.toISOString()])).toEqual(
      [
        ["a", "worse", MORNING.toISOString()],
        ["b", "still", MORNING.toISOString()],
        ["c", "new", NEXT.toISOString()],
      ],
    );
    expect(second.recovered).toEqual([
      { key: "tutorial/d", was: "degraded", since: MORNING, sinceFromAws: false },
    ]);
  });
});

describe("digestDocument", () => {
  it("is one line when quiet and all is healthy", () => {
    const d = buildDigest(target, [healthy("a"), healthy("b")], undefined, MORNING);

    expect(renderText(digestDocument(d, true))).toBe(
      "All 2 services healthy in tutorial, ecs_service_discovery at 09:00 UTC\n",
    );
  });

  it("leads with the counts, then each offender with health's reason and its buttons", () => {
    const first = buildDigest(
      target,
      [entry("b", "down", "0 of 2 tasks running"), healthy("a")],
      undefined,
      MORNING,
    );
    const d = buildDigest(
      target,
      [entry("b", "down", "0 of 2 tasks running"), healthy("a")],
      first.snapshot,
      NEXT,
    );

    const text = renderText(digestDocument(d, false));

    expect(text.split("\n").slice(0, 4)).toEqual([
      "Digest prod-morning (tutorial, ecs_service_discovery) at 09:15 UTC: 1 down, 1 healthy",
      "",
      "✖ DOWN tutorial/b: 0 of 2 tasks running · still failing, first seen by the digest on 2026-11-24 09:00 UTC",
      // No Service Connect name: no traffic to ask for.
      "  /ecs health tutorial/b",
    ]);
    expect(text).toContain("1 other service healthy.");
  });
});

describe("a digest with part of its scope unread", () => {
  const staging = (service: string, level: DigestEntry["level"], reason: string) =>
    entry(service, level, reason, { cluster: "staging", subject: `staging/${service}` });

  it("names the cluster it could not list instead of calling the rest all healthy", () => {
    const d = buildDigest(target, [healthy("a"), healthy("b")], undefined, MORNING, [
      { kind: "cluster", name: "staging", cause: "denied" },
    ]);

    expect(renderText(digestDocument(d, true))).toBe(
      "2 services healthy in tutorial, ecs_service_discovery at 09:00 UTC; cluster staging could not be read (denied)\n",
    );
    const text = renderText(digestDocument(d, false));
    expect(text.split("\n")[0]).toBe(
      "Digest prod-morning (tutorial, ecs_service_discovery) at 09:00 UTC: 2 healthy; cluster staging could not be read (denied)",
    );
    expect(text).not.toContain("All 2 services healthy");
  });

  it("says the clusters could not be listed, not that the scope has no service", () => {
    const d = buildDigest(target, [], undefined, MORNING, [
      { kind: "clusters", cause: "throttled" },
    ]);

    const text = renderText(digestDocument(d, false));
    expect(text.split("\n")[0]).toMatch(/: the clusters could not be listed \(throttled\)$/);
    expect(text).not.toContain("No service found");
  });

  it("names a cluster none of whose services could be described", () => {
    const d = buildDigest(
      target,
      [
        healthy("a"),
        { ...staging("api", "unknown", "could not be read"), cause: "denied" },
        { ...staging("web", "unknown", "could not be read"), cause: "denied" },
      ],
      undefined,
      MORNING,
    );

    expect(renderText(digestDocument(d, true)).split("\n")[0]).toMatch(
      /1 healthy, 2 unknown; cluster staging could not be read \(denied\)$/,
    );
  });

  it("does not call a failing service unread this time recovered or gone: it keeps its failure for the next digest", () => {
    const first = buildDigest(
      target,
      [
        staging("api", "down", "0 of 2 tasks running"),
        staging("web", "degraded", "x"),
        healthy("a"),
      ],
      undefined,
      MORNING,
    );
    // web unread this time; api not even listed (its cluster could not be).
    const second = buildDigest(
      target,
      [{ ...staging("web", "unknown", "could not be read"), cause: "throttled" }, healthy("a")],
      first.snapshot,
      NEXT,
      [{ kind: "cluster", name: "staging", cause: "denied" }],
    );
    const third = buildDigest(
      target,
      [
        staging("api", "down", "0 of 2 tasks running"),
        staging("web", "degraded", "x"),
        healthy("a"),
      ],
      second.snapshot,
      new Date("2026-11-24T09:30:00Z"),
    );

    expect(second.recovered).toEqual([]);
    expect(Object.keys(second.snapshot.services).sort()).toEqual(["staging/api", "staging/web"]);
    expect(renderText(digestDocument(second, false))).toMatch(
      /\? staging\/api: not read this time; was down, first seen by the digest on 2026-11-24 09:00 UTC/,
    );
    expect(third.offenders.map((o) => [o.entry.service, o.change, o.since.toISOString()])).toEqual([
      ["api", "still", MORNING.toISOString()],
      ["web", "still", MORNING.toISOString()],
    ]);
  });

  it("forgets a failing service gone from a cluster that was read", () => {
    const first = buildDigest(target, [staging("api", "down", "0 of 2")], undefined, MORNING);
    const second = buildDigest(target, [healthy("a")], first.snapshot, NEXT);

    expect(second.snapshot.services).toEqual({});
  });
});

describe("since when a service has been failing", () => {
  it("dates the failure by its own start when AWS tells it, with the day", () => {
    const began = new Date("2026-11-23T15:58:00Z");
    const first = buildDigest(
      target,
      [entry("b", "down", "0 of 2 tasks running", { since: began })],
      undefined,
      MORNING,
    );
    const second = buildDigest(
      target,
      [entry("b", "down", "0 of 2 tasks running", { since: began })],
      first.snapshot,
      NEXT,
    );

    expect(renderText(digestDocument(first, false))).toContain(
      "✖ DOWN tutorial/b: 0 of 2 tasks running · failing since 2026-11-23 15:58 UTC",
    );
    expect(renderText(digestDocument(second, false))).toContain(
      "✖ DOWN tutorial/b: 0 of 2 tasks running · still failing since 2026-11-23 15:58 UTC",
    );
  });

  it("keeps the earlier start when AWS has since forgotten the first stops", () => {
    // ECS keeps stopped tasks about an hour: later digests see a later first stop.
    const first = buildDigest(
      target,
      [entry("b", "down", "0 of 2", { since: new Date("2026-11-24T08:40:00Z") })],
      undefined,
      MORNING,
    );
    const second = buildDigest(
      target,
      [entry("b", "down", "0 of 2", { since: new Date("2026-11-24T09:10:00Z") })],
      first.snapshot,
      NEXT,
    );

    expect(second.offenders[0]?.since.toISOString()).toBe("2026-11-24T08:40:00.000Z");
    expect(second.offenders[0]?.sinceFromAws).toBe(true);
  });
});

describe("a digest's kind, kept in its name (the history key)", () => {
  it("reads back the kind of the names it writes, and takes any other name for a configured target", () => {
    expect(digestKind(onDemandDigestName("tutorial, ecs_service_discovery"))).toBe("on-demand");
    expect(digestKind(incidentDigestName("C0INCIDENT"))).toBe("incident");
    expect(digestKind("payments-daily")).toBe("named");
    // A configured target may not pass for an incident digest by a look-alike name.
    expect(digestKind("incidents: daily")).toBe("named");
  });
});

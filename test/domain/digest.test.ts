import { describe, expect, it } from "vitest";
import { buildDigest, type DigestEntry } from "../../src/domain/digest.ts";
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
    expect(second.recovered).toEqual([{ key: "tutorial/d", was: "degraded", since: MORNING }]);
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
      "✖ DOWN tutorial/b: 0 of 2 tasks running · still failing since 09:00 UTC",
      "  /ecs health tutorial/b · /ecs traffic tutorial/b",
    ]);
    expect(text).toContain("1 other service healthy.");
  });
});

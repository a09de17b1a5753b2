import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import {
  awsContext,
  clearSharedCache,
  snapshotContext,
} from "../../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../../src/commands/reads/digest-of-scope.ts";
import { judgeServices } from "../../../src/commands/reads/judge-scope.ts";
import { listScope } from "../../../src/commands/reads/scope.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// A digest reads the region's Service Connect traffic ahead with one SEARCH per metric instead
// of each service asking for every possible caller. It must judge exactly as the service-by-
// service reads do, also when a search may have left series out (it returned as many as a
// search can, 500): then it searches per cluster, and what is still not covered is asked directly.

const fleet = generateFleet({ services: 60, clusters: 6, namespaces: 2, traffic: true });
// Over 500 callers and publishers: every region-wide search returns 500 and is not enough.
const bigFleet = generateFleet({ services: 520, clusters: 6, namespaces: 2, traffic: true });
const NOW = new Date();
let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;

afterEach(async () => {
  await aws?.stop();
  aws = undefined;
});

async function digestOn(searchAhead: boolean, on = fleet) {
  aws = await useEmulatedAws(on, 0, { now: () => NOW.getTime() });
  clearSharedCache();
  const { digest } = await makeDigest(
    awsContext("ap-northeast-1"),
    { name: "search", scope: { clusters: "all", namespaces: [] } },
    undefined,
    NOW,
    { searchAhead },
  );
  const calls = aws.emulator.stats().calls["CloudWatch.GetMetricData"] ?? 0;
  await aws.stop();
  aws = undefined;
  return { digest, calls };
}

/** What a reader sees of each service: its level, reason and traffic figures. */
const seen = (d: Awaited<ReturnType<typeof digestOn>>["digest"]) =>
  JSON.stringify({ counts: d.counts, offenders: d.offenders, unknown: d.unknown });

describe("a digest's traffic, read ahead with SEARCH", () => {
  it("judges every service as reading each one's own metrics does, in a handful of calls", async () => {
    const perService = await digestOn(false);
    const searched = await digestOn(true);

    expect(seen(searched.digest)).toBe(seen(perService.digest));
    // The 5xx burst the demo part of the fleet has is still found.
    expect(JSON.stringify(searched.digest.offenders)).toContain("5xx");
    expect(perService.calls).toBeGreaterThan(60);
    // 14 region-wide searches, one to a call (all at once): a call retrieves at most 500
    // metrics, the series its searches find included, and each search may find 500.
    expect(searched.calls).toBe(14);
  });

  it("searches per cluster when a region-wide search may have left series out", async () => {
    // The same offenders as the small fleet's, service by service (the generated services are
    // all healthy): a series a cut search left out is not taken for "no traffic".
    const small = await digestOn(false);
    const cut = await digestOn(true, bigFleet);

    expect(JSON.stringify(cut.digest.offenders)).toBe(JSON.stringify(small.digest.offenders));
    // The small fleet's five offenders (checkout, behind checkout-tg, is one since issue 24).
    expect(cut.digest.counts).toMatchObject({ unknown: 0, healthy: cut.digest.total - 5 });
    // The region's 14 searches in 14 calls, then the cut ones again per cluster, ten to a call,
    // a call CloudWatch cuts at its 500 metrics again in halves.
    expect(cut.calls).toBeGreaterThan(14);
    expect(cut.calls).toBeLessThan(40);
  }, 60_000);

  it("a part holding a few clusters still finds its services' callers' traffic in the searches", async () => {
    aws = await useEmulatedAws(bigFleet, 0, { now: () => NOW.getTime() });
    const run = snapshotContext(awsContext("ap-northeast-1"));
    const { services } = await listScope(run, { clusters: "all", namespaces: [] });
    // staging and one generated cluster: the generated services' callers run in other clusters.
    const part = ["staging", "prod-core"];
    const entries = await judgeServices(
      run,
      services.filter((s) => part.includes(s.cluster)),
      part,
      NOW,
      { scope: "a part" },
    );

    expect(
      entries.find((e) => e.cluster === "staging" && e.service === "api-service")?.reason,
    ).toMatch(/5xx/);
    expect(entries.filter((e) => e.cluster === "prod-core").length).toBeGreaterThan(10);
    // The region's searches, then every cluster's (not only the part's): no per-service reads.
    expect(aws.emulator.stats().calls["CloudWatch.GetMetricData"]).toBeLessThan(40);
  }, 60_000);
});

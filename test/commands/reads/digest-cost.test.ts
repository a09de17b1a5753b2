import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../../src/commands/reads/digest-of-scope.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// Counts, not seconds: what a digest of a whole fleet costs in AWS calls. The wall-clock figures
// under throttling are `npm run bench:digest`'s.

const fleet = generateFleet({ services: 120, clusters: 12, namespaces: 3 });
let aws: Awaited<ReturnType<typeof useEmulatedAws>>;

beforeAll(async () => {
  aws = await useEmulatedAws(fleet);
});
afterAll(async () => {
  await aws.stop();
});

describe("what a digest of every cluster costs", () => {
  it("describes each cluster's services ten at a time and its tasks a hundred at a time, once", async () => {
    const { digest } = await makeDigest(
      awsContext("ap-northeast-1"),
      { name: "cost", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );
    const stats = aws.emulator.stats();

    const perCluster = new Map<string, number>();
    for (const s of fleet.services) {
      const cluster = s.clusterArn.split("/").pop() ?? "";
      perCluster.set(cluster, (perCluster.get(cluster) ?? 0) + 1);
    }
    const batches = [...perCluster.values()].reduce((n, count) => n + Math.ceil(count / 10), 0);
    expect(digest.total).toBe(fleet.services.length);
    expect(digest.counts.unknown).toBe(0);
    // Before the snapshot: one DescribeServices per judgement plus every namespace's callers for
    // each of them (quadratic: 705 for 109 services).
    // Plus one per other cluster for legacy-report, a namespace caller whose old short-format ARN
    // names no cluster: each cluster is asked once, its own (tutorial) already read.
    expect(stats.calls["ECS.DescribeServices"]).toBe(batches + perCluster.size - 1);
    // Tasks: each cluster's running and recently stopped tasks listed and described 100 at a
    // time, not three calls per service.
    const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
    let listCalls = 0;
    let describeCalls = 0;
    for (const cluster of perCluster.keys()) {
      for (const status of ["RUNNING", "STOPPED"]) {
        const n = fleet.tasks.filter(
          (t) => t.clusterArn.endsWith(`/${cluster}`) && t.desiredStatus === status,
        ).length;
        listCalls += pages(n);
        describeCalls += Math.ceil(n / 100);
      }
    }
    expect(stats.calls["ECS.ListTasks"]).toBe(listCalls);
    expect(stats.calls["ECS.DescribeTasks"]).toBe(describeCalls);
    // Task definitions are immutable: one read each.
    const families = new Set(fleet.services.map((s) => s.taskDefinition));
    expect(stats.calls["ECS.DescribeTaskDefinition"]).toBeLessThanOrEqual(families.size);
    // When each name first appeared: every namespace's listing dates all its names (a page per
    // 100), not one GetService per service.
    expect(stats.calls["ServiceDiscovery.GetService"]).toBeUndefined();
    const namespaces = fleet.namespaces.length;
    expect(stats.calls["ServiceDiscovery.ListServices"]).toBeLessThanOrEqual(
      namespaces * Math.ceil(fleet.services.length / 100),
    );
  });

  it("reads every service's state afresh on the next digest, but not what does not change", async () => {
    aws.emulator.resetStats();
    const { digest } = await makeDigest(
      awsContext("ap-northeast-1"),
      { name: "cost", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );
    const stats = aws.emulator.stats();

    expect(digest.total).toBe(fleet.services.length);
    expect(stats.calls["ECS.DescribeServices"]).toBeGreaterThan(0);
    expect(stats.calls["ServiceDiscovery.DiscoverInstances"]).toBeGreaterThan(0);
    // Immutable task definitions and Cloud Map service creation dates: kept by the warm process.
    expect(stats.calls["ECS.DescribeTaskDefinition"]).toBeUndefined();
    expect(stats.calls["ServiceDiscovery.GetService"]).toBeUndefined();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { whois } from "../../src/commands/whois.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";

// Counts, not seconds: the emulator's latency only makes parallel calls overlap so that the
// longest chain of sequential calls can be read off. The figures themselves are in docs/lookups.md and docs/benchmarks.md.

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function costOf(services: number, query: string) {
  const aws = await useEmulatedAws(generateFleet({ services }), ROUND_TRIP_MS);
  stop = aws.stop;
  const ctx = () => awsContext("ap-northeast-1");
  expect((await whois(ctx, query)).kind).toBe("found");
  const cold = aws.emulator.stats();
  aws.emulator.resetStats();
  expect((await whois(ctx, query)).kind).toBe("found");
  const warm = aws.emulator.stats();
  await aws.stop();
  stop = undefined;
  return { cold, warm };
}

describe("what a whois of a known name costs", () => {
  it("takes at most 3 sequential round trips cold and 2 warm, whatever the fleet size", async () => {
    for (const query of ["nginx.service-connect", "api.internal.local"]) {
      const small = await costOf(10, query);
      const large = await costOf(1000, query);

      expect(small.cold.sequentialRoundTrips).toBeLessThanOrEqual(3);
      expect(small.warm.sequentialRoundTrips).toBeLessThanOrEqual(2);
      expect(large.cold.calls).toEqual(small.cold.calls);
      expect(large.warm.calls).toEqual(small.warm.calls);
      expect(large.cold.sequentialRoundTrips).toBeLessThanOrEqual(3);
    }
  });
});

describe("what a whois of a name in a big namespace costs", () => {
  it("reads one page of the namespace's services, whatever its size, and says there are more", async () => {
    const costs = [];
    for (const services of [50, 1000]) {
      const aws = await useEmulatedAws(generateFleet({ services, namespaces: 1 }), ROUND_TRIP_MS);
      stop = aws.stop;
      const answer = await whois(() => awsContext("ap-northeast-1"), "orders-api.mesh");
      costs.push({ services, answer, stats: aws.emulator.stats() });
      await aws.stop();
      stop = undefined;
    }
    const [small, large] = costs;

    expect(large?.stats.calls["ECS.ListServicesByNamespace"]).toBe(1);
    expect(large?.stats.calls).toEqual(small?.stats.calls);
    expect(large?.stats.sequentialRoundTrips).toBeLessThanOrEqual(3);
    const scope =
      large?.answer.kind === "found" ? large.answer.resolutions[0]?.bindings[0]?.scope : undefined;
    expect(scope).toMatchObject({ kind: "service-connect", clientServicesMore: true });
    expect(
      small?.answer.kind === "found" && small.answer.resolutions[0]?.bindings[0]?.scope,
    ).toMatchObject({ clientServicesMore: false });
  });
});

describe("what a whois of a bare name costs", () => {
  it("asks every namespace for the name at once: the same calls at 50 and 1,000 services", async () => {
    const costs = [];
    for (const services of [50, 1000]) {
      const aws = await useEmulatedAws(generateFleet({ services, namespaces: 2 }), ROUND_TRIP_MS);
      stop = aws.stop;
      const answer = await whois(() => awsContext("ap-northeast-1"), "orders-api");
      costs.push({ answer, stats: aws.emulator.stats() });
      await aws.stop();
      stop = undefined;
    }
    const [small, large] = costs;

    expect(large?.answer.kind).toBe("found");
    expect(large?.stats.calls).toEqual(small?.stats.calls);
    expect(large?.stats.calls["ServiceDiscovery.ListServices"]).toBeUndefined();
    expect(large?.stats.sequentialRoundTrips).toBeLessThanOrEqual(4);
  });
});

describe("what a whois of an IP costs", () => {
  async function ipCost(services: number, ip: string, eniTags?: "cluster-and-service") {
    const fleet = generateFleet({ services });
    fleet.eniTags = eniTags;
    const aws = await useEmulatedAws(fleet, ROUND_TRIP_MS);
    stop = aws.stop;
    const answer = await whois(() => awsContext("ap-northeast-1"), ip);
    const stats = aws.emulator.stats();
    await aws.stop();
    stop = undefined;
    return { answer, stats };
  }

  it("finds a task whose ENI names its service in at most 4 round trips: the same calls at 50 and 5,000 services", async () => {
    const small = await ipCost(50, "10.0.1.23", "cluster-and-service");
    const large = await ipCost(5000, "10.0.1.23", "cluster-and-service");

    expect(large.answer.kind).toBe("found");
    expect(large.stats.calls).toEqual(small.stats.calls);
    expect(large.stats.calls["ECS.ListTasks"]).toBe(1);
    expect(large.stats.sequentialRoundTrips).toBeLessThanOrEqual(4);
  });

  it("stops listing every cluster once an untagged ENI's task is found: a few pages, not 25 per cluster", async () => {
    // 10.0.64.4 is the first generated task: on the first ListTasks page of prod-core, whose
    // 2,500 running tasks at 5,000 services take 25 pages (each of the 4 generated clusters alike).
    const { answer, stats } = await ipCost(5000, "10.0.64.4");

    expect(answer.kind).toBe("found");
    expect(stats.calls["ECS.ListTasks"]).toBeLessThanOrEqual(16);
    expect(stats.sequentialRoundTrips).toBeLessThanOrEqual(7);
  });

  it("answers for a Lambda's IP with the ENI and the cluster list alone, at 5,000 services", async () => {
    const { answer, stats } = await ipCost(5000, "10.0.11.5");

    expect(answer.kind).toBe("not-found");
    expect(stats.calls).toEqual({ "EC2.DescribeNetworkInterfaces": 1, "ECS.ListClusters": 1 });
    expect(stats.sequentialRoundTrips).toBe(1);
  });
});

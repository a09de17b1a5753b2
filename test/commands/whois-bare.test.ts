import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import type { EmulatorOptions } from "../../emulator/server.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { whois } from "../../src/commands/whois.ts";
import type { WhoisAnswer } from "../../src/domain/answer.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";

// A bare name is searched for in every namespace (DiscoverInstances) and every cluster
// (DescribeServices) at once. Over 23 clusters (20 generated and the demo's 3), the clusters'
// DescribeServices go in two waves (16 of one operation in flight per client): the service a
// namespace names is read while the second wave is still out, not after it.

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function emulate(
  latencyMs: number,
  options: Partial<EmulatorOptions> = {},
  edit: (fleet: Fleet) => void = () => {},
) {
  const fleet = generateFleet({ services: 50, namespaces: 2, clusters: 20 });
  edit(fleet);
  const aws = await useEmulatedAws(fleet, latencyMs, options);
  stop = aws.stop;
  return aws;
}

const ask = (name: string) => whois(() => awsContext("ap-northeast-1"), name);

/** What an answer says, in order, without the endpoints (Cloud Map lists them in any order). */
function summary(answer: WhoisAnswer) {
  if (answer.kind !== "found") return answer.kind;
  return answer.resolutions.map((r) => ({
    publisher: r.publisher,
    subject: r.subject,
    focus: r.bindings[0]?.name,
    verdict: r.verdict,
  }));
}

describe("/ecs whois of a bare name over more clusters than one wave of DescribeServices", () => {
  it("takes at most 4 sequential round trips cold and 2 warm", async () => {
    const aws = await emulate(ROUND_TRIP_MS);

    expect((await ask("orders-api")).kind).toBe("found");
    const cold = aws.emulator.stats();
    aws.emulator.resetStats();
    expect((await ask("orders-api")).kind).toBe("found");
    const warm = aws.emulator.stats();

    expect(cold.calls["ECS.DescribeServices"]).toBeGreaterThan(16);
    expect(cold.sequentialRoundTrips).toBeLessThanOrEqual(4);
    expect(warm.sequentialRoundTrips).toBeLessThanOrEqual(2);
  });

  it("reads the tasks of the service Cloud Map names before any cluster's DescribeServices answers", async () => {
    const describeMs = 300;
    const aws = await emulate(10, { latencyByOperation: { "ECS.DescribeServices": describeMs } });

    expect((await ask("orders-api")).kind).toBe("found");

    const firstAt = (operation: string) =>
      Math.min(...aws.emulator.requests.filter((r) => r.operation === operation).map((r) => r.at));
    expect(firstAt("ListTasks")).toBeLessThan(firstAt("DescribeServices") + describeMs);
  });

  it("gives one resolution, read once, for a name both Cloud Map and ECS find, whichever answers first", async () => {
    const aws = await emulate(5);
    const answers = [];
    for (const slow of ["ServiceDiscovery.DiscoverInstances", "ECS.DescribeServices"]) {
      aws.emulator.setLatency(150, slow);
      aws.emulator.resetStats();
      answers.push(await ask("orders-api"));
      const listings = aws.emulator.requests.filter(
        (r) => r.operation === "ListTasks" && (r.body as { serviceName?: string }).serviceName,
      );
      expect(listings).toHaveLength(1);
      aws.emulator.setLatency(5, slow);
    }

    const [ecsFirst, cloudMapFirst] = answers.map(summary);
    expect(ecsFirst).toEqual(cloudMapFirst);
    // The name asked, with its Cloud Map endpoints: not a plain ECS service name.
    expect(cloudMapFirst).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ kind: "name" }),
        focus: expect.stringMatching(/^orders-api\.mesh/),
      }),
    ]);
  });

  it("answers for a name that is only an ECS service's, in a cluster of the second wave", async () => {
    // tutorial comes last of the 23 clusters: its DescribeServices goes in the second wave.
    await emulate(5);

    const answer = await ask("legacy-report");

    expect(summary(answer)).toEqual([
      expect.objectContaining({
        publisher: expect.objectContaining({
          cluster: "tutorial",
          service: "legacy-report",
        }),
        subject: expect.objectContaining({ kind: "service" }),
      }),
    ]);
  });

  it("lists the services a bare word names in namespace order, whichever namespace answers first", async () => {
    const aws = await emulate(5);
    const answers = [];
    for (const slow of [undefined, "internal.local", "service-connect", "staging"]) {
      if (slow) aws.emulator.setLatency(150, `ServiceDiscovery.DiscoverInstances:${slow}`);
      answers.push(summary(await ask("api")));
      if (slow) aws.emulator.setLatency(5, `ServiceDiscovery.DiscoverInstances:${slow}`);
    }

    const [first, ...others] = answers;
    expect(first).toEqual([
      expect.objectContaining({
        publisher: expect.objectContaining({ cluster: "ecs_service_discovery" }),
        focus: "api.internal.local",
      }),
      expect.objectContaining({
        publisher: expect.objectContaining({ cluster: "staging" }),
        focus: "api.staging:8080",
      }),
    ]);
    for (const other of others) expect(other).toEqual(first);
  });
});

describe("/ecs whois of a bare name where BOT_TARGETS lists the place's namespaces", () => {
  const place = (namespaces: string[]) => ({
    label: "ap-northeast-1",
    region: "ap-northeast-1",
    namespaces,
  });
  const askIn = (namespaces: string[], name: string) =>
    whois(() => awsContext(place(namespaces)), name);

  it("asks each listed namespace at once, without waiting for the listing: 3 round trips cold, 2 warm", async () => {
    const aws = await emulate(ROUND_TRIP_MS);

    const answer = await askIn(["mesh", "service-connect"], "orders-api");
    const cold = aws.emulator.stats().sequentialRoundTrips;
    const [listing] = aws.emulator.requests.filter((r) => r.operation === "ListNamespaces");
    const [discovery] = aws.emulator.requests.filter((r) => r.operation === "DiscoverInstances");
    aws.emulator.resetStats();
    const again = await askIn(["mesh", "service-connect"], "orders-api");

    expect(summary(answer)).toEqual([
      expect.objectContaining({ focus: expect.stringMatching(/^orders-api\.mesh/) }),
    ]);
    expect(summary(again)).toEqual(summary(answer));
    expect(discovery?.at).toBeLessThan((listing?.at ?? 0) + ROUND_TRIP_MS);
    expect(cold).toBeLessThanOrEqual(3);
    expect(aws.emulator.stats().sequentialRoundTrips).toBeLessThanOrEqual(2);
  });

  it("asks a namespace whose HttpName is not its name again, by its HttpName", async () => {
    await emulate(5, {}, (fleet) => {
      const mesh = fleet.namespaces.find((n) => n.Name === "mesh");
      if (!mesh?.Properties?.HttpProperties) throw new Error("the fleet has no mesh namespace");
      mesh.Properties.HttpProperties.HttpName = "mesh-http";
    });

    const answer = await askIn(["mesh"], "orders-api");

    expect(summary(answer)).toEqual([
      expect.objectContaining({ focus: expect.stringMatching(/^orders-api\.mesh/) }),
    ]);
    expect(answer.kind === "found" && answer.gaps).toEqual([]);
  });

  it("names a listed namespace it could not ask instead of saying the name is not there", async () => {
    const aws = await emulate(5);
    aws.emulator.setDenied(["ServiceDiscovery.DiscoverInstances:mesh"]);

    const answer = await askIn(["mesh"], "orders-api");

    const gaps = answer.kind === "found" || answer.kind === "not-found" ? answer.gaps : [];
    expect(gaps.map((g) => g.what)).toContain("the Cloud Map endpoints of orders-api.mesh");
  });
});

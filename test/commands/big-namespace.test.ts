import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import type { EmulatorOptions } from "../../emulator/server.ts";
import { health } from "../../src/commands/health.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { traffic } from "../../src/commands/traffic.ts";
import { healthDocument } from "../../src/render/health-document.ts";
import { renderText } from "../../src/render/text.ts";
import { trafficDocument } from "../../src/render/traffic-document.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// Health and traffic of a name in a namespace of more services than one page of
// ListServicesByNamespace (100): what they read does not grow with the namespace, and what they
// leave out is said, never counted as fine. The callers come from a CloudWatch search of the
// name, placed in the namespace by its first page or by their own configuration: a caller of
// the same discovery name in another namespace is not the target's.

const NOW = new Date("2026-11-24T12:00:30Z");
let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/**
 * A namespace `mesh` of 150 services over 4 clusters, each called by the one before it; the
 * last one's name is also called in staging (by staging's web-frontend, 50 % 5xx), where
 * staging's api-service publishes the same discovery name.
 */
function bigMesh(services = 150): {
  fleet: Fleet;
  name: string;
  caller: { cluster: string; service: string };
} {
  const fleet = generateFleet({ services, namespaces: 1, traffic: true });
  const publishers = fleet.traffic?.publishers ?? [];
  const last = publishers.at(-1);
  const caller = last?.callers[0];
  if (!last || !caller) throw new Error("the generated fleet has no traffic");
  // Staging's api-service publishes the same discovery name in its own namespace.
  const staging = fleet.services.find(
    (s) => s.serviceName === "api-service" && s.clusterArn?.endsWith("/staging"),
  );
  const published = staging?.deployments?.find((d) => d.status === "PRIMARY")
    ?.serviceConnectConfiguration?.services?.[0];
  if (!published) throw new Error("staging's api-service publishes nothing");
  published.discoveryName = last.discoveryName;
  const entry = publishers.find((p) => p.cluster === "staging" && p.service === "api-service");
  if (!entry) throw new Error("staging's api-service has no traffic");
  entry.discoveryName = last.discoveryName;
  entry.callers = [{ ...caller, cluster: "staging", service: "web-frontend", share5xx: 0.5 }];
  return {
    fleet,
    name: `${last.discoveryName}.mesh`,
    caller: { cluster: caller.cluster, service: caller.service },
  };
}

async function emulated(fleet: Fleet, options: Partial<EmulatorOptions> = {}) {
  const aws = await useEmulatedAws(fleet, 0, { now: () => NOW.getTime(), ...options });
  stop = aws.stop;
  return aws;
}

const ctx = () => awsContext("ap-northeast-1");

describe("traffic of a name in a namespace of 150 services", () => {
  it("finds its caller with one search and one page, and leaves out staging's caller of the same name", async () => {
    const { fleet, name, caller } = bigMesh();
    const aws = await emulated(fleet);

    const answer = await traffic(ctx, name, NOW);
    const text = renderText(trafficDocument(answer));
    const calls = aws.emulator.stats().calls;

    expect(text).toContain(`Service Connect callers (1):\n  ${caller.cluster}/${caller.service}:`);
    expect(text).not.toContain("staging/web-frontend");
    expect(text).toMatch(/5xx rate 0\.\d\d%/);
    expect(calls["ECS.ListServicesByNamespace"]).toBe(1);
    expect(calls["CloudWatch.GetMetricData"]).toBe(1);
    // The target, then the two callers found off the first page, each in its own cluster.
    expect(calls["ECS.DescribeServices"]).toBe(3);
  });

  it("queries every service of the namespace when the search may have left callers out", async () => {
    const { fleet, name, caller } = bigMesh(600);
    // Every other service of mesh calls the last one too: 599 callers in mesh, one in staging,
    // more than the 500 series one search returns.
    const entry = fleet.traffic?.publishers.find(
      (p) => `${p.discoveryName}.mesh` === name && p.cluster !== "staging",
    );
    const others = fleet.traffic?.publishers.filter((p) => p !== entry && p.cluster !== "staging");
    if (!entry || !others) throw new Error("no traffic");
    const flow = entry.callers[0];
    if (!flow) throw new Error("no caller");
    entry.callers = others
      .filter((p) => p.cluster !== "tutorial" && p.cluster !== "ecs_service_discovery")
      .map((p, i) => ({
        ...flow,
        cluster: p.cluster,
        service: p.service,
        requestsPerMinute: 60 + i,
      }));
    if (!entry.callers.some((c) => c.service === caller.service)) entry.callers.push(flow);
    const aws = await emulated(fleet);

    const text = renderText(trafficDocument(await traffic(ctx, name, NOW)));
    const calls = aws.emulator.stats().calls;

    expect(text).toMatch(/Service Connect callers \((\d+)\):/);
    const shown = Number(/Service Connect callers \((\d+)\):/.exec(text)?.[1]);
    expect(shown).toBe(entry.callers.length);
    expect(text).not.toContain("staging/web-frontend");
    // The first page, the rest of the listing from its token (five pages), then the queries of
    // every possible caller.
    expect(calls["ECS.ListServicesByNamespace"]).toBe(6);
    expect(calls["CloudWatch.GetMetricData"]).toBeGreaterThan(2);
  });
});

describe("health of a name in a namespace of 150 services", () => {
  it("checks a bounded part of the clients and says how many it did not check", async () => {
    const { fleet, name } = bigMesh();
    const aws = await emulated(fleet);

    const text = renderText(healthDocument(await health(ctx, name)));
    const calls = aws.emulator.stats().calls;

    expect(text).toMatch(
      /Checked \d+ of the namespace's clients; \d+ more on its first page of services and every service past that page not checked/,
    );
    expect(text).not.toContain("all can resolve it");
    // The target, at most five calls of clients, the two callers found off the page.
    expect(calls["ECS.DescribeServices"]).toBeLessThanOrEqual(8);
    expect(calls["ECS.ListServicesByNamespace"]).toBe(1);
  });
});

import { afterAll, describe, expect, it } from "vitest";
import { cloudWatchOperations } from "../../../emulator/cloudwatch/operations.ts";
import { syntheticValue } from "../../../emulator/cloudwatch/statistics.ts";
import { publishedSeries } from "../../../emulator/cloudwatch/traffic-model.ts";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import type { Fleet } from "../../../emulator/fleet/types.ts";
import { type RunningEmulator, startEmulator } from "../../../emulator/server.ts";
import {
  API_ALONE,
  API_CALLER,
  API_SERVER,
  addService,
  client,
  fetchSeries,
  flow,
  NOW,
  NOW_MINUTE,
  protocolFleet,
  qaFleet,
  query,
  SLOW,
} from "./support.ts";

describe("CloudWatch over the fleet's traffic (test fleets)", () => {
  const running: RunningEmulator[] = [];
  const emulate = async (fleet: Fleet) => {
    const emu = await startEmulator({ fleet, now: () => NOW });
    running.push(emu);
    return client(emu);
  };
  afterAll(async () => {
    for (const emu of running) await emu.close();
  });

  it("adds up every cluster's publisher of a discovery name under DiscoveryName alone", async () => {
    const fleet = qaFleet();
    const at = (ClusterName: string) => ({
      ...API_SERVER,
      ServiceName: "api-service",
      ClusterName,
    });
    const prod = at("ecs_service_discovery");
    const { values } = await fetchSeries(await emulate(fleet), [
      query("alone", "RequestCount", API_ALONE, "Sum", 60),
      query("prod", "RequestCount", prod, "Sum", 60),
      query("staging", "RequestCount", at("staging"), "Sum", 60),
      query("qa", "RequestCount", at("qa"), "Sum", 60),
      query("aloneTasks", "RequestCount", API_ALONE, "SampleCount", 60),
      query("prodTasks", "RequestCount", prod, "SampleCount", 60),
      query("qaTasks", "RequestCount", at("qa"), "SampleCount", 60),
    ]);

    expect(values("alone")).toHaveLength(60);
    expect(values("alone")).toEqual(
      values("prod").map((v, i) => v + (values("staging")[i] ?? 0) + (values("qa")[i] ?? 0)),
    );
    expect(new Set(values("aloneTasks"))).toEqual(new Set([3 + 2 + 1]));
    expect(new Set(values("prodTasks"))).toEqual(new Set([3]));
    expect(new Set(values("qaTasks"))).toEqual(new Set([1]));
    // Each publisher alone is what it was without the others; qa serves ~50 a minute.
    const demo = (m: number) => syntheticValue("RequestCount", prod, m, "Sum", { now: NOW });
    const minutes = Array.from({ length: 60 }, (_, i) => NOW_MINUTE - 3600 + i * 60);
    expect(values("prod")).toEqual(minutes.map(demo));
    for (const v of values("qa")) expect(Math.abs(v - 50)).toBeLessThanOrEqual(3);
    expect(
      syntheticValue("RequestCount", API_ALONE, NOW_MINUTE - 60, "Sum", { now: NOW, fleet }),
    ).toBe(values("alone").at(-1));
  });

  it("adds up every caller of a discovery name under TargetDiscoveryName alone", async () => {
    const fleet = qaFleet();
    const prod = API_CALLER;
    const staging = { ...API_CALLER, ClusterName: "staging" };
    const qa = { ...API_CALLER, ClusterName: "qa" };
    const api = { TargetDiscoveryName: "api" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("alone", "HTTPCode_Target_2XX_Count", api, "Sum", 60),
      query("prod", "HTTPCode_Target_2XX_Count", prod, "Sum", 60),
      query("staging", "HTTPCode_Target_2XX_Count", staging, "Sum", 60),
      query("qa", "HTTPCode_Target_2XX_Count", qa, "Sum", 60),
      query("aloneP99", "TargetResponseTime", api, "p99", 60),
      query("prodP99", "TargetResponseTime", prod, "p99", 60),
      query("qaP99", "TargetResponseTime", qa, "p99", 60),
      query("prodPerTarget", "RequestCountPerTarget", prod, "Sum", 60),
      query("qaPerTarget", "RequestCountPerTarget", qa, "Sum", 60),
      query("qaLatencySamples", "TargetResponseTime", qa, "SampleCount", 60),
      query("prodLatencySamples", "TargetResponseTime", prod, "SampleCount", 60),
    ]);

    expect(values("alone")).toHaveLength(60);
    expect(values("alone")).toEqual(
      values("prod").map((v, i) => v + (values("staging")[i] ?? 0) + (values("qa")[i] ?? 0)),
    );
    // An hour ago (before the api incident) prod's callers see 80 ms at p99, qa's 250 ms: the
    // single-dimension set mixes them into a p99 that is not prod's.
    const hourAgo = 0;
    expect(values("prodP99")[hourAgo]).toBe(80);
    expect(values("qaP99")[hourAgo]).toBe(250);
    expect(values("aloneP99")[hourAgo]).toBe(250);
    // Per target: prod's requests over api's 3 tasks, qa's over its 1 task.
    expect(values("qaPerTarget")).toEqual(values("qaLatencySamples"));
    expect(values("prodPerTarget")).toHaveLength(60);
    values("prodPerTarget").forEach((v, i) => {
      expect(v * 3).toBeCloseTo(values("prodLatencySamples")[i] as number, 9);
    });
  });

  it("publishes only connections and bytes for a TCP port, and GrpcRequestCount for a grpc one", async () => {
    const fleet = protocolFleet();
    const names = (match: (d: Record<string, string>) => boolean) =>
      publishedSeries(fleet)
        .filter((s) => match(s.dimensions))
        .map((s) => s.metricName);
    const kv = (d: Record<string, string>) =>
      d.DiscoveryName === "kv" || d.TargetDiscoveryName === "kv";
    const grpc = (d: Record<string, string>) =>
      d.DiscoveryName === "ledger-grpc" || d.TargetDiscoveryName === "ledger-grpc";

    expect(new Set(names(kv))).toEqual(
      new Set([
        "NewConnectionCount",
        "ActiveConnectionCount",
        "ProcessedBytes",
        "TargetProcessedBytes",
      ]),
    );
    expect(new Set(names(grpc))).toEqual(
      new Set([
        "GrpcRequestCount",
        "NewConnectionCount",
        "ActiveConnectionCount",
        "ProcessedBytes",
        "RequestCountPerTarget",
        "TargetProcessedBytes",
        "TargetResponseTime",
      ]),
    );

    const tcp = { DiscoveryName: "kv" };
    const tcpCaller = { TargetDiscoveryName: "kv" };
    const rpc = { DiscoveryName: "ledger-grpc" };
    const rpcCaller = { TargetDiscoveryName: "ledger-grpc" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("tcpRequests", "RequestCount", tcp, "Sum", 60),
      query("tcpConnections", "NewConnectionCount", tcp, "Sum", 60),
      query("tcpBytes", "ProcessedBytes", tcp, "Sum", 60),
      query("tcpActive", "ActiveConnectionCount", tcp, "Average", 60),
      query("tcpTargetBytes", "TargetProcessedBytes", tcpCaller, "Sum", 60),
      query("tcp2xx", "HTTPCode_Target_2XX_Count", tcpCaller, "Sum", 60),
      query("tcpLatency", "TargetResponseTime", tcpCaller, "p99", 60),
      query("tcpPerTarget", "RequestCountPerTarget", tcpCaller, "Sum", 60),
      query("rpcRequests", "GrpcRequestCount", rpc, "Sum", 60),
      query("rpcHttpRequests", "RequestCount", rpc, "Sum", 60),
      query("rpc5xx", "HTTPCode_Target_5XX_Count", rpcCaller, "Sum", 60),
      query("rpcLatency", "TargetResponseTime", rpcCaller, "p50", 60),
      query("rpcPerTarget", "RequestCountPerTarget", rpcCaller, "Sum", 60),
    ]);

    for (const id of ["tcpConnections", "tcpBytes", "tcpActive", "tcpTargetBytes"]) {
      expect(values(id), id).toHaveLength(60);
    }
    expect(values("tcpBytes")).toEqual(values("tcpTargetBytes"));
    for (const v of values("tcpBytes")) expect(v % 500).toBe(0);
    for (const id of ["tcpRequests", "tcp2xx", "tcpLatency", "tcpPerTarget"]) {
      expect(values(id), id).toEqual([]);
    }
    expect(values("rpcRequests")).toHaveLength(60);
    expect(values("rpcPerTarget")).toEqual(values("rpcRequests").map((r) => r / 2));
    expect(new Set(values("rpcLatency"))).toEqual(new Set([100]));
    for (const id of ["rpcHttpRequests", "rpc5xx"]) expect(values(id), id).toEqual([]);
  });

  it("publishes nothing for a caller or a publisher without a RUNNING task", async () => {
    const fleet = loadDemoFleet();
    const namespace = fleet.namespaces.find((n) => n.Name === "service-connect")?.Arn as string;
    // A caller whose tasks all stopped, calling nginx...
    addService(fleet, { cluster: "tutorial", name: "batch", namespace, running: 0, stopped: 2 });
    fleet.traffic?.publishers[0]?.callers.push({
      cluster: "tutorial",
      service: "batch",
      ...flow(5000, SLOW),
    });
    // ...and api-service with its 3 tasks stopped.
    for (const task of fleet.tasks) {
      if (task.group === "service:api-service") task.lastStatus = "STOPPED";
    }
    const batch = { TargetDiscoveryName: "nginx", ServiceName: "batch", ClusterName: "tutorial" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("nginx", "RequestCount", { DiscoveryName: "nginx" }, "Sum", 60),
      query("nginxCodes", "HTTPCode_Target_2XX_Count", { TargetDiscoveryName: "nginx" }, "Sum", 60),
      query("batchCodes", "HTTPCode_Target_2XX_Count", batch, "Sum", 60),
      query("batchBytes", "TargetProcessedBytes", batch, "Sum", 60),
      query("api", "RequestCount", API_SERVER, "Sum", 60),
      query("apiActive", "ActiveConnectionCount", API_SERVER, "Average", 60),
      query("apiCaller", "HTTPCode_Target_2XX_Count", API_CALLER, "Sum", 60),
      query("apiLatency", "TargetResponseTime", { TargetDiscoveryName: "api" }, "p50", 60),
    ]);

    for (const id of ["batchCodes", "batchBytes", "api", "apiActive", "apiCaller", "apiLatency"]) {
      expect(values(id), id).toEqual([]);
    }
    // batch's 5000 a minute reach no one: nginx serves web-frontend's requests only, as in the demo.
    const minutes = Array.from({ length: 60 }, (_, i) => NOW_MINUTE - 3600 + i * 60);
    const demo = (m: number, metric: string, d: Record<string, string>) =>
      syntheticValue(metric, d, m, "Sum", { now: NOW });
    expect(values("nginx")).toEqual(
      minutes.map((m) => demo(m, "RequestCount", { DiscoveryName: "nginx" })),
    );
    expect(values("nginxCodes")).toEqual(
      minutes.map((m) => demo(m, "HTTPCode_Target_2XX_Count", { TargetDiscoveryName: "nginx" })),
    );
    expect(publishedSeries(fleet).some((s) => s.dimensions.DiscoveryName === "api")).toBe(false);
  });

  it("refuses a traffic entry the fleet cannot back, naming it", async () => {
    const misspelt = loadDemoFleet();
    const api = misspelt.traffic?.publishers[1];
    if (api?.callers[0]) api.callers[0].service = "web-frontnd";
    const build = (fleet: Fleet) => () => cloudWatchOperations({ now: () => NOW, fleet });

    expect(build(misspelt)).toThrow(
      "traffic.publishers[1].callers[0]: no service tutorial/web-frontnd in the fleet",
    );
    await expect(startEmulator({ fleet: misspelt })).rejects.toThrow(
      "traffic.publishers[1].callers[0]: no service tutorial/web-frontnd",
    );
    expect(() =>
      syntheticValue("RequestCount", API_SERVER, NOW_MINUTE - 60, "Sum", {
        now: NOW,
        fleet: misspelt,
      }),
    ).toThrow("traffic.publishers[1].callers[0]");

    const wrongCluster = loadDemoFleet();
    const nginx = wrongCluster.traffic?.publishers[0];
    if (nginx) nginx.cluster = "ecs_service_discovery";
    expect(build(wrongCluster)).toThrow(
      "traffic.publishers[0]: no service ecs_service_discovery/service-connect-nginx-service in the fleet",
    );

    // web-frontend is a Service Connect client only: it publishes no discovery name.
    const notPublished = loadDemoFleet();
    const index = notPublished.traffic?.publishers.length ?? 0;
    notPublished.traffic?.publishers.push({
      cluster: "tutorial",
      service: "web-frontend",
      discoveryName: "http",
      callers: [],
    });
    expect(build(notPublished)).toThrow(
      `traffic.publishers[${index}]: discovery name http is not in the Service Connect configuration of tutorial/web-frontend's PRIMARY deployment`,
    );

    // billing-worker has no Service Connect: no proxy to call through (it belongs under outside).
    const noProxy = loadDemoFleet();
    noProxy.traffic?.publishers[0]?.callers.push({
      cluster: "ecs_service_discovery",
      service: "billing-worker",
      ...flow(10, SLOW),
    });
    expect(build(noProxy)).toThrow(
      "traffic.publishers[0].callers[1]: ecs_service_discovery/billing-worker has no Service Connect",
    );

    const badShares = loadDemoFleet();
    const first = badShares.traffic?.publishers[0]?.callers[0];
    if (first) first.latencyBuckets = [{ le: 10, share: 0.5 }];
    expect(build(badShares)).toThrow(
      "traffic.publishers[0].callers[0].latencyBuckets: shares sum to 0.5, not 1",
    );
  });
});

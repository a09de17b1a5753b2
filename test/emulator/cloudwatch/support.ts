// What the CloudWatch tests share: a pinned clock, query builders, the datapoints expected from
// the 1-minute generator, the demo fleet's traffic repeated to check it against, and test fleets.

import { inflateSync } from "node:zlib";
import {
  CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { expect } from "vitest";
import { syntheticValue } from "../../../emulator/cloudwatch/statistics.ts";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import type { Fleet, FleetTrafficFlow } from "../../../emulator/fleet/types.ts";
import type { RunningEmulator } from "../../../emulator/server.ts";

export const credentials = { accessKeyId: "demo", secretAccessKey: "demo" };
export const region = "ap-northeast-1";
// A pinned clock (mid-minute) so expected values cannot drift between request and assertion.
export const NOW = Date.parse("2026-11-23T16:42:37.250Z");
export const NOW_MINUTE = Math.floor(NOW / 60_000) * 60;

export function client(emu: RunningEmulator, maxAttempts = 1) {
  return new CloudWatchClient({ region, endpoint: emu.url, credentials, maxAttempts });
}

export const dims = (record: Record<string, string>): Dimension[] =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

export function query(
  id: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
  period = 300,
  extra: Partial<MetricDataQuery> = {},
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/ECS", MetricName: metricName, Dimensions: dims(dimensions) },
      Period: period,
      Stat: stat,
    },
    ...extra,
  };
}

/**
 * The datapoints CloudWatch would return, aggregated here from the generator's 1-minute values:
 * minutes floor(start / period) * period <= m < end, bucketed at floor(m / period) * period. (Not for
 * TargetResponseTime percentiles, which come from the period's merged histogram.)
 */
export function expected(
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
  period: number,
  startSeconds: number,
  endSeconds: number,
  now = NOW,
): { timestamps: number[]; values: number[] } {
  type Bucket = { sum: number; n: number; min: number; max: number; weighted: number };
  const buckets = new Map<number, Bucket>();
  for (let m = Math.floor(startSeconds / period) * period; m < endSeconds; m += 60) {
    const one = (s: string) => syntheticValue(metricName, dimensions, m, s, { now });
    const sum = one("Sum");
    const n = one("SampleCount");
    if (sum === undefined || n === undefined) continue;
    const bucket = Math.floor(m / period) * period;
    const b = buckets.get(bucket) ?? { sum: 0, n: 0, min: Infinity, max: -Infinity, weighted: 0 };
    b.sum += sum;
    b.n += n;
    b.min = Math.min(b.min, one("Minimum") as number);
    b.max = Math.max(b.max, one("Maximum") as number);
    if (stat.startsWith("p")) b.weighted += n * (one(stat) as number);
    buckets.set(bucket, b);
  }
  const timestamps = [...buckets.keys()].sort((a, b) => a - b);
  const values = timestamps.map((t) => {
    const b = buckets.get(t) as Bucket;
    if (stat === "Sum") return b.sum;
    if (stat === "SampleCount") return b.n;
    if (stat === "Average") return b.sum / b.n;
    if (stat === "Minimum") return b.min;
    if (stat === "Maximum") return b.max;
    return b.weighted / b.n;
  });
  return { timestamps, values };
}

export const seconds = (dates: Date[] | undefined) => (dates ?? []).map((d) => d.getTime() / 1000);

/** One GetMetricData over [from, to) (epoch ms), the results by Id. */
export async function fetchSeries(
  cw: CloudWatchClient,
  queries: MetricDataQuery[],
  from = NOW - 3600_000,
  to = NOW,
) {
  const { MetricDataResults = [] } = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(from),
      EndTime: new Date(to),
      ScanBy: "TimestampAscending",
      MetricDataQueries: queries,
    }),
  );
  const byId = (id: string) => MetricDataResults.find((r) => r.Id === id);
  return {
    values: (id: string) => byId(id)?.Values ?? [],
    timestamps: (id: string) => seconds(byId(id)?.Timestamps),
    /** The value of the minute `minutesAgo` whole minutes before the pinned clock's minute. */
    at: (id: string, minutesAgo: number) => {
      const i = seconds(byId(id)?.Timestamps).indexOf(NOW_MINUTE - minutesAgo * 60);
      return i < 0 ? undefined : byId(id)?.Values?.[i];
    },
  };
}

// The demo fleet's traffic (emulator/demo-fleet.json), repeated here to check the generator against.
export const NGINX_BOUNDS = [5, 8, 10, 15, 20, 30, 50];
export const API_NORMAL = [
  { le: 10, share: 0.2 },
  { le: 20, share: 0.35 },
  { le: 30, share: 0.2 },
  { le: 45, share: 0.17 },
  { le: 60, share: 0.06 },
  { le: 80, share: 0.015 },
  { le: 120, share: 0.005 },
];
export const API_INCIDENT = [
  { le: 30, share: 0.2 },
  { le: 60, share: 0.35 },
  { le: 120, share: 0.1 },
  { le: 250, share: 0.1 },
  { le: 500, share: 0.1 },
  { le: 700, share: 0.07 },
  { le: 1000, share: 0.04 },
  { le: 1800, share: 0.035 },
  { le: 3000, share: 0.005 },
];
export const API_BOUNDS = [...new Set([...API_NORMAL, ...API_INCIDENT].map((b) => b.le))].sort(
  (a, b) => a - b,
);
export const wave = (m: number, phase: number) =>
  1 + 0.05 * Math.sin((2 * Math.PI * m) / 5400 + phase);
/** The api incident's weight: it starts 15 minutes before the current minute, ramping over 4. */
export const incidentWeight = (m: number) => {
  const start = NOW_MINUTE - 900;
  return m < start ? 0 : Math.min(1, ((m - start) / 60 + 1) / 4);
};

/** `api` alone: prod's and staging's api-service added up, as CloudWatch does. */
export const API_ALONE = { DiscoveryName: "api" };
/** Prod's api-service alone. */
export const API_SERVER = {
  DiscoveryName: "api",
  ServiceName: "api-service",
  ClusterName: "ecs_service_discovery",
};
export const API_CALLER = {
  TargetDiscoveryName: "api",
  ServiceName: "web-frontend",
  ClusterName: "tutorial",
};
export const NGINX_PUBLISHER = {
  DiscoveryName: "nginx",
  ServiceName: "service-connect-nginx-service",
  ClusterName: "tutorial",
};

// ---- test fleets built on the demo fleet ----------------------------------------------------------

export const ACCOUNT = "123456789012";
export const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

/** An HTTP Cloud Map namespace for Service Connect; returns its ARN. */
export function addNamespace(fleet: Fleet, name: string): string {
  const id = `ns-${name
    .replace(/[^a-z0-9]/g, "")
    .padEnd(16, "0")
    .slice(0, 16)}`;
  const namespaceArn = arn("servicediscovery", `namespace/${id}`);
  fleet.namespaces.push({
    Id: id,
    Arn: namespaceArn,
    Name: name,
    Type: "HTTP",
    Properties: { DnsProperties: { SOA: {} }, HttpProperties: { HttpName: name } },
  });
  return namespaceArn;
}

export interface ServiceSpec {
  cluster: string;
  name: string;
  /** The Service Connect namespace (ARN) of its PRIMARY deployment. */
  namespace: string;
  /** The port it publishes; none for a client-only service. */
  port?: { name: string; appProtocol?: "http" | "http2" | "grpc"; discoveryName?: string };
  running: number;
  stopped?: number;
}

/** An ECS service with its task definition, PRIMARY deployment and tasks (and its cluster). */
export function addService(fleet: Fleet, spec: ServiceSpec): void {
  const clusterArn = arn("ecs", `cluster/${spec.cluster}`);
  if (!fleet.clusters.some((c) => c.clusterArn === clusterArn)) {
    fleet.clusters.push({ clusterArn, clusterName: spec.cluster, status: "ACTIVE" });
  }
  const taskDefinitionArn = arn("ecs", `task-definition/${spec.cluster}-${spec.name}:1`);
  fleet.taskDefinitions.push({
    taskDefinitionArn,
    family: `${spec.cluster}-${spec.name}`,
    revision: 1,
    networkMode: "awsvpc",
    containerDefinitions: [
      {
        name: "app",
        image: `${spec.name}:1`,
        essential: true,
        portMappings: spec.port
          ? [
              {
                containerPort: 8000,
                protocol: "tcp",
                name: spec.port.name,
                ...(spec.port.appProtocol ? { appProtocol: spec.port.appProtocol } : {}),
              },
            ]
          : [],
      },
    ],
  });
  const services = spec.port
    ? [
        {
          portName: spec.port.name,
          ...(spec.port.discoveryName ? { discoveryName: spec.port.discoveryName } : {}),
          clientAliases: [{ port: 8000 }],
        },
      ]
    : [];
  fleet.services.push({
    serviceArn: arn("ecs", `service/${spec.cluster}/${spec.name}`),
    serviceName: spec.name,
    clusterArn,
    status: "ACTIVE",
    desiredCount: spec.running,
    runningCount: spec.running,
    taskDefinition: taskDefinitionArn,
    deployments: [
      {
        id: `ecs-svc/${spec.cluster}-${spec.name}`,
        status: "PRIMARY",
        taskDefinition: taskDefinitionArn,
        runningCount: spec.running,
        serviceConnectConfiguration: { enabled: true, namespace: spec.namespace, services },
      },
    ],
  });
  const statuses = [
    ...Array<string>(spec.running).fill("RUNNING"),
    ...Array<string>(spec.stopped ?? 0).fill("STOPPED"),
  ];
  statuses.forEach((lastStatus, i) => {
    fleet.tasks.push({
      taskArn: arn("ecs", `task/${spec.cluster}/${spec.name}${i}`.padEnd(32, "0")),
      clusterArn,
      group: `service:${spec.name}`,
      lastStatus,
      desiredStatus: lastStatus,
      taskDefinitionArn,
    });
  });
}

/** A caller's or outside flow: `requestsPerMinute` with no wave-free surprises. */
export function flow(
  requestsPerMinute: number,
  latencyBuckets: FleetTrafficFlow["latencyBuckets"],
  extra: Partial<FleetTrafficFlow> = {},
): FleetTrafficFlow {
  return {
    requestsPerMinute,
    newConnectionsPerMinute: 5,
    activeConnections: 3,
    bytesPerRequest: 500,
    share4xx: 0.01,
    latencyBuckets,
    ...extra,
  };
}

export const SLOW = [
  { le: 100, share: 0.5 },
  { le: 250, share: 0.5 },
];

/**
 * The demo fleet (whose staging cluster already publishes `api` in namespace `staging`) plus a
 * third copy: cluster `qa` in its own namespace `qa`, where api-service (1 RUNNING task) publishes
 * the same discovery name `api` to a qa web-frontend.
 */
export function qaFleet(): Fleet {
  const fleet = loadDemoFleet();
  const namespace = addNamespace(fleet, "qa");
  addService(fleet, {
    cluster: "qa",
    name: "api-service",
    namespace,
    port: { name: "api", appProtocol: "http", discoveryName: "api" },
    running: 1,
  });
  addService(fleet, { cluster: "qa", name: "web-frontend", namespace, running: 2 });
  fleet.traffic?.publishers.push({
    cluster: "qa",
    service: "api-service",
    discoveryName: "api",
    callers: [{ cluster: "qa", service: "web-frontend", ...flow(50, SLOW) }],
  });
  return fleet;
}

/** The demo fleet plus a TCP publisher (kv, no appProtocol) and a grpc one (discovery name = port name). */
export function protocolFleet(): Fleet {
  const fleet = loadDemoFleet();
  const namespace = fleet.namespaces.find((n) => n.Name === "service-connect")?.Arn as string;
  addService(fleet, {
    cluster: "tutorial",
    name: "cache",
    namespace,
    port: { name: "kv", discoveryName: "kv" },
    running: 2,
  });
  addService(fleet, {
    cluster: "tutorial",
    name: "ledger",
    namespace,
    port: { name: "ledger-grpc", appProtocol: "grpc" },
    running: 2,
  });
  const web = { cluster: "tutorial", service: "web-frontend" };
  fleet.traffic?.publishers.push(
    {
      cluster: "tutorial",
      service: "cache",
      discoveryName: "kv",
      callers: [{ ...web, ...flow(600, SLOW) }],
    },
    {
      cluster: "tutorial",
      service: "ledger",
      discoveryName: "ledger-grpc",
      callers: [{ ...web, ...flow(200, SLOW, { share5xx: 0.1 }) }],
    },
  );
  return fleet;
}

/** Width, height and the decoded RGB rows (filter 0) of a PNG the emulator drew. */
export function decodePng(png: Uint8Array): { width: number; height: number; rgb: Buffer } {
  const bytes = Buffer.from(png);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 3 + 1)]).toBe(0);
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  }
  return { width, height, rgb };
}

export function hasColour(rgb: Buffer, [r, g, b]: [number, number, number]): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) return true;
  }
  return false;
}

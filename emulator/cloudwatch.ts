// Amazon CloudWatch (AWS JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.<Op>, signing name
// `monitoring`): GetMetricData and GetMetricWidgetImage over synthetic Service Connect metrics.
//
// CloudWatch is an awsQueryCompatible service: its JSON errors carry `x-amzn-query-error:
// <QueryCode>;Sender`, and the SDK names the error after that Query code (ValidationError maps to
// its ValidationException class; unmodelled codes such as Throttling or AccessDenied come out as
// CloudWatchServiceException with that name). Timestamps are epoch seconds, blobs base64.
//
// The series come from the fleet's `traffic` section (FleetTraffic in fleet.ts); a fleet without it
// publishes none. A publisher is an ECS service publishing one discovery name; its flows are its
// Service Connect callers' (one per calling ECS service) and, optionally, `outside` (DNS or IP
// clients reaching its proxy, counted server side only). Read from the fleet once, when the
// operations are built, and checked then: an Error naming the entry (`traffic.publishers[1].callers[0]:
// no service tutorial/web-frontnd in the fleet`) for a service that is not in the fleet, a discovery
// name its PRIMARY deployment's Service Connect does not publish, a port without its port mapping, a
// caller without Service Connect (DNS or IP clients belong in `outside`) or in another namespace
// than the publisher's, a second publisher of one discovery name in one namespace, and numbers or
// latency buckets out of range (shares must sum to 1). From the fleet:
//   protocol of a publisher: its PRIMARY deployment's serviceConnectConfiguration.services[] entry
//     whose discoveryName (default: portName) is the publisher's → its portName → that deployment's
//     task definition (fleet.taskDefinitions) → the containerDefinitions[].portMappings[] entry of
//     that name → appProtocol: http, http2 or grpc; none means TCP.
//   n of a service: its RUNNING tasks (fleet.tasks with its clusterArn and group service:<name>).
//     ECS publishes for RUNNING tasks only: a publisher with n = 0 publishes nothing (no server
//     side, and no client side towards it: it has no target); a caller with n = 0 publishes nothing
//     and its flow does not reach the publisher.
//
// The values are deterministic functions of the 1-minute timestamp m (epoch seconds, a multiple of
// 60) and of "now" (the emulator clock, Date.now() by default). Let nowMinute = floor(now / 60 s) * 60
// (the current, incomplete minute). A minute is published when
//   nowMinute - 15 days <= m <= nowMinute - 60
// (complete minutes of the last 15 days). Per flow F (a FleetTrafficFlow, I = F.incident):
//   w  = sin(2π m / 5400 + F.phase)                 a 90-minute wave (phase default 0)
//   f  = 1 + 0.05 w                                 ±5 %
//   b  = incident weight: with s = nowMinute - 60 I.startMinutesAgo and e = s + 60 I.durationMinutes
//        (no end without a duration), b = min(1, (k + 1) / I.rampMinutes) with k = (m - s) / 60
//        when s <= m < e, else 0 (always 0 without an incident; rampMinutes default 4)
//   mix(normal, incident) = normal + (incident - normal) b   (an absent incident field: normal)
//   R  = round(F.requestsPerMinute f mix(1, I.requestsFactor))      requests in the minute
//   c3 = round(R F.share3xx), c4 = round(R F.share4xx), c5 = round(R mix(F.share5xx, I.share5xx)),
//   c2 = R - c3 - c4 - c5                           (absent shares are 0)
//   N  = round(F.newConnectionsPerMinute f)
//   A  = F.activeConnections f mix(1, I.activeFactor)
//   H  = latency histogram over the union of the bounds of F.latencyBuckets and I.latencyBuckets:
//        share of the bucket `le` = mix(its normal share, its incident share), a share being 0 in a
//        list without that bound
// Metrics, the protocols that publish them and their 1-minute statistics (n = samples):
//   server side, published by the publisher's proxies (n = its tasks), dimension sets {DiscoveryName}
//   and {DiscoveryName, ServiceName, ClusterName} of the PUBLISHER; values are sums over its live
//   flows (callers' and outside):
//     RequestCount = ΣR (http, http2), GrpcRequestCount = ΣR (grpc), NewConnectionCount = ΣN,
//     ProcessedBytes = Σ R F.bytesPerRequest, ActiveConnectionCount = ΣA (all protocols)
//   client side, published by a caller's proxies (n = the caller's tasks), dimension sets
//   {TargetDiscoveryName} and {TargetDiscoveryName, ServiceName, ClusterName} of the CALLER; values
//   from the caller's own flow:
//     HTTPCode_Target_2XX_Count = c2, 3XX c3, 4XX c4, 5XX c5 (http, http2)
//     RequestCountPerTarget = R / the publisher's n (http, http2, grpc): an average per target
//     TargetProcessedBytes = R F.bytesPerRequest (all protocols)
//     TargetResponseTime from H, with R samples (http, http2, grpc)
//   so a TCP port (no appProtocol) has connections and bytes only.
//   Counts: Sum = value, SampleCount = n, Minimum = Maximum = every percentile = value / n.
//   ActiveConnectionCount, a gauge: Average = A, Sum = A n, Minimum = 0.8 A, Maximum = 1.2 A,
//     p50 = A, p90 = 1.1 A, p99 = 1.18 A; any other pQ interpolates linearly between the points
//     (0, Minimum), (50, p50), (90, p90), (99, p99), (100, Maximum), Q clamped to [0, 100].
//   TargetResponseTime (ms), from a histogram whose bucket `le` covers (the previous bound of its
//     own list, or 0; le]: SampleCount = R; Average = Σ share × bucket midpoint (of a mixed
//     histogram: mix(normal Average, incident Average)); Sum = Average R; Minimum = the lower bound
//     of the first non-empty bucket, Maximum = le of the last non-empty bucket (of a mixed histogram:
//     the extremes over the lists that weigh, normal for b < 1 and incident for b > 0); pQ = le of the
//     first non-empty bucket whose cumulative share >= Q / 100: always a bucket bound, so percentiles
//     move in bucket steps as real proxy histograms do.
// A series adds up every contribution (a publisher, or one caller's flow) that matches its
// dimensions exactly and whose protocol publishes the metric:
//   {DiscoveryName: d}         every publisher of d in EVERY cluster and namespace (as in AWS, so
//                              prod and staging sharing a discovery name mix there)
//   {DiscoveryName: d, ServiceName, ClusterName}         that one publisher
//   {TargetDiscoveryName: d}   every caller flow of every publisher of d
//   {TargetDiscoveryName: d, ServiceName, ClusterName}   that caller's flows towards d
// Sum and SampleCount add, Minimum and Maximum are the extremes, Average = ΣSum / ΣSampleCount, a
// count's or gauge's percentile is the SampleCount-weighted mean of the contributions' (for a count
// that is Sum / SampleCount, for the gauge pQ / Average is as above), and TargetResponseTime merges
// the histograms weighted by requests and reads pQ off the merged one.
// Aggregation into a Period P (a multiple of 60): buckets start at multiples of P (epoch-aligned); a
// query covers the published minutes m with floor(StartTime / P) P <= m < EndTime, bucket floor(m / P) P.
//   The same rules over the bucket's minutes: Sum and SampleCount add; Average = ΣSum / ΣSampleCount;
//   Minimum / Maximum are the extremes; a count's or gauge's percentile is the SampleCount-weighted
//   mean of the minutes' percentiles; a TargetResponseTime percentile is read off the merged histogram
//   of the minutes (weighted by requests), so it stays on a bucket bound. A minute without samples (a
//   TargetResponseTime of R = 0) adds nothing; a bucket without samples has no datapoint.
// Dimensions match exactly, as in CloudWatch.

import { createHash } from "node:crypto";
import {
  type Fleet,
  type FleetService,
  type FleetTrafficFlow,
  type FleetTrafficIncident,
  loadDemoFleet,
} from "./fleet.ts";
import { PNG_SIGNATURE, parseHexColor, Raster, type Rgb } from "./png.ts";
import { AwsError, Input, type JsonBody, type Operation } from "./wire.ts";

export { PNG_SIGNATURE };

export const SERVICE_CONNECT_NAMESPACE = "AWS/ECS";
/** Retention of 1-minute data: series exist for the last 15 days. */
export const RETENTION_SECONDS = 15 * 86_400;
export const MAX_QUERIES = 500;
export const DEFAULT_MAX_DATAPOINTS = 100_800;

export type DimensionsInput =
  | Readonly<Record<string, string>>
  | readonly { Name?: string; Value?: string }[];

/** A Service Connect port's protocol: its port mapping's appProtocol, TCP without one. */
export type PortProtocol = "http" | "http2" | "grpc" | "tcp";

export interface PublishedSeries {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit: "Count" | "Bytes" | "Milliseconds";
  /**
   * The ECS services whose proxies publish it: one for a three-dimension set, every contributing
   * publisher (or caller) for a single-dimension aggregate.
   */
  publishedBy: { serviceName: string; clusterName: string }[];
}

// ---- the traffic model ---------------------------------------------------------------------------

interface Party {
  serviceName: string;
  clusterName: string;
  /** RUNNING tasks: proxies publishing one sample each per minute. */
  tasks: number;
}

interface HistogramSummary {
  average: number;
  minimum: number;
  maximum: number;
}

interface IncidentModel {
  startMinutesAgo: number;
  durationMinutes: number | undefined;
  rampMinutes: number;
  requestsFactor: number;
  share5xx: number;
  activeFactor: number;
  /** Shares over the flow's `bounds`. */
  shares: number[];
  summary: HistogramSummary;
}

/** A flow with its defaults applied and its histograms laid over one list of bounds. */
interface FlowModel {
  requests: number;
  newConnections: number;
  active: number;
  bytesPerRequest: number;
  share3xx: number;
  share4xx: number;
  share5xx: number;
  phase: number;
  /** The union of the normal and incident bucket bounds, ascending. */
  bounds: number[];
  /** Normal shares over `bounds`. */
  normal: number[];
  normalSummary: HistogramSummary;
  incident: IncidentModel | undefined;
}

/** One contribution to a series: a publisher (all its live flows) or one caller's flow. */
interface Contribution {
  /** The service whose proxies publish it. */
  by: Party;
  flows: FlowModel[];
  /** The publisher's RUNNING tasks: the targets behind RequestCountPerTarget. */
  targets: number;
}

/** What one flow does in one minute. */
interface FlowMinute {
  requests: number;
  c2: number;
  c3: number;
  c4: number;
  c5: number;
  newConnections: number;
  active: number;
  /** Incident weight. */
  b: number;
}

type MetricKind = "count" | "gauge" | "histogram";

interface MetricDef {
  side: "server" | "client";
  unit: PublishedSeries["unit"];
  kind: MetricKind;
  protocols: readonly PortProtocol[];
  /** A count's value for one flow. */
  value?: (minute: FlowMinute, flow: FlowModel, contribution: Contribution) => number;
}

const HTTP: readonly PortProtocol[] = ["http", "http2"];
const REQUESTS: readonly PortProtocol[] = ["http", "http2", "grpc"];
const ALL: readonly PortProtocol[] = ["http", "http2", "grpc", "tcp"];
const bytes = (m: FlowMinute, flow: FlowModel) => m.requests * flow.bytesPerRequest;

/** Every Service Connect metric, server side first, in the order series are listed. */
const METRICS: Record<string, MetricDef> = {
  RequestCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.requests,
  },
  GrpcRequestCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: ["grpc"],
    value: (m) => m.requests,
  },
  NewConnectionCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: ALL,
    value: (m) => m.newConnections,
  },
  ActiveConnectionCount: { side: "server", unit: "Count", kind: "gauge", protocols: ALL },
  ProcessedBytes: { side: "server", unit: "Bytes", kind: "count", protocols: ALL, value: bytes },
  HTTPCode_Target_2XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c2,
  },
  HTTPCode_Target_3XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c3,
  },
  HTTPCode_Target_4XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c4,
  },
  HTTPCode_Target_5XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c5,
  },
  RequestCountPerTarget: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: REQUESTS,
    value: (m, _flow, c) => m.requests / c.targets,
  },
  TargetProcessedBytes: {
    side: "client",
    unit: "Bytes",
    kind: "count",
    protocols: ALL,
    value: bytes,
  },
  TargetResponseTime: {
    side: "client",
    unit: "Milliseconds",
    kind: "histogram",
    protocols: REQUESTS,
  },
};

interface SeriesDef extends PublishedSeries {
  def: MetricDef;
  contributions: Contribution[];
  /** TargetResponseTime: the union of the bounds of every contributing flow, ascending. */
  bounds: number[];
  /** TargetResponseTime: per contribution and flow, where each of the flow's bounds sits in `bounds`. */
  bucketIndex: number[][][];
}

interface TrafficModel {
  series: SeriesDef[];
  byKey: Map<string, SeriesDef>;
}

// ---- reading and checking the traffic section ----------------------------------------------------

type Buckets = { le: number; share: number }[];

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function checkNumber(value: unknown, where: string, min = 0, max = Number.POSITIVE_INFINITY) {
  if (!isNumber(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `between ${min} and ${max}`;
    throw new Error(`${where}: must be a number ${range} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkBuckets(buckets: unknown, where: string): Buckets {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new Error(`${where}: must be a non-empty list of { le, share }`);
  }
  let previous = 0;
  let total = 0;
  buckets.forEach((bucket: { le?: unknown; share?: unknown }, i) => {
    const le = checkNumber(bucket?.le, `${where}[${i}].le`);
    if (le <= previous) throw new Error(`${where}[${i}].le: bounds must be positive and ascend`);
    previous = le;
    total += checkNumber(bucket?.share, `${where}[${i}].share`, 0, 1);
  });
  if (Math.abs(total - 1) > 1e-6) throw new Error(`${where}: shares sum to ${total}, not 1`);
  return buckets as Buckets;
}

/** Average, Minimum and Maximum of a histogram, each bucket covering (previous bound or 0, le]. */
function summarize(buckets: Buckets): HistogramSummary {
  let lower = 0;
  let weighted = 0;
  let total = 0;
  let minimum: number | undefined;
  let maximum = 0;
  for (const { le, share } of buckets) {
    if (share > 0) {
      minimum ??= lower;
      maximum = le;
      weighted += share * ((lower + le) / 2);
      total += share;
    }
    lower = le;
  }
  return { average: total > 0 ? weighted / total : 0, minimum: minimum ?? 0, maximum };
}

function sharesOver(bounds: number[], buckets: Buckets): number[] {
  const byBound = new Map(buckets.map((b) => [b.le, b.share]));
  return bounds.map((le) => byBound.get(le) ?? 0);
}

function flowModel(flow: FleetTrafficFlow, where: string): FlowModel {
  if (typeof flow !== "object" || flow === null) throw new Error(`${where}: must be an object`);
  const share3xx = checkNumber(flow.share3xx ?? 0, `${where}.share3xx`, 0, 1);
  const share4xx = checkNumber(flow.share4xx ?? 0, `${where}.share4xx`, 0, 1);
  const share5xx = checkNumber(flow.share5xx ?? 0, `${where}.share5xx`, 0, 1);
  if (share3xx + share4xx + share5xx > 1 + 1e-9) {
    throw new Error(`${where}: share3xx + share4xx + share5xx exceeds 1`);
  }
  const normalBuckets = checkBuckets(flow.latencyBuckets, `${where}.latencyBuckets`);
  const incident = flow.incident as FleetTrafficIncident | undefined;
  const at = `${where}.incident`;
  const incidentBuckets =
    incident?.latencyBuckets === undefined
      ? undefined
      : checkBuckets(incident.latencyBuckets, `${at}.latencyBuckets`);
  const bounds = [...new Set([...normalBuckets, ...(incidentBuckets ?? [])].map((b) => b.le))].sort(
    (a, b) => a - b,
  );
  const normal = sharesOver(bounds, normalBuckets);
  const normalSummary = summarize(normalBuckets);
  let incidentModel: IncidentModel | undefined;
  if (incident !== undefined) {
    if (typeof incident !== "object" || incident === null) {
      throw new Error(`${at}: must be an object`);
    }
    const incident5xx = checkNumber(incident.share5xx ?? share5xx, `${at}.share5xx`, 0, 1);
    if (share3xx + share4xx + incident5xx > 1 + 1e-9) {
      throw new Error(`${at}: share3xx + share4xx + incident share5xx exceeds 1`);
    }
    incidentModel = {
      startMinutesAgo: checkNumber(
        incident.startMinutesAgo,
        `${at}.startMinutesAgo`,
        Number.NEGATIVE_INFINITY,
      ),
      durationMinutes:
        incident.durationMinutes === undefined
          ? undefined
          : checkNumber(incident.durationMinutes, `${at}.durationMinutes`),
      rampMinutes: checkNumber(incident.rampMinutes ?? 4, `${at}.rampMinutes`, 1e-9),
      requestsFactor: checkNumber(incident.requestsFactor ?? 1, `${at}.requestsFactor`),
      share5xx: incident5xx,
      activeFactor: checkNumber(incident.activeFactor ?? 1, `${at}.activeFactor`),
      shares: incidentBuckets ? sharesOver(bounds, incidentBuckets) : normal,
      summary: incidentBuckets ? summarize(incidentBuckets) : normalSummary,
    };
  }
  return {
    requests: checkNumber(flow.requestsPerMinute, `${where}.requestsPerMinute`),
    newConnections: checkNumber(flow.newConnectionsPerMinute, `${where}.newConnectionsPerMinute`),
    active: checkNumber(flow.activeConnections, `${where}.activeConnections`),
    bytesPerRequest: checkNumber(flow.bytesPerRequest, `${where}.bytesPerRequest`),
    share3xx,
    share4xx,
    share5xx,
    phase: checkNumber(flow.phase ?? 0, `${where}.phase`, Number.NEGATIVE_INFINITY),
    bounds,
    normal,
    normalSummary,
    incident: incidentModel,
  };
}

function seriesKey(namespace: string, metricName: string, dims: Record<string, string>): string {
  const sorted = Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([namespace, metricName, sorted]);
}

/** The series a fleet's `traffic` section publishes; throws an Error naming a bad entry. */
function buildModel(fleet: Fleet): TrafficModel {
  const series: SeriesDef[] = [];
  const byKey = new Map<string, SeriesDef>();
  const traffic = fleet.traffic;
  if (traffic === undefined) return { series, byKey };
  if (!Array.isArray(traffic?.publishers)) {
    throw new Error("traffic.publishers: must be a list of publishers");
  }

  const clusterNames = new Map(fleet.clusters.map((c) => [c.clusterArn, c.clusterName]));
  const clusterNameOf = (s: FleetService) =>
    clusterNames.get(s.clusterArn) ?? s.clusterArn.slice(s.clusterArn.lastIndexOf("/") + 1);
  const findService = (cluster: string, service: string) =>
    fleet.services.find((s) => s.serviceName === service && clusterNameOf(s) === cluster);
  const party = (s: FleetService): Party => ({
    serviceName: s.serviceName,
    clusterName: clusterNameOf(s),
    tasks: fleet.tasks.filter(
      (t) =>
        t.clusterArn === s.clusterArn &&
        t.group === `service:${s.serviceName}` &&
        t.lastStatus === "RUNNING",
    ).length,
  });
  const primary = (s: FleetService) => s.deployments?.find((d) => d.status === "PRIMARY");
  /** The namespace (its ARN when the fleet knows it) of a service's PRIMARY Service Connect. */
  const namespaceOf = (s: FleetService): string | undefined => {
    const ref =
      primary(s)?.serviceConnectConfiguration?.namespace ??
      fleet.clusters.find((c) => c.clusterArn === s.clusterArn)?.serviceConnectDefaults?.namespace;
    if (ref === undefined) return undefined;
    return (
      fleet.namespaces.find((n) => n.Arn === ref || n.Id === ref || n.Name === ref)?.Arn ?? ref
    );
  };
  const lookup = (where: string, entry: { cluster?: unknown; service?: unknown }) => {
    const service =
      typeof entry?.cluster === "string" && typeof entry.service === "string"
        ? findService(entry.cluster, entry.service)
        : undefined;
    if (!service) {
      throw new Error(
        `${where}: no service ${String(entry?.cluster)}/${String(entry?.service)} in the fleet`,
      );
    }
    return service;
  };

  const add = (
    metricName: string,
    def: MetricDef,
    dims: Record<string, string>,
    c: Contribution,
  ) => {
    const key = seriesKey(SERVICE_CONNECT_NAMESPACE, metricName, dims);
    let s = byKey.get(key);
    if (!s) {
      s = {
        namespace: SERVICE_CONNECT_NAMESPACE,
        metricName,
        dimensions: dims,
        unit: def.unit,
        publishedBy: [],
        def,
        contributions: [],
        bounds: [],
        bucketIndex: [],
      };
      byKey.set(key, s);
      series.push(s);
    }
    s.contributions.push(c);
    const { serviceName, clusterName } = c.by;
    if (
      !s.publishedBy.some((p) => p.serviceName === serviceName && p.clusterName === clusterName)
    ) {
      s.publishedBy.push({ serviceName, clusterName });
    }
  };

  /** "<namespace> <discovery name>" → the entry publishing it: unique within a namespace. */
  const published = new Map<string, string>();
  traffic.publishers.forEach((entry, i) => {
    const where = `traffic.publishers[${i}]`;
    const service = lookup(where, entry);
    const name = `${entry.cluster}/${entry.service}`;
    const discoveryName = entry.discoveryName;
    const deployment = primary(service);
    const config = deployment?.serviceConnectConfiguration;
    const port = config?.enabled
      ? config.services?.find((s) => (s.discoveryName ?? s.portName) === discoveryName)
      : undefined;
    if (!deployment || !port) {
      throw new Error(
        `${where}: discovery name ${String(discoveryName)} is not in the Service Connect configuration of ${name}'s PRIMARY deployment`,
      );
    }
    const namespace = namespaceOf(service);
    if (namespace !== undefined) {
      const unique = `${namespace} ${discoveryName}`;
      const other = published.get(unique);
      if (other !== undefined) {
        throw new Error(
          `${where}: ${other} already publishes ${discoveryName} in namespace ${namespace} (discovery names are unique within a namespace)`,
        );
      }
      published.set(unique, where);
    }

    const taskDefinitionRef = deployment.taskDefinition ?? service.taskDefinition ?? "";
    const taskDefinition = fleet.taskDefinitions.find(
      (t) =>
        t.taskDefinitionArn === taskDefinitionRef ||
        t.taskDefinitionArn.endsWith(`/${taskDefinitionRef}`),
    );
    if (!taskDefinition) {
      throw new Error(
        `${where}: task definition ${taskDefinitionRef} of ${name}'s PRIMARY deployment is not in the fleet`,
      );
    }
    const mapping = (taskDefinition.containerDefinitions ?? [])
      .flatMap((c) => c.portMappings ?? [])
      .find((p) => p.name === port.portName);
    if (!mapping) {
      throw new Error(
        `${where}: no port mapping named ${port.portName} in ${taskDefinition.taskDefinitionArn}`,
      );
    }
    const appProtocol = mapping.appProtocol ?? "tcp";
    if (!ALL.includes(appProtocol as PortProtocol)) {
      throw new Error(`${where}: unknown appProtocol ${appProtocol} of port ${port.portName}`);
    }
    const protocol = appProtocol as PortProtocol;

    if (!Array.isArray(entry.callers)) throw new Error(`${where}.callers: must be a list`);
    const seen = new Map<string, string>();
    const callers = entry.callers.map((caller, j) => {
      const at = `${where}.callers[${j}]`;
      const callerService = lookup(at, caller);
      const callerName = `${caller.cluster}/${caller.service}`;
      const twice = seen.get(callerName);
      if (twice !== undefined) throw new Error(`${at}: ${callerName} is already ${twice}`);
      seen.set(callerName, at);
      if (!primary(callerService)?.serviceConnectConfiguration?.enabled) {
        throw new Error(
          `${at}: ${callerName} has no Service Connect in its PRIMARY deployment, so no proxy to call ${discoveryName} through (DNS or IP clients belong in outside)`,
        );
      }
      const callerNamespace = namespaceOf(callerService);
      if (
        namespace !== undefined &&
        callerNamespace !== undefined &&
        callerNamespace !== namespace
      ) {
        throw new Error(
          `${at}: ${callerName} uses the Service Connect namespace ${callerNamespace}, not ${namespace} where ${name} publishes ${discoveryName}`,
        );
      }
      return { caller: party(callerService), flow: flowModel(caller, at) };
    });
    const outside =
      entry.outside === undefined ? undefined : flowModel(entry.outside, `${where}.outside`);

    const publisher = party(service);
    if (publisher.tasks === 0) return;
    const live = callers.filter((c) => c.caller.tasks > 0);
    const server: Contribution = {
      by: publisher,
      flows: [...live.map((c) => c.flow), ...(outside ? [outside] : [])],
      targets: publisher.tasks,
    };
    const clients = live.map(({ caller, flow }) => ({
      caller,
      contribution: { by: caller, flows: [flow], targets: publisher.tasks },
    }));
    for (const [metricName, def] of Object.entries(METRICS)) {
      if (!def.protocols.includes(protocol)) continue;
      if (def.side === "server") {
        add(metricName, def, { DiscoveryName: discoveryName }, server);
        add(
          metricName,
          def,
          {
            DiscoveryName: discoveryName,
            ServiceName: publisher.serviceName,
            ClusterName: publisher.clusterName,
          },
          server,
        );
      } else {
        for (const { caller, contribution } of clients) {
          add(metricName, def, { TargetDiscoveryName: discoveryName }, contribution);
          add(
            metricName,
            def,
            {
              TargetDiscoveryName: discoveryName,
              ServiceName: caller.serviceName,
              ClusterName: caller.clusterName,
            },
            contribution,
          );
        }
      }
    }
  });

  for (const s of series) {
    if (s.def.kind !== "histogram") continue;
    const bounds = new Set<number>();
    for (const c of s.contributions)
      for (const f of c.flows) for (const le of f.bounds) bounds.add(le);
    s.bounds = [...bounds].sort((a, b) => a - b);
    const position = new Map(s.bounds.map((le, i) => [le, i]));
    s.bucketIndex = s.contributions.map((c) =>
      c.flows.map((f) => f.bounds.map((le) => position.get(le) as number)),
    );
  }
  return { series, byKey };
}

const MODELS = new WeakMap<Fleet, TrafficModel>();
let demoFleet: Fleet | undefined;

/** The model of a fleet, built once per Fleet object (do not mutate a fleet after asking). */
function modelOf(fleet: Fleet | undefined): TrafficModel {
  if (fleet === undefined) demoFleet ??= loadDemoFleet();
  const key = fleet ?? (demoFleet as Fleet);
  let model = MODELS.get(key);
  if (!model) {
    model = buildModel(key);
    MODELS.set(key, model);
  }
  return model;
}

/**
 * Every series a fleet publishes (for the demo fleet: 22 per discovery name), each with both of its
 * dimension sets. Throws an Error naming a bad entry of the fleet's `traffic`.
 */
export function publishedSeries(fleet: Fleet): PublishedSeries[] {
  return modelOf(fleet).series.map(({ namespace, metricName, dimensions, unit, publishedBy }) => ({
    namespace,
    metricName,
    dimensions: { ...dimensions },
    unit,
    publishedBy: publishedBy.map((p) => ({ ...p })),
  }));
}

function toRecord(dimensions: DimensionsInput | undefined): Record<string, string> | undefined {
  if (dimensions === undefined) return {};
  if (!Array.isArray(dimensions)) return { ...(dimensions as Record<string, string>) };
  const out: Record<string, string> = {};
  for (const d of dimensions as readonly { Name?: string; Value?: string }[]) {
    if (d.Name === undefined || d.Value === undefined || d.Name in out) return undefined;
    out[d.Name] = d.Value;
  }
  return out;
}

function findSeries(
  model: TrafficModel,
  namespace: string,
  metricName: string,
  dimensions: DimensionsInput | undefined,
): SeriesDef | undefined {
  const dims = toRecord(dimensions);
  return dims && model.byKey.get(seriesKey(namespace, metricName, dims));
}

// ---- per-minute values ---------------------------------------------------------------------------

const minuteOf = (epochMs: number) => Math.floor(epochMs / 60_000) * 60;

function isPublished(minute: number, nowMinute: number): boolean {
  return minute >= nowMinute - RETENTION_SECONDS && minute <= nowMinute - 60;
}

function incidentWeight(flow: FlowModel, minute: number, nowMinute: number): number {
  const incident = flow.incident;
  if (!incident) return 0;
  const start = nowMinute - incident.startMinutesAgo * 60;
  if (minute < start) return 0;
  if (incident.durationMinutes !== undefined && minute >= start + incident.durationMinutes * 60) {
    return 0;
  }
  return Math.min(1, ((minute - start) / 60 + 1) / incident.rampMinutes);
}

function flowMinute(flow: FlowModel, minute: number, nowMinute: number): FlowMinute {
  const w = Math.sin((2 * Math.PI * minute) / 5400 + flow.phase);
  const f = 1 + 0.05 * w;
  const incident = flow.incident;
  const b = incidentWeight(flow, minute, nowMinute);
  const mix = (normal: number, during: number) => normal + (during - normal) * b;
  const requests = Math.round(flow.requests * f * (incident ? mix(1, incident.requestsFactor) : 1));
  const c3 = Math.round(requests * flow.share3xx);
  const c4 = Math.round(requests * flow.share4xx);
  const c5 = Math.round(
    requests * (incident ? mix(flow.share5xx, incident.share5xx) : flow.share5xx),
  );
  return {
    requests,
    c2: requests - c3 - c4 - c5,
    c3,
    c4,
    c5,
    newConnections: Math.round(flow.newConnections * f),
    active: flow.active * f * (incident ? mix(1, incident.activeFactor) : 1),
    b,
  };
}

/** Statistics gathered over one or more minutes of one series. */
interface Accumulator {
  sum: number;
  n: number;
  min: number;
  max: number;
  /** TargetResponseTime percentiles: requests per bucket of the series' bounds. */
  histogram: Float64Array | undefined;
}

function accumulator(series: SeriesDef, stat: Stat): Accumulator {
  const histogram =
    series.def.kind === "histogram" && stat.kind === "percentile"
      ? new Float64Array(series.bounds.length)
      : undefined;
  return {
    sum: 0,
    n: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    histogram,
  };
}

function resetAccumulator(acc: Accumulator): void {
  acc.sum = 0;
  acc.n = 0;
  acc.min = Number.POSITIVE_INFINITY;
  acc.max = Number.NEGATIVE_INFINITY;
  acc.histogram?.fill(0);
}

/** Adds one minute of every contribution of the series. */
function accumulate(series: SeriesDef, minute: number, nowMinute: number, acc: Accumulator): void {
  const { def, contributions } = series;
  for (let ci = 0; ci < contributions.length; ci++) {
    const c = contributions[ci] as Contribution;
    const n = c.by.tasks;
    if (def.kind === "count") {
      const value = def.value as NonNullable<MetricDef["value"]>;
      let v = 0;
      for (const flow of c.flows) v += value(flowMinute(flow, minute, nowMinute), flow, c);
      acc.sum += v;
      acc.n += n;
      acc.min = Math.min(acc.min, v / n);
      acc.max = Math.max(acc.max, v / n);
    } else if (def.kind === "gauge") {
      let a = 0;
      for (const flow of c.flows) a += flowMinute(flow, minute, nowMinute).active;
      acc.sum += a * n;
      acc.n += n;
      acc.min = Math.min(acc.min, 0.8 * a);
      acc.max = Math.max(acc.max, 1.2 * a);
    } else {
      const indexes = series.bucketIndex[ci] as number[][];
      c.flows.forEach((flow, fi) => {
        const m = flowMinute(flow, minute, nowMinute);
        const r = m.requests;
        if (r <= 0) return;
        const { b } = m;
        const normal = flow.normalSummary;
        const during = flow.incident?.summary ?? normal;
        acc.sum += r * (normal.average + (during.average - normal.average) * b);
        acc.n += r;
        if (b < 1) {
          acc.min = Math.min(acc.min, normal.minimum);
          acc.max = Math.max(acc.max, normal.maximum);
        }
        if (b > 0) {
          acc.min = Math.min(acc.min, during.minimum);
          acc.max = Math.max(acc.max, during.maximum);
        }
        const histogram = acc.histogram;
        if (histogram) {
          const index = indexes[fi] as number[];
          const shares = flow.incident?.shares ?? flow.normal;
          for (let j = 0; j < index.length; j++) {
            const s0 = flow.normal[j] as number;
            const k = index[j] as number;
            histogram[k] = (histogram[k] as number) + r * (s0 + ((shares[j] as number) - s0) * b);
          }
        }
      });
    }
  }
}

// ---- statistics ----------------------------------------------------------------------------------

type Stat =
  | { kind: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount" }
  | { kind: "percentile"; q: number };

const BASIC_STATS = new Set(["Sum", "Average", "Minimum", "Maximum", "SampleCount"]);

/** Sum, Average, Minimum, Maximum, SampleCount or a percentile pNN / pNN.N (0-100). */
function parseStat(value: string): Stat | undefined {
  if (BASIC_STATS.has(value)) return { kind: value as "Sum" };
  const match = /^p(\d{1,3}(?:\.\d{1,10})?)$/.exec(value);
  if (!match) return undefined;
  const q = Number(match[1]);
  return q >= 0 && q <= 100 ? { kind: "percentile", q } : undefined;
}

/** The gauge's pQ / Average: linear between (0, 0.8), (50, 1), (90, 1.1), (99, 1.18), (100, 1.2). */
const GAUGE_SHAPE: [number, number][] = [
  [0, 0.8],
  [50, 1],
  [90, 1.1],
  [99, 1.18],
  [100, 1.2],
];

function gaugeFactor(q: number): number {
  const x = Math.min(100, Math.max(0, q));
  for (let i = 1; i < GAUGE_SHAPE.length; i++) {
    const [x1, y1] = GAUGE_SHAPE[i] as [number, number];
    const [x0, y0] = GAUGE_SHAPE[i - 1] as [number, number];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return 1.2;
}

/** pQ of a histogram: the bound of the first non-empty bucket whose cumulative share >= Q / 100. */
function histogramPercentile(bounds: number[], counts: Float64Array, q: number): number {
  let total = 0;
  for (const c of counts) total += c;
  const target = (Math.min(100, Math.max(0, q)) / 100) * total - total * 1e-9;
  let cumulative = 0;
  let last = bounds[0] ?? 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j] as number;
    if (c <= 0) continue;
    cumulative += c;
    last = bounds[j] as number;
    if (cumulative >= target) return last;
  }
  return last;
}

function statValue(series: SeriesDef, stat: Stat, acc: Accumulator): number {
  switch (stat.kind) {
    case "Sum":
      return acc.sum;
    case "SampleCount":
      return acc.n;
    case "Average":
      return acc.sum / acc.n;
    case "Minimum":
      return acc.min;
    case "Maximum":
      return acc.max;
    case "percentile":
      if (acc.histogram) return histogramPercentile(series.bounds, acc.histogram, stat.q);
      // The SampleCount-weighted mean of the samples' percentiles: each count sample's is its value,
      // each gauge sample's its Average times the gauge's shape.
      return series.def.kind === "gauge"
        ? gaugeFactor(stat.q) * (acc.sum / acc.n)
        : acc.sum / acc.n;
  }
}

export interface SyntheticOptions {
  /** "Now", epoch milliseconds; default Date.now(). */
  now?: number;
  /** The fleet whose `traffic` the series come from; default the demo fleet (read once). */
  fleet?: Fleet;
  /** Default AWS/ECS. */
  namespace?: string;
}

/**
 * The 1-minute datapoint of a published series (what a Period-60 query returns for that minute), or
 * undefined when no such series exists, the minute is not published (in the future, the current
 * minute, or older than 15 days) or it has no samples. Throws RangeError for an unknown statistic,
 * and an Error for a fleet whose `traffic` names something the fleet lacks. The fleet is read once
 * per object: do not mutate it after the first call.
 */
export function syntheticValue(
  metricName: string,
  dimensions: DimensionsInput,
  minuteEpochSeconds: number,
  stat: string,
  options: SyntheticOptions = {},
): number | undefined {
  const parsed = parseStat(stat);
  if (!parsed) throw new RangeError(`unknown statistic ${stat}`);
  const model = modelOf(options.fleet);
  const namespace = options.namespace ?? SERVICE_CONNECT_NAMESPACE;
  const series = findSeries(model, namespace, metricName, dimensions);
  const nowMinute = minuteOf(options.now ?? Date.now());
  const minute = Math.floor(minuteEpochSeconds / 60) * 60;
  if (!series || !isPublished(minute, nowMinute)) return undefined;
  const acc = accumulator(series, parsed);
  accumulate(series, minute, nowMinute, acc);
  return acc.n > 0 ? statValue(series, parsed, acc) : undefined;
}

interface Datapoints {
  /** Bucket starts, epoch seconds, ascending. */
  timestamps: number[];
  values: number[];
}

/** The published minutes a query covers: floor(start / period) period <= m < end. */
function minuteRange(period: number, startSeconds: number, endSeconds: number, nowMinute: number) {
  const from = Math.max(Math.floor(startSeconds / period) * period, nowMinute - RETENTION_SECONDS);
  return { from: Math.ceil(from / 60) * 60, to: Math.min(endSeconds, nowMinute) };
}

/** The series' datapoints over [StartTime, EndTime) at `period` seconds, oldest first. */
function aggregate(
  series: SeriesDef,
  period: number,
  stat: Stat,
  startSeconds: number,
  endSeconds: number,
  nowMinute: number,
): Datapoints {
  const { from, to } = minuteRange(period, startSeconds, endSeconds, nowMinute);
  const timestamps: number[] = [];
  const values: number[] = [];
  const acc = accumulator(series, stat);
  let bucket = Number.NaN;
  const flush = () => {
    if (Number.isNaN(bucket) || acc.n === 0) return;
    timestamps.push(bucket);
    values.push(statValue(series, stat, acc));
  };
  for (let m = from; m < to; m += 60) {
    const b = Math.floor(m / period) * period;
    if (b !== bucket) {
      flush();
      bucket = b;
      resetAccumulator(acc);
    }
    accumulate(series, m, nowMinute, acc);
  }
  flush();
  return { timestamps, values };
}

// ---- errors --------------------------------------------------------------------------------------

// Query codes first (what the SDK reports), the modelled shape as the JSON __type.
const validation = (message: string) =>
  new AwsError("ValidationError", message, 400, "com.amazonaws.cloudwatch#ValidationException");
const missingParameter = (message: string) =>
  new AwsError(
    "MissingParameter",
    message,
    400,
    "com.amazonaws.cloudwatch#MissingRequiredParameterException",
  );
const invalidNextToken = () =>
  new AwsError(
    "InvalidNextToken",
    "The service cannot process the specified NextToken.",
    400,
    "com.amazonaws.cloudwatch#InvalidNextToken",
  );
const invalidWidget = (message: string) =>
  new AwsError(
    "InvalidParameterInput",
    message,
    400,
    "com.amazonaws.cloudwatch#DashboardInvalidInputError",
  );

/** CloudWatch's throttling error (Query code `Throttling`, which the SDK retries). */
export const cloudWatchThrottle = () =>
  new AwsError(
    "Throttling",
    "Rate exceeded",
    400,
    "com.amazon.coral.availability#ThrottlingException",
  );

// ---- request reading -----------------------------------------------------------------------------

function epochSeconds(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value)))
    return Date.parse(value) / 1000;
  throw validation(`The parameter ${name} must be a timestamp.`);
}

interface MetricQuery {
  id: string;
  label: string | undefined;
  returnData: boolean;
  expression: string | undefined;
  metric?: {
    namespace: string;
    metricName: string;
    dimensions: { Name?: string; Value?: string }[];
    period: number;
    stat: Stat;
    unit: string | undefined;
  };
}

function readQuery(raw: JsonBody, index: number): MetricQuery {
  const where = `MetricDataQueries.member.${index + 1}`;
  const q = new Input(raw, validation);
  const id = q.requiredString("Id");
  if (!/^[a-z][a-zA-Z0-9_]{0,254}$/.test(id)) {
    throw validation(
      `The value ${id} for parameter ${where}.Id is not valid. The Id must start with a lowercase letter and contain only letters, numbers and underscores.`,
    );
  }
  const expression = q.string("Expression");
  const statRaw = raw.MetricStat;
  if ((expression === undefined) === (statRaw === undefined || statRaw === null)) {
    throw validation(`Exactly one of ${where}.MetricStat and ${where}.Expression must be set.`);
  }
  const returnData =
    raw.ReturnData === undefined || raw.ReturnData === null || raw.ReturnData === true;
  const label = q.string("Label");
  if (expression !== undefined) return { id, label, returnData, expression };
  if (typeof statRaw !== "object" || Array.isArray(statRaw)) {
    throw validation(`${where}.MetricStat must be a structure.`);
  }
  const ms = new Input(statRaw as JsonBody, validation);
  const metricRaw = (statRaw as JsonBody).Metric;
  if (typeof metricRaw !== "object" || metricRaw === null || Array.isArray(metricRaw)) {
    throw missingParameter(`The parameter ${where}.MetricStat.Metric is required.`);
  }
  const metric = new Input(metricRaw as JsonBody, validation);
  const namespace = metric.string("Namespace");
  const metricName = metric.string("MetricName");
  if (!namespace)
    throw missingParameter(`The parameter ${where}.MetricStat.Metric.Namespace is required.`);
  if (!metricName)
    throw missingParameter(`The parameter ${where}.MetricStat.Metric.MetricName is required.`);
  const dimensions = (metric.list("Dimensions") ?? []) as { Name?: string; Value?: string }[];
  if (dimensions.length > 30) {
    throw validation(
      `The collection ${where}.MetricStat.Metric.Dimensions must not have more than 30 members.`,
    );
  }
  const period = ms.int("Period");
  if (period === undefined)
    throw missingParameter(`The parameter ${where}.MetricStat.Period is required.`);
  if (period < 60 || period % 60 !== 0) {
    throw validation(
      `The value ${period} for parameter ${where}.MetricStat.Period is not valid. The period must be a multiple of 60 for metrics published at standard resolution.`,
    );
  }
  const statName = ms.requiredString("Stat");
  const stat = parseStat(statName);
  if (!stat) {
    throw validation(
      `The value ${statName} for parameter ${where}.MetricStat.Stat is not a valid statistic.`,
    );
  }
  return {
    id,
    label,
    returnData,
    expression: undefined,
    metric: { namespace, metricName, dimensions, period, stat, unit: ms.string("Unit") },
  };
}

interface PageToken {
  hash: string;
  offset: number;
  now: number;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([token.hash, token.offset, token.now])).toString("base64url");
}

function decodeToken(value: string, hash: string): PageToken {
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed[0] === hash) {
      const [, offset, now] = parsed as [string, unknown, unknown];
      if (Number.isInteger(offset) && (offset as number) >= 0 && typeof now === "number") {
        return { hash, offset: offset as number, now };
      }
    }
  } catch {
    // falls through
  }
  throw invalidNextToken();
}

// ---- the widget image ----------------------------------------------------------------------------

/** CloudWatch's default graph palette. */
const PALETTE: Rgb[] = [
  [0x1f, 0x77, 0xb4],
  [0xff, 0x7f, 0x0e],
  [0x2c, 0xa0, 0x2c],
  [0xd6, 0x27, 0x28],
  [0x94, 0x67, 0xbd],
  [0x8c, 0x56, 0x4b],
  [0xe3, 0x77, 0xc2],
  [0x7f, 0x7f, 0x7f],
  [0xbc, 0xbd, 0x22],
  [0x17, 0xbe, 0xcf],
];

interface WidgetMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: Stat;
  period: number;
  color: Rgb | undefined;
  visible: boolean;
}

interface Widget {
  metrics: WidgetMetric[];
  start: number;
  end: number;
  width: number;
  height: number;
}

const DURATION =
  /^([+-])?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** "-PT3H" (relative to now), "P0D" (now) or an absolute ISO 8601 time, to epoch seconds. */
function widgetTime(value: unknown, name: string, nowSeconds: number): number {
  if (typeof value !== "string" || value === "") {
    throw invalidWidget(`The field ${name} must be a string.`);
  }
  const relative = DURATION.exec(value);
  if (relative && value !== "P" && !value.endsWith("T")) {
    const [, , weeks, days, hours, minutes, seconds] = relative.map((v) => Number(v ?? 0));
    const span =
      (weeks ?? 0) * 604_800 +
      (days ?? 0) * 86_400 +
      (hours ?? 0) * 3600 +
      (minutes ?? 0) * 60 +
      (seconds ?? 0);
    return nowSeconds - span;
  }
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute))
    throw invalidWidget(`The field ${name} has an invalid value: ${value}`);
  return absolute / 1000;
}

function widgetSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2000) {
    throw invalidWidget(`The field ${name} must be an integer between 1 and 2000.`);
  }
  return value as number;
}

function parseWidget(text: string, nowSeconds: number): Widget {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidWidget("The field MetricWidget must be a valid JSON object.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidWidget("The field MetricWidget must be a valid JSON object.");
  }
  const w = parsed as Record<string, unknown>;
  if (!Array.isArray(w.metrics) || w.metrics.length === 0) {
    throw invalidWidget("The field metrics must be a non-empty array.");
  }
  if (w.metrics.length > 100)
    throw invalidWidget("The field metrics must hold at most 100 metrics.");
  const period = w.period ?? 300;
  if (!Number.isInteger(period) || (period as number) < 60 || (period as number) % 60 !== 0) {
    throw invalidWidget("The field period must be a multiple of 60.");
  }
  const defaultStat = w.stat ?? "Average";
  const metrics: WidgetMetric[] = [];
  let previous: string[] = [];
  w.metrics.forEach((row: unknown, index: number) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw invalidWidget(`The field metrics[${index}] must be a non-empty array.`);
    }
    const last = row[row.length - 1];
    const options =
      typeof last === "object" && last !== null && !Array.isArray(last)
        ? (last as Record<string, unknown>)
        : undefined;
    const tokens = options ? row.slice(0, -1) : row;
    if (options && tokens.length === 0) {
      // A math expression ({ expression, label, id }): not emulated, drawn as nothing.
      if (typeof options.expression === "string") return;
      throw invalidWidget(`The field metrics[${index}] must name a metric.`);
    }
    if (tokens.some((t) => typeof t !== "string")) {
      throw invalidWidget(`The field metrics[${index}] must hold strings and one options object.`);
    }
    // "." repeats the previous metric's value at this position; "..." the previous metric's values
    // up to the ones that follow it.
    const expanded: string[] = [];
    (tokens as string[]).forEach((token, i) => {
      if (token === "...") {
        const after = tokens.length - i - 1;
        expanded.push(
          ...previous.slice(expanded.length, Math.max(expanded.length, previous.length - after)),
        );
      } else if (token === ".") {
        const same = previous[expanded.length];
        if (same === undefined) throw invalidWidget(`The field metrics[${index}] repeats nothing.`);
        expanded.push(same);
      } else {
        expanded.push(token);
      }
    });
    if (expanded.length < 2 || expanded.length % 2 !== 0) {
      throw invalidWidget(
        `The field metrics[${index}] must be [namespace, metricName, dimensionName, dimensionValue, ...].`,
      );
    }
    previous = expanded;
    const [namespace = "", metricName = "", ...pairs] = expanded;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2)
      dimensions[pairs[i] as string] = pairs[i + 1] as string;
    const statName = options?.stat ?? defaultStat;
    const stat = typeof statName === "string" ? parseStat(statName) : undefined;
    if (!stat) throw invalidWidget(`The field metrics[${index}] has an invalid stat.`);
    const metricPeriod = options?.period ?? period;
    if (
      !Number.isInteger(metricPeriod) ||
      (metricPeriod as number) % 60 !== 0 ||
      (metricPeriod as number) < 60
    ) {
      throw invalidWidget(`The field metrics[${index}] has an invalid period.`);
    }
    metrics.push({
      namespace,
      metricName,
      dimensions,
      stat,
      period: metricPeriod as number,
      color: parseHexColor(options?.color),
      visible: options?.visible !== false,
    });
  });
  const start = widgetTime(w.start ?? "-PT3H", "start", nowSeconds);
  const end = w.end === undefined ? nowSeconds : widgetTime(w.end, "end", nowSeconds);
  if (start >= end) throw invalidWidget("The field start must be before the field end.");
  return {
    metrics,
    start,
    end,
    width: widgetSize(w.width, "width", 600),
    height: widgetSize(w.height, "height", 400),
  };
}

/** A line chart of `lines` over [start, end]: white background, grid, axes, one colour per line. */
function drawChart(widget: Widget, lines: { color: Rgb; points: Datapoints }[]): Buffer {
  const { width, height, start, end } = widget;
  const image = new Raster(width, height);
  const left = Math.min(48, Math.floor(width / 5));
  const right = width - Math.min(16, Math.floor(width / 20)) - 1;
  const top = Math.min(24, Math.floor(height / 8));
  const bottom = height - Math.min(28, Math.floor(height / 6)) - 1;
  const grid: Rgb = [0xe9, 0xeb, 0xed];
  const axis: Rgb = [0x87, 0x87, 0x87];
  let peak = 0;
  for (const line of lines) for (const v of line.points.values) peak = Math.max(peak, v);
  const yMax = niceCeiling(peak);
  const x = (t: number) =>
    left + Math.min(1, Math.max(0, (t - start) / (end - start))) * (right - left);
  const y = (v: number) => bottom - (v / yMax) * (bottom - top);
  for (let i = 1; i <= 4; i++) {
    const gy = bottom - (i / 4) * (bottom - top);
    image.line(left, gy, right, gy, grid);
  }
  for (let i = 0; i <= 6; i++) {
    const tx = left + (i / 6) * (right - left);
    image.line(tx, bottom, tx, bottom + 4, axis);
  }
  for (const { color, points } of lines) {
    const { timestamps, values } = points;
    for (let i = 0; i < timestamps.length; i++) {
      const px = x(timestamps[i] as number);
      const py = y(values[i] as number);
      if (timestamps.length === 1) image.rect(px - 2, py - 2, 5, 5, color);
      if (i > 0)
        image.line(x(timestamps[i - 1] as number), y(values[i - 1] as number), px, py, color, 2);
    }
  }
  image.line(left, top, left, bottom, axis);
  image.line(left, bottom, right, bottom, axis);
  return image.toPng();
}

/** The smallest 1, 2 or 5 × 10^k at or above `value` (1 for nothing to draw). */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const scale = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * scale >= value) return step * scale;
  return 10 * scale;
}

// ---- operations ----------------------------------------------------------------------------------

export interface CloudWatchOptions {
  /** The clock behind the series, epoch milliseconds. */
  now: () => number;
  /** The fleet whose `traffic` section the series come from (none without one). */
  fleet: Fleet;
  /** Series one SEARCH returns at most; AWS's 500 unless a test lowers it. */
  searchSeriesMax?: number;
  /**
   * Metrics one GetMetricData call retrieves at most, the series its searches find included;
   * AWS's 500 unless a test lowers it. Past it, search series are cut and the call says
   * MaxMetricsExceeded in Messages (API GetMetricData; grafana/grafana#21411, #25400).
   */
  metricsPerCallMax?: number;
}

/** A search expression CloudWatch's documented syntax allows, in the subset the emulator models. */
interface Search {
  namespace: string;
  dimensionNames: string[];
  /** Exact terms: MetricName="X" and dimension="value". */
  terms: Record<string, string>;
  stat: Stat;
  period: number;
}

const SEARCH = /^\s*SEARCH\(\s*'\s*\{([^}]*)\}((?:[^'])*)'\s*,\s*'([^']+)'\s*,\s*(\d+)\s*\)\s*$/;
const TERM = /\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*/y;

/**
 * SEARCH('{Namespace,Dim,…} MetricName="X" Dim="v"', 'Stat', Period) with exact terms only (the
 * form the bot writes); partial-match words, boolean operators and a missing period are valid on
 * AWS but not modelled, and are refused here rather than answered wrongly.
 */
function parseSearch(expression: string, where: string): Search {
  const m = SEARCH.exec(expression);
  const schema = m?.[1]?.split(",").map((p) => p.trim());
  const namespace = schema?.[0];
  const stat = m?.[3] !== undefined ? parseStat(m[3]) : undefined;
  if (!m || !schema || !namespace || !stat) {
    throw validation(
      `The value for ${where}.Expression is not a search expression the emulator models: SEARCH('{Namespace,Dim,…} Name="value" …', 'Stat', Period).`,
    );
  }
  const terms: Record<string, string> = {};
  const text = m[2] ?? "";
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const start = TERM.lastIndex;
    const t = TERM.exec(text);
    if (!t) {
      if (text.slice(start).trim() === "") break;
      throw validation(
        `The emulator models exact terms (Name="value") only; ${where}.Expression has ${JSON.stringify(text.slice(start).trim())}.`,
      );
    }
    terms[t[1] as string] = t[2] as string;
  }
  const period = Number(m[4]);
  if (period < 60 || period % 60 !== 0) {
    throw validation(`The period in ${where}.Expression must be a multiple of 60.`);
  }
  return { namespace, dimensionNames: schema.slice(1), terms, stat, period };
}

/** A model's series in key order, all and by metric name, with their dimension names. */
interface SearchIndex {
  all: { def: SeriesDef; names: string }[];
  byMetric: Map<string, { def: SeriesDef; names: string }[]>;
}
const searchIndexes = new WeakMap<TrafficModel, SearchIndex>();

/** Built once per model: a search then filters one metric's series, already in order. */
function searchIndexOf(model: TrafficModel): SearchIndex {
  let index = searchIndexes.get(model);
  if (!index) {
    index = { all: [], byMetric: new Map() };
    // byKey's keys are seriesKey(): sorted once, they give every search its order.
    for (const [, def] of [...model.byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const entry = { def, names: Object.keys(def.dimensions).sort().join(",") };
      index.all.push(entry);
      const same = index.byMetric.get(def.metricName) ?? [];
      same.push(entry);
      index.byMetric.set(def.metricName, same);
    }
    searchIndexes.set(model, index);
  }
  return index;
}

/** Every series a search finds, in key order: exactly the schema's dimension names, every term equal. */
function searchSeries(model: TrafficModel, search: Search): SeriesDef[] {
  const names = [...search.dimensionNames].sort().join(",");
  const index = searchIndexOf(model);
  const metric = search.terms.MetricName;
  const candidates = metric === undefined ? index.all : (index.byMetric.get(metric) ?? []);
  return candidates
    .filter(
      ({ def, names: defNames }) =>
        def.namespace === search.namespace &&
        defNames === names &&
        Object.entries(search.terms).every(([k, v]) =>
          k === "MetricName" ? def.metricName === v : def.dimensions[k] === v,
        ),
    )
    .map(({ def }) => def);
}

/** A label with dynamic parts (${PROP('Dim.X')}, ${PROP('MetricName')}) filled in for a series. */
function expandLabel(label: string | undefined, def: SeriesDef): string {
  if (label === undefined) return [...Object.values(def.dimensions), def.metricName].join(" ");
  return label.replace(/\$\{PROP\('([^']+)'\)\}/g, (_, prop: string) => {
    if (prop === "MetricName") return def.metricName;
    if (prop === "Namespace") return def.namespace;
    if (prop.startsWith("Dim.")) return def.dimensions[prop.slice(4)] ?? "";
    return "";
  });
}

/**
 * GetMetricData and GetMetricWidgetImage over the fleet's traffic. Throws an Error naming the entry
 * when the fleet's `traffic` names a service the fleet lacks or a discovery name its PRIMARY
 * deployment does not publish.
 */
export function cloudWatchOperations(options: CloudWatchOptions): Record<string, Operation> {
  const model = buildModel(options.fleet);
  const searchSeriesMax = options.searchSeriesMax ?? 500;
  const metricsPerCallMax = options.metricsPerCallMax ?? MAX_QUERIES;
  const lookup = (namespace: string, metricName: string, dimensions: DimensionsInput) =>
    findSeries(model, namespace, metricName, dimensions);

  return {
    GetMetricData(body) {
      const req = new Input(body, validation);
      const rawQueries = req.list("MetricDataQueries");
      if (rawQueries === undefined) {
        throw missingParameter("The parameter MetricDataQueries is required.");
      }
      if (rawQueries.length === 0 || rawQueries.length > MAX_QUERIES) {
        throw validation(
          `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length between 1 and ${MAX_QUERIES}. Received ${rawQueries.length} queries.`,
        );
      }
      const start = epochSeconds(body.StartTime, "StartTime");
      const end = epochSeconds(body.EndTime, "EndTime");
      if (start === undefined) throw missingParameter("The parameter StartTime is required.");
      if (end === undefined) throw missingParameter("The parameter EndTime is required.");
      if (start >= end) {
        throw validation("The parameter StartTime must be less than the parameter EndTime.");
      }
      const scanBy = req.string("ScanBy") ?? "TimestampDescending";
      if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
        throw validation(
          `The value ${scanBy} for parameter ScanBy is not valid. Valid values are TimestampDescending and TimestampAscending.`,
        );
      }
      const maxDatapoints = req.int("MaxDatapoints") ?? DEFAULT_MAX_DATAPOINTS;
      if (maxDatapoints < 1) throw validation("The parameter MaxDatapoints must be at least 1.");
      const queries = rawQueries.map(readQuery);
      const ids = new Set(queries.map((q) => q.id));
      if (ids.size !== queries.length) {
        throw validation("The values for parameter Id in MetricDataQueries are not unique.");
      }

      // The token pins the request and the clock, so later pages read the same data.
      const hash = createHash("sha256")
        .update(JSON.stringify([rawQueries, start, end, scanBy, maxDatapoints]))
        .digest("base64url")
        .slice(0, 22);
      const nextToken = req.string("NextToken");
      const page = nextToken
        ? decodeToken(nextToken, hash)
        : { hash, offset: 0, now: options.now() };
      const nowMinute = minuteOf(page.now);

      // Every query is aggregated (a bucket without samples has no datapoint, so only the
      // datapoints themselves say how many a query has); the page shows a slice of them all.
      const ordered = (points: Datapoints) => {
        if (scanBy === "TimestampDescending") {
          points.timestamps.reverse();
          points.values.reverse();
        }
        return points;
      };
      // The series searches find count toward the call's metrics with the queries of one metric
      // each (MetricStat); past the ceiling the searches' later series are cut, and only
      // Messages says so. Which series AWS keeps is not documented: here the first in order.
      let budget = Math.max(0, metricsPerCallMax - queries.filter((q) => q.metric).length);
      let capped = false;
      const returned = queries
        .filter((q) => q.returnData)
        .flatMap((q, i) => {
          const m = q.metric;
          if (q.expression !== undefined && /^\s*SEARCH\(/.test(q.expression)) {
            // One result per series found, each under the query's Id, told apart by its label.
            const search = parseSearch(q.expression, `MetricDataQueries.member.${i + 1}`);
            const found = searchSeries(model, search).slice(0, searchSeriesMax);
            const kept = found.slice(0, budget);
            budget -= kept.length;
            if (kept.length < found.length) capped = true;
            return kept.map((def) => ({
              query: { ...q, label: expandLabel(q.label, def) },
              points: ordered(aggregate(def, search.period, search.stat, start, end, nowMinute)),
            }));
          }
          // Metric math (any other Expression) is not emulated: it returns no datapoints.
          const def = m && lookup(m.namespace, m.metricName, m.dimensions);
          const matches =
            m !== undefined && def !== undefined && (m.unit === undefined || m.unit === def.unit);
          const points =
            matches && m && def
              ? aggregate(def, m.period, m.stat, start, end, nowMinute)
              : { timestamps: [], values: [] };
          return [{ query: q, points: ordered(points) }];
        });
      const total = returned.reduce((n, r) => n + r.points.timestamps.length, 0);
      const pageEnd = page.offset + maxDatapoints;
      let first = 0;
      const MetricDataResults = returned.map(({ query: q, points }) => {
        const count = points.timestamps.length;
        const from = Math.min(count, Math.max(0, page.offset - first));
        const to = Math.min(count, Math.max(0, pageEnd - first));
        const more = first + count > pageEnd;
        first += count;
        return {
          Id: q.id,
          Label: q.label ?? q.metric?.metricName ?? q.id,
          Timestamps: points.timestamps.slice(from, to),
          Values: points.values.slice(from, to),
          StatusCode: more ? "PartialData" : "Complete",
        };
      });
      return {
        MetricDataResults,
        NextToken: pageEnd < total ? encodeToken({ ...page, offset: pageEnd }) : undefined,
        Messages: capped
          ? [{ Code: "MaxMetricsExceeded", Value: "Maximum number of allowed metrics exceeded" }]
          : [],
      };
    },

    GetMetricWidgetImage(body) {
      const req = new Input(body, invalidWidget);
      const text = req.string("MetricWidget");
      if (text === undefined) throw missingParameter("The parameter MetricWidget is required.");
      const format = req.string("OutputFormat") ?? "png";
      if (format !== "png" && format !== "image/png") {
        throw invalidWidget(`The OutputFormat ${format} is not supported. Use png.`);
      }
      const now = options.now();
      const widget = parseWidget(text, now / 1000);
      const nowMinute = minuteOf(now);
      const lines = widget.metrics.flatMap((m, i) => {
        if (!m.visible) return [];
        const def = lookup(m.namespace, m.metricName, m.dimensions);
        const points = def
          ? aggregate(def, m.period, m.stat, widget.start, widget.end, nowMinute)
          : { timestamps: [], values: [] };
        return [{ color: m.color ?? (PALETTE[i % PALETTE.length] as Rgb), points }];
      });
      return { MetricWidgetImage: drawChart(widget, lines).toString("base64") };
    },
  };
}

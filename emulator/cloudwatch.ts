// Amazon CloudWatch (AWS JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.<Op>, signing name
// `monitoring`): GetMetricData and GetMetricWidgetImage over synthetic Service Connect metrics.
//
// CloudWatch is an awsQueryCompatible service: its JSON errors carry `x-amzn-query-error:
// <QueryCode>;Sender`, and the SDK names the error after that Query code (ValidationError maps to
// its ValidationException class; unmodelled codes such as Throttling or AccessDenied come out as
// CloudWatchServiceException with that name). Timestamps are epoch seconds, blobs base64.
//
// The series are deterministic functions of the 1-minute timestamp m (epoch seconds, a multiple of
// 60) and of "now" (the emulator clock, Date.now() by default). Let nowMinute = floor(now / 60 s) * 60
// (the current, incomplete minute). A minute is published when
//   nowMinute - 15 days <= m <= nowMinute - 60
// (complete minutes of the last 15 days). For a discovery name with profile P (see PROFILES):
//   w  = sin(2π m / 5400 + P.phase)                 a 90-minute wave
//   f  = 1 + 0.05 w                                 ±5 %
//   b  = burst weight: 0, except for a profile with a burst when m >= nowMinute - 900 (the last 15
//        complete minutes): b = min(1, (k + 1) / 4) with k = (m - (nowMinute - 900)) / 60
//   mix(normal, burst) = normal + (burst - normal) b
//   R  = round(P.requests f)                        requests in the minute
//   c3 = round(R P.share3xx), c4 = round(R P.share4xx), c5 = round(R mix(P.share5xx, burst.share5xx)),
//   c2 = R - c3 - c4 - c5
//   N  = round(P.newConnections f)
//   A  = P.activeConnections f mix(1, burst.activeFactor)
//   p50/p90/p99 = mix(P.p50, burst.p50) f  (and likewise p90, p99), milliseconds
// Metrics and their 1-minute statistics (n = samples; Average = Sum / n):
//   server side, published by the publisher's proxies (n = publisher's tasks):
//     RequestCount = R, NewConnectionCount = N, ProcessedBytes = R P.bytesPerRequest
//       (counts: Sum = value, Minimum = Maximum = every percentile = value / n)
//     ActiveConnectionCount: a gauge, Average = A, Sum = A n, Minimum = 0.8 A, Maximum = 1.2 A,
//       p50 = A, p90 = 1.1 A, p99 = 1.18 A
//   client side, published by the caller's proxies (n = caller's tasks), counts as above:
//     HTTPCode_Target_2XX_Count = c2 (3XX c3, 4XX c4, 5XX c5), RequestCountPerTarget = R / publisher's
//     tasks, TargetProcessedBytes = R P.bytesPerRequest
//     TargetResponseTime: n = R, Average = p50 + 0.07 (p99 - p50), Sum = Average R,
//       Minimum = 0.4 p50, Maximum = 2 p99, p50/p90/p99 as above
//   Any other percentile pQ interpolates linearly between the points (0, Minimum), (50, p50), (90, p90),
//   (99, p99), (100, Maximum), Q clamped to [0, 100].
// Aggregation into a Period P (a multiple of 60): buckets start at multiples of P (epoch-aligned); a
// query covers the published minutes m with floor(StartTime / P) P <= m < EndTime, bucket floor(m / P) P.
//   Sum and SampleCount add; Average = ΣSum / ΣSampleCount; Minimum / Maximum are the extremes;
//   a percentile is the SampleCount-weighted mean of the minutes' percentiles.
// Each series is published with both of its dimension sets (DiscoveryName alone, and with the
// publisher's ServiceName and ClusterName; TargetDiscoveryName alone, and with the caller's); with one
// caller per target both sets carry the same values. Dimensions match exactly, as in CloudWatch.

import { createHash } from "node:crypto";
import type { Fleet } from "./fleet.ts";
import { PNG_SIGNATURE, parseHexColor, Raster, type Rgb } from "./png.ts";
import { AwsError, Input, type JsonBody, type Operation } from "./wire.ts";

export { PNG_SIGNATURE };

export const SERVICE_CONNECT_NAMESPACE = "AWS/ECS";
/** Retention of 1-minute data: series exist for the last 15 days. */
export const RETENTION_SECONDS = 15 * 86_400;
/** The api burst covers the last 15 complete minutes. */
export const BURST_MINUTES = 15;
export const MAX_QUERIES = 500;
export const DEFAULT_MAX_DATAPOINTS = 100_800;

export type DimensionsInput =
  | Readonly<Record<string, string>>
  | readonly { Name?: string; Value?: string }[];

export interface PublishedSeries {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit: "Count" | "Bytes" | "Milliseconds";
  /** ECS service and cluster whose proxies publish it. */
  publishedBy: { serviceName: string; clusterName: string };
}

export interface Party {
  serviceName: string;
  clusterName: string;
  /** RUNNING tasks: proxies publishing one sample each per minute. */
  tasks: number;
}

export interface Latency {
  p50: number;
  p90: number;
  p99: number;
}

export interface Profile {
  discoveryName: string;
  publisher: Party;
  /** Exactly one caller per target here, so the TargetDiscoveryName-only set equals the caller's. */
  caller: Party;
  requests: number;
  phase: number;
  share3xx: number;
  share4xx: number;
  share5xx: number;
  newConnections: number;
  activeConnections: number;
  bytesPerRequest: number;
  latency: Latency;
  burst?: { share5xx: number; activeFactor: number; latency: Latency };
}

const WEB_FRONTEND: Party = { serviceName: "web-frontend", clusterName: "tutorial", tasks: 1 };

/** The demo fleet's Service Connect names and their traffic. */
export const PROFILES: readonly Profile[] = [
  {
    discoveryName: "nginx",
    publisher: { serviceName: "service-connect-nginx-service", clusterName: "tutorial", tasks: 2 },
    caller: WEB_FRONTEND,
    requests: 1200,
    phase: 0,
    share3xx: 0.003,
    share4xx: 0.002,
    share5xx: 0,
    newConnections: 30,
    activeConnections: 40,
    bytesPerRequest: 2400,
    latency: { p50: 8, p90: 15, p99: 30 },
  },
  {
    discoveryName: "api",
    publisher: { serviceName: "api-service", clusterName: "ecs_service_discovery", tasks: 3 },
    caller: WEB_FRONTEND,
    requests: 300,
    phase: 1,
    share3xx: 0.001,
    share4xx: 0.004,
    share5xx: 0.002,
    newConnections: 10,
    activeConnections: 12,
    bytesPerRequest: 1100,
    latency: { p50: 20, p90: 45, p99: 80 },
    burst: { share5xx: 0.25, activeFactor: 4, latency: { p50: 60, p90: 700, p99: 1800 } },
  },
];

type ServerMetric =
  | "RequestCount"
  | "NewConnectionCount"
  | "ActiveConnectionCount"
  | "ProcessedBytes";
type ClientMetric =
  | "HTTPCode_Target_2XX_Count"
  | "HTTPCode_Target_3XX_Count"
  | "HTTPCode_Target_4XX_Count"
  | "HTTPCode_Target_5XX_Count"
  | "RequestCountPerTarget"
  | "TargetProcessedBytes"
  | "TargetResponseTime";

const SERVER_METRICS: Record<ServerMetric, PublishedSeries["unit"]> = {
  RequestCount: "Count",
  NewConnectionCount: "Count",
  ActiveConnectionCount: "Count",
  ProcessedBytes: "Bytes",
};
const CLIENT_METRICS: Record<ClientMetric, PublishedSeries["unit"]> = {
  HTTPCode_Target_2XX_Count: "Count",
  HTTPCode_Target_3XX_Count: "Count",
  HTTPCode_Target_4XX_Count: "Count",
  HTTPCode_Target_5XX_Count: "Count",
  RequestCountPerTarget: "Count",
  TargetProcessedBytes: "Bytes",
  TargetResponseTime: "Milliseconds",
};

interface SeriesDef extends PublishedSeries {
  profile: Profile;
  side: "server" | "client";
}

function buildSeries(): SeriesDef[] {
  const out: SeriesDef[] = [];
  for (const profile of PROFILES) {
    const { discoveryName, publisher, caller } = profile;
    const serverSets: Record<string, string>[] = [
      { DiscoveryName: discoveryName },
      {
        DiscoveryName: discoveryName,
        ServiceName: publisher.serviceName,
        ClusterName: publisher.clusterName,
      },
    ];
    const clientSets: Record<string, string>[] = [
      { TargetDiscoveryName: discoveryName },
      {
        TargetDiscoveryName: discoveryName,
        ServiceName: caller.serviceName,
        ClusterName: caller.clusterName,
      },
    ];
    const by = (p: Party) => ({ serviceName: p.serviceName, clusterName: p.clusterName });
    for (const [metricName, unit] of Object.entries(SERVER_METRICS)) {
      for (const dimensions of serverSets) {
        out.push({
          namespace: SERVICE_CONNECT_NAMESPACE,
          metricName,
          dimensions,
          unit,
          publishedBy: by(publisher),
          profile,
          side: "server",
        });
      }
    }
    for (const [metricName, unit] of Object.entries(CLIENT_METRICS)) {
      for (const dimensions of clientSets) {
        out.push({
          namespace: SERVICE_CONNECT_NAMESPACE,
          metricName,
          dimensions,
          unit,
          publishedBy: by(caller),
          profile,
          side: "client",
        });
      }
    }
  }
  return out;
}

const SERIES = buildSeries();

/** Every series the emulator publishes for the demo fleet (22 per discovery name). */
export const PUBLISHED_SERIES: readonly PublishedSeries[] = SERIES.map(
  ({ namespace, metricName, dimensions, unit, publishedBy }) => ({
    namespace,
    metricName,
    dimensions: { ...dimensions },
    unit,
    publishedBy: { ...publishedBy },
  }),
);

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

function seriesKey(namespace: string, metricName: string, dims: Record<string, string>): string {
  const sorted = Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([namespace, metricName, sorted]);
}

const SERIES_BY_KEY = new Map(
  SERIES.map((s) => [seriesKey(s.namespace, s.metricName, s.dimensions), s]),
);

function findSeries(
  namespace: string,
  metricName: string,
  dimensions: DimensionsInput | undefined,
): SeriesDef | undefined {
  const dims = toRecord(dimensions);
  return dims && SERIES_BY_KEY.get(seriesKey(namespace, metricName, dims));
}

// ---- per-minute values ---------------------------------------------------------------------------

/** The statistics of one series over one minute. */
interface MinuteStats {
  sum: number;
  n: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}

const minuteOf = (epochMs: number) => Math.floor(epochMs / 60_000) * 60;

function isPublished(minute: number, nowMinute: number): boolean {
  return minute >= nowMinute - RETENTION_SECONDS && minute <= nowMinute - 60;
}

function burstWeight(profile: Profile, minute: number, nowMinute: number): number {
  const start = nowMinute - BURST_MINUTES * 60;
  if (!profile.burst || minute < start) return 0;
  return Math.min(1, ((minute - start) / 60 + 1) / 4);
}

function countStats(value: number, n: number): MinuteStats {
  const each = value / n;
  return { sum: value, n, min: each, max: each, p50: each, p90: each, p99: each };
}

function minuteStats(series: SeriesDef, minute: number, nowMinute: number): MinuteStats {
  const p = series.profile;
  const w = Math.sin((2 * Math.PI * minute) / 5400 + p.phase);
  const f = 1 + 0.05 * w;
  const b = burstWeight(p, minute, nowMinute);
  const mix = (normal: number, burst: number | undefined) =>
    normal + ((burst ?? normal) - normal) * b;
  const requests = Math.round(p.requests * f);
  const n = series.side === "server" ? p.publisher.tasks : p.caller.tasks;
  switch (series.metricName) {
    case "RequestCount":
      return countStats(requests, n);
    case "NewConnectionCount":
      return countStats(Math.round(p.newConnections * f), n);
    case "ProcessedBytes":
    case "TargetProcessedBytes":
      return countStats(requests * p.bytesPerRequest, n);
    case "RequestCountPerTarget":
      return countStats(requests / p.publisher.tasks, n);
    case "ActiveConnectionCount": {
      const a = p.activeConnections * f * mix(1, p.burst?.activeFactor);
      return { sum: a * n, n, min: 0.8 * a, max: 1.2 * a, p50: a, p90: 1.1 * a, p99: 1.18 * a };
    }
    case "TargetResponseTime": {
      const p50 = mix(p.latency.p50, p.burst?.latency.p50) * f;
      const p90 = mix(p.latency.p90, p.burst?.latency.p90) * f;
      const p99 = mix(p.latency.p99, p.burst?.latency.p99) * f;
      const average = p50 + 0.07 * (p99 - p50);
      return { sum: average * requests, n: requests, min: 0.4 * p50, max: 2 * p99, p50, p90, p99 };
    }
    default: {
      const c3 = Math.round(requests * p.share3xx);
      const c4 = Math.round(requests * p.share4xx);
      const c5 = Math.round(requests * mix(p.share5xx, p.burst?.share5xx));
      const counts: Record<string, number> = {
        HTTPCode_Target_2XX_Count: requests - c3 - c4 - c5,
        HTTPCode_Target_3XX_Count: c3,
        HTTPCode_Target_4XX_Count: c4,
        HTTPCode_Target_5XX_Count: c5,
      };
      return countStats(counts[series.metricName] ?? 0, n);
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

function percentile(s: MinuteStats, q: number): number {
  const points: [number, number][] = [
    [0, s.min],
    [50, s.p50],
    [90, s.p90],
    [99, s.p99],
    [100, s.max],
  ];
  const x = Math.min(100, Math.max(0, q));
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i] as [number, number];
    const [x0, y0] = points[i - 1] as [number, number];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return s.max;
}

function minuteValue(s: MinuteStats, stat: Stat): number {
  switch (stat.kind) {
    case "Sum":
      return s.sum;
    case "SampleCount":
      return s.n;
    case "Average":
      return s.sum / s.n;
    case "Minimum":
      return s.min;
    case "Maximum":
      return s.max;
    case "percentile":
      return percentile(s, stat.q);
  }
}

export interface SyntheticOptions {
  /** "Now", epoch milliseconds; default Date.now(). */
  now?: number;
  /** Default AWS/ECS. */
  namespace?: string;
}

/**
 * The 1-minute datapoint of a published series (what a Period-60 query returns for that minute), or
 * undefined when no such series exists or the minute is not published (in the future, the current
 * minute, or older than 15 days). Throws RangeError for an unknown statistic.
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
  const series = findSeries(options.namespace ?? SERVICE_CONNECT_NAMESPACE, metricName, dimensions);
  const nowMinute = minuteOf(options.now ?? Date.now());
  const minute = Math.floor(minuteEpochSeconds / 60) * 60;
  if (!series || !isPublished(minute, nowMinute)) return undefined;
  return minuteValue(minuteStats(series, minute, nowMinute), parsed);
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

/** How many datapoints (non-empty buckets) any published series has over the range. */
function bucketCount(
  period: number,
  startSeconds: number,
  endSeconds: number,
  nowMinute: number,
): number {
  const { from, to } = minuteRange(period, startSeconds, endSeconds, nowMinute);
  if (from >= to) return 0;
  const last = Math.ceil(to / 60) * 60 - 60;
  return Math.floor(last / period) - Math.floor(from / period) + 1;
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
  let bucket = Number.NaN;
  let sum = 0;
  let n = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let weighted = 0;
  const flush = () => {
    if (Number.isNaN(bucket) || n === 0) return;
    timestamps.push(bucket);
    switch (stat.kind) {
      case "Sum":
        values.push(sum);
        break;
      case "SampleCount":
        values.push(n);
        break;
      case "Average":
        values.push(sum / n);
        break;
      case "Minimum":
        values.push(min);
        break;
      case "Maximum":
        values.push(max);
        break;
      case "percentile":
        values.push(weighted / n);
        break;
    }
  };
  for (let m = from; m < to; m += 60) {
    const b = Math.floor(m / period) * period;
    if (b !== bucket) {
      flush();
      bucket = b;
      sum = 0;
      n = 0;
      min = Number.POSITIVE_INFINITY;
      max = Number.NEGATIVE_INFINITY;
      weighted = 0;
    }
    const s = minuteStats(series, m, nowMinute);
    sum += s.sum;
    n += s.n;
    min = Math.min(min, s.min);
    max = Math.max(max, s.max);
    if (stat.kind === "percentile") weighted += s.n * percentile(s, stat.q);
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
  /** Only series whose publishing and calling services exist in this fleet are published. */
  fleet?: Fleet;
}

export function cloudWatchOperations(options: CloudWatchOptions): Record<string, Operation> {
  const { fleet } = options;
  const inFleet = (p: Party) =>
    fleet === undefined ||
    fleet.services.some(
      (s) => s.serviceName === p.serviceName && s.clusterArn.endsWith(`:cluster/${p.clusterName}`),
    );
  const live = new Set(
    SERIES.filter((s) => inFleet(s.profile.publisher) && inFleet(s.profile.caller)),
  );
  const lookup = (namespace: string, metricName: string, dimensions: DimensionsInput) => {
    const series = findSeries(namespace, metricName, dimensions);
    return series && live.has(series) ? series : undefined;
  };

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

      // Every published minute carries every live series, so how many datapoints a query has
      // depends only on its range: count them all, aggregate only the queries this page shows.
      const returned = queries
        .filter((q) => q.returnData)
        .map((q) => {
          const m = q.metric;
          // Metric math (Expression) is not emulated: such a query returns no datapoints.
          const def = m && lookup(m.namespace, m.metricName, m.dimensions);
          const matches =
            m !== undefined && def !== undefined && (m.unit === undefined || m.unit === def.unit);
          return {
            query: q,
            def: matches ? def : undefined,
            count: matches ? bucketCount(m.period, start, end, nowMinute) : 0,
          };
        });
      const total = returned.reduce((n, r) => n + r.count, 0);
      const pageEnd = page.offset + maxDatapoints;
      let first = 0;
      const MetricDataResults = returned.map(({ query: q, def, count }) => {
        const from = Math.min(count, Math.max(0, page.offset - first));
        const to = Math.min(count, Math.max(0, pageEnd - first));
        const more = first + count > pageEnd;
        first += count;
        let timestamps: number[] = [];
        let values: number[] = [];
        if (def && q.metric && to > from) {
          const points = aggregate(def, q.metric.period, q.metric.stat, start, end, nowMinute);
          if (scanBy === "TimestampDescending") {
            points.timestamps.reverse();
            points.values.reverse();
          }
          timestamps = points.timestamps.slice(from, to);
          values = points.values.slice(from, to);
        }
        return {
          Id: q.id,
          Label: q.label ?? q.metric?.metricName ?? q.id,
          Timestamps: timestamps,
          Values: values,
          StatusCode: more ? "PartialData" : "Complete",
        };
      });
      return {
        MetricDataResults,
        NextToken: pageEnd < total ? encodeToken({ ...page, offset: pageEnd }) : undefined,
        Messages: [],
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

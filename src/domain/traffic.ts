// `/ecs traffic`: Service Connect metrics (namespace AWS/ECS) of one discovery name, over a
// window and the equal window before it, built from one GetMetricData call.

import type { MetricKind, MetricQuery, MetricSearch, Series, SeriesById } from "./metrics.ts";

export interface TrafficWindow {
  label: string;
  seconds: number;
  /** Chosen so both windows fit one GetMetricData call and the metric's retention. */
  period: number;
}

const WINDOWS: Record<string, TrafficWindow> = {
  "15m": { label: "15m", seconds: 15 * 60, period: 60 },
  "1h": { label: "1h", seconds: 3600, period: 60 },
  "6h": { label: "6h", seconds: 6 * 3600, period: 300 },
  "1d": { label: "1d", seconds: 86_400, period: 300 },
  // 60 s data is kept 15 days, 300 s data 63 days: the previous week still has 1-hour points.
  "7d": { label: "7d", seconds: 7 * 86_400, period: 3600 },
};

export const WINDOW_NAMES = Object.keys(WINDOWS);

export function parseWindow(text: string | undefined): TrafficWindow | undefined {
  const key = (text ?? "1h").toLowerCase().replace(/^24h$/, "1d").replace(/^60m$/, "1h");
  return WINDOWS[key];
}

export interface Caller {
  service: string;
  cluster: string;
}

/** What Service Connect measures depends on the port's appProtocol (ECS API PortMapping). */
export type TrafficProtocol = "http" | "grpc" | "tcp";

export function protocolOf(appProtocol: string | undefined): TrafficProtocol {
  if (appProtocol === "http" || appProtocol === "http2") return "http";
  if (appProtocol === "grpc") return "grpc";
  // No appProtocol: ECS adds no protocol telemetry; only connections and bytes exist.
  return "tcp";
}

export interface TrafficTarget {
  /** What the user asked about, e.g. nginx.service-connect:80. */
  name: string;
  discoveryName: string;
  publisher: Caller;
  appProtocol?: string;
  /**
   * The task definition (and so the port's appProtocol) could not be read. An unknown protocol is
   * not TCP: the figures of HTTP and of TCP are both read, and the protocol is told from which
   * exist; otherwise an HTTP service's 5xx would go unread and the service would look healthy.
   */
  protocolUnread?: boolean;
  /** Service Connect services of the namespace that may call it (the publisher excluded). */
  candidates: Caller[];
  /** The namespace's services could not be read: the callers' side is unknown, not empty. */
  callersUnread?: boolean;
  /**
   * Possible callers left out of `candidates` because searches showed they have no series of
   * this name in the window: they count as callers that counted nothing.
   */
  silentCallers?: number;
}

const NS = "AWS/ECS";
const COUNTS = ["2XX", "3XX", "4XX", "5XX"] as const;
const PERCENTILES = ["p50", "p90", "p99"] as const;

/**
 * Dimensions of one service's figures. DiscoveryName (or TargetDiscoveryName) alone adds up
 * every cluster and namespace using that discovery name, so the publisher's figures carry its
 * own ServiceName and ClusterName, and a caller's the caller's (ECS guide, "Service Connect
 * metrics").
 */
function serverDims(target: TrafficTarget): Record<string, string> {
  return {
    DiscoveryName: target.discoveryName,
    ServiceName: target.publisher.service,
    ClusterName: target.publisher.cluster,
  };
}

function callerDims(target: TrafficTarget, caller: Caller): Record<string, string> {
  return {
    TargetDiscoveryName: target.discoveryName,
    ServiceName: caller.service,
    ClusterName: caller.cluster,
  };
}

/**
 * Server-side figures from the publisher's proxies; HTTP codes and latency from each caller's
 * proxies (the service's totals are the callers' sum), as the protocol makes them exist.
 */
export function trafficQueries(target: TrafficTarget, window: TrafficWindow): MetricQuery[] {
  const protocol = target.protocolUnread ? "http" : protocolOf(target.appProtocol);
  const q = (
    id: string,
    metricName: string,
    dimensions: Record<string, string>,
    stat: string,
  ): MetricQuery => ({
    id,
    namespace: NS,
    metricName,
    dimensions,
    period: window.period,
    stat,
  });
  const server = serverDims(target);
  const queries: MetricQuery[] = [];
  if (protocol !== "tcp") {
    queries.push(
      q("requests", protocol === "grpc" ? "GrpcRequestCount" : "RequestCount", server, "Sum"),
    );
  }
  queries.push(
    q("newconn", "NewConnectionCount", server, "Sum"),
    q("active", "ActiveConnectionCount", server, "Average"),
    q("bytes", "ProcessedBytes", server, "Sum"),
  );
  target.candidates.forEach((c, i) => {
    const dims = callerDims(target, c);
    if (target.protocolUnread)
      queries.push(q(`caller${i}bytes`, "TargetProcessedBytes", dims, "Sum"));
    if (protocol === "tcp") {
      queries.push(q(`caller${i}bytes`, "TargetProcessedBytes", dims, "Sum"));
      return;
    }
    if (protocol === "http") {
      for (const code of COUNTS) {
        queries.push(
          q(`caller${i}http${code.toLowerCase()}`, `HTTPCode_Target_${code}_Count`, dims, "Sum"),
        );
      }
    } else {
      // gRPC has no HTTP codes; RequestCountPerTarget is an average per target, used only to
      // weigh callers against each other, never shown as a request count.
      queries.push(q(`caller${i}pertarget`, "RequestCountPerTarget", dims, "Sum"));
    }
    for (const p of PERCENTILES) queries.push(q(`caller${i}${p}`, "TargetResponseTime", dims, p));
  });
  return queries;
}

/** Every (metric, statistic) trafficQueries reads, by the side that publishes it. */
const SERVER_METRICS: [string, string][] = [
  ["RequestCount", "Sum"],
  ["GrpcRequestCount", "Sum"],
  ["NewConnectionCount", "Sum"],
  ["ActiveConnectionCount", "Average"],
  ["ProcessedBytes", "Sum"],
];
const CALLER_METRICS: [string, string][] = [
  ...COUNTS.map((c): [string, string] => [`HTTPCode_Target_${c}_Count`, "Sum"]),
  ["RequestCountPerTarget", "Sum"],
  ...PERCENTILES.map((p): [string, string] => ["TargetResponseTime", p]),
  ["TargetProcessedBytes", "Sum"],
];

/** What trafficQueries reads of each caller, kind by kind. */
export function callerKinds(window: TrafficWindow): MetricKind[] {
  return CALLER_METRICS.map(([metricName, stat]) => ({
    namespace: NS,
    metricName,
    stat,
    period: window.period,
    dimensionNames: ["TargetDiscoveryName", "ServiceName", "ClusterName"],
  }));
}

/** The target without the callers known to be silent (indexes into its candidates). */
export function withoutSilentCallers(target: TrafficTarget, silent: Set<number>): TrafficTarget {
  if (silent.size === 0) return target;
  return {
    ...target,
    candidates: target.candidates.filter((_, i) => !silent.has(i)),
    silentCallers: (target.silentCallers ?? 0) + silent.size,
  };
}

/** The caller kinds trafficQueries reads for this target (its protocol's only). */
export function targetCallerKinds(target: TrafficTarget, window: TrafficWindow): MetricKind[] {
  // One caller's queries: the kinds every caller is asked for (a protocolUnread target has its
  // bytes query twice, hence the dedup by metric and statistic).
  const probe = { ...target, candidates: [{ service: "-", cluster: "-" }] };
  const byKind = new Map(
    trafficQueries(probe, window)
      .filter((q) => "TargetDiscoveryName" in q.dimensions)
      .map((q) => [`${q.metricName}/${q.stat}`, q] as const),
  );
  return [...byKind.values()].map((q) => ({
    namespace: q.namespace,
    metricName: q.metricName,
    stat: q.stat,
    period: q.period,
    dimensionNames: ["TargetDiscoveryName", "ServiceName", "ClusterName"],
  }));
}

/**
 * SEARCH expressions for one target: its own server-side series, and every caller's series of
 * its discovery name in the region, whatever the caller's namespace. One call reads what a
 * namespace of thousands would need a query per possible caller for, and names the callers that
 * exist; which of them are in the target's namespace is decided afterwards (the same discovery
 * name may be published in other namespaces: ECS guide, "Service Connect metrics").
 */
export function targetSearches(target: TrafficTarget, window: TrafficWindow): MetricSearch[] {
  const server = serverDims(target);
  const serverSearches = trafficQueries({ ...target, candidates: [] }, window).map(
    (q, i): MetricSearch => ({
      id: `ts${i}`,
      namespace: q.namespace,
      metricName: q.metricName,
      dimensionNames: Object.keys(server),
      filter: server,
      period: q.period,
      stat: q.stat,
    }),
  );
  const callerSearches = targetCallerKinds(target, window).map(
    (k, i): MetricSearch => ({
      id: `tc${i}`,
      namespace: k.namespace,
      metricName: k.metricName,
      dimensionNames: k.dimensionNames,
      filter: { TargetDiscoveryName: target.discoveryName },
      period: k.period,
      stat: k.stat,
    }),
  );
  return [...serverSearches, ...callerSearches];
}

/**
 * SEARCH expressions that read, in a few calls, every series trafficQueries would ask for, of
 * every publisher and caller in the region (or of one cluster's, when `cluster` is given): one
 * per metric and statistic, over the dimension sets of serverDims and callerDims. A search reads
 * only the series that exist, where trafficQueries asks for every caller that might call.
 */
export function trafficSearches(window: TrafficWindow, cluster?: string): MetricSearch[] {
  const filter: Record<string, string> = cluster ? { ClusterName: cluster } : {};
  const search = (
    side: "s" | "c",
    [metricName, stat]: [string, string],
    i: number,
    dimensionNames: string[],
  ): MetricSearch => ({
    id: `${side}${i}`,
    namespace: NS,
    metricName,
    dimensionNames,
    filter,
    period: window.period,
    stat,
  });
  return [
    ...SERVER_METRICS.map((m, i) =>
      search("s", m, i, ["DiscoveryName", "ServiceName", "ClusterName"]),
    ),
    ...CALLER_METRICS.map((m, i) =>
      search("c", m, i, ["TargetDiscoveryName", "ServiceName", "ClusterName"]),
    ),
  ];
}

export interface Figure {
  current?: number;
  previous?: number;
  /** Eight-level text sparkline of the current window. */
  spark?: string;
}

export interface CallerTraffic extends Caller {
  /** HTTP: the responses it counted. Undefined for gRPC and TCP, which count no requests per caller. */
  requests?: number;
  /** gRPC: RequestCountPerTarget summed over the window (an average per target, not a count). */
  perTarget?: number;
  /** TCP: bytes it exchanged with the target. */
  bytes?: number;
  errorRate?: number;
  p99?: number;
}

export interface TrafficReport {
  name: string;
  discoveryName: string;
  publisher: Caller;
  protocol: TrafficProtocol;
  window: TrafficWindow;
  /** The end of the window (a whole period). */
  end: Date;
  status: "ok" | "no-traffic";
  /** Requests at the publisher's proxies (every client that reaches them); absent for TCP. */
  requests: Figure;
  /** Requests per second. */
  rate: Figure;
  /** HTTP codes counted by the Service Connect callers, summed over them. */
  codes: Record<(typeof COUNTS)[number], Figure>;
  /** 5xx share of the requests the callers counted (0..1). */
  errorRate: Figure;
  latency: Record<(typeof PERCENTILES)[number], Figure>;
  newConnections: Figure;
  activeConnections: Figure;
  bytes: Figure;
  /**
   * HTTP: requests the proxies served that no Service Connect caller counted (DNS or IP
   * clients reaching the proxy's listener); undefined when none or not measurable.
   */
  outside?: number;
  callers: CallerTraffic[];
  /** Why some figure is absent, in the user's terms. */
  notes: string[];
}

const BARS = "▁▂▃▄▅▆▇█";
const SPARK_WIDTH = 24;

/** Eight-level bars of a series, resampled to at most 24 buckets (summed or maxed). */
export function sparkline(values: number[], combine: "sum" | "max" = "sum"): string {
  if (values.length === 0) return "";
  const size = Math.ceil(values.length / SPARK_WIDTH);
  const buckets: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    const slice = values.slice(i, i + size);
    buckets.push(combine === "sum" ? slice.reduce((a, b) => a + b, 0) : Math.max(...slice));
  }
  const max = Math.max(...buckets);
  if (max <= 0) return BARS[0]?.repeat(buckets.length) ?? "";
  return buckets.map((v) => BARS[Math.min(7, Math.round((v / max) * 7))]).join("");
}

type Points = Series["points"];

interface Split {
  current: Points;
  previous: Points;
}

function split(points: Points, end: Date, window: TrafficWindow): Split {
  const boundary = end.getTime() - window.seconds * 1000;
  const start = boundary - window.seconds * 1000;
  return {
    current: points.filter((p) => p.at.getTime() >= boundary && p.at.getTime() < end.getTime()),
    previous: points.filter((p) => p.at.getTime() >= start && p.at.getTime() < boundary),
  };
}

const sum = (points: Points) =>
  points.length ? points.reduce((a, p) => a + p.value, 0) : undefined;
const mean = (points: Points) => {
  const total = sum(points);
  return total === undefined ? undefined : total / points.length;
};

/** Point-wise sum of several series (a timestamp present in any of them counts). */
function addSeries(list: Points[]): Points {
  const byTime = new Map<number, number>();
  for (const points of list) {
    for (const p of points) byTime.set(p.at.getTime(), (byTime.get(p.at.getTime()) ?? 0) + p.value);
  }
  return [...byTime].sort(([a], [b]) => a - b).map(([at, value]) => ({ at: new Date(at), value }));
}

/**
 * Percentiles cannot be added up: each period's value is weighted by that period's requests,
 * point-wise across callers and then across periods (an approximation of the true percentile).
 */
function weightedSeries(parts: { values: Points; weights: Points }[]): Points {
  const acc = new Map<number, { total: number; weight: number }>();
  for (const { values, weights } of parts) {
    const w = new Map(weights.map((p) => [p.at.getTime(), p.value]));
    for (const p of values) {
      const weight = w.get(p.at.getTime()) ?? 0;
      const cell = acc.get(p.at.getTime()) ?? { total: 0, weight: 0 };
      cell.total += p.value * weight;
      cell.weight += weight;
      acc.set(p.at.getTime(), cell);
    }
  }
  return [...acc]
    .filter(([, c]) => c.weight > 0)
    .sort(([a], [b]) => a - b)
    .map(([at, c]) => ({ at: new Date(at), value: c.total / c.weight }));
}

/** A window's value of a percentile series: each period weighted by its requests. */
function weightedMean(values: Points, weights: Points): number | undefined {
  const w = new Map(weights.map((p) => [p.at.getTime(), p.value]));
  let total = 0;
  let weight = 0;
  for (const p of values) {
    const x = w.get(p.at.getTime()) ?? 0;
    total += p.value * x;
    weight += x;
  }
  return weight > 0 ? total / weight : undefined;
}

function countFigure(s: Split): Figure {
  return {
    current: sum(s.current),
    previous: sum(s.previous),
    spark: sparkline(s.current.map((p) => p.value)),
  };
}

function latencyFigure(s: Split, weights: Split): Figure {
  return {
    current: weightedMean(s.current, weights.current),
    previous: weightedMean(s.previous, weights.previous),
    spark: sparkline(
      s.current.map((x) => x.value),
      "max",
    ),
  };
}

export function summariseTraffic(
  target: TrafficTarget,
  window: TrafficWindow,
  series: SeriesById,
  end: Date,
): TrafficReport {
  const points = (id: string) => series.get(id)?.points ?? [];
  const protocol = protocolFrom(target, series);
  const part = (p: Points) => split(p, end, window);

  // Per caller, what it counted per period: its requests (HTTP), its per-target count (gRPC).
  const perCaller = target.candidates.map((c, i) => {
    const codes = COUNTS.map((code) => points(`caller${i}http${code.toLowerCase()}`));
    const weight = protocol === "http" ? addSeries(codes) : points(`caller${i}pertarget`);
    return {
      caller: c,
      codes,
      weight,
      latency: Object.fromEntries(PERCENTILES.map((p) => [p, points(`caller${i}${p}`)])) as Record<
        (typeof PERCENTILES)[number],
        Points
      >,
      bytes: points(`caller${i}bytes`),
    };
  });

  const codeSeries = COUNTS.map((_, k) => addSeries(perCaller.map((c) => c.codes[k] ?? [])));
  const codes = Object.fromEntries(
    COUNTS.map((c, k) => [c, protocol === "http" ? countFigure(part(codeSeries[k] ?? [])) : {}]),
  ) as TrafficReport["codes"];
  const answered = addSeries(codeSeries);
  const answeredSplit = part(answered);
  const rate5xx = (which: "current" | "previous") => {
    const total = sum(answeredSplit[which]);
    const errors = codes["5XX"][which];
    return total && errors !== undefined ? errors / total : undefined;
  };
  const weights = addSeries(perCaller.map((c) => c.weight));
  const latency = Object.fromEntries(
    PERCENTILES.map((p) => [
      p,
      protocol === "tcp"
        ? {}
        : latencyFigure(
            part(
              weightedSeries(perCaller.map((c) => ({ values: c.latency[p], weights: c.weight }))),
            ),
            part(weights),
          ),
    ]),
  ) as TrafficReport["latency"];

  const requestFigure: Figure = protocol === "tcp" ? {} : countFigure(part(points("requests")));
  const perSecond = (v: number | undefined) => (v === undefined ? undefined : v / window.seconds);
  const active = part(points("active"));
  const newConnections = countFigure(part(points("newconn")));
  const bytes = countFigure(part(points("bytes")));

  const callers: CallerTraffic[] = perCaller
    .map(({ caller, codes: own, weight, latency: lat, bytes: b }): CallerTraffic => {
      if (protocol === "tcp") return { ...caller, bytes: sum(part(b).current) ?? 0 };
      const w = part(weight).current;
      const p99 = weightedMean(part(lat.p99).current, w);
      if (protocol === "grpc") return { ...caller, perTarget: sum(w) ?? 0, p99 };
      const requests = sum(w) ?? 0;
      const errors = sum(part(own[3] ?? []).current);
      return {
        ...caller,
        requests,
        errorRate: requests > 0 && errors !== undefined ? errors / requests : undefined,
        p99,
      };
    })
    .filter((c) => (c.requests ?? c.perTarget ?? c.bytes ?? 0) > 0)
    .sort(
      (a, b) =>
        (b.requests ?? b.perTarget ?? b.bytes ?? 0) - (a.requests ?? a.perTarget ?? a.bytes ?? 0),
    );

  const notes: string[] = [];
  if (target.protocolUnread) {
    notes.push(
      `The task definition could not be read, so the port's appProtocol is unknown: HTTP and TCP figures were both read, and ${protocol === "http" ? "HTTP ones exist" : "no HTTP one exists (gRPC would show as TCP here)"}.`,
    );
  }
  if (protocol === "grpc") {
    notes.push(
      "gRPC: no HTTP codes exist; requests are gRPC requests, and callers are compared by RequestCountPerTarget (an average per target, not a count).",
    );
  }
  if (protocol === "tcp") {
    notes.push(
      "TCP port (no appProtocol): Service Connect records only connections and bytes for it; requests, codes and latency do not exist.",
    );
  }
  const noTraffic =
    protocol === "tcp"
      ? !newConnections.current && !bytes.current && !mean(active.current)
      : !requestFigure.current && !sum(answeredSplit.current) && !sum(part(weights).current);
  if (noTraffic) {
    notes.push(
      `No ${protocol === "tcp" ? "connection" : "request"} reached ${target.discoveryName} through Service Connect in the last ${window.label}.`,
    );
  }
  const counted = sum(answeredSplit.current) ?? 0;
  // Only with every caller read is "not counted by a caller" the same as "from outside".
  const outside =
    protocol === "http" && requestFigure.current !== undefined && !target.callersUnread
      ? Math.max(0, requestFigure.current - counted)
      : undefined;
  if (target.callersUnread) {
    notes.push(
      "The namespace's Service Connect services could not be read: the callers' side (codes, latency, callers) is unknown, not empty.",
    );
  }
  const possibleCallers = target.candidates.length + (target.silentCallers ?? 0);
  if (!noTraffic && protocol !== "tcp" && possibleCallers > 0 && callers.length === 0) {
    notes.push(
      "No Service Connect caller in the namespace counted requests: the traffic comes from DNS or IP clients, which Service Connect counts only at the server's proxy.",
    );
  }

  return {
    name: target.name,
    discoveryName: target.discoveryName,
    publisher: target.publisher,
    protocol,
    window,
    end,
    status: noTraffic ? "no-traffic" : "ok",
    requests: requestFigure,
    rate: {
      current: perSecond(requestFigure.current),
      previous: perSecond(requestFigure.previous),
      spark: requestFigure.spark,
    },
    codes,
    errorRate: {
      current: rate5xx("current"),
      previous: rate5xx("previous"),
      spark:
        protocol === "http"
          ? sparkline(part(codeSeries[3] ?? []).current.map((p) => p.value))
          : undefined,
    },
    latency,
    newConnections,
    activeConnections: {
      current: mean(active.current),
      previous: mean(active.previous),
      spark: sparkline(
        active.current.map((p) => p.value),
        "max",
      ),
    },
    bytes,
    // A rounding or timing difference is not "outside" traffic: only a visible share is.
    outside: outside !== undefined && outside > Math.max(1, counted * 0.01) ? outside : undefined,
    callers,
    notes,
  };
}

/** The port's protocol; when the task definition was unread, told from the series that exist. */
function protocolFrom(target: TrafficTarget, series: SeriesById): TrafficProtocol {
  if (!target.protocolUnread) return protocolOf(target.appProtocol);
  const http = [...series].some(
    ([id, s]) => (id === "requests" || /^caller\d+http/.test(id)) && s.points.length > 0,
  );
  return http ? "http" : "tcp";
}

/** A CloudWatch metric widget for the graph, with this service's own dimensions only. */
export function graphWidget(target: TrafficTarget, window: TrafficWindow): object {
  const protocol = protocolOf(target.appProtocol);
  const server = Object.entries(serverDims(target)).flat();
  const callers = target.candidates.slice(0, 5);
  const row = (metric: string, dims: string[], options: object) => [NS, metric, ...dims, options];
  const metrics =
    protocol === "tcp"
      ? [
          row("NewConnectionCount", server, { stat: "Sum", label: "new connections" }),
          row("ActiveConnectionCount", server, { stat: "Average", label: "active connections" }),
          row("ProcessedBytes", server, { stat: "Sum", label: "bytes", yAxis: "right" }),
        ]
      : [
          row(protocol === "grpc" ? "GrpcRequestCount" : "RequestCount", server, {
            stat: "Sum",
            label: "requests",
          }),
          ...(protocol === "http"
            ? callers.map((c) =>
                row("HTTPCode_Target_5XX_Count", Object.entries(callerDims(target, c)).flat(), {
                  stat: "Sum",
                  label: `5xx seen by ${c.service}`,
                }),
              )
            : []),
          ...callers.map((c) =>
            row("TargetResponseTime", Object.entries(callerDims(target, c)).flat(), {
              stat: "p99",
              label: `p99 ms, ${c.service}`,
              yAxis: "right",
            }),
          ),
        ];
  const what =
    protocol === "tcp"
      ? "connections and bytes"
      : protocol === "grpc"
        ? "requests, p99"
        : "requests, 5xx, p99";
  return {
    title: `${target.discoveryName} (${target.publisher.cluster}/${target.publisher.service}): ${what} (last ${window.label})`,
    view: "timeSeries",
    width: 800,
    height: 400,
    start: `-PT${window.seconds}S`,
    end: "P0D",
    period: window.period,
    metrics,
  };
}

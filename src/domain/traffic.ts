// `/ecs traffic`: Service Connect metrics (namespace AWS/ECS) of one discovery name, over a
// window and the equal window before it, built from one GetMetricData call.

import type { MetricQuery, Series, SeriesById } from "./metrics.ts";

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

export interface TrafficTarget {
  /** What the user asked about, e.g. nginx.service-connect:80. */
  name: string;
  discoveryName: string;
  publisher: Caller;
  appProtocol?: string;
  /** Service Connect services of the namespace that may call it (the publisher excluded). */
  candidates: Caller[];
}

const NS = "AWS/ECS";
const COUNTS = ["2XX", "3XX", "4XX", "5XX"] as const;
const PERCENTILES = ["p50", "p90", "p99"] as const;

/**
 * Server-side figures come from the publisher's proxies (DiscoveryName); HTTP codes and latency
 * from the callers' proxies (TargetDiscoveryName), per caller with the caller's own
 * ServiceName and ClusterName.
 */
export function trafficQueries(target: TrafficTarget, window: TrafficWindow): MetricQuery[] {
  const server = { DiscoveryName: target.discoveryName };
  const client = { TargetDiscoveryName: target.discoveryName };
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
  const grpc = target.appProtocol === "grpc";
  const queries: MetricQuery[] = [
    q("requests", grpc ? "GrpcRequestCount" : "RequestCount", server, "Sum"),
    q("newconn", "NewConnectionCount", server, "Sum"),
    q("active", "ActiveConnectionCount", server, "Average"),
    q("bytes", "ProcessedBytes", server, "Sum"),
  ];
  if (!grpc) {
    for (const code of COUNTS)
      queries.push(q(`http${code.toLowerCase()}`, `HTTPCode_Target_${code}_Count`, client, "Sum"));
  }
  for (const p of PERCENTILES) queries.push(q(p, "TargetResponseTime", client, p));
  target.candidates.forEach((c, i) => {
    const dims = { ...client, ServiceName: c.service, ClusterName: c.cluster };
    // A caller's requests are the responses it counted; RequestCountPerTarget is per target
    // (divided by the publisher's task count), so it stands in only for gRPC, which has no codes.
    if (grpc) queries.push(q(`caller${i}req`, "RequestCountPerTarget", dims, "Sum"));
    else {
      for (const code of COUNTS) {
        queries.push(
          q(`caller${i}http${code.toLowerCase()}`, `HTTPCode_Target_${code}_Count`, dims, "Sum"),
        );
      }
    }
    queries.push(q(`caller${i}p99`, "TargetResponseTime", dims, "p99"));
  });
  return queries;
}

export interface Figure {
  current?: number;
  previous?: number;
  /** Eight-level text sparkline of the current window. */
  spark?: string;
}

export interface CallerTraffic extends Caller {
  requests: number;
  errorRate?: number;
  p99?: number;
}

export interface TrafficReport {
  name: string;
  discoveryName: string;
  publisher: Caller;
  window: TrafficWindow;
  status: "ok" | "no-traffic";
  requests: Figure;
  /** Requests per second. */
  rate: Figure;
  codes: Record<(typeof COUNTS)[number], Figure>;
  /** 5xx share of the requests the callers counted (0..1). */
  errorRate: Figure;
  latency: Record<(typeof PERCENTILES)[number], Figure>;
  newConnections: Figure;
  activeConnections: Figure;
  bytes: Figure;
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

interface Split {
  current: Series["points"];
  previous: Series["points"];
}

function split(series: Series | undefined, end: Date, window: TrafficWindow): Split {
  const boundary = end.getTime() - window.seconds * 1000;
  const start = boundary - window.seconds * 1000;
  const points = series?.points ?? [];
  return {
    current: points.filter((p) => p.at.getTime() >= boundary && p.at.getTime() < end.getTime()),
    previous: points.filter((p) => p.at.getTime() >= start && p.at.getTime() < boundary),
  };
}

const sum = (points: Series["points"]) =>
  points.length ? points.reduce((a, p) => a + p.value, 0) : undefined;
const mean = (points: Series["points"]) => {
  const total = sum(points);
  return total === undefined ? undefined : total / points.length;
};

/** Percentiles cannot be added up: weight each period's value by that period's requests. */
function weighted(points: Series["points"], weights: Series["points"]): number | undefined {
  if (points.length === 0) return undefined;
  const byTime = new Map(weights.map((w) => [w.at.getTime(), w.value]));
  let total = 0;
  let weight = 0;
  for (const p of points) {
    const w = byTime.get(p.at.getTime()) ?? 1;
    total += p.value * w;
    weight += w;
  }
  return weight > 0 ? total / weight : mean(points);
}

function countFigure(s: Split): Figure {
  return {
    current: sum(s.current),
    previous: sum(s.previous),
    spark: sparkline(s.current.map((p) => p.value)),
  };
}

export function summariseTraffic(
  target: TrafficTarget,
  window: TrafficWindow,
  series: SeriesById,
  end: Date,
): TrafficReport {
  const part = (id: string) => split(series.get(id), end, window);
  const requests = part("requests");
  const codes = Object.fromEntries(
    COUNTS.map((c) => [c, countFigure(part(`http${c.toLowerCase()}`))]),
  ) as TrafficReport["codes"];
  const answered = (which: "current" | "previous") => {
    const values = COUNTS.map((c) => codes[c][which]).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const rate5xx = (which: "current" | "previous") => {
    const total = answered(which);
    const errors = codes["5XX"][which];
    return total && errors !== undefined ? errors / total : undefined;
  };
  const callerWeights = (which: "current" | "previous") => requests[which];
  const latency = Object.fromEntries(
    PERCENTILES.map((p) => {
      const s = part(p);
      return [
        p,
        {
          current: weighted(s.current, callerWeights("current")),
          previous: weighted(s.previous, callerWeights("previous")),
          spark: sparkline(
            s.current.map((x) => x.value),
            "max",
          ),
        },
      ];
    }),
  ) as TrafficReport["latency"];
  const requestFigure = countFigure(requests);
  const perSecond = (v: number | undefined) => (v === undefined ? undefined : v / window.seconds);
  const active = part("active");

  const callers = target.candidates
    .map((c, i) => {
      const perCode = COUNTS.map((code) => part(`caller${i}http${code.toLowerCase()}`).current);
      const counted = perCode.flat();
      const req =
        target.appProtocol === "grpc"
          ? (sum(part(`caller${i}req`).current) ?? 0)
          : (sum(counted) ?? 0);
      const err = target.appProtocol === "grpc" ? undefined : sum(perCode[3] ?? []);
      // Weight the caller's p99 by its requests per period (summed over the codes).
      const weights = new Map<number, number>();
      for (const p of counted)
        weights.set(p.at.getTime(), (weights.get(p.at.getTime()) ?? 0) + p.value);
      return {
        ...c,
        requests: req,
        errorRate: req > 0 && err !== undefined ? err / req : undefined,
        p99: weighted(
          part(`caller${i}p99`).current,
          [...weights].map(([at, value]) => ({ at: new Date(at), value })),
        ),
      };
    })
    .filter((c) => c.requests > 0)
    .sort((a, b) => b.requests - a.requests);

  const notes: string[] = [];
  if (target.appProtocol === "grpc")
    notes.push("gRPC: HTTP codes are not reported; requests are gRPC requests.");
  const noTraffic = !requestFigure.current && !answered("current");
  if (noTraffic)
    notes.push(
      `No traffic in the last ${window.label}: no request reached ${target.discoveryName} through Service Connect.`,
    );
  if (!noTraffic && target.candidates.length > 0 && callers.length === 0) {
    notes.push(
      "No caller in the namespace reported requests: the traffic comes from outside Service Connect's per-caller metrics.",
    );
  }
  const errorSpark = sparkline(
    codes["5XX"].current === undefined ? [] : part("http5xx").current.map((p) => p.value),
  );

  return {
    name: target.name,
    discoveryName: target.discoveryName,
    publisher: target.publisher,
    window,
    status: noTraffic ? "no-traffic" : "ok",
    requests: requestFigure,
    rate: {
      current: perSecond(requestFigure.current),
      previous: perSecond(requestFigure.previous),
      spark: requestFigure.spark,
    },
    codes,
    errorRate: { current: rate5xx("current"), previous: rate5xx("previous"), spark: errorSpark },
    latency,
    newConnections: countFigure(part("newconn")),
    activeConnections: {
      current: mean(active.current),
      previous: mean(active.previous),
      spark: sparkline(
        active.current.map((p) => p.value),
        "max",
      ),
    },
    bytes: countFigure(part("bytes")),
    callers,
    notes,
  };
}

/** A CloudWatch metric widget for the graph: requests, 5xx and p99 of the window. */
export function graphWidget(target: TrafficTarget, window: TrafficWindow): object {
  return {
    title: `${target.discoveryName}: requests, 5xx, p99 (last ${window.label})`,
    view: "timeSeries",
    width: 800,
    height: 400,
    start: `-PT${window.seconds}S`,
    end: "P0D",
    period: window.period,
    metrics: [
      [
        NS,
        "RequestCount",
        "DiscoveryName",
        target.discoveryName,
        { stat: "Sum", label: "requests" },
      ],
      [
        NS,
        "HTTPCode_Target_5XX_Count",
        "TargetDiscoveryName",
        target.discoveryName,
        { stat: "Sum", label: "5xx" },
      ],
      [
        NS,
        "TargetResponseTime",
        "TargetDiscoveryName",
        target.discoveryName,
        { stat: "p99", label: "p99 ms", yAxis: "right" },
      ],
    ],
  };
}

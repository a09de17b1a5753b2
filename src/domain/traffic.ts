// `/ecs traffic`: Service Connect metrics (namespace AWS/ECS) of one discovery name, over a
// window and the equal window before it, built from one GetMetricData call. How it is summarised:
// src/domain/README.md ("How traffic is summarised"); the reads are in ./traffic/.

import type { SeriesById } from "./metrics.ts";
import type { BalancerTraffic } from "./traffic/balancer.ts";
import { COUNTS, PERCENTILES } from "./traffic/queries.ts";
import type { RecentPart } from "./traffic/recent.ts";
import {
  addSeries,
  mean,
  type Points,
  type Split,
  sparkline,
  split,
  sum,
  weightedMean,
  weightedSeries,
} from "./traffic/series.ts";
import {
  type Caller,
  protocolOf,
  type TrafficProtocol,
  type TrafficTarget,
} from "./traffic/target.ts";
import type { TrafficWindow } from "./traffic/window.ts";

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
  /** A window longer than 15 minutes: its last 15 minutes, so that they are never averaged away. */
  recent?: RecentPart;
  /** The service's target groups as their load balancers measured them (the same call). */
  balancers?: BalancerTraffic[];
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

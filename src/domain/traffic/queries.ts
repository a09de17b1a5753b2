// What is read from CloudWatch: the GetMetricData queries of one target, and the SEARCH
// expressions that find every publisher's and caller's series in a few calls.

import type { MetricKind, MetricQuery, MetricSearch } from "../metrics.ts";
import { type Caller, protocolOf, type TrafficTarget } from "./target.ts";
import type { TrafficWindow } from "./window.ts";

export const NS = "AWS/ECS";
export const COUNTS = ["2XX", "3XX", "4XX", "5XX"] as const;
export const PERCENTILES = ["p50", "p90", "p99"] as const;

/**
 * Dimensions of one service's figures. DiscoveryName (or TargetDiscoveryName) alone adds up
 * every cluster and namespace using that discovery name, so the publisher's figures carry its
 * own ServiceName and ClusterName, and a caller's the caller's (ECS guide, "Service Connect
 * metrics").
 */
export function serverDims(target: TrafficTarget): Record<string, string> {
  return {
    DiscoveryName: target.discoveryName,
    ServiceName: target.publisher.service,
    ClusterName: target.publisher.cluster,
  };
}

export function callerDims(target: TrafficTarget, caller: Caller): Record<string, string> {
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

// A service's traffic as its load balancer measured it: the target group's own CloudWatch metrics
// (AWS/ApplicationELB, AWS/NetworkELB), read in the same GetMetricData call as Service Connect's.
// Metric names, dimensions and statistics: ELB guide, "CloudWatch metrics for your Application
// Load Balancer" and "… for your Network Load Balancer" (see src/domain/README.md).

import type { MetricKind, MetricQuery, MetricSearch, SeriesById } from "../metrics.ts";
import { type Points, sparkline, split, sum, weightedMean } from "./series.ts";
import type { TrafficWindow } from "./window.ts";

/** One target group of the service and the balancer that sends to it. */
export interface BalancedGroup {
  /** "checkout-tg" */
  targetGroup: string;
  /** The TargetGroup dimension: the ARN's suffix, "targetgroup/checkout-tg/3f2a…". */
  targetGroupDimension: string;
  /** "shop-alb" */
  loadBalancer: string;
  /** The LoadBalancer dimension: the ARN's suffix after "loadbalancer/", "app/shop-alb/8e4d…". */
  loadBalancerDimension: string;
  type: "application" | "network";
}

/** "arn:…:targetgroup/checkout-tg/3f2a" → "targetgroup/checkout-tg/3f2a". */
export function targetGroupDimension(arn: string): string | undefined {
  return /:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn)?.[1];
}

/** "arn:…:loadbalancer/app/shop-alb/8e4d" → "app/shop-alb/8e4d" (net/… for an NLB). */
export function loadBalancerDimension(arn: string): string | undefined {
  return /:loadbalancer\/((?:app|net)\/[^/]+\/[^/]+)$/.exec(arn)?.[1];
}

export interface BalancerFigure {
  current?: number;
  previous?: number;
  spark?: string;
}

export interface BalancerTraffic {
  group: BalancedGroup;
  window: TrafficWindow;
  /** unread: the call failed; every figure is unknown (a gap says why), never zero. */
  status: "read" | "unread";
  /** ALB: requests the balancer sent to the target group. */
  requests?: BalancerFigure;
  /** ALB: 5xx the targets answered (HTTPCode_Target_5XX_Count). */
  target5xx?: BalancerFigure;
  /** ALB: 5xx the balancer itself answered, of the whole balancer (no TargetGroup dimension). */
  elb5xx?: BalancerFigure;
  /** ALB: target 5xx over requests (0..1). */
  errorRate?: BalancerFigure;
  /** ALB: TargetResponseTime, milliseconds (CloudWatch gives seconds). */
  averageMs?: BalancerFigure;
  p99Ms?: BalancerFigure;
  /** The most targets unhealthy at once in the window (Maximum), the fewest healthy (Minimum). */
  unhealthyMax?: number;
  healthyMin?: number;
  /** NLB: new flows (connections) and target resets, of the whole balancer. */
  newFlows?: BalancerFigure;
  targetResets?: BalancerFigure;
}

const ALB = "AWS/ApplicationELB";
const NLB = "AWS/NetworkELB";

/** [id suffix, metric, statistic, per target group or per balancer]. */
type Read = [string, string, string, "group" | "balancer"];
const ALB_READS: Read[] = [
  ["req", "RequestCount", "Sum", "group"],
  ["t5xx", "HTTPCode_Target_5XX_Count", "Sum", "group"],
  // Counted per load balancer only: the balancer's own 5xx belong to no target group.
  ["e5xx", "HTTPCode_ELB_5XX_Count", "Sum", "balancer"],
  ["rtavg", "TargetResponseTime", "Average", "group"],
  ["rtp99", "TargetResponseTime", "p99", "group"],
  ["unhealthy", "UnHealthyHostCount", "Maximum", "group"],
  ["healthy", "HealthyHostCount", "Minimum", "group"],
];
const NLB_READS: Read[] = [
  ["unhealthy", "UnHealthyHostCount", "Maximum", "group"],
  ["healthy", "HealthyHostCount", "Minimum", "group"],
  ["flows", "NewFlowCount", "Sum", "balancer"],
  ["resets", "TCP_Target_Reset_Count", "Sum", "balancer"],
];

const idOf = (i: number, suffix: string) => `lb${i}${suffix}`;

/** The queries of each group, ids "lb0req"…: they never meet Service Connect's ids. */
export function balancerQueries(
  groups: readonly BalancedGroup[],
  window: TrafficWindow,
): MetricQuery[] {
  return groups.flatMap((g, i) =>
    (g.type === "application" ? ALB_READS : NLB_READS).map(
      ([suffix, metricName, stat, per]): MetricQuery => ({
        id: idOf(i, suffix),
        namespace: g.type === "application" ? ALB : NLB,
        metricName,
        dimensions:
          per === "group"
            ? { TargetGroup: g.targetGroupDimension, LoadBalancer: g.loadBalancerDimension }
            : { LoadBalancer: g.loadBalancerDimension },
        period: window.period,
        stat,
      }),
    ),
  );
}

const TYPES = [
  ["application", ALB, ALB_READS],
  ["network", NLB, NLB_READS],
] as const;
const namespaceOf = (type: BalancedGroup["type"]) => (type === "application" ? ALB : NLB);
const readsOf = (type: BalancedGroup["type"]) => (type === "application" ? ALB_READS : NLB_READS);

/**
 * The searches that find a service's target groups' series without DescribeTargetGroups: per
 * group, its reads in both namespaces (its ARN does not say ALB or NLB) on its TargetGroup
 * dimension, each series labelled with its LoadBalancer; and the reads counted per balancer only,
 * of every balancer (its dimension is not known before), region-wide: each needs a call of its own.
 */
export function balancerSearches(
  targetGroupDimensions: readonly string[],
  window: TrafficWindow,
): { byGroup: MetricSearch[]; regionWide: MetricSearch[] } {
  const search = (
    id: string,
    namespace: string,
    [, metricName, stat]: Read,
    filter: Record<string, string>,
  ): MetricSearch => ({
    id,
    namespace,
    metricName,
    dimensionNames: filter.TargetGroup ? ["LoadBalancer", "TargetGroup"] : ["LoadBalancer"],
    filter,
    period: window.period,
    stat,
  });
  return {
    byGroup: targetGroupDimensions.flatMap((tg, i) =>
      TYPES.flatMap(([type, namespace, reads]) =>
        reads
          .filter((r) => r[3] === "group")
          .map((r) => search(`g${i}${type[0]}${r[0]}`, namespace, r, { TargetGroup: tg })),
      ),
    ),
    regionWide: TYPES.flatMap(([type, namespace, reads]) =>
      reads
        .filter((r) => r[3] === "balancer")
        .map((r) => search(`w${type[0]}${r[0]}`, namespace, r, {})),
    ),
  };
}

/** The kinds of a target group's own series of one type: the balancers its searches found. */
export function groupKinds(type: BalancedGroup["type"], window: TrafficWindow): MetricKind[] {
  return readsOf(type)
    .filter((r) => r[3] === "group")
    .map(([, metricName, stat]) => ({
      namespace: namespaceOf(type),
      metricName,
      stat,
      period: window.period,
      dimensionNames: ["LoadBalancer", "TargetGroup"],
    }));
}

/** A group as its searches found it: names from the dimensions ("targetgroup/NAME/id"). */
export function foundGroup(
  type: BalancedGroup["type"],
  targetGroupDimension: string,
  loadBalancerDimension: string,
): BalancedGroup {
  return {
    targetGroup: targetGroupDimension.split("/")[1] ?? targetGroupDimension,
    targetGroupDimension,
    loadBalancer: loadBalancerDimension.split("/")[1] ?? loadBalancerDimension,
    loadBalancerDimension,
    type,
  };
}

/** The host counts of one group (health checks report them every minute it is attached). */
export function hostQueries(group: BalancedGroup, window: TrafficWindow): MetricQuery[] {
  return balancerQueries([group], window).filter((q) => /healthy$/.test(q.id));
}

/**
 * Whether a group's host counts (hostQueries) say it is still behind that balancer at `end`: a
 * point in the window's last period or five minutes (health checks report them every minute a
 * group is attached; CloudWatch's lag allowed). None: it has left it, or it is too soon to tell.
 */
export function attachedAtEnd(
  hosts: SeriesById | undefined,
  end: Date,
  window: TrafficWindow,
): boolean {
  const since = end.getTime() - Math.max(window.period, 300) * 1000;
  return [...(hosts?.values() ?? [])].some((s) => s.points.some((p) => p.at.getTime() >= since));
}

function countFigure(points: Points, end: Date, window: TrafficWindow): BalancerFigure {
  const s = split(points, end, window);
  return {
    current: sum(s.current) ?? 0,
    previous: sum(s.previous) ?? 0,
    spark: sparkline(s.current.map((p) => p.value)),
  };
}

const toMs = (v: number | undefined) => (v === undefined ? undefined : v * 1000);

/** The figures of group `i` from the call's series; `series` undefined: the call failed. */
export function summariseBalancer(
  group: BalancedGroup,
  i: number,
  window: TrafficWindow,
  series: SeriesById | undefined,
  end: Date,
): BalancerTraffic {
  if (!series) return { group, window, status: "unread" };
  const points = (suffix: string) => series.get(idOf(i, suffix))?.points ?? [];
  const current = (suffix: string) => split(points(suffix), end, window).current;
  const extreme = (suffix: string, pick: (...v: number[]) => number) => {
    const values = current(suffix).map((p) => p.value);
    return values.length ? pick(...values) : undefined;
  };
  const hosts = {
    unhealthyMax: extreme("unhealthy", Math.max),
    healthyMin: extreme("healthy", Math.min),
  };
  if (group.type === "network") {
    return {
      group,
      window,
      status: "read",
      ...hosts,
      newFlows: countFigure(points("flows"), end, window),
      targetResets: countFigure(points("resets"), end, window),
    };
  }
  const requests = countFigure(points("req"), end, window);
  const target5xx = countFigure(points("t5xx"), end, window);
  const rate = (which: "current" | "previous") => {
    const total = requests[which];
    const errors = target5xx[which];
    return total && errors !== undefined ? errors / total : undefined;
  };
  const weights = split(points("req"), end, window);
  const latency = (suffix: string): BalancerFigure => {
    const s = split(points(suffix), end, window);
    return {
      current: toMs(weightedMean(s.current, weights.current)),
      previous: toMs(weightedMean(s.previous, weights.previous)),
      spark: sparkline(
        s.current.map((p) => p.value),
        "max",
      ),
    };
  };
  return {
    group,
    window,
    status: "read",
    requests,
    target5xx,
    elb5xx: countFigure(points("e5xx"), end, window),
    errorRate: { current: rate("current"), previous: rate("previous") },
    averageMs: latency("rtavg"),
    p99Ms: latency("rtp99"),
    ...hosts,
  };
}

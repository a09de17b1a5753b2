// Load balancer metrics (AWS/ApplicationELB, AWS/NetworkELB) of the fleet's target groups, from
// its ELBv2 section: every target group attached to a balancer publishes, per minute, what its
// targets' health makes plausible. The formulas are in README.md ("Load balancer series").

import type { Fleet } from "../fleet/types.ts";
import { isPublished, RETENTION_SECONDS } from "./flows.ts";
import type { Datapoints, Stat } from "./statistics.ts";
import type { DimensionsInput } from "./traffic-model.ts";

export const ALB_NAMESPACE = "AWS/ApplicationELB";
export const NLB_NAMESPACE = "AWS/NetworkELB";

/** One target group behind one balancer, and its targets by health. */
interface BalancedGroup {
  namespace: string;
  targetGroup: string;
  loadBalancer: string;
  healthy: number;
  unhealthy: number;
}

/** A series: its unit and its value in one minute (undefined: nothing published that minute). */
interface BalancerSeries {
  unit: "Count" | "Seconds" | "Bytes";
  /** The minute's value at percentile q (an Average for q undefined). */
  value: (minute: number, q?: number) => number;
}

const suffix = (arn: string, after: string) => {
  const i = arn.indexOf(after);
  return i < 0 ? undefined : arn.slice(i + after.length);
};

/** A 90-minute wave of ±5 %, as the Service Connect flows'. */
const wave = (minute: number) => 1 + 0.05 * Math.sin((2 * Math.PI * minute) / 5400);

function groupsOf(fleet: Fleet): BalancedGroup[] {
  const health = fleet.targetHealth ?? [];
  return (fleet.targetGroups ?? []).flatMap((g) => {
    const arn = g.TargetGroupArn ?? "";
    const targetGroup = suffix(arn, ":");
    const targets = health.filter((h) => h.TargetGroupArn === arn);
    const count = (state: string) => targets.filter((t) => t.TargetHealth?.State === state).length;
    return (g.LoadBalancerArns ?? []).flatMap((lbArn) => {
      const loadBalancer = suffix(lbArn, ":loadbalancer/");
      if (!targetGroup || !loadBalancer) return [];
      return [
        {
          namespace: loadBalancer.startsWith("net/") ? NLB_NAMESPACE : ALB_NAMESPACE,
          targetGroup: targetGroup.slice(targetGroup.indexOf("targetgroup/")),
          loadBalancer,
          healthy: count("healthy"),
          unhealthy: count("unhealthy"),
        },
      ];
    });
  });
}

const key = (namespace: string, metricName: string, dims: Record<string, string>) =>
  JSON.stringify([
    namespace,
    metricName,
    Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : 1)),
  ]);

/**
 * Per healthy target 200 requests a minute; the targets answer 1.5 % with 5xx, the balancer
 * 0.2 % itself; response time 45 ms on average, p99 180 ms (in seconds, as ELB publishes it).
 */
export function buildBalancerModel(fleet: Fleet): Map<string, BalancerSeries> {
  const out = new Map<string, BalancerSeries>();
  const perBalancer = new Map<string, BalancedGroup[]>();
  for (const g of groupsOf(fleet)) {
    const dims = { TargetGroup: g.targetGroup, LoadBalancer: g.loadBalancer };
    const requests = (m: number) => Math.round(200 * g.healthy * wave(m));
    const add = (name: string, s: BalancerSeries) => out.set(key(g.namespace, name, dims), s);
    add("HealthyHostCount", { unit: "Count", value: () => g.healthy });
    add("UnHealthyHostCount", { unit: "Count", value: () => g.unhealthy });
    if (g.namespace === ALB_NAMESPACE) {
      add("RequestCount", { unit: "Count", value: requests });
      add("HTTPCode_Target_5XX_Count", {
        unit: "Count",
        value: (m) => Math.round(requests(m) * 0.015),
      });
      add("TargetResponseTime", {
        unit: "Seconds",
        value: (m, q) =>
          (q === undefined ? 0.045 : 0.03 + 0.15 * Math.max(0, (q - 50) / 49) ** 2) * wave(m),
      });
    }
    perBalancer.set(g.loadBalancer, [...(perBalancer.get(g.loadBalancer) ?? []), g]);
  }
  for (const [loadBalancer, groups] of perBalancer) {
    const dims = { LoadBalancer: loadBalancer };
    const namespace = groups[0]?.namespace ?? ALB_NAMESPACE;
    const healthy = groups.reduce((n, g) => n + g.healthy, 0);
    const requests = (m: number) => Math.round(200 * healthy * wave(m));
    const add = (name: string, s: BalancerSeries) => out.set(key(namespace, name, dims), s);
    if (namespace === ALB_NAMESPACE) {
      add("RequestCount", { unit: "Count", value: requests });
      add("HTTPCode_ELB_5XX_Count", {
        unit: "Count",
        value: (m) => Math.round(requests(m) * 0.002),
      });
    } else {
      add("NewFlowCount", { unit: "Count", value: (m) => Math.round(requests(m) / 4) });
      add("TCP_Target_Reset_Count", { unit: "Count", value: (m) => Math.round(requests(m) / 400) });
      add("ProcessedBytes", { unit: "Bytes", value: (m) => requests(m) * 1500 });
    }
  }
  return out;
}

const MODELS = new WeakMap<Fleet, Map<string, BalancerSeries>>();

function modelOf(fleet: Fleet): Map<string, BalancerSeries> {
  let model = MODELS.get(fleet);
  if (!model) {
    model = buildBalancerModel(fleet);
    MODELS.set(fleet, model);
  }
  return model;
}

function toRecord(dimensions: DimensionsInput | undefined): Record<string, string> {
  if (!dimensions) return {};
  if (!Array.isArray(dimensions)) return { ...(dimensions as Record<string, string>) };
  const out: Record<string, string> = {};
  for (const d of dimensions as readonly { Name?: string; Value?: string }[])
    if (d.Name !== undefined && d.Value !== undefined) out[d.Name] = d.Value;
  return out;
}

/** A balancer series as a search returns it. */
export interface BalancerSeriesDef {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/**
 * The balancer series a SEARCH finds, in key order: exactly the schema's dimension names, every
 * exact term equal (MetricName or a dimension), as for Service Connect's series (search.ts).
 */
export function searchBalancerSeries(
  fleet: Fleet,
  search: { namespace: string; dimensionNames: string[]; terms: Record<string, string> },
): BalancerSeriesDef[] {
  const names = [...search.dimensionNames].sort().join(",");
  return [...modelOf(fleet).keys()]
    .sort()
    .map((k) => {
      const [namespace, metricName, entries] = JSON.parse(k) as [
        string,
        string,
        [string, string][],
      ];
      return { namespace, metricName, dimensions: Object.fromEntries(entries) };
    })
    .filter(
      (def) =>
        def.namespace === search.namespace &&
        Object.keys(def.dimensions).sort().join(",") === names &&
        Object.entries(search.terms).every(([k, v]) =>
          k === "MetricName" ? def.metricName === v : def.dimensions[k] === v,
        ),
    );
}

export const isBalancerNamespace = (namespace: string) =>
  namespace === ALB_NAMESPACE || namespace === NLB_NAMESPACE;

/**
 * The datapoints of a balancer series over [start, end) at `period` seconds, oldest first; none
 * for a series the fleet does not publish, or a unit that is not the series'.
 */
export function balancerDatapoints(
  fleet: Fleet,
  query: {
    namespace: string;
    metricName: string;
    dimensions: DimensionsInput;
    period: number;
    stat: Stat;
    unit?: string;
  },
  startSeconds: number,
  endSeconds: number,
  nowMinute: number,
): Datapoints {
  const series = modelOf(fleet).get(
    key(query.namespace, query.metricName, toRecord(query.dimensions)),
  );
  const none = { timestamps: [], values: [] };
  if (!series || (query.unit !== undefined && query.unit !== series.unit)) return none;
  const stat = query.stat.kind;
  const q = query.stat.kind === "percentile" ? query.stat.q : undefined;
  const period = query.period;
  const from = Math.max(Math.floor(startSeconds / period) * period, nowMinute - RETENTION_SECONDS);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let bucket = Math.floor(from / period) * period; bucket < endSeconds; bucket += period) {
    const minutes: number[] = [];
    for (let m = bucket; m < bucket + period && m < endSeconds; m += 60)
      if (isPublished(m, nowMinute)) minutes.push(series.value(m, q));
    if (minutes.length === 0) continue;
    const sum = minutes.reduce((a, v) => a + v, 0);
    const value =
      stat === "Sum"
        ? sum
        : stat === "Minimum"
          ? Math.min(...minutes)
          : stat === "Maximum"
            ? Math.max(...minutes)
            : stat === "SampleCount"
              ? minutes.length
              : sum / minutes.length;
    timestamps.push(bucket);
    values.push(value);
  }
  return { timestamps, values };
}

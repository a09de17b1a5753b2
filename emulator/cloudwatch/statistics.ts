// Statistics over a series' minutes: one minute (syntheticValue), or the datapoints of a Period
// (aggregate), gathered in an Accumulator as README.md says.

import type { Fleet } from "../fleet/types.ts";
import { flowMinute, isPublished, minuteOf, RETENTION_SECONDS } from "./flows.ts";
import {
  type Contribution,
  type DimensionsInput,
  findSeries,
  type MetricDef,
  modelOf,
  SERVICE_CONNECT_NAMESPACE,
  type SeriesDef,
} from "./traffic-model.ts";

export type Stat =
  | { kind: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount" }
  | { kind: "percentile"; q: number };

const BASIC_STATS = new Set(["Sum", "Average", "Minimum", "Maximum", "SampleCount"]);

/** Sum, Average, Minimum, Maximum, SampleCount or a percentile pNN / pNN.N (0-100). */
export function parseStat(value: string): Stat | undefined {
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

export interface Datapoints {
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
export function aggregate(
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

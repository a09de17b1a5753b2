// Arithmetic on metric series: the two windows, sums, point-wise sums, request-weighted
// percentiles, and the text sparkline.

import type { Series } from "../metrics.ts";
import type { TrafficWindow } from "./window.ts";

const BARS = "▁▂▃▄▅▆▇█";
const SPARK_WIDTH = 24;

/** Below this spread (a share of the largest value) a series is flat: rounding noise, not shape. */
/** The least span the bars stand for, as a share of the series' size. */
const MIN_SPAN = 0.2;
const FLAT_SPREAD = 0.01;

/**
 * Eight-level bars of a series, resampled to at most 24 buckets (summed or maxed), scaled to the
 * series' own range: a flat series is a flat line (the lowest bar at zero, the middle one
 * otherwise), never full bars that read as a peak.
 */
export function sparkline(values: number[], combine: "sum" | "max" = "sum"): string {
  if (values.length === 0) return "";
  const size = Math.ceil(values.length / SPARK_WIDTH);
  const buckets: number[] = [];
  for (let i = 0; i < values.length; i += size) {
    const slice = values.slice(i, i + size);
    buckets.push(combine === "sum" ? slice.reduce((a, b) => a + b, 0) : Math.max(...slice));
  }
  const max = Math.max(...buckets);
  const min = Math.min(...buckets);
  const spread = max - min;
  if (spread <= FLAT_SPREAD * Math.max(Math.abs(max), Math.abs(min))) {
    return (max === 0 ? BARS[0] : BARS[3])?.repeat(buckets.length) ?? "";
  }
  // A small change is drawn small: the bars stand for at least MIN_SPAN of the series' size, centred
  // on it (never below zero for counts), so a 4 % dip does not read as a collapse at a glance.
  const span = Math.max(spread, MIN_SPAN * Math.max(Math.abs(max), Math.abs(min)));
  const low = Math.max(min >= 0 ? 0 : Number.NEGATIVE_INFINITY, (max + min) / 2 - span / 2);
  const top = Math.max(span, max - low);
  return buckets
    .map((v) => BARS[Math.max(0, Math.min(7, Math.round(((v - low) / top) * 7)))])
    .join("");
}

export type Points = Series["points"];

export interface Split {
  current: Points;
  previous: Points;
}

export function split(points: Points, end: Date, window: TrafficWindow): Split {
  const boundary = end.getTime() - window.seconds * 1000;
  const start = boundary - window.seconds * 1000;
  return {
    current: points.filter((p) => p.at.getTime() >= boundary && p.at.getTime() < end.getTime()),
    previous: points.filter((p) => p.at.getTime() >= start && p.at.getTime() < boundary),
  };
}

export const sum = (points: Points) =>
  points.length ? points.reduce((a, p) => a + p.value, 0) : undefined;
export const mean = (points: Points) => {
  const total = sum(points);
  return total === undefined ? undefined : total / points.length;
};

/** Point-wise sum of several series (a timestamp present in any of them counts). */
export function addSeries(list: Points[]): Points {
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
export function weightedSeries(parts: { values: Points; weights: Points }[]): Points {
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
export function weightedMean(values: Points, weights: Points): number | undefined {
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

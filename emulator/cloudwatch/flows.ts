// One traffic flow (a caller's, or the outside clients' of a publisher): read and checked from the
// fleet's `traffic` section, and what it does in one minute. The formulas are in README.md.

import type { FleetTrafficFlow, FleetTrafficIncident } from "../fleet/types.ts";

/** Retention of 1-minute data: series exist for the last 15 days. */
export const RETENTION_SECONDS = 15 * 86_400;

export interface HistogramSummary {
  average: number;
  minimum: number;
  maximum: number;
}

export interface IncidentModel {
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
export interface FlowModel {
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

export interface FlowMinute {
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

export function flowModel(flow: FleetTrafficFlow, where: string): FlowModel {
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

export const minuteOf = (epochMs: number) => Math.floor(epochMs / 60_000) * 60;

export function isPublished(minute: number, nowMinute: number): boolean {
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

export function flowMinute(flow: FlowModel, minute: number, nowMinute: number): FlowMinute {
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

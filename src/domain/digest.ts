// A health digest: every service a target covers, judged by /ecs health's own rules (one
// judgement, not a second one), summed up worst first, with what changed since the previous
// digest of the same target. Nobody reads a wall of green: healthy services are one line.

import type { DigestThresholds } from "./digest-targets.ts";
import type { HealthLevel } from "./health.ts";

/** One service as /ecs health judged it, plus its traffic of the window when it has any. */
export interface DigestEntry {
  cluster: string;
  service: string;
  /** What /ecs health and traffic are asked about for it (its name, else cluster/service). */
  subject: string;
  level: HealthLevel;
  /** Health's deciding reason, word for word (for unknown: what could not be read). */
  reason: string;
  traffic?: { requests: number; errorRate?: number; p99?: number };
}

/** A digest level: health's, plus noisy (healthy by health's rules, over the target's thresholds). */
export type DigestLevel = HealthLevel | "noisy";

/**
 * What a digest keeps for the next one of the same target: the failing services only (a healthy
 * or unknown one needs no memory), so a fleet of thousands stays one small record.
 */
export interface DigestSnapshot {
  target: string;
  at: Date;
  services: Record<string, { level: FailingLevel; reason: string; since: Date }>;
}

export type FailingLevel = "down" | "degraded" | "noisy";

export interface Offender {
  entry: DigestEntry;
  level: FailingLevel;
  reason: string;
  /** Since when it has been at this level or worse (from the previous digests). */
  since: Date;
  change: "new" | "worse" | "better" | "still";
  /** Its level in the previous digest, when it changed. */
  was?: DigestLevel;
}

export interface Digest {
  target: string;
  /** "tutorial, ecs_service_discovery", as the target names what it covers. */
  scope: string;
  at: Date;
  counts: Record<DigestLevel, number>;
  total: number;
  /** Down, then degraded, then noisy; within a level the oldest first. */
  offenders: Offender[];
  /** Failing in the previous digest, healthy now; with how long they had been failing. */
  recovered: { key: string; was: DigestLevel; since: Date }[];
  /** Services that could not be judged, and why: never counted as healthy or as down. */
  unknown: DigestEntry[];
  /** Whether a previous digest of this target was found. */
  compared: boolean;
  snapshot: DigestSnapshot;
}

const RANK: Record<DigestLevel, number> = {
  down: 0,
  degraded: 1,
  noisy: 2,
  unknown: 3,
  healthy: 4,
};

export const keyOf = (e: { cluster: string; service: string }) => `${e.cluster}/${e.service}`;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Healthy by health's rules, but over the target's thresholds: why, or undefined. */
export function noiseOf(entry: DigestEntry, limits: DigestThresholds): string | undefined {
  const t = entry.traffic;
  if (entry.level !== "healthy" || !t || t.requests < limits.minRequests) return undefined;
  const over: string[] = [];
  if (t.errorRate !== undefined && t.errorRate >= limits.errorRate) {
    over.push(`5xx ${pct(t.errorRate)} (threshold ${pct(limits.errorRate)})`);
  }
  if (t.p99 !== undefined && limits.p99Ms !== undefined && t.p99 >= limits.p99Ms) {
    over.push(`p99 ${Math.round(t.p99)} ms (threshold ${limits.p99Ms} ms)`);
  }
  return over.length ? `${over.join(", ")} over the last 15m` : undefined;
}

export function buildDigest(
  target: { name: string; scope: string; thresholds: DigestThresholds },
  entries: DigestEntry[],
  previous: DigestSnapshot | undefined,
  at: Date,
): Digest {
  const counts: Record<DigestLevel, number> = {
    down: 0,
    degraded: 0,
    noisy: 0,
    unknown: 0,
    healthy: 0,
  };
  const services: DigestSnapshot["services"] = {};
  const offenders: Offender[] = [];
  const unknown: DigestEntry[] = [];
  for (const entry of entries) {
    const noise = noiseOf(entry, target.thresholds);
    const level: DigestLevel = noise ? "noisy" : entry.level;
    const reason = noise ?? entry.reason;
    counts[level] += 1;
    const key = keyOf(entry);
    const before = previous?.services[key];
    const failing = (l: DigestLevel | undefined) =>
      l !== undefined && l !== "healthy" && l !== "unknown";
    // Still failing keeps its first date; a new failure starts now.
    const since = failing(level) && before && failing(before.level) ? before.since : at;
    if (level !== "healthy" && level !== "unknown") services[key] = { level, reason, since };
    if (level === "unknown") {
      unknown.push(entry);
      continue;
    }
    if (level === "healthy") continue;
    const change: Offender["change"] = !failing(before?.level)
      ? "new"
      : before?.level === level
        ? "still"
        : RANK[level] < RANK[before?.level ?? "healthy"]
          ? "worse"
          : "better";
    offenders.push({
      entry,
      level,
      reason,
      since,
      change,
      was: change === "worse" || change === "better" ? before?.level : undefined,
    });
  }
  offenders.sort(
    (a, b) =>
      RANK[a.level] - RANK[b.level] ||
      a.since.getTime() - b.since.getTime() ||
      keyOf(a.entry).localeCompare(keyOf(b.entry)),
  );
  const healthyNow = new Set(
    entries.filter((e) => !services[keyOf(e)] && e.level === "healthy").map(keyOf),
  );
  const recovered = Object.entries(previous?.services ?? {})
    .filter(([key]) => healthyNow.has(key))
    .map(([key, was]) => ({ key, was: was.level, since: was.since }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    target: target.name,
    scope: target.scope,
    at,
    counts,
    total: entries.length,
    offenders,
    recovered,
    unknown: unknown.sort((a, b) => keyOf(a).localeCompare(keyOf(b))),
    compared: previous !== undefined,
    snapshot: { target: target.name, at, services },
  };
}

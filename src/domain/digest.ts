// A health digest: every service a target covers, judged by /ecs health's own rules (one
// judgement, not a second one), summed up worst first, with what changed since the previous
// digest of the same target. Nobody reads a wall of green: healthy services are one line.

import type { DigestThresholds } from "./digest-targets.ts";
import type { Gap } from "./facts.ts";
import type { HealthLevel } from "./health.ts";

/** One service as /ecs health judged it, plus its traffic of the window when it has any. */
export interface DigestEntry {
  cluster: string;
  service: string;
  /** What /ecs health is asked about for it (its name, else cluster/service). */
  subject: string;
  /**
   * What /ecs traffic is asked about for it: its Service Connect name. None when it publishes
   * none (or could not be read): Service Connect's proxies are the only source of its metrics.
   */
  trafficSubject?: string;
  level: HealthLevel;
  /** Health's deciding reason, word for word (for unknown: what could not be read). */
  reason: string;
  traffic?: { requests: number; errorRate?: number; p99?: number };
  /**
   * When the failure began, as AWS tells it (the first failing task's stop, the failed
   * deployment's creation); undefined when AWS does not say.
   */
  since?: Date;
  /** Unknown because the ECS service itself could not be read: in a word why ("denied"). */
  cause?: string;
  /**
   * Judged (not down) with part of its facts unread, e.g. its traffic when CloudWatch refused:
   * the first thing that could not be read. What was unread could make it worse.
   */
  partial?: string;
}

/** A part of the scope that could not be read, and in a word why ("denied", "throttled"). */
export interface UnreadPart {
  kind: "cluster" | "clusters" | "namespace" | "namespaces";
  /** The cluster's or namespace's name; none for the lists of them. */
  name?: string;
  cause: string;
}

/** "cluster staging could not be read (denied)". */
export function unreadText(p: UnreadPart): string {
  switch (p.kind) {
    case "cluster":
      return `cluster ${p.name} could not be read (${p.cause})`;
    case "namespace":
      return `namespace ${p.name} could not be read (${p.cause})`;
    case "clusters":
      return `the clusters could not be listed (${p.cause})`;
    default:
      return `the Cloud Map namespaces could not be listed (${p.cause})`;
  }
}

/** A digest level: health's, plus noisy (healthy by health's rules, over the target's thresholds). */
export type DigestLevel = HealthLevel | "noisy";

/**
 * A digest's name is also its history key, so an on-demand or incident digest's kind is written
 * into its name here, once, and read back here: callers never spell or parse the prefixes.
 */
export type DigestKind = "named" | "on-demand" | "incident";
const KIND_PREFIX = { "on-demand": "on demand: ", incident: "incident: " } as const;

/** The name of an on-demand digest of a scope ("on demand: tutorial"). */
export const onDemandDigestName = (scope: string) => `${KIND_PREFIX["on-demand"]}${scope}`;

/** The history key of a channel's incident digests: each says what changed since the last. */
export const incidentDigestName = (channel: string) => `${KIND_PREFIX.incident}${channel}`;

export function digestKind(name: string): DigestKind {
  if (name.startsWith(KIND_PREFIX["on-demand"])) return "on-demand";
  if (name.startsWith(KIND_PREFIX.incident)) return "incident";
  return "named";
}

/**
 * What a digest keeps for the next one of the same target: the failing services only (a healthy
 * or unknown one needs no memory), so a fleet of thousands stays one small record.
 */
export interface DigestSnapshot {
  target: string;
  at: Date;
  services: Record<string, Remembered>;
}

/** A failing service as a digest remembers it. */
export interface Remembered {
  level: FailingLevel;
  reason: string;
  since: Date;
  /** `since` is the failure's own start as AWS told it, not when a digest first saw it. */
  sinceFromAws?: boolean;
}

export type FailingLevel = "down" | "degraded" | "noisy";

export interface Offender {
  entry: DigestEntry;
  level: FailingLevel;
  reason: string;
  /**
   * Since when it has been failing: the failure's own start when AWS told it (sinceFromAws),
   * else when a digest first saw it.
   */
  since: Date;
  sinceFromAws: boolean;
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
  recovered: { key: string; was: DigestLevel; since: Date; sinceFromAws: boolean }[];
  /** Services that could not be judged, and why: never counted as healthy or as down. */
  unknown: DigestEntry[];
  /**
   * Parts of the scope not read (a cluster whose services could not be listed or described):
   * the headline names them, never an all-clear over them.
   */
  unread: UnreadPart[];
  /** Failing in the previous digest and not read this time: neither recovered nor gone. */
  unreadFailing: ({ key: string } & Remembered)[];
  /** Judged on partial reads (healthy, noisy or degraded): the headline says so, never all clear. */
  partial: DigestEntry[];
  /** Whether a previous digest of this target was found. */
  compared: boolean;
  snapshot: DigestSnapshot;
}

/** A digest made, and what could not be listed (a cluster, a namespace): it reports the rest. */
export interface DigestResult {
  digest: Digest;
  gaps: Gap[];
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

/** Clusters none of whose services could be described, as parts of the scope not read. */
function undescribedClusters(entries: DigestEntry[], listed: UnreadPart[]): UnreadPart[] {
  const byCluster = new Map<string, DigestEntry[]>();
  for (const e of entries) byCluster.set(e.cluster, [...(byCluster.get(e.cluster) ?? []), e]);
  return [...byCluster]
    .filter(([cluster, list]) => {
      const named = listed.some((p) => p.kind === "cluster" && p.name === cluster);
      // Every service's own description failed: whatever else was read, the cluster was not.
      return !named && list.every((e) => e.cause !== undefined);
    })
    .map(([cluster, list]) => ({
      kind: "cluster" as const,
      name: cluster,
      cause: [...new Set(list.map((e) => e.cause))].join(", "),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether a service absent from the entries may be in a part of the scope that was not read. */
function mayBeUnread(key: string, unread: UnreadPart[]): boolean {
  // A namespace or a whole list unread may hold any service; a cluster, its own.
  return unread.some((p) => p.kind !== "cluster" || key.startsWith(`${p.name}/`));
}

export function buildDigest(
  target: { name: string; scope: string; thresholds: DigestThresholds },
  entries: DigestEntry[],
  previous: DigestSnapshot | undefined,
  at: Date,
  /** What of the scope could not be listed. */
  listedUnread: UnreadPart[] = [],
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
  const unreadFailing: Digest["unreadFailing"] = [];
  const failing = (l: DigestLevel | undefined) =>
    l !== undefined && l !== "healthy" && l !== "unknown";
  for (const entry of entries) {
    const noise = noiseOf(entry, target.thresholds);
    const level: DigestLevel = noise ? "noisy" : entry.level;
    const reason = noise ?? entry.reason;
    counts[level] += 1;
    const key = keyOf(entry);
    const before = previous?.services[key];
    if (level === "unknown") {
      unknown.push(entry);
      // Unread is not recovered: what it was is kept for the next digest that reads it.
      if (before) {
        services[key] = before;
        unreadFailing.push({ key, ...before });
      }
      continue;
    }
    if (level === "healthy") continue;
    // The failure's own start when AWS tells it; else, still failing, the earlier digest's
    // date; else now. Of two, the earlier: ECS forgets stopped tasks after about an hour.
    const kept = failing(before?.level) ? before : undefined;
    const since =
      kept && (!entry.since || kept.since.getTime() <= entry.since.getTime())
        ? { since: kept.since, sinceFromAws: kept.sinceFromAws === true }
        : entry.since
          ? { since: entry.since, sinceFromAws: true }
          : { since: at, sinceFromAws: false };
    services[key] = { level, reason, ...since };
    const change: Offender["change"] = !kept
      ? "new"
      : kept.level === level
        ? "still"
        : RANK[level] < RANK[kept.level]
          ? "worse"
          : "better";
    offenders.push({
      entry,
      level,
      reason,
      ...since,
      change,
      was: change === "worse" || change === "better" ? kept?.level : undefined,
    });
  }
  // Failing before, not among this digest's services: gone, unless it may be in a part of the
  // scope that could not be read (then unread, not gone).
  const judged = new Set(entries.map(keyOf));
  for (const [key, before] of Object.entries(previous?.services ?? {})) {
    if (judged.has(key) || !mayBeUnread(key, listedUnread)) continue;
    services[key] = before;
    unreadFailing.push({ key, ...before });
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
    .map(([key, was]) => ({
      key,
      was: was.level,
      since: was.since,
      sinceFromAws: was.sinceFromAws === true,
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
  const unread = [...listedUnread, ...undescribedClusters(entries, listedUnread)];
  // A service of a cluster already named as unread is covered by that note.
  const inUnreadCluster = (e: DigestEntry) =>
    unread.some((p) => p.kind === "cluster" && p.name === e.cluster);
  return {
    target: target.name,
    scope: target.scope,
    at,
    counts,
    total: entries.length,
    offenders,
    recovered,
    unknown: unknown.sort((a, b) => keyOf(a).localeCompare(keyOf(b))),
    unread,
    unreadFailing: unreadFailing.sort((a, b) => a.key.localeCompare(b.key)),
    partial: entries
      .filter(
        (e) => e.partial && e.level !== "down" && e.level !== "unknown" && !inUnreadCluster(e),
      )
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b))),
    compared: previous !== undefined,
    snapshot: { target: target.name, at, services },
  };
}

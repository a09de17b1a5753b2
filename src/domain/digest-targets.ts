// Digest targets: which services a scheduled digest covers, where it is posted, and what counts
// as noisy. Operators keep them in one SSM parameter (JSON or YAML: YAML reads JSON too), so they
// change without a redeploy; they are validated when read, and every error names the field and
// the value that is wrong.

import { parseSchedule } from "./schedule.ts";

export interface DigestThresholds {
  /** A 5xx share (0..1) at or above this makes a service noisy. */
  errorRate: number;
  /** A p99 at or above this many milliseconds makes a service noisy; none when absent. */
  p99Ms?: number;
  /** Fewer requests than this in the window are not judged on their 5xx share. */
  minRequests: number;
}

export interface DigestTarget {
  /** What the digest is called, and the key of its history: unique among the targets. */
  name: string;
  /** Slack channel ID (C…, G…) the digest is posted to. */
  channel: string;
  region: string;
  /** Clusters whose services the digest covers, or every cluster of the region. */
  clusters: string[] | "all";
  /** Cloud Map namespaces whose services the digest covers (added to the clusters'). */
  namespaces: string[] | "all";
  /** An EventBridge schedule expression: cron(…) or rate(…). */
  schedule: string;
  thresholds: DigestThresholds;
  /** When everything is healthy, post one line instead of the whole digest. */
  quiet: boolean;
}

export const DEFAULT_THRESHOLDS: DigestThresholds = { errorRate: 0.05, minRequests: 10 };

/** A Slack channel ID (public C…, private G…). */
export const CHANNEL = /^[CG][A-Z0-9]{6,}$/;
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}$/;

type Raw = Record<string, unknown>;

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A list of names, or "all"; undefined when absent. */
function names(
  value: unknown,
  path: string,
  pattern: RegExp,
  errors: string[],
): string[] | "all" | undefined {
  if (value === undefined) return undefined;
  if (value === "all") return "all";
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${path}: ${show(value)} is not "all" or a non-empty list of names`);
    return undefined;
  }
  const bad = value.find((v) => typeof v !== "string" || !pattern.test(v));
  if (bad !== undefined) {
    errors.push(`${path}: ${show(bad)} is not a name`);
    return undefined;
  }
  return value as string[];
}

function number(
  value: unknown,
  path: string,
  min: number,
  max: number,
  errors: string[],
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    errors.push(`${path}: ${show(value)} is not a number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

function thresholds(value: unknown, path: string, errors: string[]): DigestThresholds {
  if (value === undefined) return { ...DEFAULT_THRESHOLDS };
  if (!isRecord(value)) {
    errors.push(`${path}: ${show(value)} is not an object`);
    return { ...DEFAULT_THRESHOLDS };
  }
  for (const key of Object.keys(value)) {
    if (!["errorRate", "p99Ms", "minRequests"].includes(key)) {
      errors.push(`${path}.${key}: not a threshold (errorRate, p99Ms, minRequests)`);
    }
  }
  return {
    errorRate:
      number(value.errorRate, `${path}.errorRate`, 0, 1, errors) ?? DEFAULT_THRESHOLDS.errorRate,
    p99Ms: number(value.p99Ms, `${path}.p99Ms`, 1, 600_000, errors),
    minRequests:
      number(value.minRequests, `${path}.minRequests`, 0, 1e9, errors) ??
      DEFAULT_THRESHOLDS.minRequests,
  };
}

const KEYS = [
  "name",
  "channel",
  "region",
  "clusters",
  "namespaces",
  "schedule",
  "thresholds",
  "quiet",
];

function target(raw: unknown, index: number, errors: string[]): DigestTarget | undefined {
  const path = `targets[${index}]`;
  if (!isRecord(raw)) {
    errors.push(`${path}: ${show(raw)} is not an object`);
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) errors.push(`${path}.${key}: not a field of a target`);
  }
  const channel = raw.channel;
  if (typeof channel !== "string" || !CHANNEL.test(channel)) {
    errors.push(`${path}.channel: ${show(channel)} is not a channel ID (C… or G…)`);
  }
  const region = raw.region;
  if (typeof region !== "string" || !REGION.test(region)) {
    errors.push(`${path}.region: ${show(region)} is not an AWS region`);
  }
  const schedule = raw.schedule;
  const parsed = typeof schedule === "string" ? parseSchedule(schedule) : "not a string";
  if (typeof parsed === "string") {
    errors.push(`${path}.schedule: ${show(schedule)} is not usable: ${parsed}`);
  }
  const clusters = names(raw.clusters, `${path}.clusters`, NAME, errors);
  const namespaces = names(raw.namespaces, `${path}.namespaces`, NAME, errors);
  if (raw.clusters === undefined && raw.namespaces === undefined) {
    errors.push(`${path}: give clusters, namespaces or both ("all" for every one)`);
  }
  const quiet = raw.quiet ?? false;
  if (typeof quiet !== "boolean") errors.push(`${path}.quiet: ${show(quiet)} is not true or false`);
  const name = raw.name ?? `${String(channel)}-${index}`;
  if (raw.name !== undefined && (typeof name !== "string" || !NAME.test(name))) {
    errors.push(`${path}.name: ${show(name)} is not a name`);
  }
  const limits = thresholds(raw.thresholds, `${path}.thresholds`, errors);
  if (errors.length > before) return undefined;
  return {
    name: name as string,
    channel: channel as string,
    region: region as string,
    clusters: clusters ?? [],
    namespaces: namespaces ?? [],
    schedule: schedule as string,
    thresholds: limits,
    quiet: quiet as boolean,
  };
}

export type TargetsResult = { ok: true; targets: DigestTarget[] } | { ok: false; errors: string[] };

/** `{ targets: [...] }`, already parsed from JSON or YAML. */
export function validateTargets(document: unknown): TargetsResult {
  const errors: string[] = [];
  const list = isRecord(document) ? document.targets : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    return { ok: false, errors: [`targets: ${show(list)} is not a non-empty list of targets`] };
  }
  const targets = list.map((raw, i) => target(raw, i, errors));
  const seen = new Map<string, number>();
  targets.forEach((t, i) => {
    if (!t) return;
    const first = seen.get(t.name);
    if (first !== undefined) {
      errors.push(`targets[${i}].name: ${show(t.name)} is already the name of targets[${first}]`);
    } else seen.set(t.name, i);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, targets: targets as DigestTarget[] };
}

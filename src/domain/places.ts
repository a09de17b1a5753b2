// The places the bot inspects: one AWS account (reached through a role, or the bot's own) in one
// region, optionally narrowed to some clusters and namespaces. Operators list them in BOT_TARGETS
// (JSON); without it, BOT_REGIONS names regions of the bot's own account. Validated once at cold
// start: every error names the field and the value that is wrong.

import { REGION } from "./digest-targets.ts";

export interface Place {
  /** What answers call it: "prod (111111111111) us-east-1", or the region alone when it is the bot's account. */
  label: string;
  region: string;
  /** The role assumed to read this account; none for the bot's own account. */
  roleArn?: string;
  /** The account of roleArn. */
  account?: string;
  /** Only these clusters are searched (no ListClusters call); every cluster when absent. */
  clusters?: string[];
  /** Only these Cloud Map namespaces (by name) are searched; every one when absent. */
  namespaces?: string[];
}

export type PlacesResult = { ok: true; places: Place[] } | { ok: false; errors: string[] };

// arn:aws:iam::111111111111:role/path/name (aws-cn and aws-us-gov partitions too).
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,254}$/;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;
const KEYS = ["name", "account", "region", "clusters", "namespaces"];

const show = (value: unknown) => JSON.stringify(value) ?? String(value);

function list(value: unknown, path: string, errors: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    errors.push(`${path}: ${show(value)} is not a non-empty list of names`);
    return undefined;
  }
  const bad = value.find((v) => typeof v !== "string" || !NAME.test(v));
  if (bad !== undefined) {
    errors.push(`${path}: ${show(bad)} is not a name`);
    return undefined;
  }
  return value as string[];
}

function place(raw: unknown, index: number, errors: string[]): Place | undefined {
  const path = `BOT_TARGETS[${index}]`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    errors.push(`${path}: ${show(raw)} is not an object`);
    return undefined;
  }
  const before = errors.length;
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!KEYS.includes(key)) errors.push(`${path}.${key}: not a field (${KEYS.join(", ")})`);
  }
  if (typeof r.region !== "string" || !REGION.test(r.region)) {
    errors.push(`${path}.region: ${show(r.region)} is not an AWS region`);
  }
  const role = r.account === undefined ? undefined : ROLE_ARN.exec(String(r.account));
  if (r.account !== undefined && (typeof r.account !== "string" || !role)) {
    errors.push(`${path}.account: ${show(r.account)} is not an IAM role ARN`);
  }
  if (r.name !== undefined && (typeof r.name !== "string" || !LABEL.test(r.name))) {
    errors.push(`${path}.name: ${show(r.name)} is not a short name (letters, digits, " _.-")`);
  }
  const clusters = list(r.clusters, `${path}.clusters`, errors);
  const namespaces = list(r.namespaces, `${path}.namespaces`, errors);
  if (errors.length > before) return undefined;
  const region = r.region as string;
  const account = role?.[2];
  const name = typeof r.name === "string" ? r.name : undefined;
  const who = [name, account && `(${account})`].filter(Boolean).join(" ");
  return {
    label: who ? `${who} ${region}` : region,
    region,
    ...(role ? { roleArn: r.account as string, account } : {}),
    ...(clusters ? { clusters } : {}),
    ...(namespaces ? { namespaces } : {}),
  };
}

/** BOT_TARGETS: a JSON list of `{ name?, account? (role ARN), region, clusters?, namespaces? }`. */
export function parsePlaces(text: string): PlacesResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`BOT_TARGETS: not JSON (${(error as Error).message})`] };
  }
  if (!Array.isArray(document) || document.length === 0) {
    return { ok: false, errors: [`BOT_TARGETS: ${show(document)} is not a non-empty list`] };
  }
  const errors: string[] = [];
  const places = document.map((raw, i) => place(raw, i, errors));
  const labels = new Map<string, number>();
  places.forEach((p, i) => {
    if (!p) return;
    const first = labels.get(p.label);
    if (first !== undefined) {
      errors.push(`BOT_TARGETS[${i}]: the same account and region as BOT_TARGETS[${first}]`);
    } else labels.set(p.label, i);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, places: places as Place[] };
}

/** BOT_REGIONS ("us-east-1,eu-west-1"): each region of the bot's own account. */
export function placesOfRegions(regions: string): PlacesResult {
  const list = regions
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = list.find((r) => !REGION.test(r));
  if (bad !== undefined)
    return { ok: false, errors: [`BOT_REGIONS: ${show(bad)} is not an AWS region`] };
  if (list.length === 0) return { ok: false, errors: ["BOT_REGIONS: no region"] };
  return { ok: true, places: [...new Set(list)].map((region) => ({ label: region, region })) };
}

/** The places of this deployment: BOT_TARGETS, else BOT_REGIONS, else the bot's own region. */
export function placesFrom(env: Record<string, string | undefined>): PlacesResult {
  if (env.BOT_TARGETS?.trim()) return parsePlaces(env.BOT_TARGETS);
  return placesOfRegions(env.BOT_REGIONS ?? env.AWS_REGION ?? "ap-northeast-1");
}

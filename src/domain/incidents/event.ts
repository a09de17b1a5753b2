// The part of an EventBridge event the incident rules read, read defensively: an event is
// untrusted JSON (a member account's forwarder, a replay, a hand-written demo file), so every
// field is checked where it is used and a missing one is a reason, never a throw.

/** An EventBridge event, typed minimally (EventBridge event structure, "AWS service event metadata"). */
export interface EventEnvelope {
  id?: unknown;
  source?: unknown;
  "detail-type"?: unknown;
  time?: unknown;
  account?: unknown;
  region?: unknown;
  resources?: unknown;
  detail?: unknown;
}

/** What an incident is about: one ECS service, or one CloudWatch alarm. */
export interface Subject {
  account: string;
  region: string;
  /** "" when neither the service ARN (old short format) nor the event names it. */
  cluster: string;
  /** The ECS service's name; for an alarm, the ServiceName dimension when it has one. */
  service?: string;
  /** Alarm incidents only: the alarm's name (its incidents are keyed by it, not the service). */
  alarm?: string;
}

export type Raw = Record<string, unknown>;

export function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined;

export const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

export function date(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  // CloudWatch alarm timestamps say "+0000" (no colon): Date.parse reads both forms in V8.
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` → its parts; undefined when not an ARN. */
export function arnParts(
  arn: string,
): { service: string; region: string; account: string; resource: string } | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return {
    service: parts[2] ?? "",
    region: parts[3] ?? "",
    account: parts[4] ?? "",
    resource: parts.slice(5).join(":"),
  };
}

/** The last segment of an ARN's resource: a cluster ARN's name, a task's ID. */
export const lastSegment = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

/**
 * A service ARN in either format (aws-semantics.md, "ECS"): `service/CLUSTER/NAME` (long) or
 * `service/NAME` (old short format, no cluster).
 */
export function serviceOfArn(
  arn: string,
): { account: string; region: string; cluster?: string; service: string } | undefined {
  const parts = arnParts(arn);
  if (parts?.service !== "ecs") return undefined;
  const path = parts.resource.split("/");
  if (path[0] !== "service") return undefined;
  if (path.length === 3 && path[1] && path[2]) {
    return { account: parts.account, region: parts.region, cluster: path[1], service: path[2] };
  }
  if (path.length === 2 && path[1]) {
    return { account: parts.account, region: parts.region, service: path[1] };
  }
  return undefined;
}

/**
 * One incident per service at a time: account, region, cluster and service. An alarm's incident
 * is its own (keyed by the alarm's name), so an alarm and an ECS incident of one service never
 * resolve each other.
 */
export function incidentKey(subject: Subject): string {
  const scope = `${subject.account}/${subject.region}`;
  if (subject.alarm !== undefined) return `${scope}/alarm/${subject.alarm}`;
  return `${scope}/${subject.cluster}/${subject.service ?? ""}`;
}

/** "servicetest (default)", "alarm ServiceAggregatedAlarm": how a message names the subject. */
export function subjectLabel(subject: Subject): string {
  if (subject.alarm !== undefined) return `alarm ${subject.alarm}`;
  return subject.cluster ? `${subject.service} (${subject.cluster})` : `${subject.service}`;
}

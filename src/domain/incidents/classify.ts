// What one EventBridge event means for the incidents of a service: it opens or adds to one, it
// resolves one, it is routine churn kept quiet (with the reason), or it is ignored (with why).
// Never throws. The rules, with their AWS sources, are in README.md beside this file.

import type { EcsTask } from "../facts.ts";
import { type StopKind, stopKind, stopNote } from "../stops.ts";
import { classifyAlarm } from "./alarm.ts";
import {
  arnParts,
  date,
  type EventEnvelope,
  incidentKey,
  isRecord,
  lastSegment,
  num,
  type Raw,
  type Subject,
  serviceOfArn,
  text,
} from "./event.ts";

export type IncidentKind =
  | "deployment-failed"
  | "rollback-started"
  | "task-start-impaired"
  | "placement-failure"
  | "configuration-failure"
  | "discovery-instance-unhealthy"
  | "task-stopped"
  | "alarm"
  /** Opened by the grace rule: routine stops, but the service stayed below its desired count. */
  | "below-desired-count";

export const INCIDENT_KINDS: readonly IncidentKind[] = [
  "deployment-failed",
  "rollback-started",
  "task-start-impaired",
  "placement-failure",
  "configuration-failure",
  "discovery-instance-unhealthy",
  "task-stopped",
  "alarm",
  "below-desired-count",
];

/** `error` outranks `warning`; a route asks for one or the other as its minimum. */
export type Severity = "error" | "warning";
export const SEVERITIES: readonly Severity[] = ["error", "warning"];

/** What a task state change event says about one stopped task of a service. */
export interface StopFacts {
  taskArn: string;
  taskDefinitionArn?: string;
  /** "service:NAME". */
  group: string;
  stopCode?: string;
  stoppedReason?: string;
  /** The essential container that exited (the first with a non-zero exit code, or a reason). */
  container?: { name: string; exitCode?: number; reason?: string; image?: string };
  /** Health's reading of the stop (src/domain/stops.ts): 137 is memory only with OutOfMemoryError. */
  cause: StopKind;
  /** "task stopped 2026-…: Essential container in task exited (app exit 137 (SIGKILL))". */
  note: string;
}

/** What one incident event says: the kind, how bad, one plain line, and what it names. */
export interface Signal {
  kind: IncidentKind;
  severity: Severity;
  /** Plain text (no Slack markup): renderers escape it. */
  summary: string;
  deploymentId?: string;
  /** ECS's own reason: a deployment's, a placement failure's ("RESOURCE:CPU"). */
  reason?: string;
  stop?: StopFacts;
  alarm?: { name: string; reason?: string };
}

/** Why an event is kept quiet. */
export type RoutineReason =
  /** ServiceSchedulerInitiated, "Scaling activity initiated by (deployment …)": a rollout or scale-in. */
  | "deployment-or-scale-in"
  /** ServiceSchedulerInitiated for another reason than a failed health check (a drained instance…). */
  | "scheduler"
  | "user-initiated"
  /** SpotInterruption, TerminationNotice: the service replaces the task. */
  | "spot-interruption"
  /** A standalone task (RunTask, `family:…` group): not a service's. */
  | "not-a-service-task"
  /** PENDING, PROVISIONING, DEPROVISIONING…: only STOPPED tells how a task ended. */
  | "not-terminal"
  | "running"
  /** The essential container exited 0. */
  | "clean-exit"
  | "deployment-in-progress"
  /** An INFO service action that opens and resolves nothing (capacity provider steady state…). */
  | "informational"
  /** An alarm that went to INSUFFICIENT_DATA. */
  | "alarm-not-alarming";

/** detail.version of a task event: later versions win, duplicates repeat it. */
export interface TaskVersion {
  arn: string;
  version: number;
}

interface Common {
  eventId?: string;
  /** When it happened, as the event says; undefined when it says nothing readable. */
  at?: Date;
}

export type Classified =
  | (Common & {
      outcome: "incident";
      key: string;
      subject: Subject;
      signal: Signal;
      task?: TaskVersion;
    })
  | (Common & {
      outcome: "resolves";
      key: string;
      subject: Subject;
      why: "deployment-completed" | "steady-state" | "alarm-ok";
      detail: string;
    })
  | (Common & {
      outcome: "routine";
      key?: string;
      subject?: Subject;
      reason: RoutineReason;
      detail: string;
      task?: TaskVersion;
    })
  | { outcome: "ignored"; eventId?: string; why: string };

type Envelope = { id?: string; at?: Date; account?: string; region?: string };

export function classify(input: unknown): Classified {
  if (!isRecord(input)) return { outcome: "ignored", why: "not an EventBridge event (an object)" };
  const event = input as EventEnvelope;
  const eventId = text(event.id);
  const envelope: Envelope = {
    id: eventId,
    at: date(event.time),
    account: text(event.account),
    region: text(event.region),
  };
  const source = text(event.source);
  const detailType = text(event["detail-type"]);
  if (!isRecord(event.detail)) {
    return { outcome: "ignored", eventId, why: `${detailType ?? "an event"} without a detail` };
  }
  const detail = event.detail;
  if (source === "aws.ecs") {
    if (detailType === "ECS Task State Change") return taskEvent(envelope, detail);
    if (detailType === "ECS Service Action" || detailType === "ECS Deployment State Change") {
      return serviceEvent(envelope, detailType, detail, event.resources);
    }
  }
  if (source === "aws.cloudwatch" && detailType === "CloudWatch Alarm State Change") {
    return classifyAlarm(envelope, detail, event.resources);
  }
  return {
    outcome: "ignored",
    eventId,
    why: `not an event that opens or resolves incidents (${source ?? "no source"}: ${detailType ?? "no detail-type"})`,
  };
}

// ---- ECS Service Action, ECS Deployment State Change ----

const OPENS: Record<string, { kind: IncidentKind; severity: Severity; what: string }> = {
  SERVICE_DEPLOYMENT_FAILED: {
    kind: "deployment-failed",
    severity: "error",
    what: "deployment failed",
  },
  SERVICE_TASK_START_IMPAIRED: {
    kind: "task-start-impaired",
    severity: "warning",
    what: "tasks cannot start consistently",
  },
  SERVICE_TASK_PLACEMENT_FAILURE: {
    kind: "placement-failure",
    severity: "error",
    what: "tasks cannot be placed",
  },
  SERVICE_TASK_CONFIGURATION_FAILURE: {
    kind: "configuration-failure",
    severity: "error",
    what: "tasks cannot start: configuration error",
  },
  SERVICE_DISCOVERY_INSTANCE_UNHEALTHY: {
    kind: "discovery-instance-unhealthy",
    severity: "warning",
    what: "a task is unhealthy in service discovery",
  },
};

const QUIET_INFO = new Set([
  "CAPACITY_PROVIDER_STEADY_STATE",
  "TASKSET_STEADY_STATE",
  "SERVICE_DESIRED_COUNT_UPDATED",
  "TASKS_STOPPED",
]);

/** The circuit breaker's rollback: "ECS deployment circuit breaker: rolling back to …". */
const ROLLBACK = /rolling back|roll(ed)?[ -]?back/i;

function serviceSubject(
  envelope: Envelope,
  detail: Raw,
  resources: unknown,
): Subject | { why: string } {
  const arn = Array.isArray(resources)
    ? resources.find((r): r is string => typeof r === "string" && serviceOfArn(r) !== undefined)
    : undefined;
  const service = arn ? serviceOfArn(arn) : undefined;
  if (!service) return { why: "no ECS service ARN in resources" };
  const clusterArn = text(detail.clusterArn);
  return {
    account: envelope.account ?? service.account,
    region: envelope.region ?? service.region,
    cluster: service.cluster ?? (clusterArn ? lastSegment(clusterArn) : ""),
    service: service.service,
  };
}

function serviceEvent(
  envelope: Envelope,
  detailType: string,
  detail: Raw,
  resources: unknown,
): Classified {
  const eventId = envelope.id;
  const name = text(detail.eventName);
  if (!name) return { outcome: "ignored", eventId, why: `${detailType} without an eventName` };
  const subject = serviceSubject(envelope, detail, resources);
  if ("why" in subject) return { outcome: "ignored", eventId, why: `${name}: ${subject.why}` };
  const key = incidentKey(subject);
  const at = envelope.at ?? date(detail.updatedAt) ?? date(detail.createdAt);
  const reason = text(detail.reason);
  const deploymentId = text(detail.deploymentId);
  const common = { eventId, at, key, subject };

  if (name === "SERVICE_DEPLOYMENT_COMPLETED" || name === "SERVICE_STEADY_STATE") {
    const completed = name === "SERVICE_DEPLOYMENT_COMPLETED";
    return {
      outcome: "resolves",
      ...common,
      why: completed ? "deployment-completed" : "steady-state",
      detail: completed
        ? `deployment ${deploymentId ?? "(no ID)"} completed${reason ? `: ${reason}` : ""}`
        : "the service reached a steady state",
    };
  }
  if (name === "SERVICE_DEPLOYMENT_IN_PROGRESS") {
    if (reason && ROLLBACK.test(reason)) {
      const signal: Signal = {
        kind: "rollback-started",
        severity: "error",
        summary: `rollback started: ${reason}`,
        reason,
        ...(deploymentId ? { deploymentId } : {}),
      };
      return { outcome: "incident", ...common, signal };
    }
    return {
      outcome: "routine",
      ...common,
      reason: "deployment-in-progress",
      detail: `deployment ${deploymentId ?? "(no ID)"} in progress`,
    };
  }
  const opens = OPENS[name];
  if (opens) {
    const where = capacityNote(detail);
    const signal: Signal = {
      kind: opens.kind,
      severity: opens.severity,
      summary: `${opens.what}${reason ? `: ${reason}` : ""}${where}`,
      ...(reason ? { reason } : {}),
      ...(deploymentId ? { deploymentId } : {}),
    };
    return { outcome: "incident", ...common, signal };
  }
  if (QUIET_INFO.has(name) || text(detail.eventType) === "INFO") {
    return { outcome: "routine", ...common, reason: "informational", detail: name };
  }
  return {
    outcome: "ignored",
    eventId,
    why: `${name}: not an event that opens or resolves incidents`,
  };
}

/** " (FARGATE_SPOT)": where a placement failed, when the event says. */
function capacityNote(detail: Raw): string {
  const providers = Array.isArray(detail.capacityProviderArns)
    ? detail.capacityProviderArns.filter((a): a is string => typeof a === "string")
    : [];
  return providers.length ? ` (${providers.map(lastSegment).join(", ")})` : "";
}

// ---- ECS Task State Change ----

const SPOT = new Set(["SpotInterruption", "TerminationNotice"]);
const HEALTH_CHECK = /health ?checks?/i;
const SCALING = /Scaling activity initiated by/i;

function containersOf(detail: Raw): Raw[] {
  return Array.isArray(detail.containers) ? detail.containers.filter(isRecord) : [];
}

/** The essential container that exited: a non-zero exit first, then one with a reason. */
function exitedContainer(containers: Raw[]): StopFacts["container"] {
  const chosen =
    containers.find((c) => num(c.exitCode) !== undefined && num(c.exitCode) !== 0) ??
    containers.find((c) => text(c.reason) !== undefined) ??
    containers[0];
  if (!chosen) return undefined;
  const exitCode = num(chosen.exitCode);
  const reason = text(chosen.reason);
  const image = text(chosen.image);
  return {
    name: text(chosen.name) ?? "(unnamed)",
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(reason ? { reason } : {}),
    ...(image ? { image } : {}),
  };
}

/** The event's task as health reads a task, so the stop is judged by the same rules. */
function asEcsTask(taskArn: string, cluster: string, detail: Raw, containers: Raw[]): EcsTask {
  return {
    arn: taskArn,
    id: lastSegment(taskArn),
    clusterName: cluster,
    taskDefinitionArn: text(detail.taskDefinitionArn) ?? "",
    group: text(detail.group),
    lastStatus: text(detail.lastStatus) ?? "STOPPED",
    desiredStatus: text(detail.desiredStatus) ?? "STOPPED",
    stoppedAt: date(detail.stoppedAt),
    stoppedReason: text(detail.stoppedReason),
    stopCode: text(detail.stopCode),
    containers: containers.map((c) => ({
      name: text(c.name) ?? "(unnamed)",
      lastStatus: text(c.lastStatus),
      exitCode: num(c.exitCode),
      reason: text(c.reason),
    })),
  };
}

function taskEvent(envelope: Envelope, detail: Raw): Classified {
  const eventId = envelope.id;
  const taskArn = text(detail.taskArn);
  const clusterArn = text(detail.clusterArn);
  const arn = taskArn ? arnParts(taskArn) : undefined;
  if (!taskArn || !arn)
    return { outcome: "ignored", eventId, why: "task event without a task ARN" };
  const region = envelope.region ?? arn.region;
  const account = envelope.account ?? arn.account;
  // Task ARNs name their cluster in the long format only (task/CLUSTER/ID, not task/ID); the
  // event's clusterArn always does.
  const path = arn.resource.split("/");
  const cluster = clusterArn ? lastSegment(clusterArn) : path.length === 3 ? (path[1] ?? "") : "";
  const group = text(detail.group);
  const service = group?.startsWith("service:") ? group.slice("service:".length) : undefined;
  const subject: Subject | undefined = service ? { account, region, cluster, service } : undefined;
  const at =
    envelope.at ?? date(detail.stoppedAt) ?? date(detail.updatedAt) ?? date(detail.createdAt);
  const version = num(detail.version);
  const task = version !== undefined ? { arn: taskArn, version } : undefined;
  const base = {
    eventId,
    at,
    ...(subject ? { subject, key: incidentKey(subject) } : {}),
    ...(task ? { task } : {}),
  };
  const lastStatus = text(detail.lastStatus);
  const stopCode = text(detail.stopCode);
  const stoppedReason = text(detail.stoppedReason);
  const said = stoppedReason ? `: ${stoppedReason}` : "";

  if (stopCode && SPOT.has(stopCode)) {
    return {
      outcome: "routine",
      ...base,
      reason: "spot-interruption",
      detail: `Spot interruption (${stopCode})${said}: the service replaces the task`,
    };
  }
  if (lastStatus === "RUNNING") {
    return { outcome: "routine", ...base, reason: "running", detail: "the task is running" };
  }
  if (lastStatus !== "STOPPED") {
    return {
      outcome: "routine",
      ...base,
      reason: "not-terminal",
      detail: `lastStatus ${lastStatus ?? "not stated"}: only STOPPED says how a task ended`,
    };
  }
  if (!subject) {
    return {
      outcome: "routine",
      ...base,
      reason: "not-a-service-task",
      detail: `group ${group ?? "not stated"}: not a service's task`,
    };
  }
  if (stopCode === "UserInitiated") {
    return {
      outcome: "routine",
      ...base,
      reason: "user-initiated",
      detail: `stopped by a user${said}`,
    };
  }
  if (stopCode === "ServiceSchedulerInitiated" && !HEALTH_CHECK.test(stoppedReason ?? "")) {
    const scaling = SCALING.test(stoppedReason ?? "");
    return {
      outcome: "routine",
      ...base,
      reason: scaling ? "deployment-or-scale-in" : "scheduler",
      detail: scaling
        ? `stopped by a deployment or scale-in${said}`
        : `stopped by the service scheduler${said}`,
    };
  }
  const containers = containersOf(detail);
  const container = exitedContainer(containers);
  const ecsTask = asEcsTask(taskArn, cluster, detail, containers);
  const exits = containers.map((c) => num(c.exitCode)).filter((c) => c !== undefined);
  if (
    stopCode === "EssentialContainerExited" &&
    exits.length > 0 &&
    exits.every((c) => c === 0) &&
    !containers.some((c) => text(c.reason))
  ) {
    return {
      outcome: "routine",
      ...base,
      reason: "clean-exit",
      detail: `the essential container exited 0${said}`,
    };
  }
  const taskDefinitionArn = text(detail.taskDefinitionArn);
  const stop: StopFacts = {
    taskArn,
    group: group ?? "",
    cause: stopKind(ecsTask),
    note: stopNote(ecsTask),
    ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
    ...(stopCode ? { stopCode } : {}),
    ...(stoppedReason ? { stoppedReason } : {}),
    ...(container ? { container } : {}),
  };
  const signal: Signal = {
    kind: "task-stopped",
    severity: stopCode === "TaskFailedToStart" ? "error" : "warning",
    summary: stop.note,
    stop,
  };
  return {
    outcome: "incident",
    eventId,
    at,
    subject,
    key: incidentKey(subject),
    signal,
    ...(task ? { task } : {}),
  };
}

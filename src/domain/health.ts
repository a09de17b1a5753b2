// `/ecs health`: one verdict (healthy / degraded / down) and the one reason that decides it,
// judged from the same facts whois reads plus stopped tasks and Service Connect clients.

import type { EcsService, EcsTask, Gap, ServiceEvent } from "./facts.ts";
import { type Endpoint, type Resolution, stopNote } from "./resolution.ts";
import type { TrafficReport } from "./traffic.ts";

export type HealthLevel = "healthy" | "degraded" | "down";

export interface Finding {
  level: HealthLevel;
  /** Plain text, e.g. "0 of 2 tasks running; last stop: …". */
  text: string;
  /** Which layer the operator looks at next: name, path or app. */
  layer: "name" | "path" | "app" | "deploy";
  next: string;
}

/** A Service Connect service of the same namespace, as a possible caller. */
export interface ClientService {
  cluster: string;
  service: string;
  deployedAt?: Date;
}

export interface HealthInput {
  resolution: Resolution;
  service: EcsService;
  /** Recently stopped tasks of the service (ECS keeps them about an hour). */
  stoppedTasks: EcsTask[];
  /** Other Service Connect services in the publisher's namespace; undefined if not applicable or unread. */
  clients?: ClientService[];
  /** Service Connect traffic of the last minutes; undefined when not measured or unreadable. */
  traffic?: TrafficReport;
  gaps: Gap[];
}

/** A 5xx share above this, seen by the callers, makes a service degraded. */
export const ERROR_RATE_DEGRADED = 0.05;

export interface RepeatedEvent extends ServiceEvent {
  count: number;
}

export interface HealthReport {
  query: string;
  /** The name or service judged. */
  subject: string;
  level: HealthLevel;
  reason: string;
  findings: Finding[];
  resolution: Resolution;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  failedTasks: number;
  deploymentCount: number;
  events: RepeatedEvent[];
  stopped: { taskId: string; at?: Date; note: string }[];
  /** Registered in Cloud Map but not running (resolves to a dead IP), and the reverse. */
  cloudMapOnly: Endpoint[];
  ecsOnly: Endpoint[];
  staleClients?: ClientService[];
  traffic?: TrafficReport;
  nextCheck: string;
  gaps: Gap[];
}

const EVENTS_SHOWN = 5;
const STOPPED_SHOWN = 5;

/** "(service x) has started 1 tasks: (task abc)." and the same for task def collapse into one line. */
export function dedupeEvents(events: ServiceEvent[]): RepeatedEvent[] {
  const out: RepeatedEvent[] = [];
  const shape = (m: string) =>
    m.replace(/\b[0-9a-f]{32}\b/g, "…").replace(/ecs-svc\/\d+/g, "ecs-svc/…");
  for (const event of [...events].sort((a, b) => b.at.getTime() - a.at.getTime())) {
    const same = out.find((e) => shape(e.message) === shape(event.message));
    if (same) same.count += 1;
    else out.push({ ...event, count: 1 });
  }
  return out.slice(0, EVENTS_SHOWN);
}

function lastStop(stopped: EcsTask[]): EcsTask | undefined {
  return [...stopped].sort(
    (a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0),
  )[0];
}

function describeEndpoint(e: Endpoint): string {
  return `${e.ip ?? e.taskId ?? "?"}${e.note ? ` (${e.note})` : ""}`;
}

function findingsOf(input: HealthInput, staleClients: ClientService[] | undefined): Finding[] {
  const { resolution: r, service } = input;
  const focus = r.bindings[0];
  const subject = focus?.name.split(":")[0] ?? `${service.clusterName}/${service.name}`;
  const label = `${service.clusterName}/${service.name}`;
  const findings: Finding[] = [];
  const stop = lastStop(input.stoppedTasks);

  if (service.desiredCount > 0 && service.runningCount === 0) {
    findings.push({
      level: "down",
      layer: "app",
      text: `0 of ${service.desiredCount} tasks running${stop ? `; last stop: ${stopNote(stop)}` : ""}`,
      next: stop
        ? `App: the tasks do not stay up. Read the stopped task's reason and its container logs; ${/OutOfMemory|exit 137/.test(stopNote(stop)) ? "exit 137 with OutOfMemoryError means the container hit its memory limit: raise memory in the task definition or fix the leak" : "fix what stops it, then watch the deployment"}.`
        : `App: ECS keeps no recent stopped task for ${label}; check the service events for placement or image errors.`,
    });
  }
  const registered = focus?.instances?.length ?? 0;
  if (focus && registered > 0 && r.healthy === 0 && service.runningCount > 0) {
    findings.push({
      level: "down",
      layer: "app",
      text: `0 of ${r.endpoints.length} endpoints of ${subject} healthy`,
      next: `App: every endpoint fails its health check; check the container health check and logs of ${label}.`,
    });
  }
  const unhealthy = r.endpoints.filter((e) => e.state === "unhealthy");
  if (unhealthy.length > 0 && r.healthy > 0) {
    findings.push({
      level: "degraded",
      layer: "app",
      text: `${unhealthy.length} of ${r.endpoints.length} endpoints unhealthy: ${unhealthy.map(describeEndpoint).join(", ")}`,
      next: `App: look at task ${unhealthy[0]?.taskId ?? "?"}'s container health check and logs; ECS replaces a task whose essential container stays unhealthy.`,
    });
  }
  if (service.rolloutState === "FAILED") {
    findings.push({
      level: service.runningCount === 0 ? "down" : "degraded",
      layer: "deploy",
      text: `deployment failed${service.rolloutStateReason ? `: ${service.rolloutStateReason}` : ""}${service.failedTasks ? ` (${service.failedTasks} failed tasks)` : ""}`,
      next: `Deploy: the last deployment of ${label} failed${service.circuitBreaker?.rollback ? " and the circuit breaker rolls back" : ""}; compare its task definition with the previous one.`,
    });
  }
  if (service.runningCount > 0 && service.runningCount < service.desiredCount) {
    findings.push({
      level: "degraded",
      layer: "app",
      text: `${service.runningCount} of ${service.desiredCount} tasks running${service.pendingCount ? `, ${service.pendingCount} pending` : ""}`,
      next: `App: ECS is short of tasks for ${label}; the service events say why (placement, image pull, health checks).`,
    });
  }
  const errorRate = input.traffic?.errorRate.current;
  if (errorRate !== undefined && errorRate >= ERROR_RATE_DEGRADED) {
    const window = input.traffic?.window.label ?? "";
    findings.push({
      level: "degraded",
      layer: "app",
      text: `callers see ${(errorRate * 100).toFixed(1)}% 5xx in the last ${window} (p99 ${Math.round(input.traffic?.latency.p99.current ?? 0)} ms)`,
      next: `App: requests reach ${label} and fail there; read its application logs for the last ${window} (/ecs traffic ${subject} shows which callers).`,
    });
  }
  const cloudMapOnly = r.endpoints.filter((e) => e.state === "stale");
  if (cloudMapOnly.length > 0) {
    findings.push({
      level: "degraded",
      layer: "name",
      text: `Cloud Map still lists ${cloudMapOnly.map((e) => e.ip ?? e.taskId).join(", ")} for ${subject}, but ECS no longer runs ${cloudMapOnly.length === 1 ? "that task" : "those tasks"}: clients may resolve a dead IP`,
      next: `Name: the registration outlived its task. It should clear within a minute; if it stays, deregister the instance in Cloud Map.`,
    });
  }
  const ecsOnly = r.endpoints.filter((e) => e.state === "unregistered");
  if (ecsOnly.length > 0) {
    findings.push({
      level: "degraded",
      layer: "name",
      text: `${ecsOnly.map((e) => e.ip ?? e.taskId).join(", ")} run${ecsOnly.length === 1 ? "s" : ""} in ECS but ${ecsOnly.length === 1 ? "is" : "are"} not registered under ${subject}: no client reaches ${ecsOnly.length === 1 ? "it" : "them"} by name`,
      next: `Name: a task that is running but not registered is usually still starting or failing its health check; check its status in ECS.`,
    });
  }
  if (staleClients && staleClients.length > 0 && focus?.scope.kind === "service-connect") {
    const names = staleClients.map((c) => c.service).join(", ");
    findings.push({
      level: "degraded",
      layer: "name",
      text: `${names} started before ${service.name}'s current deployment (${service.deployedAt?.toISOString() ?? "?"}): if that deployment added or changed ${focus.name}, their proxies cannot resolve it until they are redeployed`,
      next: `Name: redeploy ${names} (aws ecs update-service --force-new-deployment) so their Service Connect proxies learn ${focus.name}.`,
    });
  }
  const order: Record<HealthLevel, number> = { down: 0, degraded: 1, healthy: 2 };
  return findings.sort((a, b) => order[a.level] - order[b.level]);
}

export function judgeHealth(input: HealthInput): HealthReport {
  const { resolution: r, service } = input;
  const focus = r.bindings[0];
  const subject =
    r.subject.kind === "name" && focus
      ? (focus.name.split(":")[0] ?? focus.name)
      : `${service.clusterName}/${service.name}`;
  const staleClients =
    input.clients && service.deployedAt
      ? input.clients.filter(
          (c) =>
            c.deployedAt &&
            service.deployedAt &&
            c.deployedAt.getTime() < service.deployedAt.getTime(),
        )
      : undefined;
  const findings = findingsOf(input, staleClients);
  const worst = findings[0];
  const running = `${service.runningCount} of ${service.desiredCount} tasks running`;
  const endpoints = focus ? `${r.healthy} of ${r.endpoints.length} endpoints healthy, ` : "";
  const rollout = service.rolloutState ? `, deployment ${service.rolloutState}` : "";
  const level = worst?.level ?? "healthy";
  const reason = worst?.text ?? `${endpoints}${running}${rollout}`;
  const stopped = [...input.stoppedTasks]
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, STOPPED_SHOWN)
    .map((t) => ({ taskId: t.id, at: t.stoppedAt, note: stopNote(t) }));
  const nextCheck =
    worst?.next ??
    (focus?.scope.kind === "service-connect"
      ? `Healthy. If a caller still fails, run /ecs whois ${subject} from the caller's side: is it a Service Connect service in ${focus.scope.namespace}, and does its security group path allow the port?`
      : `Healthy. If a caller still fails, check the path: security groups ${service.securityGroups.join(", ") || "of the tasks"} and the caller's subnet routes.`);
  return {
    query: r.query,
    subject,
    level,
    reason,
    findings,
    resolution: r,
    circuitBreaker: service.circuitBreaker,
    failedTasks: service.failedTasks,
    deploymentCount: service.deploymentCount,
    events: dedupeEvents(service.events),
    stopped,
    cloudMapOnly: r.endpoints.filter((e) => e.state === "stale"),
    ecsOnly: r.endpoints.filter((e) => e.state === "unregistered"),
    staleClients,
    traffic: input.traffic,
    nextCheck,
    gaps: input.gaps,
  };
}

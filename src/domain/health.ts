// `/ecs health`: one verdict (healthy / degraded / down, or unknown when the deciding facts
// could not be read) and the one reason that decides it, judged from the same facts whois
// reads plus stopped tasks, Service Connect clients and the last minutes of traffic.
//
// Every finding comes from data that was read. Data that could not be read is a gap, shown
// as unknown: it never becomes DOWN, "stale", "not registered" or "0 healthy".

import type { EcsService, EcsTask, Gap, ServiceEvent } from "./facts.ts";
import {
  askedTaskTargets,
  capBelowDown,
  targetHealthFindings,
  targetSummary,
} from "./load-balancing/health-findings.ts";
import type { TargetHealthJudgement } from "./load-balancing/target-health.ts";
import { hostOf, listenLabel, type NameBinding } from "./resolution/bindings.ts";
import { type Endpoint, type EndpointState, endpointCount } from "./resolution/endpoints.ts";
import type { Resolution } from "./resolution.ts";
import { stopAdvice, stopKind, stopNote } from "./stops.ts";
import { utcMinute as minute } from "./time.ts";
import type { CallerTraffic, TrafficReport } from "./traffic.ts";

export type HealthLevel = "healthy" | "degraded" | "down" | "unknown";

export type Layer = "name" | "path" | "app" | "deploy";

export interface Finding {
  /** A note is worth reading but does not change the verdict (it may not concern any caller). */
  level: "down" | "degraded" | "note";
  /** Plain text, e.g. "0 of 2 tasks running; last stop: …". */
  text: string;
  /** Which layer the operator looks at next. */
  layer: Layer;
  next: string;
  /** When the failure began, where AWS tells it (a digest says "failing since" with it). */
  since?: Date;
  /** The finding lists the unhealthy endpoints (the asked task's place is told against it). */
  unhealthyEndpoints?: true;
  /** The finding in one short line, where its text is long (a first view's "also"). */
  brief?: string;
}

/** A Service Connect service of the same namespace, as a possible caller. */
export interface ClientService {
  cluster: string;
  service: string;
  /** The service's ARN as ECS gives it (old accounts' short format names no cluster). */
  arn?: string;
  /** When its PRIMARY deployment started: its tasks know the endpoints that existed then. */
  deployedAt?: Date;
}

/** Clients a bounded check did not read: named as such, never counted as fine. */
export interface ClientsLeftOut {
  /** Services on the namespace's first page that were not described. */
  unchecked: number;
  /** The namespace has more services than its first page (100): none of those was read. */
  more: boolean;
}

export interface HealthInput {
  resolution: Resolution;
  /** Undefined when DescribeServices could not be read. */
  service?: EcsService;
  /** Recently stopped tasks (ECS keeps them about an hour); undefined when unread. */
  stoppedTasks?: EcsTask[];
  /** Other Service Connect services in the publisher's namespace; undefined if not applicable or unread. */
  clients?: ClientService[];
  /** When `clients` are only some of them (a namespace of more than one answer checks). */
  clientsLeftOut?: ClientsLeftOut;
  /** Service Connect traffic of the last minutes; undefined when not measured or unreadable. */
  traffic?: TrafficReport;
  /** The load balancer's view of the tasks (load-balancing/target-health.ts); undefined: none read. */
  targetHealth?: TargetHealthJudgement;
  gaps: Gap[];
}

/** A 5xx share above this, seen by the callers, makes a service degraded. */
export const ERROR_RATE_DEGRADED = 0.05;
/** …provided this many 5xx at least: two failures out of three requests are not an incident. */
export const ERRORS_MIN = 10;
/** A caller below this 5xx share counts as not seeing errors. */
const ERROR_RATE_CLEAN = 0.01;
/** A caller deployment this close before the window's end counts as recent. */
const RECENT_DEPLOY_MS = 6 * 3600_000;

/** A recently stopped task: when, why, and what its logs are found by (console links). */
export interface StoppedTask {
  taskId: string;
  at?: Date;
  note: string;
  taskDefinitionArn?: string;
  /**
   * Its containers that ran (they have an exit code, so they may have logged), a failed one
   * (non-zero) first. None when the task never started (an image that could not be pulled).
   */
  containers?: string[];
}

function stoppedFrom(t: EcsTask): Pick<StoppedTask, "taskDefinitionArn" | "containers"> {
  const ran = t.containers.filter((c) => c.exitCode !== undefined);
  const ordered = [...ran.filter((c) => c.exitCode !== 0), ...ran.filter((c) => c.exitCode === 0)];
  return { taskDefinitionArn: t.taskDefinitionArn, containers: ordered.map((c) => c.name) };
}

export interface RepeatedEvent extends ServiceEvent {
  count: number;
  /** What the collapsed events were about, when they named different tasks or deployments. */
  about: string[];
}

export interface HealthReport {
  query: string;
  /** The name or service judged. */
  subject: string;
  level: HealthLevel;
  reason: string;
  findings: Finding[];
  /** The index in findings of the finding the reason states; none when the reason is no finding's. */
  deciding?: number;
  resolution: Resolution;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  failedTasks?: number;
  deploymentCount?: number;
  events: RepeatedEvent[];
  /** Undefined when the stopped tasks could not be read. */
  stopped?: StoppedTask[];
  /** Registered in Cloud Map but not running (resolves to a dead IP), and the reverse. */
  cloudMapOnly: Endpoint[];
  ecsOnly: Endpoint[];
  /** Clients whose deployment predates the name; undefined when that could not be told. */
  staleClients?: ClientService[];
  /** How many clients staleClients was decided on, when not all of them. */
  clientsChecked?: { checked: number } & ClientsLeftOut;
  traffic?: TrafficReport;
  targetHealth?: TargetHealthJudgement;
  nextCheck: string;
  /** When the deciding finding's failure began, where AWS tells it. */
  since?: Date;
  /** What could not be read, in the user's terms: the headline names it. */
  unknown: string[];
  gaps: Gap[];
}

const EVENTS_SHOWN = 5;
const STOPPED_SHOWN = 5;
/** Task IDs and deployment IDs: what makes otherwise equal events about different things. */
const REF_IN_EVENT = /\b[0-9a-f]{32}\b|ecs-svc\/\d+/g;

/**
 * Repeated service events collapse into one line with a count. Events about different tasks
 * or deployments keep every one they named: a collapsed line never pins them on one ID.
 */
export function dedupeEvents(events: ServiceEvent[]): RepeatedEvent[] {
  const out: (RepeatedEvent & { shape: string })[] = [];
  const shape = (m: string) =>
    m.replace(REF_IN_EVENT, (ref) => (ref.startsWith("ecs-svc/") ? "ecs-svc/…" : "…"));
  for (const event of [...events].sort((a, b) => b.at.getTime() - a.at.getTime())) {
    const key = shape(event.message);
    const about = [...event.message.matchAll(REF_IN_EVENT)].map((m) =>
      m[0].startsWith("ecs-svc/") ? `deployment ${m[0]}` : `task ${m[0].slice(0, 12)}`,
    );
    const same = out.find((e) => e.shape === key);
    if (same) {
      same.count += 1;
      for (const ref of about) if (!same.about.includes(ref)) same.about.push(ref);
      // Collapsed events about other tasks or deployments: the shape, and what each was about.
      if (same.about.length > about.length) same.message = key;
    } else {
      out.push({ ...event, count: 1, about, shape: key });
    }
  }
  return out.slice(0, EVENTS_SHOWN).map(({ shape: _shape, ...e }) => e);
}

function lastStop(stopped: EcsTask[]): EcsTask | undefined {
  return [...stopped].sort(
    (a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0),
  )[0];
}

function describeEndpoint(e: Endpoint): string {
  return `${e.ip ?? e.taskId ?? "?"}${e.note ? ` (${e.note})` : ""}`;
}

/** The containers every unhealthy endpoint fails, when they all fail the same. */
function commonFailingContainer(endpoints: Endpoint[]): string | undefined {
  const notes = new Set(endpoints.map((e) => e.note));
  const [only] = [...notes];
  return notes.size === 1 && only?.startsWith("container health check failing: ")
    ? only.slice("container health check failing: ".length)
    : undefined;
}

function runningFinding(
  service: EcsService,
  stopped: EcsTask[] | undefined,
  label: string,
): Finding {
  const stop = stopped ? lastStop(stopped) : undefined;
  const kind = stop ? stopKind(stop) : undefined;
  const neverStarted = kind === "image-pull" || kind === "task-setup" || kind === "never-started";
  const next = stop
    ? stopAdvice(stop, label)
    : stopped === undefined
      ? `App: the stopped tasks of ${label} could not be read (see below); its service events say why tasks stop.`
      : `App: ECS keeps no recently stopped task of ${label} (it keeps them about an hour); its service events say why (placement, image pull, health checks).`;
  // The first failing stop ECS still keeps (about an hour): the failure began then or earlier.
  const first = stopped
    ?.map((t) => t.stoppedAt)
    .filter((d): d is Date => d !== undefined)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    ...(first ? { since: first } : {}),
    level: "down",
    layer: neverStarted ? "deploy" : "app",
    text: `0 of ${service.desiredCount} tasks running${stop ? `; ${neverStarted ? "tasks never start" : "last stop"}: ${stopNote(stop)}` : ""}`,
    next,
  };
}

function staleFinding(stale: Endpoint[], focus: NameBinding, subject: string): Finding {
  const what = stale
    .map((e) => `${e.ip ?? e.taskId}${e.stoppedAt ? ` (task stopped ${minute(e.stoppedAt)})` : ""}`)
    .join(", ");
  const first = stale[0];
  const command = `aws servicediscovery deregister-instance --service-id ${focus.cloudMapServiceId ?? "<Cloud Map service ID>"} --instance-id ${first?.instanceId ?? "<instance ID>"}`;
  const owner = stale.every((e) => e.registeredByEcs)
    ? "ECS registered it and removes it when the task stops; this time it did not"
    : "the instance carries no ECS attributes, so the bot cannot tell who registered it (ECS, Service Connect or a script); whoever did must remove it";
  return {
    level: "degraded",
    layer: "name",
    text: `Cloud Map still lists ${what} for ${subject}, but ECS no longer runs ${stale.length === 1 ? "that task" : "those tasks"}: clients resolve a dead IP`,
    next: `Name: ${owner}. Deregister it (${command}); clients stop resolving it once Cloud Map drops it.`,
  };
}

/** 5xx seen by the callers, and whether one caller alone sees them. */
function errorFinding(
  traffic: TrafficReport,
  label: string,
  subject: string,
  clients: ClientService[] | undefined,
  clientsPartial: boolean,
): Finding | undefined {
  const rate = traffic.errorRate.current;
  const errors = traffic.codes["5XX"].current ?? 0;
  if (traffic.protocol !== "http" || rate === undefined) return undefined;
  if (rate < ERROR_RATE_DEGRADED || errors < ERRORS_MIN) return undefined;
  const window = traffic.window.label;
  const p99 = traffic.latency.p99.current;
  const latency = p99 === undefined ? "" : ` (p99 ${Math.round(p99)} ms)`;
  const failing = traffic.callers.filter((c) => (c.errorRate ?? 0) >= ERROR_RATE_DEGRADED);
  const clean = traffic.callers.filter((c) => (c.errorRate ?? 0) < ERROR_RATE_CLEAN);
  const [only] = failing;
  if (failing.length === 1 && only && clean.length === traffic.callers.length - 1 && clean.length) {
    const deployed = clients?.find((c) => c.cluster === only.cluster && c.service === only.service);
    return {
      level: "degraded",
      layer: "app",
      text: `only ${only.cluster}/${only.service} sees 5xx: ${pct(only.errorRate)} of its requests in the last ${window}; the other ${clean.length === 1 ? "caller sees" : `${clean.length} callers see`} under 1%`,
      next: `App: ${label} fails ${only.service}'s requests and serves the others: compare what ${only.service} sends (paths, headers, payloads, versions) and read ${label}'s logs for its requests. ${deployNote(only, deployed, traffic.end, clientsPartial)}`,
    };
  }
  return {
    level: "degraded",
    layer: "app",
    text: `callers see ${pct(rate)} 5xx in the last ${window}${latency}`,
    next: `App: requests reach ${label} and fail there; read its application logs for the last ${window} (/ecs traffic ${subject} shows which callers).`,
  };
}

function deployNote(
  caller: CallerTraffic,
  deployed: ClientService | undefined,
  end: Date,
  clientsPartial: boolean,
): string {
  const at = deployed?.deployedAt;
  if (!at && !deployed && clientsPartial)
    return `When ${caller.service} last deployed was not among the clients read (a big namespace is checked in part): /ecs whois ${caller.cluster}/${caller.service} shows it.`;
  if (!at) return `When ${caller.service} last deployed could not be read.`;
  const ago = end.getTime() - at.getTime();
  return ago >= 0 && ago <= RECENT_DEPLOY_MS
    ? `${caller.service} deployed at ${minute(at)}, ${Math.round(ago / 60_000)} min before: its new version is the first suspect.`
    : `${caller.service} has not deployed since ${minute(at)}.`;
}

const pct = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);

function findingsOf(input: HealthInput, staleClients: ClientService[] | undefined): Finding[] {
  const { resolution: r, service } = input;
  const focus = r.bindings[0];
  const label = `${r.publisher.cluster}/${r.publisher.service}`;
  const subject = focus ? hostOf(focus) : label;
  const findings: Finding[] = [];

  if (service && service.desiredCount > 0 && service.runningCount === 0) {
    findings.push(runningFinding(service, input.stoppedTasks, label));
  }
  // The balancer's health checks: the app-layer signal beside ECS and Cloud Map.
  if (input.targetHealth) findings.push(...targetHealthFindings(input.targetHealth));
  const unhealthy = r.endpoints.filter((e) => e.state === "unhealthy");
  const stale = r.endpoints.filter((e) => e.state === "stale");
  const running = service ? service.runningCount > 0 : true;
  // Down from the endpoints only when every one of them was read and none is healthy.
  const noneHealthy =
    focus &&
    r.endpoints.length > 0 &&
    r.healthy === 0 &&
    r.endpoints.every((e) => e.state === "unhealthy" || e.state === "stale");
  if (noneHealthy && running && unhealthy.length > 0) {
    const container = commonFailingContainer(unhealthy);
    findings.push({
      level: "down",
      layer: "app",
      unhealthyEndpoints: true,
      text:
        container && unhealthy.length === r.endpoints.length
          ? `every endpoint of ${subject} fails its container health check (container ${container}): 0 of ${r.endpoints.length} healthy`
          : `0 of ${r.endpoints.length} endpoints of ${subject} healthy: ${r.endpoints.map(describeEndpoint).join(", ")}`,
      next: container
        ? `App: the ${container} container's health check fails in every task of ${label}: run its health check command by hand (ECS Exec) or read its logs; ECS replaces tasks whose essential container stays unhealthy.`
        : `App: nothing healthy answers for ${subject}; check the container health checks and logs of ${label}.`,
    });
  } else if (unhealthy.length > 0) {
    // Asked about one task, the headline adds where it stands (askedClause): kept short here.
    const listed =
      r.subject.kind !== "task"
        ? `: ${unhealthy.map(describeEndpoint).join(", ")}`
        : r.askedTask?.state === "unhealthy"
          ? ""
          : `: ${unhealthy.map((e) => e.ip ?? e.taskId ?? "?").join(", ")}`;
    findings.push({
      level: "degraded",
      layer: "app",
      unhealthyEndpoints: true,
      text: `${unhealthy.length} of ${r.endpoints.length} endpoints unhealthy${listed}`,
      next: `App: look at task ${unhealthy[0]?.taskId ?? "?"}'s container health check and logs; ECS replaces a task whose essential container stays unhealthy.`,
    });
  }
  if (service?.rolloutState === "FAILED") {
    findings.push({
      // The failed deployment's start (the PRIMARY's createdAt).
      ...(service.deployedAt ? { since: service.deployedAt } : {}),
      level: service.runningCount === 0 ? "down" : "degraded",
      layer: "deploy",
      text: `deployment failed${service.rolloutStateReason ? `: ${service.rolloutStateReason}` : ""}${service.failedTasks ? ` (${service.failedTasks} failed tasks)` : ""}`,
      next: `Deploy: the last deployment of ${label} failed${service.circuitBreaker?.rollback ? " and the circuit breaker rolls back" : ""}; compare its task definition with the previous one.`,
    });
  }
  if (service && service.runningCount > 0 && service.runningCount < service.desiredCount) {
    findings.push({
      level: "degraded",
      layer: "app",
      text: `${service.runningCount} of ${service.desiredCount} tasks running${service.pendingCount ? `, ${service.pendingCount} pending` : ""}`,
      next: `App: ECS is short of tasks for ${label}; the service events say why (placement, image pull, health checks).`,
    });
  }
  const errors = input.traffic
    ? errorFinding(input.traffic, label, subject, input.clients, input.clientsLeftOut !== undefined)
    : undefined;
  if (errors) findings.push(errors);
  if (stale.length > 0 && focus) findings.push(staleFinding(stale, focus, subject));
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
    const one = staleClients.length === 1;
    const names = staleClients.map((c) => c.service).join(", ");
    const few =
      staleClients
        .slice(0, 2)
        .map((c) => c.service)
        .join(", ") + (staleClients.length > 2 ? ` and ${staleClients.length - 2} more` : "");
    const commands = staleClients
      .slice(0, 3)
      .map(
        (c) =>
          `aws ecs update-service --cluster ${c.cluster} --service ${c.service} --force-new-deployment`,
      )
      .join("; ");
    findings.push({
      level: "note",
      layer: "name",
      text: `${names} deployed before ${focus.name} first appeared (${minute(focus.appearedAt)}): if ${one ? "it calls" : "they call"} it, ${one ? "its" : "their"} Service Connect proxies cannot resolve it until redeployed`,
      brief: `${few} deployed before ${focus.name} appeared: if ${one ? "it calls" : "they call"} it, ${one ? "it cannot" : "they cannot"} resolve it until redeployed`,
      next: `Name: a caller among ${names} that fails to reach ${focus.name} must be redeployed (${commands}): ECS keeps a deployment's tasks, replacements included, on the endpoints that existed when it was deployed.`,
    });
  }
  const order: Record<Finding["level"], number> = { down: 0, degraded: 1, note: 2 };
  return capBelowDown(findings, input.targetHealth).sort((a, b) => order[a.level] - order[b.level]);
}

/**
 * Clients whose current deployment started before the name first appeared: by AWS's rule, a
 * deployment's tasks keep the endpoint list of when it was deployed, so they cannot resolve it.
 * A routine redeploy of the publisher changes nothing for them (ECS guide, "Service Connect
 * components"). Undefined when the clients or the name's first appearance are unknown.
 */
export function clientsNeedingRedeploy(
  clients: ClientService[] | undefined,
  focus: NameBinding | undefined,
): ClientService[] | undefined {
  if (!clients || focus?.scope.kind !== "service-connect" || !focus.appearedAt) return undefined;
  const appeared = focus.appearedAt.getTime();
  return clients.filter((c) => c.deployedAt !== undefined && c.deployedAt.getTime() < appeared);
}

function healthyNext(
  r: Resolution,
  focus: NameBinding | undefined,
  subject: string,
  service: EcsService | undefined,
): string {
  const sgs = r.publisher.ecs?.securityGroups.join(", ") || "of the tasks";
  if (focus?.scope.kind === "service-connect") {
    const since = focus.appearedAt
      ? ` whose deployment started after ${minute(focus.appearedAt)}`
      : "";
    return `Healthy. If a caller still fails: name first (is it a Service Connect service in ${focus.scope.namespace}${since}? A Lambda or EC2 host never is: /ecs whois ${subject} says what it can use), then path (do security groups ${sgs} allow ${listenLabel(focus)} from the caller's?).`;
  }
  const ecs = r.publisher.ecs;
  if (!focus && ecs?.serviceConnectClientOnly) {
    return `Healthy. It publishes no name: it is a Service Connect client of ${ecs.serviceConnectNamespace ?? "its namespace"}. If it cannot reach a name, run /ecs health on that name: its deployment (${minute(ecs.deployedAt)}) must be later than the name's first appearance.`;
  }
  const port = focus ? listenLabel(focus) : "the service's port";
  return `Healthy. If a caller still fails, check the path: security groups ${service?.securityGroups.join(", ") || sgs} must allow ${port} from the caller, and the caller's subnet must route to the tasks' subnets.`;
}

function unknownReason(r: Resolution, service: EcsService | undefined, unknown: string[]): string {
  const known: string[] = [];
  if (service) known.push(`${service.runningCount} of ${service.desiredCount} tasks running`);
  const registered = r.bindings[0]?.instances;
  if (registered) {
    const byHealth = new Map<string, number>();
    for (const i of registered) byHealth.set(i.health, (byHealth.get(i.health) ?? 0) + 1);
    const health = [...byHealth].map(([h, n]) => `${n} ${h}`).join(", ");
    known.push(`${registered.length} registered in Cloud Map${health ? ` (${health})` : ""}`);
  }
  const what =
    unknown.slice(0, 2).join(", ") + (unknown.length > 2 ? ` and ${unknown.length - 2} more` : "");
  return `could not read ${what || "the service"}${known.length ? `; known: ${known.join(", ")}` : ""}`;
}

/**
 * Asked about one task (by IP, task ID or ARN): where that task stands, appended to the verdict on
 * its service, so the headline never passes one task's state off as the service's, nor the reverse.
 */
function askedClause(r: Resolution, worst: Finding | undefined, j?: TargetHealthJudgement): string {
  const t = r.askedTask;
  if (r.subject.kind !== "task" || !t) return "";
  const who = `the task you asked about (${t.ip ? `${t.ip}, ` : ""}task ${(t.taskId ?? "?").slice(0, 12)})`;
  const balancer = t.state === "healthy" ? askedTaskTargets(j, t.taskId) : undefined;
  if (balancer) return ` — ${who} ${balancer}`;
  const unhealthy = r.endpoints.filter((e) => e.state === "unhealthy");
  const where: Record<EndpointState, string> = {
    unhealthy: worst?.unhealthyEndpoints
      ? unhealthy.length === 1
        ? "is the unhealthy one"
        : "is one of them"
      : `is unhealthy${t.note ? ` (${t.note})` : ""}`,
    healthy: "is healthy",
    stale: t.lastStatus === "STOPPED" ? "has stopped" : "no longer runs",
    unregistered: "runs but is not registered under the name",
    changing: `is ${t.lastStatus?.toLowerCase() ?? "changing"}`,
    unknown: "could not be read",
  };
  return ` — ${who} ${where[t.state]}`;
}

export function judgeHealth(input: HealthInput): HealthReport {
  const { resolution: r, service } = input;
  const focus = r.bindings[0];
  const label = `${r.publisher.cluster}/${r.publisher.service}`;
  const subject = r.subject.kind === "name" && focus ? hostOf(focus) : label;
  const staleClients = clientsNeedingRedeploy(input.clients, focus);
  const findings = findingsOf(input, staleClients);
  const worst = findings.find(
    (f): f is Finding & { level: "down" | "degraded" } => f.level !== "note",
  );
  // Unread target health is a gap like any other: partial, never better or worse.
  const gaps = [
    ...input.gaps,
    ...(input.targetHealth?.gaps.filter((g) => !input.gaps.some((h) => h.what === g.what)) ?? []),
  ];
  const unknown = gaps.map((g) => g.what);
  // Unknown when nothing was found wrong and the deciding facts are missing: the ECS service,
  // or anything about the name's endpoints (a Cloud Map health check still tells something).
  const endpointsBlind =
    focus !== undefined &&
    (!r.endpointsKnown ||
      (r.endpoints.length > 0 &&
        r.endpoints.every((e) => e.state === "unknown" && e.cloudMapHealth !== "HEALTHY")));
  const blind = !service || endpointsBlind;
  const level: HealthLevel = worst?.level ?? (blind ? "unknown" : "healthy");
  const running = service ? `${service.runningCount} of ${service.desiredCount} tasks running` : "";
  const endpoints = focus ? `${endpointCount(r)}, ` : "";
  const targets = targetSummary(input.targetHealth) && `${targetSummary(input.targetHealth)}, `;
  // One task asked about: its place in the verdict takes the rollout's room in the headline.
  const rollout =
    service?.rolloutState && r.subject.kind !== "task"
      ? `, deployment ${service.rolloutState}`
      : "";
  const reason =
    (worst?.text ??
      (level === "unknown"
        ? unknownReason(r, service, unknown)
        : `${endpoints}${targets}${running}${rollout}`)) +
    askedClause(r, worst, input.targetHealth);
  const notes = findings.filter((f) => f.level === "note");
  const nextCheck =
    worst?.next ??
    (level === "unknown"
      ? `Unknown: ${gaps[0] ? `${gaps[0].what}: ${gaps[0].why}` : "the service could not be read"}. Retry in a minute if AWS throttled; give the bot's role the action if it was denied. Until then, look at ${label} in the ECS console.`
      : notes[0]
        ? `Healthy. ${notes[0].next}`
        : healthyNext(r, focus, subject, service));
  const stopped = input.stoppedTasks
    ?.slice()
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .slice(0, STOPPED_SHOWN)
    .map((t) => ({ taskId: t.id, at: t.stoppedAt, note: stopNote(t), ...stoppedFrom(t) }));
  return {
    query: r.query,
    subject,
    level,
    reason,
    findings,
    ...(worst ? { deciding: findings.indexOf(worst) } : {}),
    resolution: r,
    circuitBreaker: service?.circuitBreaker,
    failedTasks: service?.failedTasks,
    deploymentCount: service?.deploymentCount,
    events: dedupeEvents(service?.events ?? []),
    stopped,
    cloudMapOnly: r.endpoints.filter((e) => e.state === "stale"),
    ecsOnly: r.endpoints.filter((e) => e.state === "unregistered"),
    staleClients,
    ...(input.clientsLeftOut && staleClients
      ? { clientsChecked: { checked: input.clients?.length ?? 0, ...input.clientsLeftOut } }
      : {}),
    traffic: input.traffic,
    ...(input.targetHealth ? { targetHealth: input.targetHealth } : {}),
    nextCheck,
    ...(worst?.since ? { since: worst.since } : {}),
    unknown: level === "unknown" ? [] : unknown,
    gaps,
  };
}

/**
 * The report as a client that dials one task's address sees it (a why to an IP): that task alone
 * answers there, so it is judged on its own endpoint, never on the service's other, healthy ones.
 * Any other report is returned as it is.
 */
export function dialledTaskReport(report: HealthReport): HealthReport {
  const r = report.resolution;
  const task = r.askedTask;
  if (r.subject.kind !== "task" || !r.subject.ip || r.query !== r.subject.ip || !task)
    return report;
  const resolution: Resolution = {
    ...r,
    endpoints: [task],
    healthy: task.state === "healthy" ? 1 : 0,
    unknown: task.state === "unknown" ? 1 : 0,
  };
  const subject = `${task.ip ?? r.subject.ip} (task ${(task.taskId ?? "?").slice(0, 12)} of ${report.subject})`;
  const note = task.note ? ` (${task.note})` : "";
  // The reason is the dialled task's own, no finding's: every finding is "also".
  const { deciding: _deciding, ...rest } = report;
  if (task.state === "unhealthy" || task.state === "stale") {
    const what = task.state === "stale" ? "no longer runs" : "is unhealthy";
    return { ...rest, subject, resolution, level: "down", reason: `the task ${what}${note}` };
  }
  if (task.state === "unknown") {
    const reason = "the task's state could not be read";
    return { ...rest, subject, resolution, level: "unknown", reason };
  }
  return { ...report, subject, resolution };
}

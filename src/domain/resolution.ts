// The answer to "what stands behind this name": built from facts, rendered by src/render.
// Strings here are plain text (no Slack markup); renderers escape and format them. Unknown is
// not absent: see src/domain/README.md ("Who can resolve a name"). The parts are in ./resolution/.

import type { Gap } from "./facts.ts";
import {
  bindingMatches,
  bindingsOf,
  hostOf,
  listenLabel,
  type NameBinding,
  publishedPort,
  typedDiscoveryName,
} from "./resolution/bindings.ts";
import { type Endpoint, endpointCount, endpointsOf, taskEndpoint } from "./resolution/endpoints.ts";
import { type NameHealth, nameHealthOf } from "./resolution/glance.ts";
import {
  clientOnlyNote,
  type Publisher,
  publisherOf,
  reachWithoutName,
} from "./resolution/publisher.ts";
import type { ServiceFacts } from "./resolution/service-facts.ts";
import { stopNote } from "./stops.ts";
import { utcMinute } from "./time.ts";

export type Subject =
  | { kind: "name"; name: string }
  | { kind: "service" }
  | { kind: "task"; taskId: string; ip?: string };

export interface Resolution {
  /** What was asked, as typed. */
  query: string;
  subject: Subject;
  publisher: Publisher;
  /** Every name the service publishes; the focused one first. */
  bindings: NameBinding[];
  /**
   * Endpoints of the focused name, or the service's tasks when it publishes none. Unhealthy first.
   * Asked about one task: still the service's, that task marked `asked`.
   */
  endpoints: Endpoint[];
  /** Asked about one task: its endpoint, also when it is no longer among them (stopped). */
  askedTask?: Endpoint;
  /** Each name's endpoint counts, in the order of `bindings` (each name has its own instances). */
  nameHealth: NameHealth[];
  /** Asked NAME:PORT and the name is published, but not on that port: nothing answers there. */
  unpublishedPort?: UnpublishedPort;
  healthy: number;
  /** Endpoints whose state could not be read. */
  unknown: number;
  /** False when the endpoints could not be listed at all (neither Cloud Map nor ECS answered). */
  endpointsKnown: boolean;
  verdict: string;
  nextCheck: string;
  gaps: Gap[];
}

function mechanismLabel(binding: NameBinding): string {
  switch (binding.scope.kind) {
    case "service-connect":
      return "Service Connect alias";
    case "dns": {
      const records = binding.scope.records.map((r) => `${r.type}, TTL ${r.ttl}s`).join("; ");
      return `Service Discovery DNS name (${records || "no records"})`;
    }
    case "unconfirmed":
      return "Cloud Map name in an HTTP namespace";
    default:
      return "Cloud Map name (API discovery only)";
  }
}

function portLabel(binding: NameBinding): string {
  const number = binding.containerPort ?? "?";
  // Service Connect treats a port without appProtocol as TCP: say so, it decides the metrics.
  const proto = binding.appProtocol
    ? `/${binding.appProtocol}`
    : binding.scope.kind === "service-connect"
      ? "/tcp"
      : "";
  return binding.portName
    ? `port ${binding.portName} (${number}${proto})`
    : `port ${number}${proto}`;
}

function verdictFor(
  request: ResolveRequest,
  focus: NameBinding | undefined,
  pub: Publisher,
  task: Endpoint | undefined,
  endpoints: Endpoint[],
  healthy: number,
  unknown: number,
): string {
  const { subject, query } = request;
  const owner = `${pub.cluster}/${pub.service}`;
  if (subject.kind === "task") {
    const status = [task?.lastStatus, task?.healthStatus].filter(Boolean).join(", ");
    const clientOnly = clientOnlyNote(pub);
    const reach = focus
      ? `, serves ${focus.name}`
      : clientOnly
        ? `, ${clientOnly}`
        : ", publishes no name";
    return `${query} → task ${subject.taskId} of ${owner}${status ? ` (${status})` : ""}${reach}`;
  }
  if (subject.kind === "service" || !focus) {
    const names = focus
      ? `publishes ${focus.name}`
      : (clientOnlyNote(pub) ?? (pub.ecs ? "publishes no name" : "its names could not be read"));
    const counts = pub.ecs
      ? `${pub.ecs.running} of ${pub.ecs.desired} tasks running`
      : "ECS state could not be read";
    return `${query} → ECS service ${owner}, ${names}, ${counts}`;
  }
  // Lead with the name as clients use it: never call a bare word or a discovery name an alias.
  const typed = query.toLowerCase().replace(/\.?(:\d+)?$/, "");
  const host = hostOf(focus);
  const shown = typed === host ? query : host;
  const asked = typed === host ? "" : ` (asked: ${query})`;
  const caveat = typedDiscoveryName(focus, typed)
    ? `. ${typed} is only the Cloud Map discovery name: clients cannot resolve it, they use ${focus.name}`
    : "";
  const port = focus.scope.kind === "unconfirmed" ? "" : `, ${portLabel(focus)}`;
  return `${shown}${asked} → ${mechanismLabel(focus)} of ${owner}${port}, ${endpointCount({ endpoints, healthy, unknown })}${caveat}`;
}

function nextCheckFor(
  focus: NameBinding | undefined,
  pub: Publisher,
  endpoints: Endpoint[],
  healthy: number,
): string {
  const label = `${pub.cluster}/${pub.service}`;
  const name = focus ? hostOf(focus) : label;
  const ecs = pub.ecs;
  if (ecs && ecs.desired > 0 && ecs.running === 0) {
    return `Nothing runs: 0 of ${ecs.desired} tasks. See /ecs health ${label} for stop reasons before looking at names or networks.`;
  }
  if (!focus) {
    const clientOnly = clientOnlyNote(pub);
    if (clientOnly) {
      return `It is ${clientOnly}; ${reachWithoutName(pub)}. If it cannot reach a name, run /ecs whois on that name and check its deployment started after the name first appeared.`;
    }
    if (!ecs) return `The ECS service could not be read, so its names are unknown: see below.`;
    if (ecs.loadBalancers.length > 0) {
      return `The service publishes no DNS or Service Connect name: ${reachWithoutName(pub)}. If a caller cannot reach it, check the target group's target health and that the tasks' security groups allow the load balancer.`;
    }
    return `The service publishes no name: callers need its task IPs or a load balancer. To publish one, add Service Connect or a service registry.`;
  }
  const registered = focus.instances?.length;
  if (registered === 0) {
    return `Name: nothing is registered under ${name}, so it resolves to nothing. See /ecs health ${name}.`;
  }
  const bad = endpoints.filter((e) => e.state !== "healthy" && e.state !== "changing");
  const stale = bad.find((e) => e.state === "stale");
  if (stale) {
    return `Name: ${name} still resolves to ${stale.ip ?? stale.taskId}, whose task is gone (${stale.note}). See /ecs health ${name}.`;
  }
  if (healthy === 0 && bad.length > 0 && bad.every((e) => e.state === "unhealthy")) {
    return `App: the name resolves but no endpoint is healthy (${bad[0]?.note ?? "unhealthy"}). See /ecs health ${name}.`;
  }
  const unhealthy = bad.filter((e) => e.state === "unhealthy" || e.state === "unregistered");
  if (unhealthy.length > 0) {
    const first = unhealthy[0];
    return `App: ${unhealthy.length} endpoint(s) not healthy (first: ${first?.ip ?? first?.taskId}, ${first?.note ?? first?.state}). See /ecs health ${name}.`;
  }
  const sg = ecs?.securityGroups.length
    ? ecs.securityGroups.join(", ")
    : "the tasks' security group";
  const path = `if a client resolves it but cannot connect, check that ${sg} allows ${listenLabel(focus)} from the client's security group`;
  if (focus.scope.kind === "service-connect") {
    const since = focus.appearedAt
      ? `whose deployment started after ${utcMinute(focus.appearedAt)} (when ${focus.discoveryName} first appeared in the namespace; redeploy an older one)`
      : `whose deployment started after ${focus.discoveryName} first appeared in the namespace (that time could not be read)`;
    return `Name resolves for Service Connect services in ${focus.scope.namespace} ${since}; not for a Lambda or EC2 host (see above for what they can use). Path: ${path}.`;
  }
  if (focus.scope.kind === "unconfirmed") {
    return `The ECS service could not be read, so whether ${name} is a Service Connect alias is unknown. Path: ${path}.`;
  }
  return `Name resolves in the VPC; ${path}.`;
}

/** NAME:PORT whose name is published, but on none of its bindings on that port. */
export interface UnpublishedPort {
  /** The name asked, without the port. */
  name: string;
  port: number;
  /** The ports the name is published on, and each as NAME:PORT (what to type instead). */
  published: { port?: number; name: string }[];
}

/** The asked NAME:PORT when the name is published but not on that port (else undefined). */
export function unpublishedPort(
  request: ResolveRequest,
  bindings: readonly NameBinding[],
): UnpublishedPort | undefined {
  const wanted = request.focusName;
  if (wanted?.port === undefined) return undefined;
  if (bindings.some((b) => bindingMatches(b, wanted.name, wanted.port))) return undefined;
  const named = bindings.filter((b) => bindingMatches(b, wanted.name));
  if (named.length === 0) return undefined;
  return {
    name: wanted.name,
    port: wanted.port,
    published: named.map((b) => {
      const port = publishedPort(b);
      return { port, name: port === undefined ? hostOf(b) : `${hostOf(b)}:${port}` };
    }),
  };
}

export interface ResolveRequest {
  query: string;
  subject: Subject;
  /** The name to focus on, when the user asked by name. */
  focusName?: { name: string; port?: number };
}

export function buildResolution(request: ResolveRequest, facts: ServiceFacts): Resolution {
  const all = bindingsOf(facts);
  // Asked by name: that name. Asked by service, task or IP: the first name it publishes.
  const wanted = request.focusName;
  const focus = wanted ? all.find((b) => bindingMatches(b, wanted.name, wanted.port)) : all[0];
  const bindings = focus ? [focus, ...all.filter((b) => b !== focus)] : all;
  let endpoints = endpointsOf(focus, facts);
  // Asked about one task, the service is still judged on all of its endpoints (one task's state is
  // not the service's): the task is marked among them, or kept aside when it no longer serves.
  let askedTask: Endpoint | undefined;
  if (request.subject.kind === "task") {
    const { taskId } = request.subject;
    endpoints = endpoints.map((e) => (e.taskId === taskId ? { ...e, asked: true } : e));
    askedTask = endpoints.find((e) => e.asked);
    if (!askedTask) {
      const task = [...facts.tasks, ...(facts.extraTasks ?? [])].find((t) => t.id === taskId);
      if (task) {
        const running = task.lastStatus === "RUNNING";
        askedTask = {
          ...taskEndpoint(task, focus?.containerPort, running ? "unregistered" : "stale"),
          note: running ? undefined : stopNote(task),
          asked: true,
        };
      }
    }
  }
  const healthy = endpoints.filter((e) => e.state === "healthy").length;
  const unknown = endpoints.filter((e) => e.state === "unknown").length;
  const publisher = publisherOf(facts);
  const unpublished = unpublishedPort(request, all);
  return {
    query: request.query,
    subject: request.subject,
    publisher,
    bindings,
    endpoints,
    ...(askedTask ? { askedTask } : {}),
    ...(unpublished ? { unpublishedPort: unpublished } : {}),
    nameHealth: bindings.map((b) =>
      nameHealthOf(b.name, b === focus ? endpoints : endpointsOf(b, facts)),
    ),
    healthy,
    unknown,
    endpointsKnown: focus?.instances !== undefined || facts.tasksComplete,
    verdict: verdictFor(request, focus, publisher, askedTask, endpoints, healthy, unknown),
    nextCheck: nextCheckFor(focus, publisher, endpoints, healthy),
    gaps: facts.gaps,
  };
}

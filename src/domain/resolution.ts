// The answer to "what stands behind this name": built from facts, rendered by src/render.
// Strings here are plain text (no Slack markup); renderers escape and format them.

import type {
  CloudMapHealth,
  CloudMapInstance,
  CloudMapService,
  DnsRecordSpec,
  EcsService,
  EcsTask,
  Gap,
  Namespace,
  TaskDefinition,
} from "./facts.ts";

export type EndpointState = "unhealthy" | "stale" | "unregistered" | "healthy";

export interface Endpoint {
  taskId?: string;
  ip?: string;
  port?: number;
  availabilityZone?: string;
  /** Absent when the task is not registered in Cloud Map under this name. */
  cloudMapHealth?: CloudMapHealth;
  lastStatus?: string;
  healthStatus?: string;
  startedAt?: Date;
  state: EndpointState;
  /** Why the state is what it is, for non-healthy endpoints. */
  note?: string;
}

/** Who can resolve a name: the part operators most often get wrong. */
export type Scope =
  | {
      kind: "service-connect";
      namespace: string;
      namespaceType: Namespace["type"];
      /** Service Connect services in the namespace (these can resolve); undefined if unread. */
      clientServices?: string[];
    }
  | {
      kind: "dns";
      namespace: string;
      privateZone: boolean;
      records: DnsRecordSpec[];
      /** VPCs whose DNS answers for the private zone; undefined if unread. */
      vpcIds?: string[];
    }
  | { kind: "cloud-map-api"; namespace: string };

/** One name a service publishes, and how it is reached. */
export interface NameBinding {
  /** What a client uses: "nginx.service-connect:80", "api.internal.local". */
  name: string;
  discoveryName: string;
  namespace: string;
  scope: Scope;
  portName?: string;
  containerName?: string;
  containerPort?: number;
  appProtocol?: string;
  /** Cloud Map instances of this name; undefined when they could not be read. */
  instances?: CloudMapInstance[];
}

export interface Publisher {
  cluster: string;
  service: string;
  serviceArn: string;
  status: string;
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  deployedAt?: Date;
  securityGroups: string[];
  subnets: string[];
  serviceConnectEnabled: boolean;
  serviceConnectNamespace?: string;
}

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
  /** Endpoints of the focused name, or the service's tasks when it publishes none. Unhealthy first. */
  endpoints: Endpoint[];
  healthy: number;
  verdict: string;
  nextCheck: string;
  gaps: Gap[];
}

export interface ServiceFacts {
  service: EcsService;
  taskDefinition?: TaskDefinition;
  /** Tasks ECS runs for the service (RUNNING desired status). */
  tasks: EcsTask[];
  /** Tasks named by Cloud Map that ECS describes as gone; keeps stale registrations honest. */
  extraTasks?: EcsTask[];
  namespaces: Namespace[];
  /** Cloud Map services of the namespaces the service publishes into. */
  cloudMapServices: CloudMapService[];
  /** Instances per Cloud Map service ID; missing entry = could not read. */
  instances: Map<string, CloudMapInstance[]>;
  /** Service Connect services per namespace ARN (from ListServicesByNamespace). */
  namespaceServices: Map<string, string[]>;
  /** VPCs per hosted zone ID. */
  zoneVpcs: Map<string, string[]>;
  gaps: Gap[];
}

export function taskDefinitionLabel(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export function serviceNameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

function namespaceByArn(facts: ServiceFacts, arn: string | undefined): Namespace | undefined {
  if (!arn) return undefined;
  return facts.namespaces.find((n) => n.arn === arn || n.name === arn || n.id === arn);
}

function portMapping(facts: ServiceFacts, portName?: string, containerName?: string) {
  for (const container of facts.taskDefinition?.containers ?? []) {
    if (containerName && container.name !== containerName) continue;
    for (const p of container.portMappings) {
      if (portName === undefined || p.name === portName)
        return { container: container.name, port: p };
    }
  }
  return undefined;
}

function dnsScope(facts: ServiceFacts, ns: Namespace, records: DnsRecordSpec[]): Scope {
  const vpcs = ns.hostedZoneId ? facts.zoneVpcs.get(ns.hostedZoneId) : undefined;
  return {
    kind: "dns",
    namespace: ns.name,
    privateZone: ns.type === "DNS_PRIVATE",
    records,
    vpcIds: ns.type === "DNS_PRIVATE" ? vpcs : undefined,
  };
}

/** Every name the service publishes, through Service Connect and through service registries. */
export function bindingsOf(facts: ServiceFacts): NameBinding[] {
  const out: NameBinding[] = [];
  const sc = facts.service.serviceConnect;
  const scNamespace = sc?.enabled ? namespaceByArn(facts, sc.namespace) : undefined;
  for (const entry of sc?.enabled ? sc.services : []) {
    const nsName = scNamespace?.name ?? sc?.namespace ?? "?";
    const mapping = portMapping(facts, entry.portName);
    const cmService = facts.cloudMapServices.find(
      (s) =>
        s.arn === entry.discoveryArn ||
        (s.name === entry.discoveryName && s.namespaceId === scNamespace?.id),
    );
    const instances = cmService ? facts.instances.get(cmService.id) : undefined;
    const aliases =
      entry.clientAliases.length > 0
        ? entry.clientAliases
        : // Without an explicit alias, clients use discoveryName.namespace on the container port.
          [{ dnsName: `${entry.discoveryName}.${nsName}`, port: mapping?.port.containerPort ?? 0 }];
    for (const alias of aliases) {
      out.push({
        name: alias.port ? `${alias.dnsName}:${alias.port}` : alias.dnsName,
        discoveryName: entry.discoveryName,
        namespace: nsName,
        scope: {
          kind: "service-connect",
          namespace: nsName,
          namespaceType: scNamespace?.type ?? "HTTP",
          clientServices: scNamespace ? facts.namespaceServices.get(scNamespace.arn) : undefined,
        },
        portName: entry.portName,
        containerName: mapping?.container,
        containerPort: mapping?.port.containerPort,
        appProtocol: mapping?.port.appProtocol,
        instances,
      });
    }
  }
  for (const registry of facts.service.serviceRegistries) {
    const cmService = facts.cloudMapServices.find((s) => s.arn === registry.registryArn);
    const ns = cmService ? facts.namespaces.find((n) => n.id === cmService.namespaceId) : undefined;
    if (!cmService || !ns) continue;
    const mapping = portMapping(facts, undefined, registry.containerName);
    const port = registry.containerPort ?? registry.port ?? mapping?.port.containerPort;
    const scope: Scope =
      ns.type === "HTTP" || cmService.dnsRecords.length === 0
        ? { kind: "cloud-map-api", namespace: ns.name }
        : dnsScope(facts, ns, cmService.dnsRecords);
    out.push({
      name: `${cmService.name}.${ns.name}`,
      discoveryName: cmService.name,
      namespace: ns.name,
      scope,
      portName: mapping?.port.name,
      containerName: registry.containerName ?? mapping?.container,
      containerPort: port,
      appProtocol: mapping?.port.appProtocol,
      instances: facts.instances.get(cmService.id),
    });
  }
  return out;
}

const STATE_ORDER: Record<EndpointState, number> = {
  unhealthy: 0,
  stale: 1,
  unregistered: 2,
  healthy: 3,
};

function judge(
  instance: CloudMapInstance | undefined,
  task: EcsTask | undefined,
): Endpoint["state"] {
  if (instance?.health === "UNHEALTHY" || task?.healthStatus === "UNHEALTHY") return "unhealthy";
  if (instance && task && task.lastStatus !== "RUNNING") return "stale";
  if (instance && !task) return "stale";
  if (!instance) return "unregistered";
  return "healthy";
}

function noteFor(
  state: EndpointState,
  instance?: CloudMapInstance,
  task?: EcsTask,
): string | undefined {
  switch (state) {
    case "unhealthy": {
      const failing = task?.containers
        .filter((c) => c.healthStatus === "UNHEALTHY")
        .map((c) => c.name);
      if (failing && failing.length > 0)
        return `container health check failing: ${failing.join(", ")}`;
      return instance?.health === "UNHEALTHY"
        ? "Cloud Map reports it unhealthy"
        : "ECS reports it unhealthy";
    }
    case "stale":
      return task
        ? `registered in Cloud Map but the task is ${task.lastStatus}`
        : "registered in Cloud Map but ECS runs no such task";
    case "unregistered":
      return "running in ECS but not registered in Cloud Map under this name";
    default:
      return undefined;
  }
}

/** "stopped 2026-11-23 15:40 UTC: Essential container in task exited (worker exit 137: OutOfMemoryError…)". */
export function stopNote(task: EcsTask): string {
  const exits = task.containers
    .filter((c) => c.exitCode !== undefined && c.exitCode !== 0)
    .map((c) => `${c.name} exit ${c.exitCode}${c.reason ? `: ${c.reason}` : ""}`);
  const when = task.stoppedAt
    ? ` ${task.stoppedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`
    : "";
  const reason = task.stoppedReason ? `: ${task.stoppedReason}` : "";
  return `task ${task.lastStatus.toLowerCase()}${when}${reason}${exits.length ? ` (${exits.join("; ")})` : ""}`;
}

function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  return endpoints.sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      (a.availabilityZone ?? "").localeCompare(b.availabilityZone ?? "") ||
      (a.ip ?? "").localeCompare(b.ip ?? "", undefined, { numeric: true }),
  );
}

/** Cloud Map instances joined to ECS tasks (ECS registers each task under its task ID). */
export function endpointsOf(binding: NameBinding | undefined, facts: ServiceFacts): Endpoint[] {
  const allTasks = [...facts.tasks, ...(facts.extraTasks ?? [])];
  const byId = new Map(allTasks.map((t) => [t.id, t]));
  if (!binding?.instances) {
    // No name, or its instances unread: the running tasks are what serves the service.
    return sortEndpoints(
      facts.tasks.map((task) => ({
        taskId: task.id,
        ip: task.ipv4,
        port: binding?.containerPort,
        availabilityZone: task.availabilityZone,
        lastStatus: task.lastStatus,
        healthStatus: task.healthStatus,
        startedAt: task.startedAt,
        state: task.healthStatus === "UNHEALTHY" ? "unhealthy" : "healthy",
        note: task.healthStatus === "UNHEALTHY" ? noteFor("unhealthy", undefined, task) : undefined,
      })),
    );
  }
  const seen = new Set<string>();
  const endpoints: Endpoint[] = binding.instances.map((instance) => {
    const task = byId.get(instance.id) ?? allTasks.find((t) => t.ipv4 && t.ipv4 === instance.ipv4);
    if (task) seen.add(task.id);
    const state = judge(instance, task);
    return {
      taskId: task?.id ?? instance.id,
      ip: instance.ipv4 ?? task?.ipv4,
      port: instance.port ?? binding.containerPort,
      availabilityZone: instance.availabilityZone ?? task?.availabilityZone,
      cloudMapHealth: instance.health,
      lastStatus: task?.lastStatus,
      healthStatus: task?.healthStatus,
      startedAt: task?.startedAt,
      state,
      note: noteFor(state, instance, task),
    };
  });
  for (const task of facts.tasks) {
    if (seen.has(task.id) || task.lastStatus !== "RUNNING") continue;
    endpoints.push({
      taskId: task.id,
      ip: task.ipv4,
      port: binding.containerPort,
      availabilityZone: task.availabilityZone,
      lastStatus: task.lastStatus,
      healthStatus: task.healthStatus,
      startedAt: task.startedAt,
      state: "unregistered",
      note: noteFor("unregistered", undefined, task),
    });
  }
  return sortEndpoints(endpoints);
}

function publisherOf(service: EcsService, facts: ServiceFacts): Publisher {
  const sc = service.serviceConnect;
  return {
    cluster: service.clusterName,
    service: service.name,
    serviceArn: service.arn,
    status: service.status,
    taskDefinition: taskDefinitionLabel(service.taskDefinitionArn),
    desired: service.desiredCount,
    running: service.runningCount,
    pending: service.pendingCount,
    rolloutState: service.rolloutState,
    rolloutStateReason: service.rolloutStateReason,
    deployedAt: service.deployedAt,
    securityGroups: service.securityGroups,
    subnets: service.subnets,
    serviceConnectEnabled: sc?.enabled ?? false,
    serviceConnectNamespace: sc?.enabled
      ? (namespaceByArn(facts, sc.namespace)?.name ?? sc.namespace)
      : undefined,
  };
}

/** Does the binding answer to this name? Aliases match with or without their port. */
export function bindingMatches(binding: NameBinding, name: string, port?: number): boolean {
  const [host, bindingPort] = binding.name.split(":");
  if (port !== undefined && bindingPort !== undefined && Number(bindingPort) !== port) return false;
  return (
    host === name ||
    `${binding.discoveryName}.${binding.namespace}` === name ||
    binding.discoveryName === name
  );
}

function mechanismLabel(binding: NameBinding): string {
  switch (binding.scope.kind) {
    case "service-connect":
      return "Service Connect alias";
    case "dns": {
      const records = binding.scope.records.map((r) => `${r.type}, TTL ${r.ttl}s`).join("; ");
      return `Service Discovery DNS name (${records || "no records"})`;
    }
    default:
      return "Cloud Map name (API discovery only)";
  }
}

function portLabel(binding: NameBinding): string {
  const number = binding.containerPort ?? "?";
  const proto = binding.appProtocol ? `/${binding.appProtocol}` : "";
  return binding.portName
    ? `port ${binding.portName} (${number}${proto})`
    : `port ${number}${proto}`;
}

function countLabel(endpoints: Endpoint[], healthy: number): string {
  const noun = endpoints.length === 1 ? "endpoint" : "endpoints";
  return `${healthy} of ${endpoints.length} ${noun} healthy`;
}

function verdictFor(
  subject: Subject,
  query: string,
  focus: NameBinding | undefined,
  pub: Publisher,
  endpoints: Endpoint[],
  healthy: number,
): string {
  const owner = `${pub.cluster}/${pub.service}`;
  if (subject.kind === "task") {
    const task = endpoints.find((e) => e.taskId === subject.taskId);
    const status = [task?.lastStatus, task?.healthStatus].filter(Boolean).join(", ");
    const reach = focus ? `, serves ${focus.name}` : ", publishes no name";
    return `${query} → task ${subject.taskId} of ${owner}${status ? ` (${status})` : ""}${reach}`;
  }
  if (subject.kind === "service" || !focus) {
    const names = focus ? `publishes ${focus.name}` : "publishes no name";
    return `${query} → ECS service ${owner}, ${names}, ${pub.running} of ${pub.desired} tasks running`;
  }
  return `${query} → ${mechanismLabel(focus)} of ${owner}, ${portLabel(focus)}, ${countLabel(endpoints, healthy)}`;
}

function nextCheckFor(
  focus: NameBinding | undefined,
  pub: Publisher,
  endpoints: Endpoint[],
  healthy: number,
): string {
  const name = focus?.name.split(":")[0] ?? `${pub.cluster}/${pub.service}`;
  if (pub.desired > 0 && pub.running === 0) {
    return `Nothing runs: 0 of ${pub.desired} tasks. See /ecs health ${pub.cluster}/${pub.service} for stop reasons before looking at names or networks.`;
  }
  if (!focus) {
    return `The service publishes no name: callers need its task IPs or a load balancer. To publish one, add Service Connect or a service registry.`;
  }
  const registered = focus.instances?.length;
  if (registered === 0) {
    return `Name: nothing is registered under ${name}, so it resolves to nothing. See /ecs health ${name}.`;
  }
  if (healthy === 0) {
    return `0 healthy endpoints: the name resolves but nothing healthy answers. See /ecs health ${name}.`;
  }
  const bad = endpoints.filter((e) => e.state !== "healthy");
  if (bad.length > 0) {
    const first = bad[0];
    return `App: ${bad.length} endpoint(s) not healthy (first: ${first?.ip ?? first?.taskId}, ${first?.note ?? first?.state}). See /ecs health ${name}.`;
  }
  const sg =
    pub.securityGroups.length > 0 ? pub.securityGroups.join(", ") : "the tasks' security group";
  const port = focus.containerPort ?? "the port";
  const path = `if a client resolves it but cannot connect, check that ${sg} allows TCP ${port} from the client's security group`;
  if (focus.scope.kind === "service-connect") {
    const since = pub.deployedAt ? ` after ${pub.deployedAt.toISOString()}` : "";
    return `Name resolves for Service Connect clients in ${focus.scope.namespace}: if a caller cannot resolve it, check it is a Service Connect service in that namespace whose tasks started${since} (redeploy older ones); ${path}.`;
  }
  return `Name resolves in the VPC; ${path}.`;
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
  if (request.subject.kind === "task") {
    const { taskId } = request.subject;
    const match = endpoints.filter((e) => e.taskId === taskId);
    if (match.length === 0) {
      const task = [...facts.tasks, ...(facts.extraTasks ?? [])].find((t) => t.id === taskId);
      if (task) {
        match.push({
          taskId: task.id,
          ip: task.ipv4,
          availabilityZone: task.availabilityZone,
          lastStatus: task.lastStatus,
          healthStatus: task.healthStatus,
          startedAt: task.startedAt,
          state: task.lastStatus === "RUNNING" ? "unregistered" : "stale",
          note: task.lastStatus === "RUNNING" ? undefined : stopNote(task),
        });
      }
    }
    endpoints = match;
  }
  const healthy = endpoints.filter((e) => e.state === "healthy").length;
  const publisher = publisherOf(facts.service, facts);
  return {
    query: request.query,
    subject: request.subject,
    publisher,
    bindings,
    endpoints,
    healthy,
    verdict: verdictFor(request.subject, request.query, focus, publisher, endpoints, healthy),
    nextCheck: nextCheckFor(focus, publisher, endpoints, healthy),
    gaps: facts.gaps,
  };
}

// The answer to "what stands behind this name": built from facts, rendered by src/render.
// Strings here are plain text (no Slack markup); renderers escape and format them.
//
// Unknown is not absent: whatever could not be read (facts.service undefined, tasksComplete
// false, a binding's instances undefined) never turns into "stale", "not registered" or
// "0 healthy". It becomes the endpoint state "unknown" and a gap that says why.

import type {
  CloudMapHealth,
  CloudMapInstance,
  CloudMapService,
  DnsRecordSpec,
  EcsService,
  EcsTask,
  Gap,
  LoadBalancerRef,
  Namespace,
  TaskDefinition,
} from "./facts.ts";
import { stopNote } from "./stops.ts";
import { utcMinute } from "./time.ts";

export { stopNote } from "./stops.ts";

export type EndpointState =
  | "unhealthy"
  | "stale"
  | "unregistered"
  | "unknown"
  | "changing"
  | "healthy";

export interface Endpoint {
  taskId?: string;
  ip?: string;
  port?: number;
  availabilityZone?: string;
  /** Absent when the task is not registered in Cloud Map under this name. */
  cloudMapHealth?: CloudMapHealth;
  /** The Cloud Map instance ID, when registered (needed to deregister a stale one). */
  instanceId?: string;
  /** The instance carries ECS's attributes (ECS_CLUSTER_NAME, …): ECS registered it. */
  registeredByEcs?: boolean;
  lastStatus?: string;
  healthStatus?: string;
  startedAt?: Date;
  stoppedAt?: Date;
  state: EndpointState;
  /** Why the state is what it is, for non-healthy endpoints. */
  note?: string;
  /** The task the user asked about (by IP, task ID or ARN). */
  asked?: boolean;
}

/** Who can resolve a name: the part operators most often get wrong. */
export type Scope =
  | {
      kind: "service-connect";
      namespace: string;
      namespaceType: Namespace["type"];
      /** Service Connect services in the namespace (these can resolve); undefined if unread. */
      clientServices?: string[];
      /** Only the first page of them was read: the namespace holds more. */
      clientServicesMore?: boolean;
    }
  | {
      kind: "dns";
      namespace: string;
      privateZone: boolean;
      records: DnsRecordSpec[];
      /** VPCs whose DNS answers for the private zone; undefined if unread. */
      vpcIds?: string[];
      /** The Route 53 hosted zone behind the namespace. */
      hostedZoneId?: string;
      /** The account of the namespace and its zone (from the namespace's ARN). */
      zoneAccountId?: string;
    }
  | { kind: "cloud-map-api"; namespace: string }
  /** A name in an HTTP namespace whose ECS service could not be read: Service Connect or API only. */
  | { kind: "unconfirmed"; namespace: string };

/** One name a service publishes, and how it is reached. */
export interface NameBinding {
  /** What a client uses: "nginx.service-connect:80", "api.internal.local". */
  name: string;
  /** The Cloud Map service name. For Service Connect not a name clients can resolve. */
  discoveryName: string;
  namespace: string;
  /** The namespace's HttpName, what Cloud Map DiscoverInstances takes. */
  namespaceHttpName?: string;
  scope: Scope;
  portName?: string;
  containerName?: string;
  containerPort?: number;
  appProtocol?: string;
  /**
   * Where the server side listens: for Service Connect the proxy (ingressPortOverride, else the
   * container port; "ephemeral" in bridge mode without an override), else the container port.
   */
  listenPort?: number | "ephemeral";
  /** Cloud Map service behind the name. */
  cloudMapServiceId?: string;
  /** When the discovery name first appeared in the namespace (its Cloud Map service's CreateDate). */
  appearedAt?: Date;
  /** Cloud Map instances of this name; undefined when they could not be read. */
  instances?: CloudMapInstance[];
}

/** What DescribeServices said about the publishing service. */
export interface PublisherState {
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
  /** Service Connect enabled but publishing no port: a client of the namespace only. */
  serviceConnectClientOnly: boolean;
  /** The load balancers (target groups) the service registers its tasks with. */
  loadBalancers: LoadBalancerRef[];
}

export interface Publisher {
  cluster: string;
  service: string;
  /** Undefined when the ECS service could not be read (a gap says why). */
  ecs?: PublisherState;
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
  /**
   * Endpoints of the focused name, or the service's tasks when it publishes none. Unhealthy first.
   * Asked about one task: still the service's, that task marked `asked`.
   */
  endpoints: Endpoint[];
  /** Asked about one task: its endpoint, also when it is no longer among them (stopped). */
  askedTask?: Endpoint;
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

/** What the caller already read about one name, so it is not read twice. */
export interface KnownName {
  namespace: Namespace;
  discoveryName: string;
  instances: CloudMapInstance[];
}

export interface ServiceFacts {
  /** The ECS service asked about, known even when DescribeServices failed. */
  ref: { cluster: string; service: string };
  /** Undefined when DescribeServices could not be read. */
  service?: EcsService;
  taskDefinition?: TaskDefinition;
  /** Tasks ECS runs for the service (RUNNING desired status). */
  tasks: EcsTask[];
  /** False when the task list, or some of its tasks, could not be read. */
  tasksComplete: boolean;
  /** Tasks named by Cloud Map that ECS describes as gone; keeps stale registrations honest. */
  extraTasks?: EcsTask[];
  namespaces: Namespace[];
  /** Cloud Map services of the namespaces the service publishes into. */
  cloudMapServices: CloudMapService[];
  /** Instances per Cloud Map service ID; missing entry = could not read. */
  instances: Map<string, CloudMapInstance[]>;
  /** Service Connect services per namespace ARN (from ListServicesByNamespace). */
  namespaceServices: Map<string, string[]>;
  /** Namespaces (ARNs) of which only the first page of services was read: there are more. */
  namespaceServicesMore?: Set<string>;
  /** VPCs per hosted zone ID. */
  zoneVpcs: Map<string, string[]>;
  /** The name found in Cloud Map before the ECS service was read (the fast path). */
  known?: KnownName;
  gaps: Gap[];
}

export function taskDefinitionLabel(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export function namespaceByRef(
  namespaces: readonly Namespace[],
  ref: string | undefined,
): Namespace | undefined {
  if (!ref) return undefined;
  return namespaces.find((n) => n.arn === ref || n.name === ref || n.id === ref);
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
    hostedZoneId: ns.hostedZoneId,
    zoneAccountId: ns.arn.split(":")[4] || undefined,
  };
}

/** ECS's default alias: discoveryName.namespace (ECS API ServiceConnectClientAlias.dnsName). */
export function defaultAlias(discoveryName: string, namespaceName: string | undefined): string {
  return `${discoveryName}.${namespaceName ?? "(namespace unread)"}`;
}

function serviceConnectBindings(facts: ServiceFacts, service: EcsService): NameBinding[] {
  const sc = service.serviceConnect;
  if (!sc?.enabled) return [];
  const ns = namespaceByRef(facts.namespaces, sc.namespace);
  // The official create-service example gives the namespace by name; most give its ARN.
  const nsName = ns?.name ?? (sc.namespace?.startsWith("arn:") ? undefined : sc.namespace);
  const bridge = facts.taskDefinition?.networkMode === "bridge";
  return sc.services.flatMap((entry) => {
    const mapping = portMapping(facts, entry.portName);
    const cmService = facts.cloudMapServices.find(
      (s) =>
        (entry.discoveryArn !== undefined && s.arn === entry.discoveryArn) ||
        (s.name === entry.discoveryName && ns !== undefined && s.namespaceId === ns.id),
    );
    const containerPort = mapping?.port.containerPort;
    const listenPort =
      entry.ingressPortOverride ?? (bridge ? ("ephemeral" as const) : containerPort);
    const aliases =
      entry.clientAliases.length > 0
        ? entry.clientAliases
        : // Without a client alias, clients use discoveryName.namespace on the container port.
          [{ dnsName: undefined, port: containerPort ?? 0 }];
    return aliases.map((alias) => {
      const host = alias.dnsName ?? defaultAlias(entry.discoveryName, nsName);
      return {
        name: alias.port ? `${host}:${alias.port}` : host,
        discoveryName: entry.discoveryName,
        namespace: nsName ?? "(namespace unread)",
        namespaceHttpName: ns?.httpName,
        scope: {
          kind: "service-connect" as const,
          namespace: nsName ?? "(namespace unread)",
          namespaceType: ns?.type ?? "HTTP",
          clientServices: ns ? facts.namespaceServices.get(ns.arn) : undefined,
          clientServicesMore: ns ? facts.namespaceServicesMore?.has(ns.arn) : undefined,
        },
        portName: entry.portName,
        containerName: mapping?.container,
        containerPort,
        appProtocol: mapping?.port.appProtocol,
        listenPort,
        cloudMapServiceId: cmService?.id,
        appearedAt: cmService?.createdAt,
        instances: cmService ? facts.instances.get(cmService.id) : undefined,
      };
    });
  });
}

function registryBindings(facts: ServiceFacts, service: EcsService): NameBinding[] {
  return service.serviceRegistries.flatMap((registry) => {
    const cmService = facts.cloudMapServices.find((s) => s.arn === registry.registryArn);
    const ns = cmService ? facts.namespaces.find((n) => n.id === cmService.namespaceId) : undefined;
    if (!cmService || !ns) return [];
    const mapping = portMapping(facts, undefined, registry.containerName);
    const port = registry.containerPort ?? registry.port ?? mapping?.port.containerPort;
    const scope: Scope =
      ns.type === "HTTP" || cmService.dnsRecords.length === 0
        ? { kind: "cloud-map-api", namespace: ns.name }
        : dnsScope(facts, ns, cmService.dnsRecords);
    return [
      {
        name: `${cmService.name}.${ns.name}`,
        discoveryName: cmService.name,
        namespace: ns.name,
        namespaceHttpName: ns.httpName,
        scope,
        portName: mapping?.port.name,
        containerName: registry.containerName ?? mapping?.container,
        containerPort: port,
        appProtocol: mapping?.port.appProtocol,
        listenPort: port,
        cloudMapServiceId: cmService.id,
        appearedAt: cmService.createdAt,
        instances: facts.instances.get(cmService.id),
      },
    ];
  });
}

/** The name found in Cloud Map, when the ECS service that would say how it is used is unread. */
function knownBinding(facts: ServiceFacts, known: KnownName): NameBinding {
  const ns = known.namespace;
  const cmService = facts.cloudMapServices.find(
    (s) => s.name === known.discoveryName && s.namespaceId === ns.id,
  );
  const scope: Scope =
    ns.type === "HTTP"
      ? { kind: "unconfirmed", namespace: ns.name }
      : dnsScope(facts, ns, cmService?.dnsRecords ?? []);
  return {
    name: `${known.discoveryName}.${ns.name}`,
    discoveryName: known.discoveryName,
    namespace: ns.name,
    namespaceHttpName: ns.httpName,
    scope,
    listenPort: known.instances.find((i) => i.port !== undefined)?.port,
    cloudMapServiceId: cmService?.id,
    appearedAt: cmService?.createdAt,
    instances: known.instances,
  };
}

/** Every name the service publishes, through Service Connect and through service registries. */
export function bindingsOf(facts: ServiceFacts): NameBinding[] {
  const service = facts.service;
  if (!service) return facts.known ? [knownBinding(facts, facts.known)] : [];
  return [...serviceConnectBindings(facts, service), ...registryBindings(facts, service)];
}

const STATE_ORDER: Record<EndpointState, number> = {
  unhealthy: 0,
  stale: 1,
  unregistered: 2,
  unknown: 3,
  changing: 4,
  healthy: 5,
};

/** A task on its way up or down: Cloud Map follows it, so it is not a finding. */
const TRANSIENT = new Set([
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
]);

function registeredByEcs(instance: CloudMapInstance): boolean {
  return instance.ecsClusterName !== undefined || instance.ecsServiceName !== undefined;
}

function judge(
  instance: CloudMapInstance,
  task: EcsTask | undefined,
  facts: ServiceFacts,
): { state: EndpointState; note?: string } {
  if (task && task.lastStatus !== "RUNNING") {
    if (TRANSIENT.has(task.lastStatus))
      return { state: "changing", note: `task ${task.lastStatus}` };
    return {
      state: "stale",
      note: `registered in Cloud Map, but the ${stopNote(task)}`,
    };
  }
  if (instance.health === "UNHEALTHY" || task?.healthStatus === "UNHEALTHY") {
    return { state: "unhealthy", note: unhealthyNote(instance, task) };
  }
  if (task) return { state: "healthy" };
  // No task behind the instance. Only a complete read of the service's tasks makes it stale.
  if (instance.ecsServiceName && instance.ecsServiceName !== facts.ref.service) {
    return {
      state: "unknown",
      note: `registered by ECS service ${instance.ecsClusterName ?? "?"}/${instance.ecsServiceName}`,
    };
  }
  if (!facts.tasksComplete) {
    return { state: "unknown", note: "registered in Cloud Map; its ECS task could not be read" };
  }
  return {
    state: "stale",
    note: TASK_ID.test(instance.id)
      ? `registered in Cloud Map, but ECS no longer describes task ${instance.id.slice(0, 12)}`
      : `registered in Cloud Map, but no running task of ${facts.ref.service} has this IP`,
  };
}

function unhealthyNote(instance?: CloudMapInstance, task?: EcsTask): string {
  const failing = task?.containers.filter((c) => c.healthStatus === "UNHEALTHY").map((c) => c.name);
  if (failing && failing.length > 0) return `container health check failing: ${failing.join(", ")}`;
  return instance?.health === "UNHEALTHY"
    ? "Cloud Map reports it unhealthy"
    : "ECS reports it unhealthy";
}

const TASK_ID = /^[0-9a-f]{32}$/;

function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  return endpoints.sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      (a.availabilityZone ?? "").localeCompare(b.availabilityZone ?? "") ||
      (a.ip ?? "").localeCompare(b.ip ?? "", undefined, { numeric: true }),
  );
}

function taskEndpoint(task: EcsTask, port: number | undefined, state: EndpointState): Endpoint {
  return {
    taskId: task.id,
    ip: task.ipv4,
    port,
    availabilityZone: task.availabilityZone,
    lastStatus: task.lastStatus,
    healthStatus: task.healthStatus,
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
    state,
  };
}

/**
 * Cloud Map instances joined to ECS tasks: by task ID (ECS registers Service Discovery tasks
 * under it), else by IP (Service Connect instances need not carry the task ID or ECS attributes).
 */
export function endpointsOf(binding: NameBinding | undefined, facts: ServiceFacts): Endpoint[] {
  const allTasks = [...facts.tasks, ...(facts.extraTasks ?? [])];
  const byId = new Map(allTasks.map((t) => [t.id, t]));
  // A running task wins over a stopped one that once held the same address.
  const byIp = (ip: string | undefined) =>
    ip === undefined
      ? undefined
      : (allTasks.find((t) => t.ipv4 === ip && t.lastStatus === "RUNNING") ??
        allTasks.find((t) => t.ipv4 === ip));
  if (!binding?.instances) {
    // No name, or its instances unread: the running tasks are what serves the service.
    return sortEndpoints(
      facts.tasks.map((task) => {
        const unhealthy = task.healthStatus === "UNHEALTHY";
        const e = taskEndpoint(task, binding?.containerPort, unhealthy ? "unhealthy" : "healthy");
        return unhealthy ? { ...e, note: unhealthyNote(undefined, task) } : e;
      }),
    );
  }
  const seen = new Set<string>();
  const endpoints: Endpoint[] = binding.instances.map((instance) => {
    const task = byId.get(instance.id) ?? byIp(instance.ipv4);
    if (task) seen.add(task.id);
    const { state, note } = judge(instance, task, facts);
    return {
      taskId: task?.id ?? (TASK_ID.test(instance.id) ? instance.id : undefined),
      ip: instance.ipv4 ?? task?.ipv4,
      port: instance.port ?? binding.containerPort,
      availabilityZone: instance.availabilityZone ?? task?.availabilityZone,
      cloudMapHealth: instance.health,
      instanceId: instance.id,
      registeredByEcs: registeredByEcs(instance),
      lastStatus: task?.lastStatus,
      healthStatus: task?.healthStatus,
      startedAt: task?.startedAt,
      stoppedAt: task?.stoppedAt,
      state,
      note,
    };
  });
  for (const task of facts.tasks) {
    if (seen.has(task.id) || task.lastStatus !== "RUNNING") continue;
    endpoints.push({
      ...taskEndpoint(task, binding.containerPort, "unregistered"),
      note: "running in ECS but not registered in Cloud Map under this name",
    });
  }
  return sortEndpoints(endpoints);
}

function publisherOf(facts: ServiceFacts): Publisher {
  const service = facts.service;
  if (!service) return { cluster: facts.ref.cluster, service: facts.ref.service };
  const sc = service.serviceConnect;
  return {
    cluster: service.clusterName,
    service: service.name,
    ecs: {
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
        ? (namespaceByRef(facts.namespaces, sc.namespace)?.name ?? sc.namespace)
        : undefined,
      serviceConnectClientOnly: (sc?.enabled ?? false) && (sc?.services.length ?? 0) === 0,
      loadBalancers: service.loadBalancers ?? [],
    },
  };
}

/** The host part of a binding's name: "nginx.service-connect" of "nginx.service-connect:80". */
export function hostOf(binding: NameBinding): string {
  return binding.name.replace(/:\d+$/, "");
}

/**
 * The port a client dials on this name: an alias's own port, else the port the service listens on
 * (a Service Discovery name's registered port, the container port of an alias-less Service
 * Connect name). Undefined when unknown.
 */
export function publishedPort(binding: NameBinding): number | undefined {
  const aliasPort = /:(\d+)$/.exec(binding.name)?.[1];
  if (aliasPort !== undefined) return Number(aliasPort);
  if (binding.scope.kind === "service-connect") return binding.containerPort;
  return typeof binding.listenPort === "number" ? binding.listenPort : binding.containerPort;
}

/** Does the binding answer to this name (on this port, when one is given and known)? */
export function bindingMatches(binding: NameBinding, name: string, port?: number): boolean {
  const bindingPort = publishedPort(binding);
  if (port !== undefined && bindingPort !== undefined && bindingPort !== port) return false;
  return (
    hostOf(binding) === name ||
    `${binding.discoveryName}.${binding.namespace}` === name ||
    binding.discoveryName === name
  );
}

/**
 * Typed the Cloud Map discovery name of a Service Connect service whose alias is something
 * else: clients cannot resolve what was typed, and the answer must say so.
 */
export function typedDiscoveryName(binding: NameBinding, typed: string): boolean {
  return (
    binding.scope.kind === "service-connect" &&
    hostOf(binding) !== typed &&
    (typed === `${binding.discoveryName}.${binding.namespace}` || typed === binding.discoveryName)
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

/** "the proxy's port 8080", "TCP 80" … the port a security group must allow for this name. */
export function listenLabel(binding: NameBinding): string {
  if (binding.listenPort === "ephemeral")
    return "the Service Connect proxy's ephemeral port (bridge mode: allow the ephemeral port range)";
  const port = binding.listenPort ?? binding.containerPort;
  if (port === undefined) return "the service's port";
  if (binding.scope.kind === "service-connect" && port !== binding.containerPort) {
    return `TCP ${port} (the Service Connect proxy's listener; the app itself is on ${binding.containerPort ?? "?"})`;
  }
  return `TCP ${port}`;
}

/**
 * "2 of 3 endpoints healthy", and with endpoints whose task could not be read, never a count of
 * healthy ones that reads as "0 healthy": "1 healthy and 2 unknown of 3 endpoints".
 */
export function endpointCount(r: Pick<Resolution, "endpoints" | "healthy" | "unknown">): string {
  const n = r.endpoints.length;
  const noun = n === 1 ? "endpoint" : "endpoints";
  if (r.unknown > 0 && r.unknown === n) return `${n} ${noun} registered, their ECS state unread`;
  if (r.unknown > 0) return `${r.healthy} healthy and ${r.unknown} unknown of ${n} ${noun}`;
  return `${r.healthy} of ${n} ${noun} healthy`;
}

/** "target group web-frontend-tg (container web, port 8080)", from DescribeServices alone. */
export function loadBalancerLabel(lb: LoadBalancerRef): string {
  // arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID
  const group = lb.targetGroupArn?.split(":").at(-1)?.split("/")[1];
  const what = group
    ? `target group ${group}`
    : lb.loadBalancerName
      ? `Classic Load Balancer ${lb.loadBalancerName}`
      : "a load balancer";
  const where = [
    lb.containerName && `container ${lb.containerName}`,
    lb.containerPort && `port ${lb.containerPort}`,
  ].filter(Boolean);
  return where.length > 0 ? `${what} (${where.join(", ")})` : what;
}

/**
 * How callers reach a service without a name of its own: its load balancers when it has some
 * (their listeners and rules are not read here), else its task IPs only.
 */
export function reachWithoutName(pub: Publisher): string {
  const lbs = pub.ecs?.loadBalancers ?? [];
  if (lbs.length === 0) return "callers reach it only by task IP or a load balancer";
  return `callers reach it through its load balancer${lbs.length > 1 ? "s" : ""}: ${lbs.map(loadBalancerLabel).join("; ")}`;
}

function clientOnlyNote(pub: Publisher): string | undefined {
  return pub.ecs?.serviceConnectClientOnly
    ? `a Service Connect client of namespace ${pub.ecs.serviceConnectNamespace ?? "?"} (it resolves that namespace's aliases and publishes none)`
    : undefined;
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

/**
 * What a client that cannot resolve a Service Connect alias (a Lambda, an EC2 host, a task
 * outside the namespace's services) can use instead, most direct first.
 */
export function outsideAlternatives(focus: NameBinding, all: NameBinding[], pub: Publisher) {
  const dns = all.filter((b) => b.scope.kind === "dns").map(hostOf);
  const api = `Cloud Map DiscoverInstances (aws servicediscovery discover-instances --namespace-name ${focus.namespaceHttpName ?? focus.namespace} --service-name ${focus.discoveryName}), then connect to an instance's IP on ${listenLabel(focus)}`;
  if (dns.length > 0) {
    return `use ${dns.join(" or ")} (this service's Service Discovery DNS name, resolvable through VPC DNS), or ${api}`;
  }
  const lbs = pub.ecs?.loadBalancers ?? [];
  if (lbs.length > 0) {
    return `use its load balancer (${lbs.map(loadBalancerLabel).join("; ")}), or ${api}`;
  }
  return `use ${api}, or a load balancer in front of the service. To give them a DNS name, add a service registry in a private DNS namespace of their VPC (this starts a new deployment): aws ecs update-service --cluster ${pub.cluster} --service ${pub.service} --service-registries registryArn=<Cloud Map service ARN in that namespace>`;
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
    healthy,
    unknown,
    endpointsKnown: focus?.instances !== undefined || facts.tasksComplete,
    verdict: verdictFor(request, focus, publisher, askedTask, endpoints, healthy, unknown),
    nextCheck: nextCheckFor(focus, publisher, endpoints, healthy),
    gaps: facts.gaps,
  };
}

// Who can resolve a name: the names a service publishes (Service Connect aliases, Service
// Discovery names, Cloud Map API names), each with its scope, and which of them was asked.

import type { CloudMapInstance, DnsRecordSpec, EcsService, Namespace } from "../facts.ts";
import { type KnownName, namespaceByRef, type ServiceFacts } from "./service-facts.ts";

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

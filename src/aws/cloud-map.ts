import {
  DiscoverInstancesCommand,
  GetServiceCommand,
  type HttpInstanceSummary,
  type NamespaceSummary,
  paginateListNamespaces,
  paginateListServices,
  type ServiceDiscoveryClient,
  type ServiceSummary,
} from "@aws-sdk/client-servicediscovery";
import type {
  CloudMapHealth,
  CloudMapInstance,
  CloudMapService,
  Namespace,
  NamespaceType,
} from "../domain/facts.ts";
import { collect } from "./batch.ts";
import { TTL, type TtlCache } from "./cache.ts";
import type { ReadMode } from "./clients.ts";
import { read } from "./errors.ts";

const PAGE_MAX = 100;
/** DiscoverInstances' own ceiling: a discovery name rarely has more endpoints than this. */
const DISCOVER_MAX = 1000;

export function toNamespace(ns: NamespaceSummary): Namespace {
  const name = ns.Name ?? "";
  return {
    id: ns.Id ?? "",
    arn: ns.Arn ?? "",
    name,
    type: (ns.Type ?? "HTTP") as NamespaceType,
    httpName: ns.Properties?.HttpProperties?.HttpName ?? name,
    hostedZoneId: ns.Properties?.DnsProperties?.HostedZoneId,
  };
}

export function toService(s: ServiceSummary, namespaceId: string): CloudMapService {
  return {
    id: s.Id ?? "",
    arn: s.Arn ?? "",
    name: s.Name ?? "",
    namespaceId,
    dnsRecords: (s.DnsConfig?.DnsRecords ?? []).map((r) => ({
      type: r.Type ?? "A",
      ttl: r.TTL ?? 0,
    })),
    routingPolicy: s.DnsConfig?.RoutingPolicy,
    createdAt: s.CreateDate,
  };
}

export function toInstance(i: HttpInstanceSummary): CloudMapInstance {
  const a = i.Attributes ?? {};
  const port = a.AWS_INSTANCE_PORT ? Number(a.AWS_INSTANCE_PORT) : undefined;
  return {
    id: i.InstanceId ?? "",
    ipv4: a.AWS_INSTANCE_IPV4,
    port: Number.isFinite(port) ? port : undefined,
    availabilityZone: a.AVAILABILITY_ZONE,
    health: (i.HealthStatus ?? "UNKNOWN") as CloudMapHealth,
    ecsClusterName: a.ECS_CLUSTER_NAME,
    ecsServiceName: a.ECS_SERVICE_NAME,
    taskDefinitionFamily: a.ECS_TASK_DEFINITION_FAMILY,
  };
}

/** Cloud Map reads: the control plane (cached lists) and the data plane (live instances). */
export class CloudMapAdapter {
  /** The request's deadline: every call is aborted when it passes (see AwsContext). */
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: ServiceDiscoveryClient,
    private readonly cache: TtlCache,
    /** The account and region, as this place's cache keys name them ("123456789012:eu-west-1"). */
    private readonly placeKey: string,
    signal?: AbortSignal,
    /** The namespaces (by name) a configured place is narrowed to. */
    private readonly onlyNamespaces?: readonly string[],
    /** One answer's bounded reads, or a digest's whole scope (see ReadMode); awsContext sets it. */
    readonly readMode: ReadMode = "request",
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /** The namespaces (by name) a configured place is narrowed to; undefined when it is not. */
  get configuredNamespaces(): readonly string[] | undefined {
    return this.onlyNamespaces;
  }

  /** Whether listNamespaces answers without a request (a listing kept or under way). */
  get namespacesAtHand(): boolean {
    return this.cache.has(`sd:${this.placeKey}:namespaces`);
  }

  listNamespaces(): Promise<Namespace[]> {
    return this.cache.getOrLoad(`sd:${this.placeKey}:namespaces`, TTL.topology, () =>
      read("list Cloud Map namespaces", "ListNamespaces", async () => {
        const all = await collect(
          paginateListNamespaces({ client: this.client, pageSize: PAGE_MAX }, {}, this.options),
          (p) => p.Namespaces,
        );
        const only = this.onlyNamespaces;
        return all
          .map(toNamespace)
          .filter((ns) => !only || only.includes(ns.name))
          .sort((a, b) => a.name.localeCompare(b.name));
      }),
    );
  }

  /**
   * Cloud Map services of one namespace. The NAMESPACE_ID filter takes one namespace and the
   * summaries do not name their namespace, so the listing is per namespace.
   */
  listServices(namespace: Namespace): Promise<CloudMapService[]> {
    return this.cache.getOrLoad(
      `sd:${this.placeKey}:services:${namespace.id}`,
      TTL.serviceList,
      () =>
        read(`list Cloud Map services of ${namespace.name}`, "ListServices", async () => {
          const all = await collect(
            paginateListServices(
              { client: this.client, pageSize: PAGE_MAX },
              { Filters: [{ Name: "NAMESPACE_ID", Values: [namespace.id], Condition: "EQ" }] },
              this.options,
            ),
            (p) => p.Services,
          );
          return all.map((s) => toService(s, namespace.id));
        }),
    );
  }

  /**
   * One Cloud Map service by ID, for when its name first appeared (CreateDate). A service ID is
   * never reused, so the answer is cached as immutable.
   */
  getService(id: string): Promise<CloudMapService> {
    return this.cache.getOrLoad(`sd:${this.placeKey}:service:${id}`, TTL.immutable, () =>
      read(`get Cloud Map service ${id}`, "GetService", async () => {
        const out = await this.client.send(new GetServiceCommand({ Id: id }), this.options);
        if (!out.Service) throw new Error("empty GetService answer");
        return toService(out.Service, out.Service.NamespaceId ?? "");
      }),
    );
  }

  /**
   * When a Cloud Map service of `namespace` first appeared. Asked alone, one GetService; over a
   * whole scope (a digest) the namespace's listing answers every service in it, a
   * call per 100 services instead of one each (ListServices summaries carry CreateDate). A
   * service the listing lacks or dates not (created since, or unread) is asked alone.
   */
  async createdAt(namespace: Namespace, id: string): Promise<Date | undefined> {
    if (this.readMode === "scope") {
      const listed = await this.listServices(namespace).catch(() => []);
      const found = listed.find((s) => s.id === id)?.createdAt;
      if (found) return found;
    }
    return (await this.getService(id)).createdAt;
  }

  /** Live endpoints of one discovery name, healthy or not: the answer must show both. */
  discoverInstances(namespaceHttpName: string, serviceName: string): Promise<CloudMapInstance[]> {
    const key = `sd:${this.placeKey}:discover:${namespaceHttpName}:${serviceName}`;
    return this.cache.shared(key, () => this.discover(namespaceHttpName, serviceName));
  }

  private discover(namespaceHttpName: string, serviceName: string): Promise<CloudMapInstance[]> {
    return read(
      `discover instances of ${serviceName}.${namespaceHttpName}`,
      "DiscoverInstances",
      async () => {
        const out = await this.client.send(
          new DiscoverInstancesCommand({
            NamespaceName: namespaceHttpName,
            ServiceName: serviceName,
            HealthStatus: "ALL",
            MaxResults: DISCOVER_MAX,
          }),
          this.options,
        );
        return (out.Instances ?? []).map(toInstance);
      },
    );
  }
}

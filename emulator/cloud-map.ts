// AWS Cloud Map (AWS JSON 1.1, X-Amz-Target Route53AutoNaming_v20170314.<Op>) over a Fleet.

import { createHash } from "node:crypto";
import type {
  Fleet,
  FleetCloudMapService,
  FleetInstance,
  FleetNamespace,
  InstanceHealth,
} from "./fleet/types.ts";
import { AwsError, Input, type JsonBody, type Operation, paginate, pick } from "./wire.ts";

// Cloud Map errors carry `Message` (capital M), as the service sends them.
const invalidInput = (message: string) => new AwsError("InvalidInput", message);

// The members of the summary shapes (SDK NamespaceSummary / ServiceSummary): List* return these.
const NAMESPACE_SUMMARY_KEYS = [
  "Id",
  "Arn",
  "ResourceOwner",
  "Name",
  "Type",
  "Description",
  "ServiceCount",
  "Properties",
  "CreateDate",
];
const SERVICE_SUMMARY_KEYS = [
  "Id",
  "Arn",
  "ResourceOwner",
  "Name",
  "Type",
  "Description",
  "InstanceCount",
  "DnsConfig",
  "HealthCheckConfig",
  "HealthCheckCustomConfig",
  "CreateDate",
  "CreatedByAccount",
];
const HEALTH_FILTERS = ["HEALTHY", "UNHEALTHY", "ALL", "HEALTHY_OR_ELSE_ALL"];

interface Filter {
  name: string;
  values: string[];
  condition: string;
}

function readFilters(req: Input, allowed: Record<string, string[]>): Filter[] {
  return (req.list("Filters") ?? []).map((raw) => {
    const f = new Input(raw, invalidInput);
    const name = f.requiredString("Name");
    const values = f.strings("Values") ?? [];
    const condition = f.string("Condition") ?? "EQ";
    const conditions = allowed[name];
    if (!conditions) throw invalidInput(`Filter name ${name} is not supported.`);
    if (!conditions.includes(condition)) {
      throw invalidInput(`Condition ${condition} is not supported for filter ${name}.`);
    }
    if (values.length === 0 || (condition !== "IN" && values.length !== 1)) {
      throw invalidInput(
        `Filter ${name} with condition ${condition} needs ${condition === "IN" ? "at least one value" : "exactly one value"}.`,
      );
    }
    return { name, values, condition };
  });
}

function matches(value: string | undefined, filter: Filter): boolean {
  if (value === undefined) return false;
  if (filter.condition === "BEGINS_WITH") return value.startsWith(filter.values[0] ?? "");
  return filter.values.includes(value);
}

function hasHealthCheck(service: FleetCloudMapService): boolean {
  return service.HealthCheckConfig !== undefined || service.HealthCheckCustomConfig !== undefined;
}

/** Changes when the set of registered instances (or their attributes) changes, not with health. */
function instancesRevision(instances: readonly FleetInstance[]): number {
  const hash = createHash("sha256");
  for (const i of [...instances].sort((a, b) => a.instanceId.localeCompare(b.instanceId))) {
    hash.update(`${i.instanceId}\n${JSON.stringify(Object.entries(i.attributes).sort())}\n`);
  }
  return Number.parseInt(hash.digest("hex").slice(0, 12), 16);
}

export function cloudMapOperations(
  fleet: Fleet,
  options: { shuffle?: () => number } = {},
): Record<string, Operation> {
  const namespaces = new Map<string, FleetNamespace>();
  for (const n of fleet.namespaces) {
    namespaces.set(n.Id, n);
    namespaces.set(n.Arn, n);
  }
  const services = new Map<string, FleetCloudMapService>();
  for (const s of fleet.cloudMapServices) {
    services.set(s.Id, s);
    services.set(s.Arn, s);
  }
  const instancesByService = new Map<string, FleetInstance[]>();
  for (const i of fleet.instances) {
    const list = instancesByService.get(i.serviceId) ?? [];
    list.push(i);
    instancesByService.set(i.serviceId, list);
  }
  const serviceCount = (namespaceId: string) =>
    fleet.cloudMapServices.filter((s) => s.NamespaceId === namespaceId).length;
  const instancesOf = (service: FleetCloudMapService) => instancesByService.get(service.Id) ?? [];
  const withCounts = (service: FleetCloudMapService) => ({
    ...service,
    InstanceCount: instancesOf(service).length,
  });
  const reportedHealth = (
    service: FleetCloudMapService,
    instance: FleetInstance,
  ): InstanceHealth => (hasHealthCheck(service) ? instance.health : "UNKNOWN");

  const input = (body: JsonBody) => new Input(body, invalidInput);
  const serviceFromId = (req: Input): FleetCloudMapService => {
    const id = req.requiredString("ServiceId");
    const service = services.get(id);
    if (!service) throw new AwsError("ServiceNotFound", `Service not found: ${id}`);
    return service;
  };
  const discover = (req: Input) => {
    const namespaceName = req.requiredString("NamespaceName");
    const serviceName = req.requiredString("ServiceName");
    const namespace = fleet.namespaces.find(
      (n) => (n.Properties?.HttpProperties?.HttpName ?? n.Name) === namespaceName,
    );
    if (!namespace)
      throw new AwsError("NamespaceNotFound", `Namespace not found: ${namespaceName}`);
    const service = fleet.cloudMapServices.find(
      (s) => s.NamespaceId === namespace.Id && s.Name === serviceName,
    );
    if (!service) throw new AwsError("ServiceNotFound", `Service not found: ${serviceName}`);
    return { namespaceName, service };
  };

  return {
    ListNamespaces(body) {
      const req = input(body);
      const filters = readFilters(req, {
        TYPE: ["EQ", "IN"],
        NAME: ["EQ", "BEGINS_WITH"],
        HTTP_NAME: ["EQ", "BEGINS_WITH"],
        RESOURCE_OWNER: ["EQ"],
      });
      const selected = fleet.namespaces.filter((n) =>
        filters.every((f) => {
          if (f.name === "TYPE") return matches(n.Type, f);
          if (f.name === "NAME") return matches(n.Name, f);
          if (f.name === "HTTP_NAME") return matches(n.Properties?.HttpProperties?.HttpName, f);
          return matches(n.ResourceOwner ?? fleet.accountId, f);
        }),
      );
      const { page, nextToken } = paginate(selected, {
        scope: `ListNamespaces/${JSON.stringify(filters)}`,
        maxResults: req.int("MaxResults"),
        nextToken: req.string("NextToken"),
        defaultMax: 100,
        limit: 100,
        invalid: invalidInput,
        maxResultsName: "MaxResults",
      });
      return {
        Namespaces: page.map((n) =>
          pick({ ...n, ServiceCount: serviceCount(n.Id) }, NAMESPACE_SUMMARY_KEYS),
        ),
        NextToken: nextToken,
      };
    },

    GetNamespace(body) {
      const id = input(body).requiredString("Id");
      const namespace = namespaces.get(id);
      if (!namespace) throw new AwsError("NamespaceNotFound", `Namespace not found: ${id}`);
      return { Namespace: { ...namespace, ServiceCount: serviceCount(namespace.Id) } };
    },

    ListServices(body) {
      const req = input(body);
      const filters = readFilters(req, { NAMESPACE_ID: ["EQ", "IN"], RESOURCE_OWNER: ["EQ"] });
      const selected = fleet.cloudMapServices.filter((s) =>
        filters.every((f) =>
          f.name === "NAMESPACE_ID"
            ? matches(s.NamespaceId, f)
            : matches(s.ResourceOwner ?? fleet.accountId, f),
        ),
      );
      const { page, nextToken } = paginate(selected, {
        scope: `ListServices/${JSON.stringify(filters)}`,
        maxResults: req.int("MaxResults"),
        nextToken: req.string("NextToken"),
        defaultMax: 100,
        limit: 100,
        invalid: invalidInput,
        maxResultsName: "MaxResults",
      });
      return {
        Services: page.map((s) => pick(withCounts(s), SERVICE_SUMMARY_KEYS)),
        NextToken: nextToken,
      };
    },

    GetService(body) {
      const id = input(body).requiredString("Id");
      const service = services.get(id);
      if (!service) throw new AwsError("ServiceNotFound", `Service not found: ${id}`);
      return { Service: withCounts(service) };
    },

    DiscoverInstances(body) {
      const req = input(body);
      const { namespaceName, service } = discover(req);
      const healthFilter = req.string("HealthStatus") ?? "HEALTHY";
      if (!HEALTH_FILTERS.includes(healthFilter)) {
        throw invalidInput(`HealthStatus must be one of ${HEALTH_FILTERS.join(", ")}.`);
      }
      const maxResults = req.int("MaxResults") ?? 100;
      if (maxResults < 1 || maxResults > 1000)
        throw invalidInput("MaxResults must be between 1 and 1000.");
      const query = Object.entries(req.stringMap("QueryParameters") ?? {});
      const optional = Object.entries(req.stringMap("OptionalParameters") ?? {});
      const all = instancesOf(service);
      const queried = all.filter((i) => query.every(([k, v]) => i.attributes[k] === v));

      let selected = queried;
      if (hasHealthCheck(service) && healthFilter !== "ALL") {
        const healthy = queried.filter((i) => i.health === "HEALTHY");
        if (healthFilter === "HEALTHY") selected = healthy;
        else if (healthFilter === "UNHEALTHY")
          selected = queried.filter((i) => i.health === "UNHEALTHY");
        else selected = healthy.length > 0 ? healthy : queried;
      }
      // OptionalParameters narrow the result only when some instance matches them all.
      const preferred = selected.filter((i) => optional.every(([k, v]) => i.attributes[k] === v));
      if (optional.length > 0 && preferred.length > 0) selected = preferred;

      // AWS returns a randomized list; shuffle deterministically so callers cannot rely on order.
      const ordered = [...selected];
      const random = options.shuffle;
      if (random) {
        for (let i = ordered.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [ordered[i], ordered[j]] = [ordered[j] as FleetInstance, ordered[i] as FleetInstance];
        }
      }
      return {
        Instances: ordered.slice(0, maxResults).map((i) => ({
          InstanceId: i.instanceId,
          NamespaceName: namespaceName,
          ServiceName: service.Name,
          HealthStatus: reportedHealth(service, i),
          Attributes: i.attributes,
        })),
        InstancesRevision: instancesRevision(all),
      };
    },

    DiscoverInstancesRevision(body) {
      const { service } = discover(input(body));
      return { InstancesRevision: instancesRevision(instancesOf(service)) };
    },

    ListInstances(body) {
      const req = input(body);
      const service = serviceFromId(req);
      const { page, nextToken } = paginate(instancesOf(service), {
        scope: `ListInstances/${service.Id}`,
        maxResults: req.int("MaxResults"),
        nextToken: req.string("NextToken"),
        defaultMax: 100,
        limit: 100,
        invalid: invalidInput,
        maxResultsName: "MaxResults",
      });
      return {
        ResourceOwner: service.ResourceOwner ?? fleet.accountId,
        Instances: page.map((i) => ({
          Id: i.instanceId,
          Attributes: i.attributes,
          CreatedByAccount: fleet.accountId,
        })),
        NextToken: nextToken,
      };
    },

    GetInstancesHealthStatus(body) {
      const req = input(body);
      const service = serviceFromId(req);
      const wanted = req.strings("Instances");
      const selected = instancesOf(service).filter((i) => !wanted || wanted.includes(i.instanceId));
      const { page, nextToken } = paginate(selected, {
        scope: `GetInstancesHealthStatus/${service.Id}/${JSON.stringify(wanted ?? null)}`,
        maxResults: req.int("MaxResults"),
        nextToken: req.string("NextToken"),
        defaultMax: 100,
        limit: 100,
        invalid: invalidInput,
        maxResultsName: "MaxResults",
      });
      return {
        Status: Object.fromEntries(page.map((i) => [i.instanceId, reportedHealth(service, i)])),
        NextToken: nextToken,
      };
    },
  };
}

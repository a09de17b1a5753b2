// Amazon ECS (AWS JSON 1.1, X-Amz-Target AmazonEC2ContainerServiceV20141113.<Op>) over a Fleet.

import type {
  Fleet,
  FleetCluster,
  FleetContainerInstance,
  FleetService,
  FleetTask,
  FleetTaskDefinition,
} from "./fleet/types.ts";
import { AwsError, Input, type JsonBody, type Operation, paginate } from "./wire.ts";

const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);
const clusterNotFound = () => new AwsError("ClusterNotFoundException", "Cluster not found.");

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** The last `/`-separated part of an ARN or ID, and the part before it (the cluster, if any). */
function arnTail(value: string): { name: string; parent: string | undefined } {
  const parts = value.split("/");
  return {
    name: parts[parts.length - 1] ?? value,
    parent: parts.length > 2 ? parts[parts.length - 2] : undefined,
  };
}

/** container-instance/CLUSTER/ID names its cluster (the format since 2018). */
const clusterOfInstance = (c: FleetContainerInstance) =>
  arnTail(c.containerInstanceArn).parent ?? "default";

function primaryDeployment(service: FleetService) {
  return service.deployments?.find((d) => d.status === "PRIMARY");
}

function withoutTags<T extends { tags?: unknown }>(object: T, include: string[] | undefined): T {
  if (include?.includes("TAGS")) return object;
  const { tags: _tags, ...rest } = object;
  return rest as T;
}

export function ecsOperations(fleet: Fleet): Record<string, Operation> {
  const arn = (resource: string) => `arn:aws:ecs:${fleet.region}:${fleet.accountId}:${resource}`;
  const clusters = new Map<string, FleetCluster>();
  for (const c of fleet.clusters) {
    clusters.set(c.clusterName, c);
    clusters.set(c.clusterArn, c);
  }
  const servicesByCluster = groupBy(fleet.services, (s) => s.clusterArn);
  const tasksByCluster = groupBy(fleet.tasks, (t) => t.clusterArn);
  // "<clusterArn> <serviceName>" and "<clusterArn> <taskId>" for the Describe* lookups.
  const servicesByName = new Map(
    fleet.services.map((s) => [`${s.clusterArn} ${s.serviceName}`, s]),
  );
  const tasksById = new Map(
    fleet.tasks.map((t) => [`${t.clusterArn} ${arnTail(t.taskArn).name}`, t]),
  );
  const taskDefinitionsByArn = new Map(fleet.taskDefinitions.map((t) => [t.taskDefinitionArn, t]));
  const taskDefinitionsByFamily = groupBy(fleet.taskDefinitions, (t) => t.family);

  const input = (body: JsonBody) => new Input(body, invalidParameter);
  const resolveCluster = (value: string | undefined): FleetCluster => {
    const cluster = clusters.get(value ?? "default");
    if (!cluster) throw clusterNotFound();
    return cluster;
  };
  const findService = (cluster: FleetCluster, ref: string): FleetService | undefined => {
    const { name, parent } = ref.startsWith("arn:")
      ? arnTail(ref)
      : { name: ref, parent: undefined };
    if (parent !== undefined && parent !== cluster.clusterName) return undefined;
    return servicesByName.get(`${cluster.clusterArn} ${name}`);
  };
  const findTask = (cluster: FleetCluster, ref: string): FleetTask | undefined => {
    const { name: id, parent } = arnTail(ref);
    if (ref.startsWith("arn:") && parent !== undefined && parent !== cluster.clusterName) {
      return undefined;
    }
    return tasksById.get(`${cluster.clusterArn} ${id}`);
  };
  const containerInstancesById = new Map(
    (fleet.containerInstances ?? []).map((c) => [
      `${clusterOfInstance(c)} ${arnTail(c.containerInstanceArn).name}`,
      c,
    ]),
  );
  const findContainerInstance = (
    cluster: FleetCluster,
    ref: string,
  ): FleetContainerInstance | undefined => {
    const { name: id, parent } = arnTail(ref);
    if (ref.startsWith("arn:") && parent !== undefined && parent !== cluster.clusterName) {
      return undefined;
    }
    return containerInstancesById.get(`${cluster.clusterName} ${id}`);
  };
  /** DescribeServices / DescribeTasks / DescribeContainerInstances: each found, or MISSING. */
  const describeEach = <T extends { tags?: unknown }>(
    refs: string[],
    resource: "service" | "task" | "container-instance",
    cluster: FleetCluster,
    include: string[] | undefined,
    find: (cluster: FleetCluster, ref: string) => T | undefined,
  ) => {
    const found: T[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of refs) {
      const object = find(cluster, ref);
      if (object) found.push(withoutTags(object, include));
      else {
        const missing = ref.startsWith("arn:")
          ? ref
          : arn(`${resource}/${cluster.clusterName}/${ref}`);
        failures.push({ arn: missing, reason: "MISSING" });
      }
    }
    return { found, failures };
  };
  const resolveTaskDefinition = (ref: string): FleetTaskDefinition | undefined => {
    if (ref.startsWith("arn:")) return taskDefinitionsByArn.get(ref);
    const [family = "", revision] = ref.split(":");
    const revisions = taskDefinitionsByFamily.get(family) ?? [];
    if (revision !== undefined) return revisions.find((t) => String(t.revision) === revision);
    return revisions
      .filter((t) => t.status === "ACTIVE")
      .reduce<FleetTaskDefinition | undefined>(
        (latest, t) => (latest === undefined || t.revision > latest.revision ? t : latest),
        undefined,
      );
  };

  return {
    ListClusters(body) {
      const req = input(body);
      const { page, nextToken } = paginate(
        fleet.clusters.map((c) => c.clusterArn),
        {
          scope: "ListClusters",
          maxResults: req.int("maxResults"),
          nextToken: req.string("nextToken"),
          defaultMax: 100,
          limit: 100,
          invalid: invalidParameter,
        },
      );
      return { clusterArns: page, nextToken };
    },

    ListServices(body) {
      const req = input(body);
      const cluster = resolveCluster(req.string("cluster"));
      const launchType = req.string("launchType");
      const schedulingStrategy = req.string("schedulingStrategy");
      const arns = (servicesByCluster.get(cluster.clusterArn) ?? [])
        .filter((s) => s.status !== "INACTIVE")
        .filter((s) => launchType === undefined || s.launchType === launchType)
        .filter(
          (s) => schedulingStrategy === undefined || s.schedulingStrategy === schedulingStrategy,
        )
        .map((s) => s.serviceArn);
      const { page, nextToken } = paginate(arns, {
        scope: `ListServices/${cluster.clusterArn}/${launchType}/${schedulingStrategy}`,
        maxResults: req.int("maxResults"),
        nextToken: req.string("nextToken"),
        defaultMax: 10,
        limit: 100,
        invalid: invalidParameter,
      });
      return { serviceArns: page, nextToken };
    },

    ListServicesByNamespace(body) {
      const req = input(body);
      const ref = req.requiredString("namespace");
      const namespace = fleet.namespaces.find((n) => n.Arn === ref || n.Name === ref);
      if (!namespace) {
        throw new AwsError("NamespaceNotFoundException", "The specified namespace wasn't found.");
      }
      const arns = fleet.services
        .filter((s) => s.status !== "INACTIVE")
        .filter((s) => {
          const config = primaryDeployment(s)?.serviceConnectConfiguration;
          return (
            config?.enabled === true &&
            (config.namespace === namespace.Arn || config.namespace === namespace.Name)
          );
        })
        .map((s) => s.serviceArn);
      const { page, nextToken } = paginate(arns, {
        scope: `ListServicesByNamespace/${namespace.Arn}`,
        maxResults: req.int("maxResults"),
        nextToken: req.string("nextToken"),
        defaultMax: 10,
        limit: 100,
        invalid: invalidParameter,
      });
      return { serviceArns: page, nextToken };
    },

    DescribeServices(body) {
      const req = input(body);
      const refs = req.strings("services") ?? [];
      const include = req.strings("include");
      if (refs.length === 0) throw invalidParameter("Services cannot be empty.");
      if (refs.length > 10)
        throw invalidParameter("Services cannot contain more than 10 elements.");
      const cluster = resolveCluster(req.string("cluster"));
      const { found: services, failures } = describeEach(
        refs,
        "service",
        cluster,
        include,
        findService,
      );
      return { services, failures };
    },

    ListTasks(body) {
      const req = input(body);
      const cluster = resolveCluster(req.string("cluster"));
      const serviceName = req.string("serviceName");
      const family = req.string("family");
      const startedBy = req.string("startedBy");
      const launchType = req.string("launchType");
      const containerInstance = req.string("containerInstance");
      const desiredStatus = req.string("desiredStatus") ?? "RUNNING";
      if (!["RUNNING", "PENDING", "STOPPED"].includes(desiredStatus)) {
        throw invalidParameter("desiredStatus must be one of RUNNING, PENDING, STOPPED.");
      }
      if (serviceName !== undefined && !findService(cluster, serviceName)) {
        throw new AwsError("ServiceNotFoundException", "Service not found.");
      }
      const serviceGroup = serviceName && `service:${arnTail(serviceName).name}`;
      const arns = (tasksByCluster.get(cluster.clusterArn) ?? [])
        .filter((t) => t.desiredStatus === desiredStatus)
        .filter((t) => !serviceGroup || t.group === serviceGroup)
        .filter((t) => !family || t.taskDefinitionArn?.split("/").pop()?.split(":")[0] === family)
        .filter((t) => !startedBy || t.startedBy === startedBy)
        .filter((t) => !launchType || t.launchType === launchType)
        .filter((t) => {
          if (!containerInstance) return true;
          return (
            t.containerInstanceArn !== undefined &&
            arnTail(t.containerInstanceArn).name === arnTail(containerInstance).name
          );
        })
        .map((t) => t.taskArn);
      const { page, nextToken } = paginate(arns, {
        scope: `ListTasks/${cluster.clusterArn}/${JSON.stringify([serviceGroup, family, startedBy, launchType, containerInstance, desiredStatus])}`,
        maxResults: req.int("maxResults"),
        nextToken: req.string("nextToken"),
        defaultMax: 100,
        limit: 100,
        invalid: invalidParameter,
      });
      return { taskArns: page, nextToken };
    },

    DescribeTasks(body) {
      const req = input(body);
      const refs = req.strings("tasks") ?? [];
      const include = req.strings("include");
      if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
      if (refs.length > 100) throw invalidParameter("Tasks cannot contain more than 100 elements.");
      const cluster = resolveCluster(req.string("cluster"));
      const { found: tasks, failures } = describeEach(refs, "task", cluster, include, findTask);
      return { tasks, failures };
    },

    DescribeContainerInstances(body) {
      const req = input(body);
      const refs = req.strings("containerInstances");
      if (refs === undefined) throw invalidParameter("containerInstances is required.");
      if (refs.length > 100) {
        throw invalidParameter("containerInstances cannot contain more than 100 elements.");
      }
      const include = req.strings("include");
      const cluster = resolveCluster(req.string("cluster"));
      const { found: containerInstances, failures } = describeEach(
        refs,
        "container-instance",
        cluster,
        include,
        findContainerInstance,
      );
      return { containerInstances, failures };
    },

    DescribeTaskDefinition(body) {
      const req = input(body);
      const taskDefinition = resolveTaskDefinition(req.requiredString("taskDefinition"));
      if (!taskDefinition)
        throw new AwsError("ClientException", "Unable to describe task definition.");
      return req.strings("include")?.includes("TAGS")
        ? { taskDefinition, tags: [] }
        : { taskDefinition };
    },
  };
}

// The endpoints of a name: Cloud Map instances joined to ECS tasks, each judged healthy,
// unhealthy, stale, unregistered, changing or unknown (never a guess for what was not read).

import type { CloudMapHealth, CloudMapInstance, EcsTask } from "../facts.ts";
import { stopNote } from "../stops.ts";
import type { NameBinding } from "./bindings.ts";
import type { ServiceFacts } from "./service-facts.ts";

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

export function taskEndpoint(
  task: EcsTask,
  port: number | undefined,
  state: EndpointState,
): Endpoint {
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

/**
 * "2 of 3 endpoints healthy", and with endpoints whose task could not be read, never a count of
 * healthy ones that reads as "0 healthy": "1 healthy and 2 unknown of 3 endpoints".
 */
export function endpointCount(r: {
  endpoints: Endpoint[];
  healthy: number;
  unknown: number;
}): string {
  const n = r.endpoints.length;
  const noun = n === 1 ? "endpoint" : "endpoints";
  if (r.unknown > 0 && r.unknown === n) return `${n} ${noun} registered, their ECS state unread`;
  if (r.unknown > 0) return `${r.healthy} healthy and ${r.unknown} unknown of ${n} ${noun}`;
  return `${r.healthy} of ${n} ${noun} healthy`;
}

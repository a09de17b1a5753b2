// Incident fleets for property tests: a generated fleet in the middle of an incident, drawn from a
// seed.

import { seededRandom } from "../wire.ts";
import { BALANCER_KINDS, putBehindBalancer } from "./balancers.ts";
import { loadDemoFleet } from "./demo.ts";
import { generateFleet } from "./generate.ts";
import type { Fleet, FleetService, FleetTask } from "./types.ts";

/** What happened to a generated service's tasks in an incident fleet (see generateIncidentFleet). */
export type IncidentState =
  | "healthy"
  | "some-unhealthy"
  | "all-unhealthy"
  | "some-stopped"
  | "all-stopped"
  | "draining";
const INCIDENT_STATES: IncidentState[] = [
  "healthy",
  "healthy",
  "some-unhealthy",
  "all-unhealthy",
  "some-stopped",
  "all-stopped",
  "draining",
];

export interface IncidentFleetOptions {
  /** Generated services besides the demo fleet's; default 2-10, from the seed. */
  services?: number;
  /** Clusters they are spread over; default 1-4, from the seed. */
  clusters?: number;
  /** HTTP namespaces (`mesh`, `mesh-2`, …); default 1-3, from the seed. */
  namespaces?: number;
  /** Tasks per generated service; default 1-3, from the seed. */
  tasksPerService?: number;
}

/**
 * The demo fleet plus a generated fleet in the middle of an incident, all drawn from `seed`
 * (the same seed gives the same fleet): `generateFleet`'s services, then
 * - a service name used again in another cluster (ECS names are unique per cluster only),
 * - a discovery name used again in another namespace (as prod's and staging's `api`),
 * - each service's tasks in a state of IncidentState: unhealthy (container health check failing,
 *   Cloud Map UNHEALTHY), stopped (essential container exited: ECS deregisters the instance and
 *   deletes the ENI), draining (scale-in: desiredStatus STOPPED, lastStatus DEACTIVATING, the ENI
 *   still held, the instance deregistered),
 * - services behind their own internal ALB (emulator/fleet/balancers.ts): a target group whose
 *   targets are the service's tasks, healthy or failing as they are, sometimes a zone the balancer
 *   does not use, sometimes a target group the service names that was deleted (dangling).
 * For property tests: nothing here is a single hand-picked case. Existing options of
 * generateFleet are untouched.
 */
export function generateIncidentFleet(seed: number, options: IncidentFleetOptions = {}): Fleet {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const demoServices = loadDemoFleet().services.length;
  const balancerRandom = seededRandom(seed ^ 0x5eed_e1b);
  const pick2 = <T>(items: readonly T[]): T =>
    items[Math.floor(balancerRandom() * items.length)] as T;
  const fleet = generateFleet({
    services: options.services ?? int(2, 10),
    clusters: options.clusters ?? int(1, 4),
    namespaces: options.namespaces ?? int(1, 3),
    tasksPerService: options.tasksPerService ?? int(1, 3),
  });
  const generated = fleet.services.slice(demoServices);
  const primary = (service: FleetService) =>
    service.deployments?.find((d) => d.status === "PRIMARY");
  const namespaceOf = (service: FleetService) =>
    primary(service)?.serviceConnectConfiguration?.namespace;

  // The same service name in two clusters.
  const first = generated[0];
  const other = generated.find((s) => s !== first && s.clusterArn !== first?.clusterArn);
  if (first && other && random() < 0.6) renameService(fleet, other, first.serviceName);

  // The same discovery name in two namespaces.
  const publisher = generated[generated.length - 1];
  const twin = generated.find(
    (s) => s !== publisher && publisher && namespaceOf(s) !== namespaceOf(publisher),
  );
  const discoveryName =
    publisher && primary(publisher)?.serviceConnectResources?.[0]?.discoveryName;
  if (twin && discoveryName && random() < 0.6) renameDiscoveryName(fleet, twin, discoveryName);

  for (const service of generated) {
    applyIncidentState(fleet, service, pick(INCIDENT_STATES), random);
    if (random() < 0.35) {
      // Drawn from their own stream: the fleet's other draws stay what they were for the seed.
      putBehindBalancer(fleet, service, pick2(BALANCER_KINDS), balancerRandom);
    }
  }
  return fleet;
}

/** Gives `service` another name (in its own cluster): its ARN, its tasks' group, its instances. */
function renameService(fleet: Fleet, service: FleetService, name: string): void {
  const old = service.serviceName;
  const cluster = service.clusterArn;
  service.serviceName = name;
  service.serviceArn = service.serviceArn.replace(new RegExp(`/${old}$`), `/${name}`);
  for (const task of fleet.tasks) {
    if (task.clusterArn === cluster && task.group === `service:${old}`)
      task.group = `service:${name}`;
  }
  for (const instance of fleet.instances) {
    if (
      instance.attributes.ECS_SERVICE_NAME === old &&
      fleet.cloudMapServices.some(
        (s) => s.Id === instance.serviceId && s.Arn === serviceConnectArn(service),
      )
    ) {
      instance.attributes.ECS_SERVICE_NAME = name;
    }
  }
  for (const event of service.events ?? []) {
    event.message = event.message?.replace(`(service ${old})`, `(service ${name})`);
  }
}

function serviceConnectArn(service: FleetService): string | undefined {
  return service.deployments?.find((d) => d.status === "PRIMARY")?.serviceConnectResources?.[0]
    ?.discoveryArn;
}

/** Publishes `service`'s port under another discovery name (and alias) in its own namespace. */
function renameDiscoveryName(fleet: Fleet, service: FleetService, name: string): void {
  const deployment = service.deployments?.find((d) => d.status === "PRIMARY");
  const config = deployment?.serviceConnectConfiguration;
  const namespace = fleet.namespaces.find((n) => n.Arn === config?.namespace);
  const resource = deployment?.serviceConnectResources?.[0];
  const cloudMap = fleet.cloudMapServices.find((s) => s.Arn === resource?.discoveryArn);
  if (!config || !namespace || !resource || !cloudMap) return;
  cloudMap.Name = name;
  resource.discoveryName = name;
  for (const published of config.services ?? []) {
    published.discoveryName = name;
    for (const alias of published.clientAliases ?? []) alias.dnsName = `${name}.${namespace.Name}`;
  }
}

/** Puts `service`'s tasks in `state`, keeping what AWS keeps consistent (counts, Cloud Map). */
function applyIncidentState(
  fleet: Fleet,
  service: FleetService,
  state: IncidentState,
  random: () => number,
): void {
  const tasks = fleet.tasks.filter(
    (t) =>
      t.clusterArn === service.clusterArn &&
      t.group === `service:${service.serviceName}` &&
      t.lastStatus === "RUNNING",
  );
  if (tasks.length === 0 || state === "healthy") return;
  const deployment = service.deployments?.find((d) => d.status === "PRIMARY");
  const cloudMapArn = deployment?.serviceConnectResources?.[0]?.discoveryArn;
  const cloudMapId = fleet.cloudMapServices.find((s) => s.Arn === cloudMapArn)?.Id;
  const instanceOf = (task: FleetTask) => {
    const id = task.taskArn.slice(task.taskArn.lastIndexOf("/") + 1);
    return fleet.instances.findIndex((i) => i.serviceId === cloudMapId && i.instanceId === id);
  };
  const deregister = (task: FleetTask) => {
    const index = instanceOf(task);
    if (index >= 0) fleet.instances.splice(index, 1);
  };
  const some = Math.max(1, Math.floor(random() * tasks.length));
  const chosen = state.startsWith("all-") ? tasks : tasks.slice(0, some);
  const at = Date.parse(String(tasks[0]?.startedAt ?? "2026-11-01T00:00:00Z")) + 3_600_000;
  const taskDefinition = fleet.taskDefinitions.find(
    (d) => d.taskDefinitionArn === service.taskDefinition,
  );
  for (const task of chosen) {
    const app = task.containers?.find((c) => c.name === "app");
    if (state.endsWith("unhealthy")) {
      // A failing container health check: ECS marks the task UNHEALTHY and reports it to Cloud Map.
      for (const def of taskDefinition?.containerDefinitions ?? []) {
        def.healthCheck ??= {
          command: ["CMD-SHELL", "curl -f http://localhost/health || exit 1"],
          interval: 30,
          timeout: 5,
          retries: 3,
        };
      }
      if (app) app.healthStatus = "UNHEALTHY";
      task.healthStatus = "UNHEALTHY";
      const index = instanceOf(task);
      const instance = fleet.instances[index];
      if (instance) instance.health = "UNHEALTHY";
    } else if (state.endsWith("stopped")) {
      task.desiredStatus = "STOPPED";
      task.lastStatus = "STOPPED";
      task.stopCode = "EssentialContainerExited";
      task.stoppedReason = "Essential container in task exited";
      task.stoppingAt = new Date(at).toISOString();
      task.executionStoppedAt = new Date(at + 1_000).toISOString();
      task.stoppedAt = new Date(at + 30_000).toISOString();
      task.connectivity = "DISCONNECTED";
      task.healthStatus = "UNKNOWN";
      for (const container of task.containers ?? []) {
        container.lastStatus = "STOPPED";
        container.healthStatus = "UNKNOWN";
      }
      if (app) app.exitCode = 1;
      for (const attachment of task.attachments ?? []) attachment.status = "DELETED";
      deregister(task);
      service.runningCount = (service.runningCount ?? 0) - 1;
      if (deployment) {
        deployment.runningCount = (deployment.runningCount ?? 0) - 1;
        deployment.failedTasks = (deployment.failedTasks ?? 0) + 1;
      }
    } else {
      // Draining on scale-in: stopping, deregistered, but still holding its ENI.
      task.desiredStatus = "STOPPED";
      task.lastStatus = "DEACTIVATING";
      task.stopCode = "ServiceSchedulerInitiated";
      task.stoppedReason = "Scaling activity initiated by (deployment)";
      task.stoppingAt = new Date(at).toISOString();
      deregister(task);
      service.desiredCount = (service.desiredCount ?? 0) - 1;
      service.runningCount = (service.runningCount ?? 0) - 1;
      if (deployment) {
        deployment.desiredCount = (deployment.desiredCount ?? 0) - 1;
        deployment.runningCount = (deployment.runningCount ?? 0) - 1;
      }
    }
  }
  const cluster = fleet.clusters.find((c) => c.clusterArn === service.clusterArn);
  if (cluster)
    cluster.runningTasksCount = fleet.tasks.filter(
      (t) => t.clusterArn === cluster.clusterArn && t.lastStatus === "RUNNING",
    ).length;
}

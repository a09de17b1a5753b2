// Generated fleets: the demo fleet plus many Service Connect services, deterministic from the
// options (for benchmarks, paging and scale tests).

import { createHash } from "node:crypto";
import { loadDemoFleet } from "./demo.ts";
import type { Fleet, FleetCluster } from "./types.ts";

export interface GenerateFleetOptions {
  /** Number of Service Connect services to add to the demo fleet. */
  services: number;
  /** RUNNING tasks (and Cloud Map instances) per generated service; default 2. */
  tasksPerService?: number;
  /** Clusters the generated services are spread over; default 4. */
  clusters?: number;
  /** HTTP namespaces they are spread over (`mesh`, `mesh-2`, …); default 1. */
  namespaces?: number;
  /**
   * Services in each of the first namespaces, in order: the first `namespaceSizes[0]` generated
   * services go to `mesh`, the next `namespaceSizes[1]` to `mesh-2`, …; the rest round robin over
   * the namespaces after these (there are at least `namespaceSizes.length + 1` then). Default:
   * every service round robin over all of them.
   */
  namespaceSizes?: number[];
  /**
   * Service Connect traffic: each generated service called by the one generated before it in
   * its namespace (steady, 0.1 % 5xx), so CloudWatch holds a series per publisher and per caller
   * as a busy fleet's does. Default false: no series.
   */
  traffic?: boolean;
}

const DOMAINS = [
  "orders",
  "payments",
  "catalog",
  "inventory",
  "checkout",
  "users",
  "auth",
  "search",
  "pricing",
  "shipping",
  "notifications",
  "reviews",
  "cart",
  "recommendations",
  "ledger",
  "fraud",
  "media",
  "profile",
  "gateway",
  "loyalty",
];
const ROLES: { role: string; port: number; appProtocol: "http" | "grpc"; portName: string }[] = [
  { role: "api", port: 8080, appProtocol: "http", portName: "http" },
  { role: "grpc", port: 50051, appProtocol: "grpc", portName: "grpc" },
  { role: "web", port: 3000, appProtocol: "http", portName: "http" },
  { role: "reader", port: 8080, appProtocol: "http", portName: "http" },
  { role: "writer", port: 8080, appProtocol: "http", portName: "http" },
  { role: "events", port: 8080, appProtocol: "http", portName: "http" },
  { role: "sync", port: 8080, appProtocol: "http", portName: "http" },
  { role: "cache", port: 6379, appProtocol: "http", portName: "http" },
];
const CLUSTER_NAMES = ["prod-core", "prod-edge", "prod-data", "prod-batch", "prod-ml", "prod-ops"];
const MESH_NAMESPACE = "mesh";
const AZ_SUFFIXES = ["a", "c", "d"] as const;
// Generated tasks live in three /18 subnets of the demo VPC, clear of the demo's 10.0.1-3.0/24.
export const GENERATED_SUBNET_BASES = [64, 128, 192] as const;
const HOSTS_PER_GENERATED_SUBNET = 64 * 256 - 5;
const GENERATED_EPOCH = Date.parse("2026-11-01T00:00:00Z");

export function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  }
  return out.slice(0, length);
}

/** A lower-case base-36 ID like the ones Cloud Map issues (ns-…, srv-…). */
function cloudMapId(prefix: string, seed: string): string {
  const digits = BigInt(`0x${hex(seed, 24)}`).toString(36);
  return `${prefix}-${digits.padStart(16, "0").slice(-16)}`;
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function deploymentId(seed: string): string {
  return `ecs-svc/${(BigInt(`0x${hex(seed, 15)}`) % 9_000_000_000_000_000_000n) + 1_000_000_000_000_000_000n}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function generatedServiceNames(count: number, taken: Set<string>): string[] {
  const names: string[] = [];
  for (let round = 0; names.length < count; round++) {
    for (const role of ROLES) {
      for (const domain of DOMAINS) {
        const name = round === 0 ? `${domain}-${role.role}` : `${domain}-${role.role}-${round + 1}`;
        if (!taken.has(name)) names.push(name);
        if (names.length === count) return names;
      }
    }
  }
  return names;
}

/**
 * The demo fleet plus `services` Service Connect services spread over a few clusters and HTTP
 * namespaces (`mesh`, `mesh-2`, …), each publishing one port with a discovery name and a client
 * alias, with RUNNING tasks (awsvpc ENIs with private IPs) registered as HEALTHY Cloud Map
 * instances.
 * Deterministic: the same options give the same fleet.
 */
export function generateFleet(options: GenerateFleetOptions): Fleet {
  const fleet = loadDemoFleet();
  const tasksPerService = options.tasksPerService ?? 2;
  const clusterCount = Math.min(Math.max(options.clusters ?? 4, 1), 200);
  const sized = options.namespaceSizes ?? [];
  const sizedTotal = sized.reduce((sum, n) => sum + n, 0);
  const namespaceCount = Math.min(
    Math.max(options.namespaces ?? 1, sized.length + (options.services > sizedTotal ? 1 : 0), 1),
    50,
  );
  const capacity = HOSTS_PER_GENERATED_SUBNET * GENERATED_SUBNET_BASES.length;
  if (options.services * tasksPerService > capacity) {
    throw new RangeError(`generateFleet: at most ${capacity} generated tasks fit the demo VPC`);
  }
  const { region, accountId } = fleet;
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${accountId}:${resource}`;
  const vpc = fleet.vpcs?.[0];
  const vpcId = vpc?.vpcId ?? "vpc-0b1e2c3d4e5f60718";

  const subnets = GENERATED_SUBNET_BASES.map((base, i) => ({
    subnetId: `subnet-0b${hex(`subnet-${base}`, 15)}`,
    availabilityZone: `${region}${AZ_SUFFIXES[i]}`,
    cidrBlock: `10.0.${base}.0/18`,
  }));
  vpc?.subnets.push(...subnets);

  const meshes = Array.from({ length: namespaceCount }, (_, i) => {
    const name = i === 0 ? MESH_NAMESPACE : `${MESH_NAMESPACE}-${i + 1}`;
    const id = cloudMapId("ns", `namespace-${name}`);
    const namespaceArn = arn("servicediscovery", `namespace/${id}`);
    fleet.namespaces.push({
      Id: id,
      Arn: namespaceArn,
      ResourceOwner: accountId,
      Name: name,
      Type: "HTTP",
      Properties: { DnsProperties: { SOA: {} }, HttpProperties: { HttpName: name } },
      CreateDate: iso(GENERATED_EPOCH),
      CreatorRequestId: name,
    });
    return { name, id, arn: namespaceArn };
  });
  const firstMesh = meshes[0] as (typeof meshes)[number];

  const clusterNames = Array.from(
    { length: clusterCount },
    (_, i) => CLUSTER_NAMES[i] ?? `prod-cell-${i + 1 - CLUSTER_NAMES.length}`,
  );
  const clusters = clusterNames.map((clusterName) => {
    const cluster: FleetCluster = {
      clusterArn: arn("ecs", `cluster/${clusterName}`),
      clusterName,
      status: "ACTIVE",
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      settings: [{ name: "containerInsights", value: "enabled" }],
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      serviceConnectDefaults: { namespace: firstMesh.arn },
    };
    fleet.clusters.push(cluster);
    return cluster;
  });

  const taken = new Set([
    ...fleet.services.map((s) => s.serviceName),
    ...fleet.taskDefinitions.map((t) => t.family),
  ]);
  const names = generatedServiceNames(options.services, taken);
  // The namespace of each generated service (an index into meshes), and the one generated before
  // it in the same namespace (its caller, with `traffic`).
  const meshOf = names.map((_, index) => {
    let first = 0;
    for (const [m, size] of sized.entries()) {
      if (index < first + size) return m;
      first += size;
    }
    return sized.length + ((index - first) % (meshes.length - sized.length));
  });
  const previousInMesh: (number | undefined)[] = [];
  const lastOf = new Map<number, number>();
  meshOf.forEach((m, index) => {
    previousInMesh.push(lastOf.get(m));
    lastOf.set(m, index);
  });
  let taskCounter = 0;

  names.forEach((name, index) => {
    const cluster = clusters[index % clusters.length] as FleetCluster;
    const role = ROLES[Math.floor(index / DOMAINS.length) % ROLES.length] as (typeof ROLES)[number];
    const revision = 1 + (Number.parseInt(hex(`rev-${name}`, 4), 16) % 40);
    const taskDefinitionArn = arn("ecs", `task-definition/${name}:${revision}`);
    const serviceArn = arn("ecs", `service/${cluster.clusterName}/${name}`);
    const cloudMapServiceId = cloudMapId("srv", `service-${name}`);
    const cloudMapServiceArn = arn("servicediscovery", `service/${cloudMapServiceId}`);
    const securityGroup = `sg-0${hex(`sg-${name}`, 16)}`;
    const createdMs = GENERATED_EPOCH + (index % 500) * 60_000 + 3_600_000;
    const deployment = deploymentId(`deployment-${name}`);
    const proxyName = `ecs-service-connect-${hex(`proxy-${name}`, 5)}`;
    const mesh = meshes[meshOf[index] ?? 0] as (typeof meshes)[number];
    const alias = { port: role.port, dnsName: `${name}.${mesh.name}` };

    fleet.taskDefinitions.push({
      taskDefinitionArn,
      containerDefinitions: [
        {
          name: "app",
          image: `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}:${revision}.0.0`,
          cpu: 0,
          portMappings: [
            {
              containerPort: role.port,
              hostPort: role.port,
              protocol: "tcp",
              name: role.portName,
              appProtocol: role.appProtocol,
            },
          ],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
        },
      ],
      family: name,
      executionRoleArn: `arn:aws:iam::${accountId}:role/ecsTaskExecutionRole`,
      networkMode: "awsvpc",
      revision,
      volumes: [],
      status: "ACTIVE",
      placementConstraints: [],
      compatibilities: ["EC2", "FARGATE"],
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      registeredAt: iso(createdMs - 600_000),
      registeredBy: `arn:aws:sts::${accountId}:assumed-role/deployer/ci`,
    });

    const awsvpcConfiguration = {
      subnets: subnets.map((s) => s.subnetId),
      securityGroups: [securityGroup],
      assignPublicIp: "DISABLED" as const,
    };
    const taskIds: string[] = [];
    for (let t = 0; t < tasksPerService; t++) {
      // Round robin over the AZs; skip the 4 addresses AWS reserves at the start of a subnet.
      const az = taskCounter % subnets.length;
      const offset = 4 + Math.floor(taskCounter / subnets.length);
      taskCounter++;
      const subnet = subnets[az] as (typeof subnets)[number];
      const base = GENERATED_SUBNET_BASES[az] as number;
      const ip = `10.0.${base + Math.floor(offset / 256)}.${offset % 256}`;
      const taskId = hex(`task-${name}-${t}`, 32);
      const taskArn = arn("ecs", `task/${cluster.clusterName}/${taskId}`);
      const attachmentId = uuid(`eni-attachment-${taskId}`);
      const startedMs = createdMs + 60_000 + t * 5_000;
      taskIds.push(taskId);
      fleet.tasks.push({
        attachments: [
          {
            id: uuid(`sc-attachment-${taskId}`),
            type: "ServiceConnect",
            status: "ATTACHED",
            details: [{ name: "ContainerName", value: proxyName }],
          },
          {
            id: attachmentId,
            type: "ElasticNetworkInterface",
            status: "ATTACHED",
            details: [
              { name: "subnetId", value: subnet.subnetId },
              { name: "networkInterfaceId", value: `eni-0${hex(`eni-${taskId}`, 16)}` },
              {
                name: "macAddress",
                value: `06:${hex(`mac-${taskId}`, 10).replace(/(..)(?!$)/g, "$1:")}`,
              },
              {
                name: "privateDnsName",
                value: `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal`,
              },
              { name: "privateIPv4Address", value: ip },
            ],
          },
        ],
        attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
        availabilityZone: subnet.availabilityZone,
        clusterArn: cluster.clusterArn,
        connectivity: "CONNECTED",
        connectivityAt: iso(startedMs - 20_000),
        containers: [
          {
            containerArn: arn(
              "ecs",
              `container/${cluster.clusterName}/${taskId}/${uuid(`c1-${taskId}`)}`,
            ),
            taskArn,
            name: proxyName,
            lastStatus: "RUNNING",
            networkBindings: [],
            networkInterfaces: [{ attachmentId, privateIpv4Address: ip }],
            healthStatus: "HEALTHY",
          },
          {
            containerArn: arn(
              "ecs",
              `container/${cluster.clusterName}/${taskId}/${uuid(`c2-${taskId}`)}`,
            ),
            taskArn,
            name: "app",
            image: `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}:${revision}.0.0`,
            runtimeId: `${taskId}-${Number.parseInt(hex(`rt-${taskId}`, 8), 16)}`,
            lastStatus: "RUNNING",
            networkBindings: [],
            networkInterfaces: [{ attachmentId, privateIpv4Address: ip }],
            healthStatus: "UNKNOWN",
            cpu: "0",
          },
        ],
        cpu: "256",
        createdAt: iso(startedMs - 30_000),
        desiredStatus: "RUNNING",
        enableExecuteCommand: false,
        group: `service:${name}`,
        healthStatus: "HEALTHY",
        lastStatus: "RUNNING",
        launchType: "FARGATE",
        memory: "512",
        overrides: {
          containerOverrides: [{ name: proxyName }, { name: "app" }],
          inferenceAcceleratorOverrides: [],
        },
        platformVersion: "1.4.0",
        platformFamily: "Linux",
        pullStartedAt: iso(startedMs - 15_000),
        pullStoppedAt: iso(startedMs - 8_000),
        startedAt: iso(startedMs),
        startedBy: deployment,
        tags: [],
        taskArn,
        taskDefinitionArn,
        version: 3,
        ephemeralStorage: { sizeInGiB: 20 },
      });
      fleet.instances.push({
        serviceId: cloudMapServiceId,
        instanceId: taskId,
        attributes: {
          AWS_INSTANCE_IPV4: ip,
          AWS_INSTANCE_PORT: String(role.port),
          AVAILABILITY_ZONE: subnet.availabilityZone,
          REGION: region,
          ECS_CLUSTER_NAME: cluster.clusterName,
          ECS_SERVICE_NAME: name,
          ECS_TASK_DEFINITION_FAMILY: name,
        },
        health: "HEALTHY",
      });
    }
    cluster.runningTasksCount = (cluster.runningTasksCount ?? 0) + tasksPerService;
    cluster.activeServicesCount = (cluster.activeServicesCount ?? 0) + 1;

    fleet.cloudMapServices.push({
      Id: cloudMapServiceId,
      Arn: cloudMapServiceArn,
      ResourceOwner: accountId,
      Name: name,
      NamespaceId: mesh.id,
      Type: "HTTP",
      HealthCheckCustomConfig: { FailureThreshold: 1 },
      CreateDate: iso(createdMs + 1_000),
      CreatorRequestId: uuid(`creator-${name}`),
    });

    fleet.services.push({
      serviceArn,
      serviceName: name,
      clusterArn: cluster.clusterArn,
      loadBalancers: [],
      serviceRegistries: [],
      status: "ACTIVE",
      desiredCount: tasksPerService,
      runningCount: tasksPerService,
      pendingCount: 0,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      platformFamily: "Linux",
      taskDefinition: taskDefinitionArn,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [
        {
          id: deployment,
          status: "PRIMARY",
          taskDefinition: taskDefinitionArn,
          desiredCount: tasksPerService,
          pendingCount: 0,
          runningCount: tasksPerService,
          failedTasks: 0,
          createdAt: iso(createdMs),
          updatedAt: iso(createdMs + 180_000),
          launchType: "FARGATE",
          platformVersion: "1.4.0",
          platformFamily: "Linux",
          networkConfiguration: { awsvpcConfiguration },
          rolloutState: "COMPLETED",
          rolloutStateReason: `ECS deployment ${deployment} completed.`,
          serviceConnectConfiguration: {
            enabled: true,
            namespace: mesh.arn,
            services: [
              {
                portName: role.portName,
                discoveryName: name,
                clientAliases: [alias],
              },
            ],
          },
          serviceConnectResources: [{ discoveryName: name, discoveryArn: cloudMapServiceArn }],
        },
      ],
      roleArn: `arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
      events: [
        {
          id: uuid(`event-steady-${name}`),
          createdAt: iso(createdMs + 180_000),
          message: `(service ${name}) has reached a steady state.`,
        },
        {
          id: uuid(`event-started-${name}`),
          createdAt: iso(createdMs + 30_000),
          message: `(service ${name}) has started ${tasksPerService} tasks: ${taskIds.map((id) => `(task ${id})`).join(" ")}.`,
        },
      ],
      createdAt: iso(createdMs),
      placementConstraints: [],
      placementStrategy: [],
      networkConfiguration: { awsvpcConfiguration },
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "ECS" },
      createdBy: `arn:aws:iam::${accountId}:role/deployer`,
      enableECSManagedTags: true,
      propagateTags: "SERVICE",
      enableExecuteCommand: false,
    });
  });

  if (options.traffic) {
    fleet.traffic ??= { publishers: [] };
    const publishers = fleet.traffic.publishers;
    names.forEach((name, index) => {
      const callerIndex = previousInMesh[index];
      const caller = callerIndex === undefined ? undefined : names[callerIndex];
      if (callerIndex === undefined || caller === undefined) return;
      const cluster = (clusters[index % clusters.length] as FleetCluster).clusterName;
      const callerCluster = (clusters[callerIndex % clusters.length] as FleetCluster).clusterName;
      publishers.push({
        cluster,
        service: name,
        discoveryName: name,
        callers: [
          {
            cluster: callerCluster,
            service: caller,
            requestsPerMinute: 60 + (index % 7) * 20,
            newConnectionsPerMinute: 4,
            activeConnections: 3,
            bytesPerRequest: 900,
            share4xx: 0.01,
            share5xx: 0.001,
            latencyBuckets: [
              { le: 10, share: 0.7 },
              { le: 50, share: 0.25 },
              { le: 200, share: 0.05 },
            ],
            phase: index % 6,
          },
        ],
      });
    });
  }
  if (vpc === undefined) {
    fleet.vpcs = [{ vpcId, cidrBlock: "10.0.0.0/16", subnets }];
  }
  return fleet;
}

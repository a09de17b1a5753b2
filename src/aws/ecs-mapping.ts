import type {
  Deployment,
  TaskDefinition as SdkTaskDefinition,
  Service,
  Task,
} from "@aws-sdk/client-ecs";
import type { EcsService, EcsTask, ServiceConnectConfig, TaskDefinition } from "../domain/facts.ts";

// SDK shapes → the project's own types. Everything optional in the SDK stays optional
// unless the API always returns it for the resources we ask about.

export function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/**
 * arn:aws:ecs:region:acct:service/CLUSTER/NAME or …:task/CLUSTER/ID. The old short format
 * (service/NAME, task/ID) names no cluster: undefined, and the caller must find it.
 */
export function clusterOfArn(arn: string): string | undefined {
  const parts = arn.split(":").slice(5).join(":").split("/");
  return parts.length >= 3 ? parts[1] : undefined;
}

function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find((d) => d.status === "PRIMARY") ?? service.deployments?.[0];
}

function serviceConnectOf(deployment: Deployment | undefined): ServiceConnectConfig | undefined {
  const sc = deployment?.serviceConnectConfiguration;
  if (!sc) return undefined;
  const resources = deployment?.serviceConnectResources ?? [];
  return {
    enabled: sc.enabled ?? false,
    namespace: sc.namespace,
    services: (sc.services ?? []).map((s) => {
      const portName = s.portName ?? "";
      // ECS defaults the discovery name to the port name.
      const discoveryName = s.discoveryName ?? portName;
      return {
        portName,
        discoveryName,
        discoveryArn: resources.find((r) => r.discoveryName === discoveryName)?.discoveryArn,
        // dnsName stays absent when ECS reports none: the domain knows the namespace's name
        // and applies ECS's default (discoveryName.namespace).
        clientAliases: (s.clientAliases ?? []).map((a) => ({
          dnsName: a.dnsName || undefined,
          port: a.port ?? 0,
        })),
        ingressPortOverride: s.ingressPortOverride,
      };
    }),
  };
}

export function toEcsService(service: Service): EcsService {
  const primary = primaryDeployment(service);
  const network =
    primary?.networkConfiguration?.awsvpcConfiguration ??
    service.networkConfiguration?.awsvpcConfiguration;
  const arn = service.serviceArn ?? "";
  return {
    arn,
    name: service.serviceName ?? lastSegment(arn),
    clusterName: lastSegment(service.clusterArn ?? clusterOfArn(arn) ?? ""),
    status: service.status ?? "UNKNOWN",
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    taskDefinitionArn: primary?.taskDefinition ?? service.taskDefinition ?? "",
    launchType: service.launchType,
    subnets: network?.subnets ?? [],
    securityGroups: network?.securityGroups ?? [],
    serviceRegistries: (service.serviceRegistries ?? []).map((r) => ({
      registryArn: r.registryArn ?? "",
      port: r.port,
      containerName: r.containerName,
      containerPort: r.containerPort,
    })),
    loadBalancers: (service.loadBalancers ?? []).map((lb) => ({
      targetGroupArn: lb.targetGroupArn,
      loadBalancerName: lb.loadBalancerName,
      containerName: lb.containerName,
      containerPort: lb.containerPort,
    })),
    ...(service.healthCheckGracePeriodSeconds === undefined
      ? {}
      : { healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds }),
    serviceConnect: serviceConnectOf(primary),
    rolloutState: primary?.rolloutState,
    rolloutStateReason: primary?.rolloutStateReason,
    deployedAt: primary?.createdAt,
    failedTasks: primary?.failedTasks ?? 0,
    deploymentCount: service.deployments?.length ?? 0,
    deployments: (service.deployments ?? []).map((d) => ({
      id: d.id ?? "",
      status: d.status ?? "",
      taskDefinitionArn: d.taskDefinition ?? "",
      ...(d.createdAt ? { createdAt: d.createdAt } : {}),
      ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
    })),
    circuitBreaker: service.deploymentConfiguration?.deploymentCircuitBreaker
      ? {
          enable: service.deploymentConfiguration.deploymentCircuitBreaker.enable ?? false,
          rollback: service.deploymentConfiguration.deploymentCircuitBreaker.rollback ?? false,
        }
      : undefined,
    events: (service.events ?? []).map((e) => ({
      at: e.createdAt ?? new Date(0),
      message: e.message ?? "",
    })),
  };
}

const eniOf = (task: Task) => task.attachments?.find((a) => a.type === "ElasticNetworkInterface");

function eniDetail(task: Task, name: string): string | undefined {
  return eniOf(task)?.details?.find((d) => d.name === name)?.value;
}

export function toEcsTask(task: Task): EcsTask {
  const arn = task.taskArn ?? "";
  return {
    arn,
    id: lastSegment(arn),
    clusterName: lastSegment(task.clusterArn ?? clusterOfArn(arn) ?? ""),
    taskDefinitionArn: task.taskDefinitionArn ?? "",
    group: task.group,
    lastStatus: task.lastStatus ?? "UNKNOWN",
    desiredStatus: task.desiredStatus ?? "UNKNOWN",
    healthStatus: task.healthStatus,
    ipv4:
      eniDetail(task, "privateIPv4Address") ??
      task.containers?.flatMap((c) => c.networkInterfaces ?? [])[0]?.privateIpv4Address,
    availabilityZone: task.availabilityZone,
    subnetId: eniDetail(task, "subnetId"),
    eniAttachmentId: eniOf(task)?.id,
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    ...(task.platformFamily ? { platformFamily: task.platformFamily } : {}),
    ...(task.containerInstanceArn ? { containerInstanceArn: task.containerInstanceArn } : {}),
    containers: (task.containers ?? []).map((c) => {
      // A binding of a port range names no single port: no target registers it.
      const bindings = (c.networkBindings ?? []).flatMap((b) =>
        b.hostPort !== undefined && b.containerPort !== undefined
          ? [{ containerPort: b.containerPort, hostPort: b.hostPort, protocol: b.protocol }]
          : [],
      );
      return {
        name: c.name ?? "",
        lastStatus: c.lastStatus,
        healthStatus: c.healthStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        ...(bindings.length > 0 ? { networkBindings: bindings } : {}),
      };
    }),
  };
}

export function toTaskDefinition(td: SdkTaskDefinition): TaskDefinition {
  return {
    arn: td.taskDefinitionArn ?? "",
    family: td.family ?? "",
    revision: td.revision ?? 0,
    networkMode: td.networkMode,
    ...(td.runtimePlatform?.operatingSystemFamily
      ? { operatingSystemFamily: td.runtimePlatform.operatingSystemFamily }
      : {}),
    containers: (td.containerDefinitions ?? []).map((c) => ({
      name: c.name ?? "",
      portMappings: (c.portMappings ?? []).map((p) => ({
        name: p.name,
        containerPort: p.containerPort ?? 0,
        protocol: p.protocol,
        appProtocol: p.appProtocol,
      })),
      ...(c.logConfiguration?.logDriver
        ? {
            logConfiguration: {
              logDriver: c.logConfiguration.logDriver,
              options: { ...c.logConfiguration.options },
            },
          }
        : {}),
    })),
  };
}

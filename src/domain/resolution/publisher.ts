// The ECS service behind a name, and how callers reach it without the name (its load
// balancers, Service Discovery DNS, Cloud Map DiscoverInstances).

import { type TaskDefinitionLogs, taskDefinitionLogs } from "../console-links.ts";
import type { LoadBalancerRef } from "../facts.ts";
import { hostOf, listenLabel, type NameBinding } from "./bindings.ts";
import { namespaceByRef, type ServiceFacts, taskDefinitionLabel } from "./service-facts.ts";

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
  /** Where its task definition's containers log (console links); absent when it was not read. */
  taskLogs?: TaskDefinitionLogs;
}

export interface Publisher {
  cluster: string;
  service: string;
  /** Undefined when the ECS service could not be read (a gap says why). */
  ecs?: PublisherState;
}

export function publisherOf(facts: ServiceFacts): Publisher {
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
      ...(facts.taskDefinition ? { taskLogs: taskDefinitionLogs(facts.taskDefinition) } : {}),
    },
  };
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

export function clientOnlyNote(pub: Publisher): string | undefined {
  return pub.ecs?.serviceConnectClientOnly
    ? `a Service Connect client of namespace ${pub.ecs.serviceConnectNamespace ?? "?"} (it resolves that namespace's aliases and publishes none)`
    : undefined;
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

// What was read about one ECS service and the namespaces it publishes into: the facts a
// resolution is built from (src/commands reads them).

import type {
  CloudMapInstance,
  CloudMapService,
  EcsService,
  EcsTask,
  Gap,
  Namespace,
  TaskDefinition,
} from "../facts.ts";

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

// The project's own view of what AWS returned. The AWS adapters map SDK shapes into these
// types; the domain reasons only over them, so it never imports the SDK.

export type NamespaceType = "HTTP" | "DNS_PRIVATE" | "DNS_PUBLIC";

export interface Namespace {
  id: string;
  arn: string;
  name: string;
  type: NamespaceType;
  /** The name DiscoverInstances takes (HttpProperties.HttpName). */
  httpName: string;
  /** Route 53 hosted zone behind a DNS namespace. */
  hostedZoneId?: string;
}

export interface DnsRecordSpec {
  type: string;
  ttl: number;
}

export interface CloudMapService {
  id: string;
  arn: string;
  name: string;
  namespaceId: string;
  /** Empty for services without DNS (HTTP namespaces, Service Connect). */
  dnsRecords: DnsRecordSpec[];
  routingPolicy?: string;
  /**
   * When the Cloud Map service was created: for Service Connect, when its discovery name first
   * appeared in the namespace (ECS creates one Cloud Map service per discovery name).
   */
  createdAt?: Date;
}

export type CloudMapHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

export interface CloudMapInstance {
  /** ECS registers Service Discovery tasks under their task ID; other registrants may not. */
  id: string;
  ipv4?: string;
  port?: number;
  availabilityZone?: string;
  health: CloudMapHealth;
  ecsClusterName?: string;
  ecsServiceName?: string;
  taskDefinitionFamily?: string;
}

export interface ClientAlias {
  /** Absent when the service declares only a port: ECS then uses discoveryName.namespace. */
  dnsName?: string;
  port: number;
}

export interface ServiceConnectEntry {
  portName: string;
  /** As ECS reports it; defaults to the port name. Clients cannot resolve it alone. */
  discoveryName: string;
  discoveryArn?: string;
  clientAliases: ClientAlias[];
  /** The port the server-side proxy listens on, when it is not the container port. */
  ingressPortOverride?: number;
}

export interface ServiceConnectConfig {
  enabled: boolean;
  namespace?: string;
  services: ServiceConnectEntry[];
}

export interface ServiceRegistryRef {
  registryArn: string;
  port?: number;
  containerName?: string;
  containerPort?: number;
}

/** One of a service's load balancers (DescribeServices `loadBalancers[]`). */
export interface LoadBalancerRef {
  /** ELB v2 (Application, Network): the target group the tasks register in. */
  targetGroupArn?: string;
  /** Classic Load Balancer: its name (no target group). */
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
}

export interface ServiceEvent {
  at: Date;
  message: string;
}

export interface EcsService {
  arn: string;
  name: string;
  clusterName: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinitionArn: string;
  launchType?: string;
  subnets: string[];
  securityGroups: string[];
  serviceRegistries: ServiceRegistryRef[];
  /** Load balancers the service registers its tasks with (absent: read by nothing that kept them). */
  loadBalancers?: LoadBalancerRef[];
  /**
   * Seconds after a task starts during which ECS ignores failing load balancer (and container)
   * health checks (describe-services healthCheckGracePeriodSeconds); absent: none set.
   */
  healthCheckGracePeriodSeconds?: number;
  /** From the PRIMARY deployment: what new tasks run with. */
  serviceConnect?: ServiceConnectConfig;
  rolloutState?: string;
  rolloutStateReason?: string;
  /** When the PRIMARY deployment started: clients older than this cannot resolve new aliases. */
  deployedAt?: Date;
  /** Tasks of the PRIMARY deployment that failed to start or stay running. */
  failedTasks: number;
  /** Deployments still active: more than one means a rollout is under way. */
  deploymentCount: number;
  /** Those deployments, as ECS lists them (an incident names the task definition change). */
  deployments?: DeploymentRef[];
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** Newest first, as ECS returns them. */
  events: ServiceEvent[];
}

/** One deployment of a service (DescribeServices `deployments[]`). */
export interface DeploymentRef {
  id: string;
  /** PRIMARY (the newest), ACTIVE (an older one still running tasks), INACTIVE. */
  status: string;
  taskDefinitionArn: string;
  createdAt?: Date;
  rolloutState?: string;
}

/** A container port published on its EC2 host (DescribeTasks `containers[].networkBindings`). */
export interface NetworkBinding {
  containerPort: number;
  /** The host port the balancer's instance target names: dynamic in bridge mode, the container's in host mode. */
  hostPort: number;
  protocol?: string;
}

export interface ContainerState {
  name: string;
  lastStatus?: string;
  healthStatus?: string;
  exitCode?: number;
  reason?: string;
  /** bridge and host network mode only (awsvpc and Fargate tasks have none). */
  networkBindings?: NetworkBinding[];
}

/** An EC2 container instance of a cluster (DescribeContainerInstances): which EC2 instance it is. */
export interface ContainerInstance {
  arn: string;
  /** The ID an `instance` target of a target group names. */
  ec2InstanceId: string;
}

export interface EcsTask {
  arn: string;
  id: string;
  clusterName: string;
  taskDefinitionArn: string;
  /** "service:<name>" for tasks started by a service. */
  group?: string;
  lastStatus: string;
  desiredStatus: string;
  healthStatus?: string;
  ipv4?: string;
  availabilityZone?: string;
  subnetId?: string;
  /** Its ElasticNetworkInterface attachment's ID (awsvpc mode): names its ENI exactly. */
  eniAttachmentId?: string;
  startedAt?: Date;
  stoppedAt?: Date;
  stoppedReason?: string;
  /** TaskFailedToStart, EssentialContainerExited, ServiceSchedulerInitiated, … */
  stopCode?: string;
  /** Fargate only: the OS it runs on ("Linux", a Windows Server family). */
  platformFamily?: string;
  /** EC2 launch type: the container instance it runs on (its EC2 instance: ContainerInstance). */
  containerInstanceArn?: string;
  containers: ContainerState[];
}

export interface PortMapping {
  name?: string;
  containerPort: number;
  protocol?: string;
  appProtocol?: string;
}

/** A container's `logConfiguration`: its log driver and the driver's options, as registered. */
export interface LogConfiguration {
  logDriver: string;
  options: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  portMappings: PortMapping[];
  /** Absent when the container states none (it then logs with the Docker daemon's default). */
  logConfiguration?: LogConfiguration;
}

export interface TaskDefinition {
  arn: string;
  family: string;
  revision: number;
  /** awsvpc, bridge, host; in bridge mode the Service Connect proxy listens on an ephemeral port. */
  networkMode?: string;
  /**
   * runtimePlatform.operatingSystemFamily: "LINUX" or "WINDOWS_SERVER_…"; absent when the task
   * definition states none (it picks the client's ephemeral ports, see network-path.ts).
   */
  operatingSystemFamily?: string;
  containers: ContainerDefinition[];
}

/** Something the bot could not read, so the answer is partial. */
export interface Gap {
  /** What is missing, in the user's terms: "task endpoints of tutorial/api-service". */
  what: string;
  /** Why: "AWS throttled DescribeTasks (ThrottlingException)". */
  why: string;
  /** Why in a word, for a headline: "denied", "throttled", "timed out". */
  cause?: string;
  /** The part of a digest's scope this leaves unread: a cluster's services, the cluster list. */
  scopePart?: { kind: "cluster" | "clusters" | "namespace" | "namespaces"; name?: string };
  /**
   * AWS answered that the thing does not exist (ServiceNotFoundException…): a finding of absence
   * from a read that worked, not something left unread. A "not found" answer leaves it out.
   */
  absent?: true;
}

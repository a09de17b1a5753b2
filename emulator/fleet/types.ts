// The fleet the loopback AWS emulator serves: stored AWS response objects, not a model of our own.
// The demo fleet is described in README.md beside this file.

import type {
  DhcpOptions,
  ManagedPrefixList,
  NetworkAcl,
  NetworkInterface,
  PrefixListEntry,
  RouteTable,
  SecurityGroup,
} from "@aws-sdk/client-ec2";
import type {
  Cluster,
  ContainerInstance,
  Service,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type {
  Listener,
  LoadBalancer,
  Rule,
  TagDescription,
  TargetGroup,
  TargetGroupAttribute,
  TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import type {
  Namespace,
  Service as ServiceDiscoveryService,
} from "@aws-sdk/client-servicediscovery";

/**
 * An SDK shape as stored in a fleet file: timestamps are ISO strings (or epoch seconds), and every
 * member is optional (AWS itself omits some the model requires, e.g. an HTTP namespace's `SOA: {}`).
 */
export type Stored<T> = T extends Date
  ? string | number
  : T extends readonly (infer U)[]
    ? Stored<U>[]
    : T extends object
      ? { [K in keyof T]?: Stored<T[K]> }
      : T;

/** A `describe-clusters` clusters[] object. */
export type FleetCluster = Stored<Cluster> & { clusterName: string; clusterArn: string };
/** A `describe-services` services[] object. */
export type FleetService = Stored<Service> & {
  serviceName: string;
  serviceArn: string;
  clusterArn: string;
};
/** A `describe-container-instances` containerInstances[] object (an EC2 host of bridge/host tasks). */
export type FleetContainerInstance = Stored<ContainerInstance> & {
  containerInstanceArn: string;
  ec2InstanceId: string;
};
/** A `describe-tasks` tasks[] object (RUNNING and recently STOPPED). */
export type FleetTask = Stored<Task> & { taskArn: string; clusterArn: string };
/** A `describe-task-definition` taskDefinition object. */
export type FleetTaskDefinition = Stored<TaskDefinition> & {
  taskDefinitionArn: string;
  family: string;
  revision: number;
};
/** A `get-namespace` Namespace object (ServiceCount is derived by the server). */
export type FleetNamespace = Stored<Namespace> & {
  Id: string;
  Arn: string;
  Name: string;
  Type: string;
};
/** A Cloud Map `get-service` Service object (InstanceCount is derived by the server). */
export type FleetCloudMapService = Stored<ServiceDiscoveryService> & {
  Id: string;
  Arn: string;
  Name: string;
  NamespaceId: string;
};
export type InstanceHealth = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
/** A registered Cloud Map instance: ListInstances' attributes plus GetInstancesHealthStatus' status. */
export interface FleetInstance {
  serviceId: string;
  instanceId: string;
  attributes: Record<string, string>;
  health: InstanceHealth;
}
/** A Route 53 hosted zone, as GetHostedZone reports it (name with the trailing dot). */
export interface FleetHostedZone {
  id: string;
  name: string;
  callerReference: string;
  comment?: string;
  privateZone: boolean;
  resourceRecordSetCount?: number;
  linkedService?: { servicePrincipal: string; description?: string };
  vpcs: { vpcId: string; vpcRegion: string }[];
  /**
   * Its record sets, as ListResourceRecordSets returns them (names with the trailing dot), for a
   * zone the fleet manages itself; absent for a Cloud Map zone, whose records Cloud Map writes.
   */
  records?: FleetResourceRecordSet[];
}
/** A Route 53 ResourceRecordSet (an alias record: AliasTarget, no TTL or ResourceRecords). */
export type FleetResourceRecordSet = Stored<ResourceRecordSet> & { Name: string; Type: string };
/**
 * A VPC and its subnets: EC2 DescribeSubnets serves the subnets, DescribeVpcAttribute the two DNS
 * attributes. AWS's defaults: enableDnsSupport true; enableDnsHostnames true only in a default VPC
 * (VPC User Guide, "DNS attributes for your VPC"). A fleet should state both; one left out reads as
 * a non-default VPC's (support true, hostnames false).
 */
export interface FleetVpc {
  vpcId: string;
  cidrBlock: string;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
  /**
   * DescribeVpcs' DhcpOptionsId: a set of `dhcpOptions`, or "default" for no set at all
   * (AssociateDhcpOptions). Unset: the region's default set, which hands out AmazonProvidedDNS.
   */
  dhcpOptionsId?: string;
  /** The VPC's owner (DescribeVpcs OwnerId), another account for a shared VPC; unset: the fleet's. */
  ownerId?: string;
  subnets: { subnetId: string; availabilityZone: string; cidrBlock: string }[];
}
/** An EC2 `describe-dhcp-options` DhcpOptions[] object. */
export type FleetDhcpOptions = Stored<DhcpOptions> & { DhcpOptionsId: string };
/**
 * A Route 53 Resolver ResolverRule as ListResolverRules returns it (botocore route53resolver
 * 2018-04-01 model; DomainName with its trailing dot).
 */
export interface FleetResolverRule {
  Id: string;
  DomainName: string;
  RuleType: "FORWARD" | "SYSTEM" | "RECURSIVE" | "DELEGATE";
  Name?: string;
  Arn?: string;
  Status?: "COMPLETE" | "DELETING" | "UPDATING" | "FAILED";
  TargetIps?: { Ip?: string; Port?: number; Ipv6?: string; Protocol?: string }[];
  ResolverEndpointId?: string;
  OwnerId?: string;
  ShareStatus?: "NOT_SHARED" | "SHARED_WITH_ME" | "SHARED_BY_ME";
  CreatorRequestId?: string;
}
/** A Route 53 Resolver ResolverRuleAssociation (a rule applied to one VPC). */
export interface FleetResolverRuleAssociation {
  Id: string;
  ResolverRuleId: string;
  VPCId: string;
  Name?: string;
  Status?: "CREATING" | "COMPLETE" | "DELETING" | "FAILED" | "OVERRIDDEN";
  StatusMessage?: string;
}
/** A Route 53 Profiles ProfileAssociation (a Profile applied to one VPC, its ResourceId). */
export interface FleetProfileAssociation {
  Id: string;
  ProfileId: string;
  ResourceId: string;
  Name?: string;
  OwnerId?: string;
  Status?: "COMPLETE" | "DELETING" | "UPDATING" | "CREATING" | "DELETED" | "FAILED";
  StatusMessage?: string;
  CreationTime?: string;
  ModificationTime?: string;
}
/** An EC2 `describe-security-groups` SecurityGroups[] object. */
export type FleetSecurityGroup = Stored<SecurityGroup> & { GroupId: string; VpcId: string };
/** An EC2 `describe-network-acls` NetworkAcls[] object (Entries and Associations included). */
export type FleetNetworkAcl = Stored<NetworkAcl> & { NetworkAclId: string; VpcId: string };
/** An EC2 `describe-route-tables` RouteTables[] object. */
export type FleetRouteTable = Stored<RouteTable> & { RouteTableId: string; VpcId: string };
/**
 * A managed prefix list (a `describe-managed-prefix-lists` PrefixLists[] object) with its
 * entries, as `get-managed-prefix-list-entries` returns them: a route may name it as its
 * destination (DestinationPrefixListId).
 */
export type FleetManagedPrefixList = Stored<ManagedPrefixList> & {
  PrefixListId: string;
  Entries: Stored<PrefixListEntry>[];
};
/**
 * An EC2 `describe-network-interfaces` NetworkInterfaces[] object the fleet states outright (a
 * Lambda's, a load balancer's, an instance's). Running awsvpc tasks' ENIs are derived from the
 * tasks (emulator/ec2.ts), so a generated fleet has them too.
 */
export type FleetNetworkInterface = Stored<NetworkInterface> & { NetworkInterfaceId: string };
/**
 * Which ECS-managed tags (`aws:ecs:clusterName`, `aws:ecs:serviceName`) a task's ENI carries.
 * Only ECS writes them (`aws:` tags are reserved to AWS), when the service has
 * enableECSManagedTags on; that they reach the ENI is observed, not documented (AWS publishes no
 * task ENI), so the emulator can show each case. Default "none".
 */
export type EniTags = "none" | "cluster" | "cluster-and-service";
/** A Lambda `get-function-configuration` object (VpcConfig absent or empty: not in a VPC). */
export type FleetLambdaFunction = Stored<FunctionConfiguration> & {
  FunctionName: string;
  FunctionArn: string;
};

/** An ELBv2 `describe-load-balancers` LoadBalancers[] object (an ALB, NLB or GWLB). */
export type FleetLoadBalancer = Stored<LoadBalancer> & {
  LoadBalancerArn: string;
  LoadBalancerName: string;
};
/** A `describe-listeners` Listeners[] object. */
export type FleetListener = Stored<Listener> & { ListenerArn: string; LoadBalancerArn: string };
/**
 * A `describe-rules` Rules[] object that is not a listener's default rule, with the listener it
 * belongs to (not a member of the API's Rule). Each listener's default rule is derived from its
 * DefaultActions, as AWS creates it with the listener.
 */
export type FleetListenerRule = Stored<Rule> & { RuleArn: string; ListenerArn: string };
/** A `describe-target-groups` TargetGroups[] object (LoadBalancerArns as AWS lists them). */
export type FleetTargetGroup = Stored<TargetGroup> & {
  TargetGroupArn: string;
  TargetGroupName: string;
};
/** A `describe-target-health` TargetHealthDescriptions[] object, with its target group. */
export type FleetTargetHealth = Stored<TargetHealthDescription> & { TargetGroupArn: string };
/**
 * A target group's attributes as `describe-target-group-attributes` lists them; unstated ones
 * take AWS's defaults (emulator/elbv2.ts).
 */
export interface FleetTargetGroupAttributes {
  TargetGroupArn: string;
  Attributes: Stored<TargetGroupAttribute>[];
}

/** Service Connect traffic the emulator publishes to CloudWatch (AWS/ECS). */
export interface FleetTraffic {
  publishers: FleetTrafficPublisher[];
}
export interface FleetTrafficPublisher {
  /** The publishing ECS service, by cluster name and service name as in `services`. */
  cluster: string;
  service: string;
  /**
   * A discovery name of its PRIMARY deployment's serviceConnectConfiguration.services[]
   * (discoveryName, which defaults to portName).
   */
  discoveryName: string;
  /**
   * Traffic from clients outside Service Connect (DNS or IP clients) that reaches the proxy:
   * counted server side only.
   */
  outside?: FleetTrafficFlow;
  /** Service Connect callers (ECS services, by cluster and name), each with its own flow. */
  callers: (FleetTrafficFlow & { cluster: string; service: string })[];
}
export interface FleetTrafficFlow {
  /** Baseline requests per minute (for TCP ports only bytes = requests × bytesPerRequest are published). */
  requestsPerMinute: number;
  newConnectionsPerMinute: number;
  activeConnections: number;
  bytesPerRequest: number;
  /** Response shares (0..1); 2xx is the rest. Used for http/http2 only. */
  share3xx?: number;
  share4xx?: number;
  share5xx?: number;
  /**
   * TargetResponseTime histogram: bucket upper bounds (ms, ascending) and the share of requests in
   * each (shares sum to 1).
   */
  latencyBuckets: { le: number; share: number }[];
  /** Phase (radians) of the ±5 % 90-minute wave; default 0. */
  phase?: number;
  incident?: FleetTrafficIncident;
}
export interface FleetTrafficIncident {
  /** Begins this many minutes before the emulator clock's current minute. */
  startMinutesAgo: number;
  /** Default: lasts until now. */
  durationMinutes?: number;
  /** Minutes to reach full strength, linearly; default 4. */
  rampMinutes?: number;
  requestsFactor?: number;
  share5xx?: number;
  activeFactor?: number;
  latencyBuckets?: { le: number; share: number }[];
}

export interface Fleet {
  region: string;
  accountId: string;
  vpcs?: FleetVpc[];
  clusters: FleetCluster[];
  services: FleetService[];
  tasks: FleetTask[];
  /** EC2 container instances (none: every DescribeContainerInstances reference is MISSING). */
  containerInstances?: FleetContainerInstance[];
  taskDefinitions: FleetTaskDefinition[];
  namespaces: FleetNamespace[];
  cloudMapServices: FleetCloudMapService[];
  instances: FleetInstance[];
  hostedZones: FleetHostedZone[];
  /** EC2 network resources of the VPCs (none: EC2 answers empty lists). */
  securityGroups?: FleetSecurityGroup[];
  networkAcls?: FleetNetworkAcl[];
  routeTables?: FleetRouteTable[];
  managedPrefixLists?: FleetManagedPrefixList[];
  /** ENIs besides the running awsvpc tasks' (see FleetNetworkInterface). */
  networkInterfaces?: FleetNetworkInterface[];
  eniTags?: EniTags;
  /** DHCP option sets besides each region's default one (see FleetVpc.dhcpOptionsId). */
  dhcpOptions?: FleetDhcpOptions[];
  /** Route 53 Resolver rules and their VPC associations (none: empty lists). */
  resolverRules?: FleetResolverRule[];
  resolverRuleAssociations?: FleetResolverRuleAssociation[];
  /** Route 53 Profiles associated with VPCs (none: an empty list). */
  profileAssociations?: FleetProfileAssociation[];
  /**
   * Elastic Load Balancing v2 (emulator/elbv2.ts); none: no balancers, every Describe by name or
   * ARN answers not found.
   */
  loadBalancers?: FleetLoadBalancer[];
  listeners?: FleetListener[];
  listenerRules?: FleetListenerRule[];
  targetGroups?: FleetTargetGroup[];
  targetHealth?: FleetTargetHealth[];
  targetGroupAttributes?: FleetTargetGroupAttributes[];
  /** DescribeTags' TagDescriptions of the balancers, target groups, listeners and rules. */
  loadBalancingTags?: Stored<TagDescription>[];
  /** Lambda functions, as possible clients of `/ecs why`. */
  lambdaFunctions?: FleetLambdaFunction[];
  /** Service Connect traffic behind the emulated CloudWatch series; none without it. */
  traffic?: FleetTraffic;
}

// The fleet the loopback AWS emulator serves: stored AWS response objects, not a model of our own.
//
// Demo fleet (emulator/demo-fleet.json), region ap-northeast-1, account 123456789012,
// VPC vpc-0b1e2c3d4e5f60718 (10.0.0.0/16): subnet-0a1c0ffee0000001a (1a, 10.0.1.0/24),
// subnet-0a1c0ffee0000001c (1c, 10.0.2.0/24), subnet-0a1c0ffee0000001d (1d, 10.0.3.0/24).
//
//   task IP      AZ   cluster / service                        task ID                           state
//   10.0.1.23    1a   tutorial / service-connect-nginx-service 0f4e5d6c7b8a49e1a2b3c4d5e6f70801  RUNNING HEALTHY
//   10.0.2.47    1c   tutorial / service-connect-nginx-service 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502  RUNNING HEALTHY
//   10.0.1.88    1a   tutorial / web-frontend                  2b3c4d5e6f7a48b9c0d1e2f3a4b5c603  RUNNING HEALTHY
//   10.0.3.60    1d   tutorial / session-cache                 9c0d1e2f3a4b45c6d7e8f9a0b1c2d34a  RUNNING (no health check)
//   10.0.2.88    1c   tutorial / legacy-report                 ab1c2d3e4f5a46b7c8d9e0f1a2b3c4d5  RUNNING (no health check)
//   10.0.1.101   1a   ecs_service_discovery / api-service      3c4d5e6f7a8b49c0d1e2f3a4b5c6d704  RUNNING HEALTHY
//   10.0.2.102   1c   ecs_service_discovery / api-service      4d5e6f7a8b9c40d1e2f3a4b5c6d7e805  RUNNING HEALTHY
//   10.0.3.103   1d   ecs_service_discovery / api-service      5e6f7a8b9c0d41e2f3a4b5c6d7e8f906  RUNNING UNHEALTHY
//   10.0.2.150-2 1c   ecs_service_discovery / billing-worker   6f7a…, 7a8b…, 8b9c…               STOPPED (OOM, exit 137)
//   10.0.3.150-1 1d   ecs_service_discovery / invoice-renderer bc2d…, cd3e…                      STOPPED (never started:
//                                                                                    CannotPullContainerError, TaskFailedToStart)
//   10.0.1.140   1a   staging / api-service                    de4f5a6b7c8d49e0f1a2b3c4d5e6f7a8  RUNNING HEALTHY
//   10.0.2.141   1c   staging / api-service                    ef5a6b7c8d9e40f1a2b3c4d5e6f7a8b9  RUNNING HEALTHY
//   10.0.1.142   1a   staging / web-frontend                   fa6b7c8d9e0f41a2b3c4d5e6f7a8b9c0  RUNNING HEALTHY
//
//   service                        names                                               deployment (PRIMARY)
//   service-connect-nginx-service  Service Connect nginx.service-connect:80 (http)     2026-11-20T09:00Z COMPLETED
//   web-frontend                   Service Connect client only (calls nginx, api,      2026-11-22T12:00Z COMPLETED
//                                  redis)
//   session-cache                  Service Connect redis.service-connect:6379, TCP (no 2026-11-22T11:30Z COMPLETED
//                                  appProtocol); alias declared as {port: 6379} only,
//                                  as in AWS's create-service example; its Cloud Map
//                                  instance has no ECS attributes (joined by IP)
//   legacy-report                  Service Connect client only; short-format ARN       2026-11-21T08:00Z COMPLETED
//                                  (service/legacy-report); deployed BEFORE
//                                  api.service-connect first appeared: needs a redeploy
//   api-service                    api.internal.local (DNS) AND api.service-connect:    2026-11-23T09:30Z COMPLETED
//                                  8080, mid-migration; a routine redeploy (api:8, same
//                                  alias) after web-frontend's deployment: harmless
//   billing-worker                 none                                                2026-11-23T15:10Z FAILED
//                                  (circuit breaker, no rollback: 3 failed tasks, 0 of 2 running)
//   invoice-renderer               none; image tag 2.4.1 does not exist                2026-11-23T16:05Z IN_PROGRESS
//   staging/api-service            Service Connect api.staging:8080 in namespace       2026-11-23T08:00Z COMPLETED
//                                  `staging`: the SAME discovery name `api` as prod
//   staging/web-frontend           Service Connect client only of `staging`            2026-11-23T08:10Z COMPLETED
//
// ENIs (EC2 DescribeNetworkInterfaces): one per RUNNING task above (none for stopped ones), and
//   10.0.11.5    1a   Lambda order-webhook's (interface type lambda)
//   10.1.1.9     1a   Lambda nightly-export's, in the peered VPC vpc-0d2e3f4a5b6c70819
//   10.0.1.200   1a   Network Load Balancer orders-nlb's
//   10.0.3.10    1d   EC2 instance i-0b5a7c9d1e3f50a10's primary interface (a bastion)
//
// api.service-connect first appeared 2026-11-22T10:50Z (its Cloud Map service's CreateDate).
// web-frontend was deployed after that (11-22 12:00), so its proxy resolves the alias and its calls
// show in CloudWatch; api-service's redeploy on 11-23 changes nothing for it. legacy-report was
// deployed on 11-21, before the alias existed: it cannot resolve it until redeployed.
//
// Namespaces: service-connect (HTTP, ns-vdpucf3aztj23ecw; Cloud Map services nginx srv-tsw4bbsna23fxcjx,
// api srv-q2lmw6y4nbh7ecpa (api-service's 3 tasks, 10.0.3.103 UNHEALTHY) and redis srv-r3dk7q2cache6x0a
// (no health check: UNKNOWN)), internal.local (DNS_PRIVATE, ns-uejictsjen2i4eeg, hosted zone
// Z0EXAMPLE1INTERNAL0LCL; Cloud Map service api srv-utcrh6wavdkggqtk, the same 3 tasks) and staging
// (HTTP, ns-k7w2xq4mvb3stgag; api srv-x8fhs4n2stg9api1). Timestamps are stored as ISO strings; the
// server sends epoch seconds. CloudWatch series come from the `traffic` section (see cloudwatch.ts):
// nginx, api (with a 5xx incident in the last 15 minutes and DNS clients), redis (TCP) and staging's
// api (a broken build: 40 % 5xx, under the same discovery name as prod's api).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type {
  DhcpOptions,
  ManagedPrefixList,
  NetworkAcl,
  NetworkInterface,
  PrefixListEntry,
  RouteTable,
  SecurityGroup,
} from "@aws-sdk/client-ec2";
import type { Cluster, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type {
  Namespace,
  Service as ServiceDiscoveryService,
} from "@aws-sdk/client-servicediscovery";
import { seededRandom } from "./wire.ts";

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
}
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
  /** Lambda functions, as possible clients of `/ecs why`. */
  lambdaFunctions?: FleetLambdaFunction[];
  /** Service Connect traffic behind the emulated CloudWatch series; none without it. */
  traffic?: FleetTraffic;
}

/** A fresh copy of emulator/demo-fleet.json (callers may mutate it). */
export function loadDemoFleet(): Fleet {
  const text = readFileSync(new URL("./demo-fleet.json", import.meta.url), "utf8");
  return JSON.parse(text) as Fleet;
}

/**
 * The same fleet in another account and region: every ARN, account ID, region and availability
 * zone rewritten, as the same stack deployed there would be (for multi-account demos and tests).
 */
/**
 * The "ECS Task State Change" event EventBridge delivers for each task of the fleet, as ECS sends
 * it (ECS developer guide, "Amazon ECS task state change events"): the envelope, and as `detail`
 * the task as DescribeTasks shows it, with its `version`. What the address book of `whois <IP>`
 * is fed from (src/aws/address-book.ts).
 */
export function taskStateChangeEvents(fleet: Fleet): Record<string, unknown>[] {
  return fleet.tasks.map((task, i) => ({
    version: "0",
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: fleet.accountId,
    time: new Date(0).toISOString(),
    region: fleet.region,
    resources: [task.taskArn],
    detail: { ...task, version: 2 },
  }));
}

export function relocateFleet(fleet: Fleet, accountId: string, region: string): Fleet {
  const text = JSON.stringify(fleet)
    .replaceAll(fleet.accountId, accountId)
    .replaceAll(fleet.region, region);
  return JSON.parse(text) as Fleet;
}

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
const GENERATED_SUBNET_BASES = [64, 128, 192] as const;
const HOSTS_PER_GENERATED_SUBNET = 64 * 256 - 5;
const GENERATED_EPOCH = Date.parse("2026-11-01T00:00:00Z");

function hex(seed: string, length: number): string {
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
 * - services behind target groups (`loadBalancers`), each load balancer with its own ENI.
 * For property tests: nothing here is a single hand-picked case. Existing options of
 * generateFleet are untouched.
 */
export function generateIncidentFleet(seed: number, options: IncidentFleetOptions = {}): Fleet {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const demoServices = loadDemoFleet().services.length;
  const fleet = generateFleet({
    services: options.services ?? int(2, 10),
    clusters: options.clusters ?? int(1, 4),
    namespaces: options.namespaces ?? int(1, 3),
    tasksPerService: options.tasksPerService ?? int(1, 3),
  });
  const { region, accountId } = fleet;
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
      const port =
        primary(service)?.serviceConnectConfiguration?.services?.[0]?.clientAliases?.[0]?.port;
      const id = hex(`tg-${service.serviceArn}`, 16);
      const name = `${service.serviceName}`.slice(0, 24);
      service.loadBalancers = [
        {
          targetGroupArn: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}-tg/${id}`,
          containerName: "app",
          containerPort: port ?? 8080,
        },
      ];
      service.healthCheckGracePeriodSeconds = 30;
      const n = (fleet.networkInterfaces ?? []).length;
      const lb = `${name}-alb`;
      const lbId = hex(`alb-${service.serviceArn}`, 16);
      // The top of a generated /18, clear of the tasks counted up from its start.
      const base = GENERATED_SUBNET_BASES[n % GENERATED_SUBNET_BASES.length] ?? 64;
      const ip = `10.0.${base + 63}.${200 + (n % 50)}`;
      const subnet = fleet.vpcs?.[0]?.subnets.find((s) => s.cidrBlock === `10.0.${base}.0/18`);
      fleet.networkInterfaces ??= [];
      fleet.networkInterfaces.push({
        NetworkInterfaceId: `eni-0${hex(`eni-${lbId}`, 16)}`,
        // An Application Load Balancer's ENI: type "interface", described "ELB app/NAME/ID".
        Description: `ELB app/${lb}/${lbId}`,
        InterfaceType: "interface",
        Attachment: {
          AttachmentId: `ela-attach-0${hex(`attach-${lbId}`, 16)}`,
          DeleteOnTermination: false,
          DeviceIndex: 1,
          NetworkCardIndex: 0,
          InstanceOwnerId: "amazon-elb",
          Status: "attached",
        },
        RequesterId: "amazon-elb",
        RequesterManaged: true,
        Status: "in-use",
        OwnerId: accountId,
        AvailabilityZone: subnet?.availabilityZone,
        SubnetId: subnet?.subnetId,
        VpcId: fleet.vpcs?.[0]?.vpcId,
        PrivateIpAddress: ip,
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
        Groups: [],
        TagSet: [],
      });
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

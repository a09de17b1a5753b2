// Generated services behind their own internal Application Load Balancer: the balancer, its ENI,
// an HTTP listener forwarding to the service's target group, and a target per task as ECS
// registers it (by IP, awsvpc), healthy or not as the task is; or a target group the service still
// names that was deleted (dangling). Rules and AWS sources: ./README.md, "Generated balancers".

import { seededRandom } from "../wire.ts";
import { loadDemoFleet } from "./demo.ts";
import { GENERATED_SUBNET_BASES, hex } from "./generate.ts";
import type { Fleet, FleetService, FleetTargetHealth, FleetTask } from "./types.ts";

/** How a generated service sits behind a balancer. */
export type BalancerKind =
  /** Its own ALB and target group, every running or draining task a target. */
  | "live"
  /** The ALB enabled in two of the three zones: targets in the third are Target.NotInUse. */
  | "live-two-zones"
  /** A live group and a second one, deleted, the service still names. */
  | "live-and-dangling"
  /** Only a deleted group: ELB has no trace of it. */
  | "dangling";

/** Route 53 hosted zone ID of ap-northeast-1's ALBs (ELB endpoints and quotas, "Elastic Load Balancing endpoints"). */
const ALB_HOSTED_ZONE = "Z14GRHDCWA56QT";

/** A failing target's reason and AWS's own words (ALB guide, "Target health reason codes"). */
const FAILURES = [
  {
    Reason: "Target.ResponseCodeMismatch",
    Description: "Health checks failed with these codes: [503]",
  },
  {
    Reason: "Target.ResponseCodeMismatch",
    Description: "Health checks failed with these codes: [502]",
  },
  { Reason: "Target.Timeout", Description: "Request timed out" },
  { Reason: "Target.FailedHealthChecks", Description: "Health checks failed" },
] as const;

const taskIpOf = (task: FleetTask) =>
  task.attachments
    ?.find((a) => a.type === "ElasticNetworkInterface")
    ?.details?.find((d) => d.name === "privateIPv4Address")?.value;

/** How often each kind is drawn for a service behind a balancer (incident fleets too). */
export const BALANCER_KINDS: readonly BalancerKind[] = [
  "live",
  "live",
  "live",
  "live",
  "live-two-zones",
  "live-and-dangling",
  "dangling",
];

/**
 * `fleet` (a generateFleet's) with about `share` of its generated services behind balancers of
 * BALANCER_KINDS, drawn from `seed`: the same fleet, share and seed give the same balancers. For
 * digests and benches whose services should carry target health, failing and deleted groups
 * included. Changes `fleet` and returns it.
 */
export function withBalancers(fleet: Fleet, share: number, seed = 1): Fleet {
  const random = seededRandom(seed);
  const generated = fleet.services.slice(loadDemoFleet().services.length);
  for (const service of generated) {
    if (random() >= share) continue;
    const kind = BALANCER_KINDS[Math.floor(random() * BALANCER_KINDS.length)] ?? "live";
    putBehindBalancer(fleet, service, kind, random);
  }
  return fleet;
}

/** The names and ARNs of a service's balancer and groups: unique per cluster and service. */
export function balancerNames(fleet: Fleet, service: FleetService) {
  const { region, accountId } = fleet;
  // Target group and balancer names are unique per account and region, at most 32 characters;
  // a service name may repeat in another cluster, so the service ARN's hash is in the name.
  const short = `${service.serviceName.slice(0, 20)}-${hex(service.serviceArn, 4)}`;
  const elb = (resource: string) =>
    `arn:aws:elasticloadbalancing:${region}:${accountId}:${resource}`;
  const lbName = `${short}-alb`;
  const lbId = hex(`alb-${service.serviceArn}`, 16);
  return {
    lbName,
    lbId,
    lbArn: elb(`loadbalancer/app/${lbName}/${lbId}`),
    listenerArn: elb(`listener/app/${lbName}/${lbId}/${hex(`listener-${service.serviceArn}`, 16)}`),
    tgName: `${short}-tg`,
    tgArn: elb(`targetgroup/${short}-tg/${hex(`tg-${service.serviceArn}`, 16)}`),
    goneArn: elb(`targetgroup/${short}-old/${hex(`old-tg-${service.serviceArn}`, 16)}`),
  };
}

/**
 * Puts `service` behind a balancer of `kind` (see BalancerKind), drawing which healthy tasks'
 * targets fail anyway from `random`. A task whose container health check fails fails the
 * balancer's too; a draining task's target is draining; a stopped task is deregistered. A healthy
 * task's target fails on its own only while another target of the group stays healthy, so the
 * balancer alone never makes a service with healthy tasks DOWN.
 */
export function putBehindBalancer(
  fleet: Fleet,
  service: FleetService,
  kind: BalancerKind,
  random: () => number,
  /** The container port: default the one the service publishes, else 8080. */
  port = publishedPort(service) ?? 8080,
): void {
  const names = balancerNames(fleet, service);
  const entry = (targetGroupArn: string) => ({
    targetGroupArn,
    containerName: "app",
    containerPort: port,
  });
  service.healthCheckGracePeriodSeconds = 30;
  if (kind === "dangling") {
    service.loadBalancers = [entry(names.goneArn)];
    return;
  }
  service.loadBalancers = [
    entry(names.tgArn),
    ...(kind === "live-and-dangling" ? [entry(names.goneArn)] : []),
  ];
  const vpc = fleet.vpcs?.[0];
  const subnets = (vpc?.subnets ?? []).filter((s) =>
    GENERATED_SUBNET_BASES.some((base) => s.cidrBlock === `10.0.${base}.0/18`),
  );
  const zones = kind === "live-two-zones" ? subnets.slice(0, 2) : subnets;
  const created = Date.parse(String(service.createdAt ?? "2026-11-01T00:00:00Z")) - 600_000;
  const digits = Number.parseInt(hex(`dns-${names.lbArn}`, 8), 16) % 1_000_000_000;
  fleet.loadBalancers ??= [];
  fleet.loadBalancers.push({
    LoadBalancerArn: names.lbArn,
    DNSName: `internal-${names.lbName}-${digits}.${fleet.region}.elb.amazonaws.com`,
    CanonicalHostedZoneId: ALB_HOSTED_ZONE,
    CreatedTime: new Date(created).toISOString(),
    LoadBalancerName: names.lbName,
    Scheme: "internal",
    VpcId: vpc?.vpcId,
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: zones.map((s) => ({
      ZoneName: s.availabilityZone,
      SubnetId: s.subnetId,
      LoadBalancerAddresses: [],
    })),
    SecurityGroups: [],
    IpAddressType: "ipv4",
  });
  fleet.listeners ??= [];
  fleet.listeners.push({
    ListenerArn: names.listenerArn,
    LoadBalancerArn: names.lbArn,
    Port: 80,
    Protocol: "HTTP",
    DefaultActions: [{ Type: "forward", TargetGroupArn: names.tgArn }],
  });
  fleet.targetGroups ??= [];
  fleet.targetGroups.push({
    TargetGroupArn: names.tgArn,
    TargetGroupName: names.tgName,
    Protocol: "HTTP",
    Port: port,
    VpcId: vpc?.vpcId,
    HealthCheckProtocol: "HTTP",
    HealthCheckPort: "traffic-port",
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    HealthCheckPath: "/health",
    Matcher: { HttpCode: "200" },
    LoadBalancerArns: [names.lbArn],
    TargetType: "ip",
    ProtocolVersion: "HTTP1",
    IpAddressType: "ipv4",
  });
  fleet.targetHealth ??= [];
  fleet.targetHealth.push(...targetsOf(fleet, service, names.tgArn, zones, port, random));
  pushBalancerEni(fleet, names.lbName, names.lbId, zones);
}

const publishedPort = (service: FleetService) =>
  service.deployments?.find((d) => d.status === "PRIMARY")?.serviceConnectConfiguration
    ?.services?.[0]?.clientAliases?.[0]?.port;

function targetsOf(
  fleet: Fleet,
  service: FleetService,
  tgArn: string,
  zones: { availabilityZone: string }[],
  port: number,
  random: () => number,
): FleetTargetHealth[] {
  const tasks = fleet.tasks.filter(
    (t) =>
      t.clusterArn === service.clusterArn &&
      t.group === `service:${service.serviceName}` &&
      (t.lastStatus === "RUNNING" || t.lastStatus === "DEACTIVATING") &&
      taskIpOf(t) !== undefined,
  );
  let healthy = 0;
  return tasks.map((task): FleetTargetHealth => {
    const zone = task.availabilityZone;
    const base = {
      TargetGroupArn: tgArn,
      Target: { Id: taskIpOf(task), Port: port, AvailabilityZone: zone },
      HealthCheckPort: String(port),
    };
    if (task.lastStatus === "DEACTIVATING") {
      return {
        ...base,
        TargetHealth: {
          State: "draining",
          Reason: "Target.DeregistrationInProgress",
          Description: "Target deregistration is in progress",
        },
      };
    }
    if (!zones.some((z) => z.availabilityZone === zone)) {
      return {
        ...base,
        TargetHealth: {
          State: "unused",
          Reason: "Target.NotInUse",
          Description:
            "Target is in an Availability Zone that is not enabled for the load balancer",
        },
      };
    }
    const failure = FAILURES[Math.floor(random() * FAILURES.length)] ?? FAILURES[0];
    // A healthy task fails the balancer's check on its own (a wrong path, a slow dependency) only
    // once another target of the group is healthy.
    const alone = task.healthStatus !== "UNHEALTHY" && !(healthy > 0 && random() < 0.3);
    if (alone) {
      healthy++;
      return { ...base, TargetHealth: { State: "healthy" } };
    }
    return { ...base, TargetHealth: { State: "unhealthy", ...failure } };
  });
}

/** An Application Load Balancer's ENI: type "interface", described "ELB app/NAME/ID". */
function pushBalancerEni(
  fleet: Fleet,
  lbName: string,
  lbId: string,
  zones: { subnetId: string; availabilityZone: string; cidrBlock: string }[],
): void {
  const n = (fleet.networkInterfaces ?? []).length;
  const subnet = zones[n % Math.max(zones.length, 1)];
  // The top of a generated /18, clear of the tasks counted up from its start.
  const base = Number(subnet?.cidrBlock.split(".")[2] ?? GENERATED_SUBNET_BASES[0]);
  const ip = `10.0.${base + 63}.${(Math.floor(n / Math.max(zones.length, 1)) % 250) + 5}`;
  fleet.networkInterfaces ??= [];
  fleet.networkInterfaces.push({
    NetworkInterfaceId: `eni-0${hex(`eni-${lbId}`, 16)}`,
    Description: `ELB app/${lbName}/${lbId}`,
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
    OwnerId: fleet.accountId,
    AvailabilityZone: subnet?.availabilityZone,
    SubnetId: subnet?.subnetId,
    VpcId: fleet.vpcs?.[0]?.vpcId,
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
    Groups: [],
    TagSet: [],
  });
}

// AWS's published ELBv2 examples (test/fixtures/aws/official/elbv2/, SOURCES.md there and in
// ../shared/aws-samples/official/SOURCES.md) in the domain's shapes, and the demo's checkout
// service behind shop-alb, for the load-balancing judgements' tests.

import type { TaskAsTarget } from "../../../src/domain/load-balancing/target-health.ts";
import type {
  LoadBalancer,
  TargetGroup,
  TargetHealth,
  TargetState,
} from "../../../src/domain/load-balancing/types.ts";
import { sdkFixture } from "../../support/fixtures.ts";

interface CliTargetHealth {
  TargetHealthDescriptions: {
    Target: { Id: string; Port?: number; AvailabilityZone?: string };
    HealthCheckPort?: string;
    TargetHealth: { State: TargetState; Reason?: string; Description?: string };
  }[];
}

/** DescribeTargetHealth's output as the adapter hands it to the domain. */
export function officialTargetHealth(file: string, targetGroupArn: string): TargetHealth[] {
  const out = sdkFixture<CliTargetHealth>(`aws/official/elbv2/${file}`);
  return out.TargetHealthDescriptions.map((d) => ({
    targetGroupArn,
    id: d.Target.Id,
    ...(d.Target.Port !== undefined ? { port: d.Target.Port } : {}),
    ...(d.Target.AvailabilityZone ? { availabilityZone: d.Target.AvailabilityZone } : {}),
    ...(d.HealthCheckPort ? { healthCheckPort: d.HealthCheckPort } : {}),
    state: d.TargetHealth.State,
    ...(d.TargetHealth.Reason ? { reason: d.TargetHealth.Reason } : {}),
    ...(d.TargetHealth.Description ? { description: d.TargetHealth.Description } : {}),
  }));
}

interface CliTargetGroups {
  TargetGroups: {
    TargetGroupArn: string;
    TargetGroupName: string;
    Protocol?: string;
    Port?: number;
    VpcId?: string;
    TargetType?: TargetGroup["targetType"];
    LoadBalancerArns?: string[];
    HealthCheckEnabled?: boolean;
    HealthCheckProtocol?: string;
    HealthCheckPort?: string;
    HealthCheckPath?: string;
    HealthCheckIntervalSeconds?: number;
    HealthCheckTimeoutSeconds?: number;
    HealthyThresholdCount?: number;
    UnhealthyThresholdCount?: number;
    Matcher?: { HttpCode?: string };
  }[];
}

export function officialTargetGroup(file: string): TargetGroup {
  const [g] = sdkFixture<CliTargetGroups>(`aws/official/elbv2/${file}`).TargetGroups;
  if (!g) throw new Error(`${file} has no target group`);
  return {
    arn: g.TargetGroupArn,
    name: g.TargetGroupName,
    protocol: g.Protocol,
    port: g.Port,
    vpcId: g.VpcId,
    targetType: g.TargetType ?? "instance",
    loadBalancerArns: g.LoadBalancerArns ?? [],
    healthCheck: {
      enabled: g.HealthCheckEnabled ?? true,
      protocol: g.HealthCheckProtocol,
      port: g.HealthCheckPort,
      path: g.HealthCheckPath,
      matcher: g.Matcher?.HttpCode,
      intervalSeconds: g.HealthCheckIntervalSeconds,
      timeoutSeconds: g.HealthCheckTimeoutSeconds,
      healthyThreshold: g.HealthyThresholdCount,
      unhealthyThreshold: g.UnhealthyThresholdCount,
    },
  };
}

export const REGION_ARN = "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333";
export const SHOP_ALB_ARN = `${REGION_ARN}:loadbalancer/app/shop-alb/50dc6c495c0c9188`;
export const CHECKOUT_TG_ARN = `${REGION_ARN}:targetgroup/checkout-tg/73e2d6bc24d8a067`;

/** The demo's internal ALB: two zones, one security group. */
export function shopAlb(extra: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    arn: SHOP_ALB_ARN,
    name: "shop-alb",
    dnsName: "internal-shop-alb-1234567890.ap-northeast-1.elb.amazonaws.com",
    type: "application",
    scheme: "internal",
    vpcId: "vpc-0a1b2c3d",
    state: "active",
    zones: [
      { zone: "ap-northeast-1a", subnetId: "subnet-0a11" },
      { zone: "ap-northeast-1c", subnetId: "subnet-0c11" },
    ],
    securityGroups: ["sg-0a1b000000000a1b"],
    ...extra,
  };
}

/** checkout-tg: HTTP 8080, GET /healthz, matcher 200, IP targets (awsvpc tasks). */
export function checkoutTg(extra: Partial<TargetGroup> = {}): TargetGroup {
  return {
    arn: CHECKOUT_TG_ARN,
    name: "checkout-tg",
    protocol: "HTTP",
    port: 8080,
    vpcId: "vpc-0a1b2c3d",
    targetType: "ip",
    loadBalancerArns: [SHOP_ALB_ARN],
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: "/healthz",
      matcher: "200",
      intervalSeconds: 30,
      timeoutSeconds: 5,
      healthyThreshold: 5,
      unhealthyThreshold: 2,
    },
    ...extra,
  };
}

export const NOW = new Date("2026-12-06T12:00:00Z");
const LONG_AGO = new Date("2026-12-06T09:00:00Z");

/** The three checkout tasks, started hours ago. */
export const checkoutTasks = (): TaskAsTarget[] => [
  { taskId: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", ip: "10.0.1.17", startedAt: LONG_AGO },
  { taskId: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", ip: "10.0.3.42", startedAt: LONG_AGO },
  { taskId: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", ip: "10.0.1.99", startedAt: LONG_AGO },
];

export function target(
  ip: string,
  state: TargetState,
  reason?: string,
  description?: string,
): TargetHealth {
  return {
    ...instanceTarget(ip, 8080, state, reason, description),
    availabilityZone: ip.startsWith("10.0.3.") ? "ap-northeast-1d" : "ap-northeast-1a",
    healthCheckPort: "8080",
  };
}

/** An instance target (bridge/host): the EC2 instance and the host port. */
export function instanceTarget(
  id: string,
  port: number,
  state: TargetState,
  reason?: string,
  description?: string,
): TargetHealth {
  return {
    targetGroupArn: CHECKOUT_TG_ARN,
    id,
    port,
    state,
    ...(reason ? { reason } : {}),
    ...(description ? { description } : {}),
  };
}

/** The demo's state: two healthy targets, one answering its health check with 503. */
export const demoTargets = (): TargetHealth[] => [
  target("10.0.1.17", "healthy"),
  target(
    "10.0.3.42",
    "unhealthy",
    "Target.ResponseCodeMismatch",
    "Health checks failed with these codes: [503]",
  ),
  target("10.0.1.99", "healthy"),
];

// Elastic Load Balancing v2 (Application and Network Load Balancers) as the domain sees it: what
// the adapter (src/aws/elbv2.ts) reads from DescribeLoadBalancers, DescribeListeners,
// DescribeRules, DescribeTargetGroups and DescribeTargetHealth, in the bot's own words. Field
// names follow the API (ELBv2 API Reference, "Data Types") so a reader can check them against AWS.

export type LoadBalancerType = "application" | "network" | "gateway";

export interface LoadBalancer {
  arn: string;
  name: string;
  /** "internal-shop-alb-123456789.ap-northeast-1.elb.amazonaws.com" */
  dnsName: string;
  /** Route 53 alias records point at this hosted zone. */
  canonicalHostedZoneId?: string;
  type: LoadBalancerType;
  /** internal: private addresses only, reachable from inside the VPC (and what is routed to it). */
  scheme: "internal" | "internet-facing";
  vpcId: string;
  /** "active" | "provisioning" | "active_impaired" | "failed". */
  state: string;
  /** Subnets per Availability Zone the balancer is enabled in. */
  zones: { zone: string; subnetId: string }[];
  /** An ALB always has some; an NLB only when created with them (absent: none). */
  securityGroups: string[];
}

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  /** HTTP, HTTPS (ALB); TCP, TLS, UDP, TCP_UDP (NLB). */
  protocol: string;
  /** Where the default action forwards (its target groups; none for redirect or fixed response). */
  defaultTargetGroupArns: string[];
}

export interface ListenerRule {
  arn: string;
  listenerArn: string;
  /** "default" or a number as a string, as DescribeRules returns it. */
  priority: string;
  isDefault: boolean;
  /** Conditions in words: "path-pattern /api/*", "host-header shop.example.com". */
  conditions: string[];
  /** Target groups the rule's forward action sends to. */
  targetGroupArns: string[];
}

export interface TargetGroup {
  arn: string;
  name: string;
  /** HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE; absent for a Lambda target group. */
  protocol?: string;
  port?: number;
  vpcId?: string;
  /** ip (awsvpc tasks), instance (bridge/host tasks), lambda, alb. */
  targetType: "ip" | "instance" | "lambda" | "alb";
  loadBalancerArns: string[];
  healthCheck: {
    enabled: boolean;
    protocol?: string;
    /** A number as a string, or "traffic-port": the target's own port. */
    port?: string;
    path?: string;
    /** "200", "200-299", "200,302" (HttpCode); GrpcCode for gRPC. */
    matcher?: string;
    intervalSeconds?: number;
    timeoutSeconds?: number;
    healthyThreshold?: number;
    unhealthyThreshold?: number;
  };
  /** NLB target group attribute preserve_client_ip.enabled, when read. */
  preserveClientIp?: boolean;
}

/** TargetHealth.State as DescribeTargetHealth returns it (the API reference's enum). */
export const TARGET_STATES = [
  "initial",
  "healthy",
  "unhealthy",
  "unused",
  "draining",
  "unavailable",
  "unhealthy.draining",
] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export interface TargetHealth {
  targetGroupArn: string;
  /** An IP address (ip targets), an instance ID (instance targets), a Lambda ARN. */
  id: string;
  port?: number;
  availabilityZone?: string;
  /** The port health checks go to, as AWS reports it for this target. */
  healthCheckPort?: string;
  state: TargetState;
  /** "Target.ResponseCodeMismatch", "Elb.InitialHealthChecking"…; absent when healthy. */
  reason?: string;
  /** AWS's own words: "Health checks failed with these codes: [503]". */
  description?: string;
}

/**
 * A target group a service still names (describe-services `loadBalancers`) that ELB says does not
 * exist (TargetGroupNotFound): deleted. AWS answered, so it is a finding, never a gap.
 */
export interface GoneTargetGroup {
  arn: string;
  /** Its name, from its ARN (`…:targetgroup/NAME/ID`). */
  name: string;
  /** The ECS service naming it. */
  cluster: string;
  service: string;
}

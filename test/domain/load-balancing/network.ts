// A VPC for the path-through-a-balancer tests: web-frontend (10.0.5.0/24) → shop-alb (two
// subnets) → checkout's tasks (10.0.1.0/24, 10.0.3.0/24), with security groups and ACLs to vary.

import {
  type BalancerReachInput,
  balancerEnds,
  balancerReachChecks,
  type ReachClient,
  reachClientOf,
  targetEnds,
} from "../../../src/domain/load-balancing/reach.ts";
import type {
  Listener,
  LoadBalancer,
  TargetGroup,
} from "../../../src/domain/load-balancing/types.ts";
import type { NetworkAcl } from "../../../src/domain/network-path/acls.ts";
import type { SecurityGroup } from "../../../src/domain/network-path/security-groups.ts";
import type { WhyCheck } from "../../../src/domain/why/check.ts";
import type { NetworkFacts, WhyClient } from "../../../src/domain/why/client.ts";
import { CHECKOUT_TG_ARN, checkoutTasks, checkoutTg, SHOP_ALB_ARN, shopAlb } from "./support.ts";

export const ALB_SG = "sg-0a1b000000000a1b";
export const WEB_SG = "sg-0e0e000000000e0e";
export const CHECKOUT_SG = "sg-0c0c000000000c0c";
export const ALL = { protocol: "-1", cidrs: ["0.0.0.0/0"], groupIds: [] };
export const tcp = (port: number, from: { cidrs?: string[]; groupIds?: string[] }) => ({
  protocol: "tcp",
  ports: { from: port, to: port },
  cidrs: from.cidrs ?? [],
  groupIds: from.groupIds ?? [],
});

export const openAcl = (id: string): NetworkAcl => ({
  id,
  ingress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
  egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
});

export function network(
  groups: { alb?: SecurityGroup; checkout?: SecurityGroup } = {},
  acls: Record<string, NetworkAcl> = {},
): NetworkFacts {
  const subnets = [
    { id: "subnet-0a11", vpcId: "vpc-0a1b2c3d", cidr: "10.0.101.0/24" },
    { id: "subnet-0c11", vpcId: "vpc-0a1b2c3d", cidr: "10.0.102.0/24" },
    { id: "subnet-0a22", vpcId: "vpc-0a1b2c3d", cidr: "10.0.1.0/24" },
    { id: "subnet-0d22", vpcId: "vpc-0a1b2c3d", cidr: "10.0.3.0/24" },
    { id: "subnet-0e33", vpcId: "vpc-0a1b2c3d", cidr: "10.0.5.0/24" },
  ];
  const sgs: SecurityGroup[] = [
    groups.alb ?? {
      id: ALB_SG,
      name: "shop-alb",
      ingress: [tcp(80, { groupIds: [WEB_SG] })],
      egress: [ALL],
    },
    { id: WEB_SG, name: "web-frontend", ingress: [], egress: [ALL] },
    groups.checkout ?? {
      id: CHECKOUT_SG,
      name: "checkout",
      ingress: [tcp(8080, { groupIds: [ALB_SG] })],
      egress: [ALL],
    },
  ];
  return {
    subnets: { known: true, value: subnets },
    groups: { known: true, value: sgs },
    acls: {
      known: true,
      value: new Map(subnets.map((s) => [s.id, acls[s.id] ?? openAcl(`acl-${s.id.slice(7)}`)])),
    },
  };
}

export const listener = (port = 80): Listener => ({
  arn: `${SHOP_ALB_ARN.replace("loadbalancer", "listener")}/f2f7dc8efc522ab2`,
  loadBalancerArn: SHOP_ALB_ARN,
  port,
  protocol: "HTTP",
  defaultTargetGroupArns: [CHECKOUT_TG_ARN],
});

/** web-frontend as a why's client: one task in subnet-0e33. */
export const WEB_CLIENT: WhyClient = {
  kind: "service",
  cluster: "tutorial",
  service: "web-frontend",
  ecs: { securityGroupIds: [WEB_SG], subnetIds: ["subnet-0e33"] },
  tasks: { known: true, value: [{ taskId: "w1", ip: "10.0.5.10", subnetId: "subnet-0e33" }] },
  operatingSystemFamily: "LINUX",
};

export function webFrontend(net: NetworkFacts): ReachClient {
  return reachClientOf(WEB_CLIENT, net);
}

export function reach(
  net: NetworkFacts,
  extra: Partial<BalancerReachInput> & { lb?: LoadBalancer; tg?: TargetGroup } = {},
): WhyCheck[] {
  const lb = extra.lb ?? shopAlb();
  const ips = checkoutTasks().map((t) => t.ip ?? "");
  return balancerReachChecks({
    client: webFrontend(net),
    balancer: lb,
    listener: listener(),
    targetGroup: extra.tg ?? checkoutTg(),
    balancerEnds: balancerEnds(lb, net),
    targetEnds: targetEnds("checkout", ips, [CHECKOUT_SG], net),
    targetPort: 8080,
    ...extra,
  });
}

export const broken = (checks: WhyCheck[]) => checks.filter((c) => c.status === "broken");
export const statusOf = (checks: WhyCheck[], link: string) =>
  checks.find((c) => c.link === link)?.status;

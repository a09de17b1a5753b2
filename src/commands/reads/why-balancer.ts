// The target of `/ecs why CLIENT <balancer>`: the balancer, the listener a request meets (its
// lowest port that forwards), the target group it forwards to and the ECS service registering its
// tasks there. The path rules: src/domain/load-balancing/reach.ts.
import type { Listener, LoadBalancer, TargetGroup } from "../../domain/load-balancing/types.ts";
import type { Query } from "../../domain/query.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import { loadCatalog } from "./catalog.ts";

export interface BalancerTarget {
  balancer: LoadBalancer;
  listener: Listener;
  group: TargetGroup;
  /** The ECS service whose tasks are the group's targets, as a query for its health report. */
  service: Extract<Query, { kind: "cluster-service" }>;
}

/** Undefined when the name is no balancer, or no listener forwards to an ECS service's group. */
export async function readBalancerTarget(
  ctx: AwsContext,
  gaps: Gaps,
  dnsName: string,
): Promise<BalancerTarget | undefined> {
  const balancer = await gaps.soft(
    `the load balancer ${dnsName}`,
    ctx.elbv2.loadBalancerByDnsName(dnsName),
    undefined,
  );
  if (!balancer) return undefined;
  const [listeners, groups, catalog] = await Promise.all([
    gaps.soft(`the listeners of ${balancer.name}`, ctx.elbv2.listeners(balancer.arn), []),
    gaps.soft(
      `the target groups of ${balancer.name}`,
      ctx.elbv2.targetGroupsOfBalancer(balancer.arn),
      [] as TargetGroup[],
    ),
    loadCatalog(ctx, gaps),
  ]);
  for (const listener of [...listeners].sort((a, b) => a.port - b.port)) {
    const group = groups.find((g) => listener.defaultTargetGroupArns.includes(g.arn));
    const svc =
      group &&
      catalog.ecsServices.find((s) =>
        (s.loadBalancers ?? []).some((l) => l.targetGroupArn === group.arn),
      );
    if (group && svc) {
      const text = `${svc.clusterName}/${svc.name}`;
      return {
        balancer,
        listener,
        group,
        service: { kind: "cluster-service", text, cluster: svc.clusterName, service: svc.name },
      };
    }
  }
  return undefined;
}

/**
 * A service behind a balancer, asked by its name: the first of its target groups that a balancer's
 * listener forwards to, that balancer and that listener (its lowest port). Undefined when none.
 */
export async function readServiceBalancer(
  ctx: AwsContext,
  gaps: Gaps,
  service: BalancerTarget["service"],
  groupArns: string[],
): Promise<BalancerTarget | undefined> {
  if (groupArns.length === 0) return undefined;
  const groups = await gaps.soft(
    `the target groups of ${service.text}`,
    ctx.elbv2.targetGroupsByArn(groupArns),
    [] as TargetGroup[],
  );
  const arns = [...new Set(groups.flatMap((g) => g.loadBalancerArns))];
  if (arns.length === 0) return undefined;
  const balancers = await gaps.soft(
    `the load balancers of ${service.text}`,
    ctx.elbv2.loadBalancersByArn(arns),
    [] as LoadBalancer[],
  );
  const listeners = await Promise.all(
    balancers.map((lb) =>
      gaps.soft(`the listeners of ${lb.name}`, ctx.elbv2.listeners(lb.arn), [] as Listener[]),
    ),
  );
  for (const [i, balancer] of balancers.entries()) {
    for (const listener of [...(listeners[i] ?? [])].sort((a, b) => a.port - b.port)) {
      const group = groups.find((g) => listener.defaultTargetGroupArns.includes(g.arn));
      if (group) return { balancer, listener, group, service };
    }
  }
  return undefined;
}

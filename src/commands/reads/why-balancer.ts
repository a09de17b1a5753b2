// The target of `/ecs why CLIENT <balancer>`: the balancers and target groups a name stands for
// (read as whois reads them: reads/balancers.ts), each listener's target groups
// (domain/why/balancer-routes.ts), and behind each group the ECS service registering its tasks
// there, or, when none does, the targets DescribeTargetHealth lists. The path rules:
// src/domain/load-balancing/reach.ts.
import type { HealthReport } from "../../domain/health.ts";
import { judgeTargetHealth } from "../../domain/load-balancing/target-health.ts";
import type { LoadBalancer } from "../../domain/load-balancing/types.ts";
import type { BalancerQuery, BalancerRead } from "../../domain/load-balancing/whois.ts";
import type { Scope } from "../../domain/resolution/bindings.ts";
import { judgeBalancerWhy, type LooseTargets } from "../../domain/why/balancer.ts";
import { type BalancerRoute, routesOf, worstFirst } from "../../domain/why/balancer-routes.ts";
import type { WhyCheck } from "../../domain/why/check.ts";
import type { NetworkFacts, WhyClient } from "../../domain/why/client.ts";
import type { WhyReport } from "../../domain/why.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import { readBalancers } from "./balancers.ts";
import { reportFor } from "./health-report.ts";
import { eachTarget } from "./targets.ts";
import { readNetwork } from "./why-network.ts";

/** The balancer's subnets and groups, for EC2 to read beside both ends'. */
export const betweenOf = (lb: LoadBalancer) => ({
  subnetIds: lb.zones.map((z) => z.subnetId),
  groupIds: lb.securityGroups,
});

export interface BalancersNamed {
  reads: BalancerRead[];
  routes: BalancerRoute[];
}

/** What a balancer query names (a balancer, a target group, an alias) and its routes. */
export async function readBalancerRoutes(
  ctx: AwsContext,
  gaps: Gaps,
  query: BalancerQuery,
): Promise<BalancersNamed> {
  const reads = await readBalancers(ctx, gaps, query);
  return { reads, routes: reads.flatMap(routesOf) };
}

/** How a why asks again about what it typed: a target group by ARN, a balancer by DNS name. */
export function askFor(read: BalancerRead): string {
  const [first] = read.groups;
  if (read.matched === "target-group" && first) return first.group.arn;
  return read.alias ?? read.balancer?.dnsName ?? first?.group.arn ?? "";
}

/**
 * A service asked by its name that publishes no name of its own: the routes of the balancers
 * that forward to its target groups, that service behind each.
 */
export async function readServiceRoutes(
  ctx: AwsContext,
  gaps: Gaps,
  service: { cluster: string; service: string },
  groupArns: string[],
): Promise<BalancerRoute[]> {
  const reads = await Promise.all(
    [...new Set(groupArns)].map((arn) =>
      readBalancers(ctx, gaps, { kind: "target-group-arn", arn }),
    ),
  );
  // Its own groups: the service is known to register in them, whatever the catalog says.
  return reads
    .flat()
    .flatMap(routesOf)
    .map((r) => ({ ...r, services: { known: true, value: [service] } }));
}

/** The targets of a group no ECS service registers in, as DescribeTargetHealth lists them. */
function looseTargets(route: BalancerRoute, now: Date): LooseTargets {
  const { group, targets, services } = route;
  const judged = judgeTargetHealth({
    service: group.name,
    groups: [{ arn: group.arn, group: { known: true, value: group }, targets }],
    tasks: [],
    now,
  }).groups[0];
  const ips = targets.known
    ? targets.value.flatMap((t) => (/^\d+\.\d+\.\d+\.\d+$/.test(t.id) ? [t.id] : []))
    : [];
  return {
    ips,
    ...(judged ? { judged } : {}),
    why: services.known
      ? `no ECS service registers in ${group.name}`
      : `its ECS services could not all be listed: ${services.why}`,
  };
}

export interface BalancerWhyReads {
  client: WhyClient;
  routes: BalancerRoute[];
  /** What the user typed for the target, to ask again with. */
  asked: string;
  /** The health report already read for a service asked by name (the routes' one service). */
  report?: HealthReport;
  /** The name checks of what the client dials (the balancer's DNS name, or its alias). */
  name?: (route: BalancerRoute, network: NetworkFacts) => WhyCheck[];
  /** The client dials a private Route 53 alias: its VPC's DNS is read too. */
  privateName?: boolean;
}

/** One why per route, the worst first: each group's service read once, and EC2 per balancer. */
export async function balancerWhys(
  ctx: AwsContext,
  gaps: Gaps,
  input: BalancerWhyReads,
): Promise<WhyReport[]> {
  const now = new Date();
  const reports = new Map<string, Promise<HealthReport | undefined>>();
  const reportOf = (cluster: string, service: string) => {
    const key = `${cluster}/${service}`;
    if (input.report) return Promise.resolve(input.report);
    let found = reports.get(key);
    if (!found) {
      const query = { kind: "cluster-service" as const, text: key, cluster, service };
      found = eachTarget(ctx, gaps, query, (t) => reportFor(ctx, gaps, t, now)).then(
        ({ results }) => results[0],
      );
      reports.set(key, found);
    }
    return found;
  };
  const whys = await Promise.all(
    input.routes.map(async (route) => {
      const [service] = route.services.known ? route.services.value : [];
      const report = service ? await reportOf(service.cluster, service.service) : undefined;
      const between = betweenOf(route.balancer);
      const network = await readNetwork(
        ctx,
        gaps,
        input.client,
        report?.resolution,
        between,
        input.privateName,
      );
      return judgeBalancerWhy({
        client: input.client,
        network,
        balancer: route.balancer,
        listener: route.listener,
        group: route.group,
        route: route.route,
        asked: input.asked,
        ...(report ? { report } : { loose: looseTargets(route, now) }),
        ...(input.name ? { name: input.name(route, network) } : {}),
      });
    }),
  );
  return worstFirst(
    whys,
    input.routes.map((r) => r.balancer.name),
  );
}

/** The hosted zone an alias record is in: its name's longest suffix Route 53 has a zone for. */
export type AliasZone = Extract<Scope, { kind: "dns" }>;

/**
 * Who can resolve an alias of a balancer: the zone holding it (the reads whois just made, from the
 * cache) and, for a private zone, its VPCs. Undefined when no zone was read.
 */
export async function readAliasZone(
  ctx: AwsContext,
  gaps: Gaps,
  alias: string,
): Promise<AliasZone | undefined> {
  const labels = alias.split(".");
  const suffixes = labels.map((_, i) => labels.slice(i).join("."));
  const zones = await Promise.all(
    suffixes.map((zone) =>
      gaps.soft(`the Route 53 hosted zones named ${zone}`, ctx.route53.zonesNamed(zone), []),
    ),
  );
  const zone = zones.flat()[0];
  if (!zone) return undefined;
  const vpcIds = zone.privateZone
    ? await gaps.soft(
        `the VPCs of the hosted zone ${zone.name}`,
        ctx.route53.hostedZoneVpcs(zone.id).then((vpcs) => vpcs.map((v) => v.vpcId)),
        undefined,
      )
    : undefined;
  return {
    kind: "dns",
    namespace: zone.name,
    privateZone: zone.privateZone,
    records: [],
    ...(vpcIds ? { vpcIds } : {}),
    hostedZoneId: zone.id,
  };
}

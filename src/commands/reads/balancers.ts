// The reads of a whois of a load balancer or target group (src/domain/load-balancing/whois.ts).
// A balancer's DNS name costs three rounds cold to its target health: the balancer; its listeners,
// target groups and security groups at once; then the listeners' rules and each group's target
// health. Its ECS services are named from those targets in up to three more, at any fleet size
// (group-owners.ts); only a group they cannot account for lists the region's services.

import type { Known } from "../../domain/known.ts";
import type { LoadBalancer, TargetGroup, TargetHealth } from "../../domain/load-balancing/types.ts";
import {
  type BalancerQuery,
  type BalancerRead,
  balancerQuery,
  type GroupRead,
  type GroupService,
} from "../../domain/load-balancing/whois.ts";
import type { SecurityGroup } from "../../domain/network-path/security-groups.ts";
import { type AwsContext, Gaps, known } from "./aws-context.ts";
import { type Catalog, loadCatalog } from "./catalog.ts";
import { ownersFromTargets } from "./group-owners.ts";
import { instanceGroupTasks } from "./task-hosts.ts";

/** The catalog with whether its ECS services are all listed (a cluster unread: unknown). */
interface Services {
  catalog: Catalog;
  complete: boolean;
}

function servicesOf(services: Services, groupArn: string): Known<GroupService[]> {
  if (!services.complete) return { known: false, why: "not every ECS service could be listed" };
  return {
    known: true,
    value: services.catalog.ecsServices
      .filter((s) => (s.loadBalancers ?? []).some((l) => l.targetGroupArn === groupArn))
      .map((s) => ({
        cluster: s.clusterName,
        service: s.name,
        ...(s.healthCheckGracePeriodSeconds
          ? { gracePeriodSeconds: s.healthCheckGracePeriodSeconds }
          : {}),
      })),
  };
}

function loadServices(ctx: AwsContext, gaps: Gaps): Promise<Services> {
  const own = new Gaps();
  return loadCatalog(ctx, own).then((catalog) => {
    gaps.merge(own);
    const complete = !own.list.some((g) => /cluster|ECS/.test(g.what));
    return { catalog, complete };
  });
}

/**
 * Each group's target health, as many at once as the adapter allows; unknown ones say why. Its
 * services are named from its targets (ownersFromTargets: a bounded read at any fleet size); a
 * group they cannot all be accounted for in asks the region-wide listing, started only then.
 */
async function groupReads(
  ctx: AwsContext,
  gaps: Gaps,
  groups: readonly TargetGroup[],
  services: () => Promise<Services>,
): Promise<GroupRead[]> {
  const health = await ctx.elbv2.targetHealth(groups.map((g) => g.arn));
  const reads = groups.map((group) => {
    const h = health.find((x) => x.targetGroupArn === group.arn);
    if (h && !h.known) gaps.add(`the target health of ${group.name}`, h.error);
    const targets: Known<TargetHealth[]> =
      h === undefined
        ? { known: false, why: "not read" }
        : h.known
          ? { known: true, value: h.targets }
          : { known: false, why: h.error.reason };
    return { group, targets };
  });
  const owners = await ownersFromTargets(ctx, reads);
  const listed = reads.every((r) => owners.has(r.group.arn)) ? undefined : await services();
  return Promise.all(
    reads.map(async ({ group, targets }): Promise<GroupRead> => {
      const owned = owners.get(group.arn);
      if (owned) {
        return {
          group,
          services: { known: true, value: owned.services },
          targets,
          tasks: owned.tasks,
          servicesByTargets: true,
        };
      }
      const services = listed
        ? servicesOf(listed, group.arn)
        : { known: false as const, why: "not read" };
      return {
        group,
        services,
        targets,
        ...(await listedServicesTasks(ctx, gaps, group, services)),
      };
    }),
  );
}

/**
 * A group's targets named by its listed services' running tasks (by address on `ip` groups; by
 * EC2 instance and host port on `instance` groups: bridge, host), so each target is told its task
 * and the grace period applies, as when the targets named the services.
 */
async function listedServicesTasks(
  ctx: AwsContext,
  gaps: Gaps,
  group: TargetGroup,
  services: Known<GroupService[]>,
): Promise<Pick<GroupRead, "tasks" | "tasksUnknown">> {
  const typed = group.targetType === "instance" || group.targetType === "ip";
  if (!typed || !services.known || services.value.length === 0) return {};
  const tasks = await instanceGroupTasks(ctx, gaps, group, services.value);
  return tasks.known ? { tasks: tasks.value } : { tasksUnknown: tasks.why };
}

/** Everything whois says of one balancer: listeners and rules, groups and their health, reach. */
async function readBalancer(
  ctx: AwsContext,
  gaps: Gaps,
  lb: LoadBalancer,
  services: () => Promise<Services>,
  matched: BalancerRead["matched"],
  only?: TargetGroup,
): Promise<BalancerRead> {
  const rules = known(
    gaps,
    `the listeners and rules of ${lb.name}`,
    ctx.elbv2.listenersWithRules(lb.arn),
  );
  const listeners = known(undefined, "", ctx.elbv2.listeners(lb.arn));
  const securityGroups: Promise<Known<SecurityGroup[]>> =
    lb.securityGroups.length > 0
      ? known(gaps, `the security groups of ${lb.name}`, ctx.ec2.securityGroups(lb.securityGroups))
      : Promise.resolve({ known: true, value: [] });
  const groups = only
    ? [only]
    : await gaps.soft(
        `the target groups of ${lb.name}`,
        ctx.elbv2.targetGroupsOfBalancer(lb.arn),
        [] as TargetGroup[],
      );
  const [read, ls, sgs, withRules] = await Promise.all([
    groupReads(ctx, gaps, groups, services),
    listeners,
    securityGroups,
    rules,
  ]);
  return {
    balancer: lb,
    listeners: ls,
    rules: withRules.known ? withRules.value.rules : [],
    ...(withRules.known ? {} : { rulesUnread: withRules.why }),
    securityGroups: sgs,
    groups: read,
    matched,
  };
}

/** A target group's answer: with each balancer that forwards to it, or alone. */
async function readGroup(
  ctx: AwsContext,
  gaps: Gaps,
  group: TargetGroup,
  services: () => Promise<Services>,
): Promise<BalancerRead[]> {
  const balancers = await gaps.soft(
    `the load balancers of ${group.name}`,
    ctx.elbv2.loadBalancersByArn(group.loadBalancerArns),
    [] as LoadBalancer[],
  );
  if (balancers.length === 0) {
    return [
      {
        listeners: { known: true, value: [] },
        rules: [],
        securityGroups: { known: true, value: [] },
        groups: await groupReads(ctx, gaps, [group], services),
        matched: "target-group",
      },
    ];
  }
  return Promise.all(
    balancers.map((lb) => readBalancer(ctx, gaps, lb, services, "target-group", group)),
  );
}

/**
 * The balancers and target groups an input names, each read for whois. Empty when it names
 * none; a read that failed is a gap (then nothing found is "not found, but incomplete").
 */
export async function readBalancers(
  ctx: AwsContext,
  gaps: Gaps,
  query: BalancerQuery,
): Promise<BalancerRead[]> {
  // Every balancer's answer reads EC2 (security groups, the targets' interfaces).
  if (query.kind !== "name" && query.kind !== "alias") ctx.ec2.prepare();
  // The region-wide listing, only for a group its targets do not account for; read once.
  let started: Promise<Services> | undefined;
  const services = () => {
    started ??= loadServices(ctx, gaps);
    return started;
  };
  switch (query.kind) {
    case "dns-name": {
      const lb = await gaps.soft(
        `the load balancer ${query.dnsName}`,
        ctx.elbv2.loadBalancerByDnsName(query.dnsName),
        undefined,
      );
      return lb ? [await readBalancer(ctx, gaps, lb, services, "balancer")] : [];
    }
    case "balancer-arn": {
      const lbs = await gaps.soft(
        `the load balancer ${query.arn}`,
        ctx.elbv2.loadBalancersByArn([query.arn]),
        [] as LoadBalancer[],
      );
      return Promise.all(lbs.map((lb) => readBalancer(ctx, gaps, lb, services, "balancer")));
    }
    case "target-group-arn": {
      const groups = await gaps.soft(
        `the target group ${query.arn}`,
        ctx.elbv2.targetGroupsByArn([query.arn]),
        [] as TargetGroup[],
      );
      const each = await Promise.all(groups.map((g) => readGroup(ctx, gaps, g, services)));
      return each.flat();
    }
    case "name": {
      const [lbs, groups] = await Promise.all([
        gaps.soft(
          `the load balancer ${query.name}`,
          ctx.elbv2.loadBalancersByName([query.name]),
          [] as LoadBalancer[],
        ),
        gaps.soft(
          `the target group ${query.name}`,
          ctx.elbv2.targetGroupsByName([query.name]),
          [] as TargetGroup[],
        ),
      ]);
      const [byBalancer, byGroup] = await Promise.all([
        Promise.all(lbs.map((lb) => readBalancer(ctx, gaps, lb, services, "balancer"))),
        Promise.all(groups.map((g) => readGroup(ctx, gaps, g, services))),
      ]);
      return [...byBalancer, ...byGroup.flat()];
    }
    case "alias":
      return readAlias(ctx, gaps, query.name, services);
  }
}

/**
 * A private (or public) DNS name that is a Route 53 alias of a balancer: the zones named like
 * each of its suffixes (one request each, at once), then its alias records in those zones, then
 * the balancers they point at.
 */
async function readAlias(
  ctx: AwsContext,
  gaps: Gaps,
  name: string,
  services: () => Promise<Services>,
): Promise<BalancerRead[]> {
  const labels = name.split(".");
  const suffixes = labels.map((_, i) => labels.slice(i).join("."));
  const zones = await Promise.all(
    suffixes.map((zone) =>
      gaps.soft(`the Route 53 hosted zones named ${zone}`, ctx.route53.zonesNamed(zone), []),
    ),
  );
  const records = await Promise.all(
    zones
      .flat()
      .map((z) =>
        gaps.soft(
          `the Route 53 records of ${name} in ${z.name}`,
          ctx.route53.aliasRecords(z.id, name),
          [],
        ),
      ),
  );
  const targets = [
    ...new Set(
      records
        .flat()
        .map((r) => r.dnsName)
        .filter((d) => balancerQuery(d)?.kind === "dns-name"),
    ),
  ];
  const found = await Promise.all(
    targets.map(async (dnsName) => {
      const lb = await gaps.soft(
        `the load balancer ${dnsName}`,
        ctx.elbv2.loadBalancerByDnsName(dnsName),
        undefined,
      );
      if (!lb) return [];
      const read = await readBalancer(ctx, gaps, lb, services, "balancer");
      return [{ ...read, alias: name }];
    }),
  );
  return found.flat();
}

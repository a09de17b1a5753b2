// Which ECS services stand behind target groups, named from the targets themselves. No ECS call
// filters services by target group: the link is only in each service's describe-services
// `loadBalancers`, so listing it from ECS means describing every service of the region (about
// 40 sequential round trips at 5,000 services). The targets DescribeTargetHealth returned name
// their owners at any fleet size: an ip target's address is a task ENI's, whose ECS-managed tags
// (`aws:ecs:clusterName`, `aws:ecs:serviceName`, see aws-semantics.md) or address-book entry name
// its service. Each service named is then described (its `loadBalancers` must list the group: a
// tag is a lead, not proof) and its running tasks read (their start times decide the grace period,
// their IDs name the targets). A group is answered here only when every one of its targets is
// accounted for by a confirmed service; anything less (untagged interfaces without a book entry,
// instance targets, a group without targets, a read that failed) is left to the caller's
// region-wide listing, which is exact at any size, only slower.
import type { EcsService, EcsTask } from "../../domain/facts.ts";
import type { Known } from "../../domain/known.ts";
import { type TaskAsTarget, taskAsTarget } from "../../domain/load-balancing/target-health.ts";
import type { TargetGroup, TargetHealth } from "../../domain/load-balancing/types.ts";
import type { GroupService } from "../../domain/load-balancing/whois.ts";
import { interfaceOwner } from "../../domain/network-interface.ts";
import type { AwsContext } from "./aws-context.ts";
import { runningTasks } from "./task-hosts.ts";

export interface GroupTargets {
  group: TargetGroup;
  targets: Known<TargetHealth[]>;
}

/** A group's services and their running tasks, every target accounted for. */
export interface GroupOwners {
  services: GroupService[];
  tasks: TaskAsTarget[];
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Addresses asked of the address book: a few name a group's service, its tasks the rest. */
const BOOK_ASKS = 16;
/** Services described at most: a target group usually has one; more is the listing's job. */
const SERVICES_MAX = 10;

interface Named {
  cluster: string;
  service: string;
}
const keyOf = (n: Named) => `${n.cluster}/${n.service}`;

/** The addresses of a group's ip targets, or undefined when the targets cannot name owners. */
function addressesOf(read: GroupTargets): string[] | undefined {
  if (read.group.targetType !== "ip" || !read.targets.known) return undefined;
  const ips = read.targets.value.map((t) => t.id);
  return ips.length > 0 && ips.every((ip) => IPV4.test(ip)) ? ips : undefined;
}

/** The services the interfaces and the address book name, by address. Failures name none. */
async function namedByAddress(ctx: AwsContext, ips: string[]): Promise<Map<string, Named[]>> {
  const account = ctx.place.account;
  const book = ctx.addresses;
  const [enis, booked] = await Promise.all([
    ctx.ec2.networkInterfacesByIps(ips).catch(() => []),
    Promise.all(
      (book ? ips.slice(0, BOOK_ASKS) : []).map(async (ip) => {
        const tasks = await book?.tasksAt(ctx.region, ip, ctx.signal).catch(() => []);
        return (tasks ?? [])
          .filter((t) => t.service && (!account || t.account === account))
          .map((t) => ({ ip, cluster: t.cluster, service: t.service ?? "" }));
      }),
    ),
  ]);
  const byIp = new Map<string, Named[]>();
  const add = (ip: string, named: Named) => byIp.set(ip, [...(byIp.get(ip) ?? []), named]);
  for (const eni of enis) {
    const owner = interfaceOwner(eni);
    if (owner.kind !== "ecs-task" || !owner.cluster || !owner.service) continue;
    for (const ip of eni.privateIps) add(ip, { cluster: owner.cluster, service: owner.service });
  }
  for (const b of booked.flat()) add(b.ip, b);
  return byIp;
}

/** Each named service and its running tasks; undefined when any of it could not be read. */
async function describeNamed(
  ctx: AwsContext,
  named: Named[],
): Promise<{ services: EcsService[]; tasks: Map<string, EcsTask[]> } | undefined> {
  const clusters = [...new Set(named.map((n) => n.cluster))];
  try {
    const [described, tasks] = await Promise.all([
      Promise.all(
        clusters.map((cluster) =>
          ctx.ecs.describeServices(
            cluster,
            named.filter((n) => n.cluster === cluster).map((n) => n.service),
          ),
        ),
      ),
      Promise.all(
        named.map(async (n) => [keyOf(n), await runningTasks(ctx, n.cluster, n.service)] as const),
      ),
    ]);
    return { services: described.flatMap((d) => d.services), tasks: new Map(tasks) };
  } catch {
    // Unread is not "no service": the region-wide listing decides, and says what it cannot read.
    return undefined;
  }
}

/**
 * The groups whose every target a confirmed ECS service accounts for, with those services and
 * their running tasks. A group left out is for the region-wide listing to answer.
 */
export async function ownersFromTargets(
  ctx: AwsContext,
  reads: readonly GroupTargets[],
): Promise<Map<string, GroupOwners>> {
  const owners = new Map<string, GroupOwners>();
  const addressed = reads.flatMap((read) => {
    const ips = addressesOf(read);
    return ips ? [{ group: read.group, ips }] : [];
  });
  const ips = [...new Set(addressed.flatMap((a) => a.ips))];
  if (ips.length === 0) return owners;
  const byIp = await namedByAddress(ctx, ips);
  const unique = new Map<string, Named>();
  for (const named of [...byIp.values()].flat()) unique.set(keyOf(named), named);
  if (unique.size === 0 || unique.size > SERVICES_MAX) return owners;
  const read = await describeNamed(ctx, [...unique.values()]);
  if (!read) return owners;

  for (const { group, ips: groupIps } of addressed) {
    const services = read.services.filter((s) =>
      (s.loadBalancers ?? []).some((lb) => lb.targetGroupArn === group.arn),
    );
    const confirmed = new Set(
      services.map((s) => keyOf({ cluster: s.clusterName, service: s.name })),
    );
    const tasks = services.flatMap(
      (s) => read.tasks.get(keyOf({ cluster: s.clusterName, service: s.name })) ?? [],
    );
    const taskIps = new Set(tasks.flatMap((t) => (t.ipv4 ? [t.ipv4] : [])));
    const accounted = groupIps.every(
      (ip) => taskIps.has(ip) || (byIp.get(ip) ?? []).some((n) => confirmed.has(keyOf(n))),
    );
    if (!accounted || services.length === 0) continue;
    owners.set(group.arn, {
      services: services.map((s) => ({
        cluster: s.clusterName,
        service: s.name,
        ...(s.healthCheckGracePeriodSeconds
          ? { gracePeriodSeconds: s.healthCheckGracePeriodSeconds }
          : {}),
      })),
      tasks: tasks.map((t) => taskAsTarget(t)),
    });
  }
  return owners;
}

// What the load balancer says of a service's tasks (issue 24): the target groups the service
// registers its tasks in (describe-services `loadBalancers`), their targets' health and their
// balancers (for zones), judged by src/domain/load-balancing. A service without target groups
// reads nothing more. Unread is unknown: a gap, never healthy, never unhealthy.
import { chunk } from "../../aws/batch.ts";
import type { TargetGroupHealth } from "../../aws/elbv2.ts";
import { AwsReadError } from "../../aws/errors.ts";
import type { EcsService } from "../../domain/facts.ts";
import type { Known } from "../../domain/known.ts";
import type { TargetHealthView } from "../../domain/load-balancing/health-findings.ts";
import {
  judgeTargetHealth,
  type ServiceTargetGroup,
  type TargetHealthJudgement,
  type TaskHost,
  taskAsTarget,
} from "../../domain/load-balancing/target-health.ts";
import type {
  GoneTargetGroup,
  LoadBalancer,
  TargetGroup,
} from "../../domain/load-balancing/types.ts";
import type { ServiceFacts } from "../../domain/resolution/service-facts.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import type { Target } from "./targets.ts";

/** DescribeTargetGroups takes 20 ARNs per call; a digest's read-ahead keeps this many in flight. */
const GROUPS_PER_CALL = 20;
const READ_AHEAD_IN_FLIGHT = 4;

/** The ELBv2 target groups a service registers its tasks in (Classic balancers have none). */
export const targetGroupArnsOf = (service: EcsService | undefined): string[] => [
  ...new Set(
    (service?.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
  ),
];

/** A digest's target groups read ahead, 20 per call, per context: each judgement finds its own. */
const readAhead = new WeakMap<AwsContext, Map<string, Promise<TargetGroup | undefined>>>();

/**
 * Reads ahead the target groups of a scope's services in batches (a digest of thousands of
 * services then makes one DescribeTargetGroups per 20 groups, not one per service). A failure is
 * not a gap here: the judgement asks again for its own groups and says what it could not read.
 */
export async function readAheadTargetGroups(ctx: AwsContext, services: EcsService[]) {
  const known = readAhead.get(ctx) ?? new Map<string, Promise<TargetGroup | undefined>>();
  readAhead.set(ctx, known);
  const arns = services.flatMap(targetGroupArnsOf).filter((arn) => !known.has(arn));
  const batches = chunk([...new Set(arns)], GROUPS_PER_CALL);
  for (const wave of chunk(batches, READ_AHEAD_IN_FLIGHT)) {
    await Promise.all(
      wave.map((batch) => {
        const read = ctx.elbv2.targetGroupsByArn(batch);
        for (const arn of batch) {
          known.set(
            arn,
            read.then(
              (groups) => groups.find((g) => g.arn === arn),
              () => undefined,
            ),
          );
        }
        return read.catch(() => undefined);
      }),
    );
  }
}

/** The service's target groups by ARN: from a digest's read-ahead, else one batched call. */
async function targetGroups(ctx: AwsContext, arns: string[]): Promise<TargetGroup[]> {
  const ahead = readAhead.get(ctx);
  const found = await Promise.all(arns.map((arn) => ahead?.get(arn)));
  const missing = arns.filter((_, i) => !found[i]);
  const read = missing.length > 0 ? await ctx.elbv2.targetGroupsByArn(missing) : [];
  return [...found.filter((g): g is TargetGroup => g !== undefined), ...read];
}

/** The groups' balancers: a digest lists the region's once (kept a minute), one answer asks by ARN. */
async function balancers(ctx: AwsContext, groups: TargetGroup[]): Promise<LoadBalancer[]> {
  const arns = [...new Set(groups.flatMap((g) => g.loadBalancerArns))];
  if (arns.length === 0) return [];
  if (ctx.readMode === "scope") {
    const all = await ctx.elbv2.allLoadBalancers();
    return all.filter((lb) => arns.includes(lb.arn));
  }
  return ctx.elbv2.loadBalancersByArn(arns);
}

const unknown = (why: string): { known: false; why: string } => ({ known: false, why });

/** What was read of a service's target groups, before its tasks are matched to the targets. */
export interface TargetReads {
  label: string;
  groups: ServiceTargetGroup[];
  /** Groups the service names that AWS says do not exist: findings, not gaps. */
  gone: GoneTargetGroup[];
}

/**
 * The service's target groups and their targets' health, or undefined when it registers in no
 * target group. Started beside the service's facts: the service comes from the facts already read,
 * else from the DescribeServices they are making (shared while in flight), so the groups and their
 * health (one DescribeTargetHealth per group, the adapter caches it) are read beside the tasks,
 * not after them. Their balancers are read only when a target is Target.NotInUse: their zones
 * then say whether the target's is enabled. Never rejects on an AWS failure: a gap.
 */
export async function readTargetGroups(
  ctx: AwsContext,
  gaps: Gaps,
  target: Target,
): Promise<TargetReads | undefined> {
  const service = target.facts
    ? target.facts.service
    : await ctx.ecs.describeServices(target.cluster, [target.service]).then(
        (d) => d.services[0],
        // The facts say why the service could not be read.
        () => undefined,
      );
  const arns = targetGroupArnsOf(service);
  if (arns.length === 0) return undefined;
  const label = `${target.cluster}/${target.service}`;
  const [described, health] = await Promise.all([
    targetGroups(ctx, arns).then(
      (groups): Known<TargetGroup[]> => ({ known: true, value: groups }),
      (error: unknown) => {
        if (!(error instanceof AwsReadError)) throw error;
        gaps.add(`the target groups of ${label}`, error);
        return unknown(error.reason);
      },
    ),
    ctx.elbv2.targetHealth(arns),
  ]);
  const notInUse = health.some(
    (h) => h.known && h.targets.some((t) => t.reason === "Target.NotInUse"),
  );
  const lbs =
    described.known && notInUse
      ? await gaps.soft(
          `the load balancers of ${label}`,
          balancers(ctx, described.value),
          undefined,
        )
      : undefined;
  const gone: GoneTargetGroup[] = [];
  const groups = arns.flatMap((arn): ServiceTargetGroup[] => {
    const group = described.known ? described.value.find((g) => g.arn === arn) : undefined;
    const read = health.find((h) => h.targetGroupArn === arn);
    const name = group?.name ?? arn.split("/")[1] ?? arn;
    if (isGone(group, described.known, read)) {
      gone.push({ arn, name, cluster: target.cluster, service: target.service });
      return [];
    }
    if (read && !read.known) gaps.add(`target health of ${name}`, read.error);
    return [
      {
        arn,
        group: group
          ? { known: true, value: group }
          : described.known
            ? unknown("DescribeTargetGroups did not return it (deleted?)")
            : described,
        targets:
          read?.known === true
            ? { known: true, value: read.targets }
            : unknown(read && !read.known ? read.error.reason : "not read"),
        ...(group && lbs
          ? { loadBalancers: lbs.filter((lb) => group.loadBalancerArns.includes(lb.arn)) }
          : {}),
      },
    ];
  });
  return { label, groups, gone };
}

/**
 * AWS says the group does not exist: DescribeTargetHealth answered TargetGroupNotFound, or
 * DescribeTargetGroups (which fails a whole batch for one missing ARN: the adapter then asks each
 * alone) left it out while its health was not read. Targets read contradict it: not gone.
 */
function isGone(
  group: TargetGroup | undefined,
  described: boolean,
  read: TargetGroupHealth | undefined,
): boolean {
  if (group || read?.known) return false;
  return read?.gone === true || (described && read !== undefined);
}

/** The target groups read, judged against the service's running tasks. */
export function judgeTargetReads(
  reads: TargetReads,
  facts: ServiceFacts,
  now: Date,
  /** Bridge/host tasks' EC2 instances (task-hosts.ts): instance targets match by instance and port. */
  hosts?: Map<string, TaskHost>,
): TargetHealthView {
  const judged: TargetHealthJudgement = judgeTargetHealth({
    service: reads.label,
    groups: reads.groups,
    tasks: facts.tasks.map((task) => taskAsTarget(task, hosts?.get(task.id), facts.taskDefinition)),
    ...(facts.service?.loadBalancers ? { registers: facts.service.loadBalancers } : {}),
    ...(facts.service?.healthCheckGracePeriodSeconds !== undefined
      ? { gracePeriodSeconds: facts.service.healthCheckGracePeriodSeconds }
      : {}),
    now,
  });
  return reads.gone.length > 0 ? { ...judged, gone: reads.gone } : judged;
}

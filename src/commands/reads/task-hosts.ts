// The EC2 instances of a service's bridge/host tasks, for its `instance` target groups (issue 24
// item 2): an instance target names an EC2 instance ID and a host port, a task names its container
// instance. Read only when a target group registers instances, so an awsvpc or Fargate service's
// health costs no call more. Unread is unknown: the tasks' targets stay unmatched, never guessed.
import { AwsReadError } from "../../aws/errors.ts";
import type { EcsTask } from "../../domain/facts.ts";
import type { Known } from "../../domain/known.ts";
import {
  type TaskAsTarget,
  type TaskHost,
  taskAsTarget,
} from "../../domain/load-balancing/target-health.ts";
import type { TargetGroup } from "../../domain/load-balancing/types.ts";
import type { GroupService } from "../../domain/load-balancing/whois.ts";
import type { ServiceFacts } from "../../domain/resolution/service-facts.ts";
import { type AwsContext, type Gaps, known } from "./aws-context.ts";
import type { TargetReads } from "./target-health.ts";

/** Services whose tasks a whois reads for one group: a target group usually has one. */
export const GROUP_SERVICES_MAX = 10;

/** Whether a group registers instances (its type, or when undescribed, an `i-` target). */
const registersInstances = (reads: TargetReads) =>
  reads.groups.some((g) =>
    g.group.known
      ? g.group.value.targetType === "instance"
      : g.targets.known && g.targets.value.some((t) => t.id.startsWith("i-")),
  );

/** A service's running tasks, described (ListTasks, then DescribeTasks); throws when unread. */
export async function runningTasks(
  ctx: AwsContext,
  cluster: string,
  service: string,
): Promise<EcsTask[]> {
  const arns = await ctx.ecs.listTasks(cluster, service, "RUNNING");
  return arns.length > 0 ? ctx.ecs.describeTasks(cluster, arns) : [];
}

/** Each task's EC2 instance (one batched read); one ECS did not describe is unknown, saying so. */
async function hostsOf(
  ctx: AwsContext,
  cluster: string,
  onInstances: readonly EcsTask[],
): Promise<Map<string, TaskHost>> {
  const found = await ctx.ecs.containerInstances(
    cluster,
    onInstances.map((t) => t.containerInstanceArn ?? ""),
  );
  const hosts = new Map<string, TaskHost>();
  for (const task of onInstances) {
    const ci = found.find((c) => c.arn === task.containerInstanceArn);
    hosts.set(
      task.id,
      ci
        ? { instanceId: ci.ec2InstanceId }
        : { unknown: "ECS did not describe its container instance (deregistered?)" },
    );
  }
  return hosts;
}

/** Each bridge/host task's EC2 instance by task ID (one batched read per cluster), or why not. */
export async function readTaskHosts(
  ctx: AwsContext,
  gaps: Gaps,
  reads: TargetReads | undefined,
  facts: ServiceFacts,
): Promise<Map<string, TaskHost>> {
  const onInstances = facts.tasks.filter((t) => t.containerInstanceArn);
  if (!reads || onInstances.length === 0 || !registersInstances(reads)) return new Map();
  try {
    return await hostsOf(ctx, facts.ref.cluster, onInstances);
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    gaps.add(`the container instances of ${reads.label}`, error);
    return new Map(onInstances.map((task) => [task.id, { unknown: error.reason }]));
  }
}

/**
 * The running tasks of an `instance` group's services as its targets (a whois of a balancer): each
 * with its EC2 instance and host ports, read as health reads them (ListTasks, DescribeTasks, then
 * DescribeContainerInstances and, for a task on EC2 that reported no port binding, its task
 * definition: host mode). All or nothing: a task whose instance or ports are not known could be
 * any target's, so then no task is named, and the answer says what it could not read.
 */
export async function instanceGroupTasks(
  ctx: AwsContext,
  gaps: Gaps,
  group: TargetGroup,
  services: readonly GroupService[],
): Promise<Known<TaskAsTarget[]>> {
  if (services.length > GROUP_SERVICES_MAX) {
    return { known: false, why: `${services.length} services register in it: tasks not read` };
  }
  const read = await Promise.all(
    services.map((s) =>
      known(
        gaps,
        `the tasks of ${s.cluster}/${s.service}`,
        runningTasks(ctx, s.cluster, s.service),
      ),
    ),
  );
  const failed = read.find((r) => !r.known);
  if (failed && !failed.known) return failed;
  const tasks = read.flatMap((r) => (r.known ? r.value : []));
  const onInstances = tasks.filter((t) => t.containerInstanceArn);
  const clusters = [...new Set(onInstances.map((t) => t.clusterName))];
  const unbound = onInstances.filter((t) => t.containers.every((c) => !c.networkBindings?.length));
  const [hosts, definitions] = await Promise.all([
    known(
      gaps,
      `the container instances of ${group.name}`,
      Promise.all(
        clusters.map((c) =>
          hostsOf(
            ctx,
            c,
            onInstances.filter((t) => t.clusterName === c),
          ),
        ),
      ).then((maps) => new Map(maps.flatMap((m) => [...m]))),
    ),
    known(
      gaps,
      `the task definitions of ${group.name}'s tasks`,
      Promise.all(
        [...new Set(unbound.map((t) => t.taskDefinitionArn))].map((arn) =>
          ctx.ecs.describeTaskDefinition(arn),
        ),
      ),
    ),
  ]);
  if (!hosts.known) return hosts;
  if (!definitions.known) return definitions;
  const lost = [...hosts.value.values()].find((h) => "unknown" in h);
  if (lost && "unknown" in lost) return { known: false, why: lost.unknown };
  return {
    known: true,
    value: tasks.map((t) =>
      taskAsTarget(
        t,
        hosts.value.get(t.id),
        definitions.value.find((d) => d.arn === t.taskDefinitionArn),
      ),
    ),
  };
}

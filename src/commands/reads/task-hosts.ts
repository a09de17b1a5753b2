// The EC2 instances of a service's bridge/host tasks, for its `instance` target groups (issue 24
// item 2): an instance target names an EC2 instance ID and a host port, a task names its container
// instance. Read only when a target group registers instances, so an awsvpc or Fargate service's
// health costs no call more. Unread is unknown: the tasks' targets stay unmatched, never guessed.
import { AwsReadError } from "../../aws/errors.ts";
import type { TaskHost } from "../../domain/load-balancing/target-health.ts";
import type { ServiceFacts } from "../../domain/resolution/service-facts.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import type { TargetReads } from "./target-health.ts";

/** Whether a group registers instances (its type, or when undescribed, an `i-` target). */
const registersInstances = (reads: TargetReads) =>
  reads.groups.some((g) =>
    g.group.known
      ? g.group.value.targetType === "instance"
      : g.targets.known && g.targets.value.some((t) => t.id.startsWith("i-")),
  );

/** Each bridge/host task's EC2 instance by task ID (one batched read per cluster), or why not. */
export async function readTaskHosts(
  ctx: AwsContext,
  gaps: Gaps,
  reads: TargetReads | undefined,
  facts: ServiceFacts,
): Promise<Map<string, TaskHost>> {
  const hosts = new Map<string, TaskHost>();
  const onInstances = facts.tasks.filter((t) => t.containerInstanceArn);
  if (!reads || onInstances.length === 0 || !registersInstances(reads)) return hosts;
  const cluster = facts.ref.cluster;
  try {
    const found = await ctx.ecs.containerInstances(
      cluster,
      onInstances.map((t) => t.containerInstanceArn ?? ""),
    );
    for (const task of onInstances) {
      const ci = found.find((c) => c.arn === task.containerInstanceArn);
      hosts.set(
        task.id,
        ci
          ? { instanceId: ci.ec2InstanceId }
          : { unknown: "ECS did not describe its container instance (deregistered?)" },
      );
    }
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    gaps.add(`the container instances of ${reads.label}`, error);
    for (const task of onInstances) hosts.set(task.id, { unknown: error.reason });
  }
  return hosts;
}

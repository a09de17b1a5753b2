// What the load balancer says of a service's tasks: each target's health judged from
// DescribeTargetHealth, matched to the tasks (IP targets for awsvpc, instance and port for bridge
// and host), with the service's health-check grace period respected; then one verdict per task
// and per target group. The rules and their AWS sources: ./README.md.

import type { EcsTask, Gap, LoadBalancerRef, TaskDefinition } from "../facts.ts";
import type { Known } from "../known.ts";
import { utcMinute as minute } from "../time.ts";
import { reasonAdvice, SOURCES } from "./reasons.ts";
import type { LoadBalancer, TargetGroup, TargetHealth, TargetState } from "./types.ts";

/** One of the service's target groups (DescribeServices `loadBalancers[]`) and what was read. */
export interface ServiceTargetGroup {
  arn: string;
  /** Its description (health check settings); unknown when DescribeTargetGroups failed. */
  group: Known<TargetGroup>;
  /** DescribeTargetHealth of the whole group; unknown when denied or throttled. */
  targets: Known<TargetHealth[]>;
  /** Its load balancers, when read: their zones tell a target in a zone they do not use. */
  loadBalancers?: LoadBalancer[];
}

/** A running task as the balancer registers it. */
export interface TaskAsTarget {
  taskId: string;
  /** Its ENI's private IP (awsvpc): the ID of an `ip` target. */
  ip?: string;
  /** Its container instance's EC2 ID (bridge, host): the ID of an `instance` target. */
  instanceId?: string;
  /** Host ports an `instance` target of it may name, when its bindings are not known. */
  hostPorts?: number[];
  /** Its containers' ports published on the instance: the target's port is a host port. */
  bindings?: { containerName?: string; containerPort: number; hostPort: number }[];
  /** Why its EC2 instance is not known (its container instance unread): no target is told its. */
  instanceUnknown?: string;
  startedAt?: Date;
}

/** A bridge/host task's EC2 instance, or why it could not be read (DescribeContainerInstances). */
export type TaskHost = { instanceId: string } | { unknown: string };

/**
 * An ECS task as a target: its ENI's IP and start; on bridge/host networking, the EC2 instance of
 * its container instance (read apart: `host`) and its containers' networkBindings. In host mode
 * a container port is its host port, so the task definition's port mappings stand in for
 * bindings ECS did not report.
 */
export function taskAsTarget(
  task: EcsTask,
  host?: TaskHost,
  taskDefinition?: TaskDefinition,
): TaskAsTarget {
  const bound = task.containers.flatMap((c) =>
    (c.networkBindings ?? []).map((b) => ({
      containerName: c.name,
      containerPort: b.containerPort,
      hostPort: b.hostPort,
    })),
  );
  const hostMode =
    taskDefinition?.networkMode === "host" && taskDefinition.arn === task.taskDefinitionArn;
  const bindings =
    bound.length > 0 || !hostMode
      ? bound
      : taskDefinition.containers.flatMap((c) =>
          c.portMappings.map((p) => ({
            containerName: c.name,
            containerPort: p.containerPort,
            hostPort: p.containerPort,
          })),
        );
  return {
    taskId: task.id,
    ...(task.ipv4 ? { ip: task.ipv4 } : {}),
    ...(task.startedAt ? { startedAt: task.startedAt } : {}),
    ...(host && "instanceId" in host ? { instanceId: host.instanceId } : {}),
    ...(host && "unknown" in host ? { instanceUnknown: host.unknown } : {}),
    // On EC2 DescribeTasks has told its bindings, none included: never "unread".
    ...(bindings.length > 0 || task.containerInstanceArn ? { bindings } : {}),
  };
}

export interface TargetHealthInput {
  /** "tutorial/checkout": named in the advice. */
  service: string;
  groups: ServiceTargetGroup[];
  /** The service's running tasks; empty when unread (then targets stay unmatched). */
  tasks: TaskAsTarget[];
  /** healthCheckGracePeriodSeconds of the service; 0 or absent: none. */
  gracePeriodSeconds?: number;
  /**
   * The service's `loadBalancers`: which container and port each group registers, so an instance
   * target's host port is matched to the binding of that container port only.
   */
  registers?: LoadBalancerRef[];
  now: Date;
}

/**
 * One target as the bot judges it. `initial` is "wait": AWS's initial state, or unhealthy within
 * the service's grace period (ECS ignores it then). `unchecked`: health checks disabled or
 * unavailable. `unknown`: its health could not be read. Neither is healthy or unhealthy.
 */
export type TargetVerdict =
  | "healthy"
  | "unhealthy"
  | "initial"
  | "draining"
  | "unused"
  | "unchecked"
  | "unknown";

export interface JudgedTarget {
  targetGroupArn: string;
  targetGroup: string;
  /** The IP or instance ID, with the port: "10.0.2.17:8080". */
  target: string;
  taskId?: string;
  verdict: TargetVerdict;
  /** AWS's state and reason code, as read (a task missing from the group: Target.NotRegistered). */
  state?: TargetState;
  reason?: string;
  /** AWS's own words. */
  description?: string;
  /** Plain words: "GET /healthz on 8080 answered 503, matcher 200". */
  what: string;
  next: string;
  source: string;
  /** Failing within the service's grace period: ECS does not stop it before this. */
  graceEnds?: Date;
}

export type GroupLevel = "healthy" | "degraded" | "down" | "starting" | "unknown";

export interface JudgedGroup {
  arn: string;
  name: string;
  level: GroupLevel;
  /** Targets the balancer routes to or checks (not draining, not unused). */
  inService: number;
  healthy: number;
  targets: JudgedTarget[];
  /** Why its targets' health is unknown. */
  why?: string;
}

export interface TaskTargets {
  taskId: string;
  /** The worst of its targets across groups (unhealthy, unknown, initial, unused, …, healthy). */
  verdict: TargetVerdict;
  targets: JudgedTarget[];
}

export interface TargetHealthJudgement {
  groups: JudgedGroup[];
  tasks: TaskTargets[];
  /** Target health that could not be read: the answer is partial, never better or worse. */
  gaps: Gap[];
}

const VERDICT_RANK: Record<TargetVerdict, number> = {
  unhealthy: 0,
  unknown: 1,
  initial: 2,
  unused: 3,
  draining: 4,
  unchecked: 5,
  healthy: 6,
};

const nameOfArn = (arn: string) => arn.split("/")[1] ?? arn;

function verdictOf(state: TargetState): TargetVerdict {
  switch (state) {
    case "healthy":
      return "healthy";
    case "unhealthy":
      return "unhealthy";
    case "initial":
      return "initial";
    case "draining":
    case "unhealthy.draining":
      return "draining";
    case "unused":
      return "unused";
    default:
      return "unchecked";
  }
}

/** The port health checks go to: AWS's own per target, else the group's, else the target's. */
function checkPortOf(t: TargetHealth, g: TargetGroup | undefined): string {
  if (t.healthCheckPort) return t.healthCheckPort;
  const port = g?.healthCheck.port;
  return port && port !== "traffic-port" ? port : String(t.port ?? g?.port ?? "?");
}

/** "GET /healthz on 8080", "TCP on 8080". */
export function checkText(t: TargetHealth, g: TargetGroup | undefined): string {
  const protocol = g?.healthCheck.protocol ?? g?.protocol;
  const port = checkPortOf(t, g);
  if (protocol === "HTTP" || protocol === "HTTPS") {
    return `GET ${g?.healthCheck.path ?? "/"} on ${port}${protocol === "HTTPS" ? " (HTTPS)" : ""}`;
  }
  return `${protocol ?? "the health check"} on ${port}`;
}

/** "Health checks failed with these codes: [503]" → "503". */
const codesIn = (description: string | undefined) =>
  /\[([\d, ]+)\]/.exec(description ?? "")?.[1]?.replace(/\s+/g, "");

/** The host ports a task publishes the group's container port on (all, when that is not known). */
function hostPortsOf(task: TaskAsTarget, ref: LoadBalancerRef | undefined): number[] | undefined {
  if (!task.bindings) return task.hostPorts;
  return task.bindings
    .filter(
      (b) =>
        (ref?.containerPort === undefined || b.containerPort === ref.containerPort) &&
        (ref?.containerName === undefined || b.containerName === ref.containerName),
    )
    .map((b) => b.hostPort);
}

/**
 * Which running task a target is: an IP target by address; an instance target by its EC2
 * instance and the host port its container port is bound to (bridge: a dynamic port; host: the
 * container port). A task whose instance is unknown is never guessed.
 */
function taskOf(
  t: TargetHealth,
  g: TargetGroup | undefined,
  tasks: TaskAsTarget[],
  ref: LoadBalancerRef | undefined,
): TaskAsTarget | undefined {
  if (g?.targetType === "lambda" || g?.targetType === "alb") return undefined;
  const byIp = tasks.find((task) => task.ip === t.id);
  if (byIp || g?.targetType === "ip") return byIp;
  const onInstance = tasks.filter((task) => task.instanceId === t.id);
  const byPort = onInstance.find(
    (task) => t.port !== undefined && hostPortsOf(task, ref)?.includes(t.port),
  );
  // Host ports unread: the instance's only task is the target, several are not told apart.
  const only = onInstance.length === 1 ? onInstance[0] : undefined;
  const unread = only && !only.bindings && !only.hostPorts;
  // Some task's instance unknown: the target may be its, so no other task is guessed.
  if (tasks.some((task) => task.instanceUnknown)) return byPort;
  return byPort ?? (unread ? only : undefined);
}

function judgeTarget(
  t: TargetHealth,
  read: ServiceTargetGroup,
  input: TargetHealthInput,
  task: TaskAsTarget | undefined,
): JudgedTarget {
  const group = read.group.known ? read.group.value : undefined;
  const advice = reasonAdvice({
    target: t,
    group,
    loadBalancers: read.loadBalancers,
    service: input.service,
    check: checkText(t, group),
    checkPort: checkPortOf(t, group),
    codes: codesIn(t.description),
  });
  const base: JudgedTarget = {
    targetGroupArn: read.arn,
    targetGroup: group?.name ?? nameOfArn(read.arn),
    target: `${t.id}${t.port !== undefined ? `:${t.port}` : ""}`,
    ...(task ? { taskId: task.taskId } : {}),
    verdict: verdictOf(t.state),
    state: t.state,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.description ? { description: t.description } : {}),
    what: t.state === "healthy" ? `passes ${checkText(t, group)}` : advice.what,
    next: advice.next,
    source: advice.source,
  };
  // ECS ignores unhealthy ELB checks for the grace period after a task first started.
  const grace = (input.gracePeriodSeconds ?? 0) * 1000;
  const ends = task?.startedAt ? new Date(task.startedAt.getTime() + grace) : undefined;
  if (base.verdict === "unhealthy" && ends && grace > 0 && input.now < ends) {
    return {
      ...base,
      verdict: "initial",
      what: `${advice.what}, within the service's health-check grace period`,
      next: `Wait: ECS ignores this until ${minute(ends)} (grace period ${input.gracePeriodSeconds} s); if it still fails then: ${advice.next}`,
      source: SOURCES.grace,
      graceEnds: ends,
    };
  }
  return base;
}

function notRegistered(task: TaskAsTarget, read: ServiceTargetGroup, input: TargetHealthInput) {
  const t: TargetHealth = {
    targetGroupArn: read.arn,
    id: task.ip ?? task.instanceId ?? task.taskId,
    state: "unused",
    reason: "Target.NotRegistered",
  };
  const judged = { ...judgeTarget(t, read, input, task), state: undefined };
  // Not yet started, or within the grace period: ECS may still be registering it.
  const grace = (input.gracePeriodSeconds ?? 0) * 1000;
  const ends = task.startedAt ? new Date(task.startedAt.getTime() + grace) : undefined;
  if (ends && input.now >= ends) return judged;
  return {
    ...judged,
    verdict: "initial" as const,
    next: `Wait: ECS registers the task once it runs${ends ? ` (grace period until ${minute(ends)})` : ""}; if it is still missing then: ${judged.next}`,
    ...(ends ? { graceEnds: ends } : {}),
  };
}

/** A bridge/host task whose EC2 instance could not be read: not matched, never guessed. */
function instanceUnknown(task: TaskAsTarget, arn: string, group: string): JudgedTarget {
  return {
    targetGroupArn: arn,
    targetGroup: group,
    target: "instance unknown",
    taskId: task.taskId,
    verdict: "unknown",
    what: `which target of ${group} it is could not be told: its container instance could not be read (${task.instanceUnknown})`,
    next: "Unknown: retry in a minute if AWS throttled; give the bot's role ecs:DescribeContainerInstances if it was denied.",
    source: SOURCES.api,
  };
}

function groupLevel(targets: JudgedTarget[]): Pick<JudgedGroup, "level" | "inService" | "healthy"> {
  const count = (v: TargetVerdict) => targets.filter((t) => t.verdict === v).length;
  const healthy = count("healthy");
  const failing = count("unhealthy");
  const waiting = count("initial");
  const inService = healthy + failing + waiting + count("unchecked");
  // Nothing healthy: down when some fail, starting when they are only waiting (not a failure).
  // A target the balancer does not use gets no traffic: degraded, never down.
  const level: GroupLevel =
    failing > 0
      ? healthy > 0
        ? "degraded"
        : "down"
      : waiting > 0 && healthy === 0
        ? "starting"
        : count("unused") > 0
          ? "degraded"
          : "healthy";
  return { level, inService, healthy };
}

/** Every target group's targets judged, matched to the tasks, and each task's own verdict. */
export function judgeTargetHealth(input: TargetHealthInput): TargetHealthJudgement {
  const groups: JudgedGroup[] = [];
  const gaps: Gap[] = [];
  const perTask = new Map<string, JudgedTarget[]>();
  for (const read of input.groups) {
    const group = read.group.known ? read.group.value : undefined;
    const name = group?.name ?? nameOfArn(read.arn);
    if (!read.targets.known) {
      const why = read.targets.why;
      gaps.push({ what: `target health of ${name}`, why });
      const targets = input.tasks.map(
        (task): JudgedTarget => ({
          targetGroupArn: read.arn,
          targetGroup: name,
          target: task.ip ?? task.instanceId ?? task.taskId,
          taskId: task.taskId,
          verdict: "unknown",
          what: `its health in ${name} could not be read (${why})`,
          next: `Unknown: retry in a minute if AWS throttled; give the bot's role elasticloadbalancing:DescribeTargetHealth if it was denied.`,
          source: SOURCES.api,
        }),
      );
      for (const t of targets)
        perTask.set(t.taskId ?? "", [...(perTask.get(t.taskId ?? "") ?? []), t]);
      groups.push({
        arn: read.arn,
        name,
        level: "unknown",
        inService: 0,
        healthy: 0,
        targets,
        why,
      });
      continue;
    }
    const ref = input.registers?.find((r) => r.targetGroupArn === read.arn);
    const judged = read.targets.value.map((t) =>
      judgeTarget(t, read, input, taskOf(t, group, input.tasks, ref)),
    );
    // A running task the balancer does not list gets no traffic from it; one whose instance is
    // unknown in a group of instances may be listed: which target it is stays unknown.
    const lambdaOrAlb = group?.targetType === "lambda" || group?.targetType === "alb";
    const missing = lambdaOrAlb
      ? []
      : input.tasks
          .filter((task) => !judged.some((t) => t.taskId === task.taskId))
          .map((task) =>
            task.instanceUnknown && group?.targetType !== "ip"
              ? instanceUnknown(task, read.arn, name)
              : notRegistered(task, read, input),
          );
    const targets = [...judged, ...missing].sort(
      (a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict],
    );
    for (const t of targets) {
      if (t.taskId) perTask.set(t.taskId, [...(perTask.get(t.taskId) ?? []), t]);
    }
    groups.push({ arn: read.arn, name, ...groupLevel(targets), targets });
  }
  if (input.groups.length === 0) return { groups, tasks: [], gaps };
  const tasks = input.tasks.map((task): TaskTargets => {
    const targets = perTask.get(task.taskId) ?? [];
    const worst = [...targets].sort((a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict])[0];
    return { taskId: task.taskId, verdict: worst?.verdict ?? "unknown", targets };
  });
  return { groups, tasks, gaps };
}

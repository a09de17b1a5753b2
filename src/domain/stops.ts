// Why a task stopped, and what to look at next. A task that never started has no application
// logs: its next step is the image, the registry access or the network path to the registry,
// never "read the container logs". ECS says which with stopCode and stoppedReason
// (ECS API Task.stopCode; ECS guide, "Amazon ECS stopped task error messages").

import type { EcsTask } from "./facts.ts";
import { utcMinute as minute } from "./time.ts";

export type StopKind =
  /** Image pull failed: tag, registry permissions or the network to the registry. */
  | "image-pull"
  /** Secrets, SSM parameters, log group or ENI could not be set up before the containers ran. */
  | "task-setup"
  /** ECS says the task failed to start and names nothing more specific. */
  | "never-started"
  /** A container's reason says OutOfMemoryError: it hit its memory limit. */
  | "out-of-memory"
  /**
   * Exit 137 (SIGKILL) after ECS or a user stopped the task: the container did not exit on the
   * stop signal and was killed after stopTimeout. The task's stoppedReason is the real cause.
   */
  | "killed-after-stop-timeout"
  /** Exit 137 (SIGKILL) and nothing says why: not necessarily memory. */
  | "killed"
  /** The essential container exited on its own. */
  | "app-exit"
  /**
   * ECS stopped it for failing the load balancer's health checks ("Task failed ELB health checks
   * in (target-group …)"): the next step is the target group's check, not the container.
   */
  | "elb-health-check"
  /** ECS or the scheduler stopped it: a deployment, a scale-in, a failed health check. */
  | "scheduler"
  /** Capacity went away: Spot interruption, instance terminated. */
  | "capacity"
  | "other";

const IMAGE_PULL =
  /CannotPullContainerError|CannotPullImageManifestError|pull image manifest|manifest unknown/i;
const ELB_HEALTH = /failed ELB health checks/i;
const TASK_SETUP =
  /ResourceInitializationError|unable to pull secrets|unable to retrieve secret|CannotCreateVolumeError|\bENI\b|network interface/;

export function stopKind(task: EcsTask): StopKind {
  const reason = `${task.stoppedReason ?? ""} ${task.containers.map((c) => c.reason ?? "").join(" ")}`;
  if (IMAGE_PULL.test(reason)) return "image-pull";
  if (TASK_SETUP.test(reason)) return "task-setup";
  if (task.stopCode === "TaskFailedToStart") return "never-started";
  if (task.stopCode === "SpotInterruption" || task.stopCode === "TerminationNotice")
    return "capacity";
  // Exit 137 is SIGKILL, whoever sent it (ECS guide, Docker diagnostics): only an OutOfMemoryError
  // reason makes it memory; a scheduler or user stop sends SIGKILL after stopTimeout (API StopTask).
  if (task.containers.some((c) => /OutOfMemoryError/i.test(c.reason ?? ""))) return "out-of-memory";
  // Its containers then exit 137 after stopTimeout: the balancer's check is still the cause.
  if (ELB_HEALTH.test(task.stoppedReason ?? "")) return "elb-health-check";
  if (killed(task)) {
    return task.stopCode === "ServiceSchedulerInitiated" || task.stopCode === "UserInitiated"
      ? "killed-after-stop-timeout"
      : "killed";
  }
  if (task.stopCode === "EssentialContainerExited") return "app-exit";
  if (task.stopCode === "ServiceSchedulerInitiated" || task.stopCode === "UserInitiated")
    return "scheduler";
  return "other";
}

function killed(task: EcsTask): boolean {
  return task.containers.some((c) => c.exitCode === 137);
}

/** "task stopped 2026-11-23 15:40 UTC: Essential container in task exited (worker exit 137: …)". */
export function stopNote(task: EcsTask): string {
  const exits = task.containers
    .filter((c) => c.exitCode !== undefined && c.exitCode !== 0)
    .map((c) => {
      // 137 alone reads as "out of memory" to many: say what it is when no reason says more.
      const signal = c.exitCode === 137 && !c.reason ? " (SIGKILL)" : "";
      return `${c.name} exit ${c.exitCode}${signal}${c.reason ? `: ${c.reason}` : ""}`;
    });
  // A container's reason often repeats the task's (image pulls): say it once.
  const pulls = task.containers
    .filter((c) => c.exitCode === undefined && c.reason)
    .filter((c) => !task.stoppedReason?.includes((c.reason ?? "").slice(0, 40)))
    .map((c) => `${c.name}: ${c.reason}`);
  const when = task.stoppedAt ? ` ${minute(task.stoppedAt)}` : "";
  const reason = task.stoppedReason ? `: ${task.stoppedReason}` : "";
  const detail = [...exits, ...pulls];
  return `task ${task.lastStatus.toLowerCase()}${when}${reason}${detail.length ? ` (${detail.join("; ")})` : ""}`;
}

/** The next step for tasks that keep stopping this way, at the layer it belongs to. */
export function stopAdvice(task: EcsTask, serviceLabel: string): string {
  switch (stopKind(task)) {
    case "image-pull":
      return `App (never started): the image could not be pulled, so there are no container logs to read. Check that the image tag in the task definition exists in the registry, that the task execution role may pull it (ECR: ecr:GetAuthorizationToken, ecr:BatchGetImage), and that the task subnets reach the registry (a NAT gateway, or VPC endpoints for ecr.api, ecr.dkr and S3).`;
    case "task-setup":
      return `App (never started): ECS could not prepare the task (secrets, parameters, log group or network interface), so there are no container logs to read. Check the secrets and parameters the task definition names exist, that the task execution role may read them, and that the task subnets reach Secrets Manager, SSM and CloudWatch Logs (NAT gateway or VPC endpoints).`;
    case "never-started":
      return `App (never started): ECS could not start the task, so there are no container logs to read. Check, in this order: the image tag exists in the registry, the task execution role may pull it and read the secrets the task definition names, and the task subnets reach the registry and Secrets Manager (NAT gateway or VPC endpoints).`;
    case "out-of-memory":
      return `App: the tasks do not stay up. Exit 137 with OutOfMemoryError means the container hit its memory limit: raise memory in the task definition of ${serviceLabel} or fix the leak, then watch the deployment.`;
    case "killed-after-stop-timeout":
      return `Deploy: ECS stopped the tasks${task.stoppedReason ? `: ${task.stoppedReason}.` : "."} Then the container did not exit on the stop signal and was killed after stopTimeout (exit 137 is SIGKILL here, not out of memory). Fix why ECS stopped them first (the service events of ${serviceLabel} say more); then make the app exit on SIGTERM (or the image's STOPSIGNAL) within stopTimeout.`;
    case "killed":
      return `App: the essential container was killed (SIGKILL, exit 137), cause not stated: no OutOfMemoryError reason, so not necessarily memory. Read its logs and memory use around ${task.stoppedAt ? minute(task.stoppedAt) : "the stop"}, and the service events of ${serviceLabel}.`;
    case "app-exit":
      return `App: the essential container exits on its own. Read its logs around ${task.stoppedAt ? minute(task.stoppedAt) : "the stop"} for the error, fix it, then watch the deployment.`;
    case "elb-health-check":
      return elbAdvice(task, serviceLabel);
    case "scheduler":
      return `Deploy: ECS stopped the tasks itself (deployment, scale-in or a failed health check). The service events of ${serviceLabel} say which.`;
    case "capacity":
      return `Capacity: the tasks lost their capacity (Spot interruption or instance termination). Check the capacity provider strategy of ${serviceLabel}.`;
    default:
      return `App: the tasks do not stay up. Read the stopped task's reason and its container logs, fix what stops it, then watch the deployment.`;
  }
}

/** "(target-group arn:…:targetgroup/checkout-tg/…)" → "checkout-tg". */
function targetGroupIn(reason: string | undefined): string | undefined {
  const arn = /target-group ([^)\s]+)/.exec(reason ?? "")?.[1];
  return arn ? (arn.split("/")[1] ?? arn) : undefined;
}

/**
 * A task ECS stopped for failing the balancer's health checks (AWS knowledge center, "Why is my
 * Amazon ECS task stopped?"): the check's path, port and matcher, the security group from the
 * balancer, and a start slower than the grace period; not the container's own logs first.
 */
function elbAdvice(task: EcsTask, serviceLabel: string): string {
  const group = targetGroupIn(task.stoppedReason) ?? "its target group";
  const killed = task.containers.some((c) => c.exitCode === 137)
    ? " (its container then exited 137: killed after stopTimeout, not out of memory)"
    : "";
  return `Load balancer: ECS stopped the task because it failed the health checks of ${group}${killed}. /ecs health ${serviceLabel} gives each target's reason: the check's path, port and matcher against what the app answers, and the tasks' security groups must allow the balancer's on the health-check port. A slow start needs a longer health-check grace period (aws ecs update-service --cluster ${serviceLabel.split("/")[0]} --service ${serviceLabel.split("/")[1] ?? serviceLabel} --health-check-grace-period-seconds N).`;
}

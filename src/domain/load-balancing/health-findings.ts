// Target health as findings of `/ecs health` (src/domain/health.ts): the app-layer signal beside
// ECS and Cloud Map, with the same discipline: one deciding reason and its next step; a target
// waiting (initial, or within the grace period) is never a failure; unknown target health makes
// the answer partial, never better or worse; no DOWN above healthy targets.

import type { Finding, Layer } from "../health.ts";
import type { JudgedGroup, JudgedTarget, TargetHealthJudgement } from "./target-health.ts";
import type { GoneTargetGroup } from "./types.ts";

/** The judgement as the read hands it over, with the groups AWS says no longer exist. */
export type TargetHealthView = TargetHealthJudgement & { gone?: GoneTargetGroup[] };

const SOURCE_UPDATE_SERVICE =
  "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html#ECS-UpdateService-request-loadBalancers";

/** Where the operator looks next, by reason code. */
const LAYER: Record<string, Layer> = {
  "Target.Timeout": "path",
  "Target.NotInUse": "path",
  "Target.IpUnusable": "path",
  "Target.HealthCheckDisabled": "path",
  "Target.NotRegistered": "deploy",
  "Target.InvalidState": "deploy",
};

/** "10.0.3.42 (task b2b2b2b2b2b2)": an IP target's port is the check's, said beside it. */
const who = (t: JudgedTarget) =>
  `${/^\d+\.\d+\.\d+\.\d+:/.test(t.target) ? t.target.split(":")[0] : t.target}${t.taskId ? ` (task ${t.taskId.slice(0, 12)})` : ""}`;

/** "1 more: Target.Timeout" — the other failing targets' reasons, counted. */
function others(rest: JudgedTarget[]): string {
  if (rest.length === 0) return "";
  const byReason = new Map<string, number>();
  for (const t of rest) {
    const r = t.reason ?? t.verdict;
    byReason.set(r, (byReason.get(r) ?? 0) + 1);
  }
  const reasons = [...byReason].map(([r, n]) => (n > 1 ? `${n}× ${r}` : r)).join(", ");
  return `; ${rest.length} more (${reasons})`;
}

function groupFinding(g: JudgedGroup): Finding | undefined {
  const failing = g.targets.filter((t) => t.verdict === "unhealthy");
  const waiting = g.targets.filter((t) => t.verdict === "initial");
  const unused = g.targets.filter((t) => t.verdict === "unused");
  const [first] = failing;
  if ((g.level === "down" || g.level === "degraded") && first) {
    const head =
      g.level === "down"
        ? `0 of ${g.inService} targets of ${g.name} healthy`
        : `${failing.length} of ${g.inService} targets of ${g.name} unhealthy`;
    return {
      level: g.level,
      layer: LAYER[first.reason ?? ""] ?? "app",
      text: `${head}: ${who(first)} ${first.reason ?? "unhealthy"}: ${first.what}${others(failing.slice(1))}`,
      brief: `${head}: ${first.what}`,
      // Fail-open: with every target unhealthy the balancer sends requests to all of them.
      next: `${first.next}${g.level === "down" ? ` With no healthy target the balancer sends requests to every target anyway (fail-open), so callers see the app's errors.` : ""} (${first.source})`,
    };
  }
  const [idle] = unused;
  if (g.level === "degraded" && idle) {
    const head = `${unused.length} of ${g.targets.length} targets of ${g.name} get no traffic`;
    return {
      level: "degraded",
      layer: LAYER[idle.reason ?? ""] ?? "path",
      text: `${head}: ${who(idle)} ${idle.reason ?? "unused"}: ${idle.what}${others(unused.slice(1))}`,
      brief: `${head}: ${idle.what}`,
      next: `${idle.next} (${idle.source})`,
    };
  }
  const [wait] = waiting;
  if (g.level === "starting" && wait) {
    // Nothing serves yet, but nothing has failed: the step is to wait, not to fix.
    return {
      level: "degraded",
      layer: "app",
      text: `starting: none of ${g.inService} targets of ${g.name} healthy yet, ${waiting.length} waiting (${wait.what})`,
      next: wait.next,
    };
  }
  if (wait) {
    return {
      level: "note",
      layer: "app",
      text: `${waiting.length} of ${g.inService} targets of ${g.name} still waiting: ${who(wait)} ${wait.what}`,
      next: wait.next,
    };
  }
  return undefined;
}

/**
 * A deleted group the service still names. ECS cannot register its tasks there and no listener
 * forwards to it (ELB refuses to delete a group an action uses): the service's configuration is
 * stale, DEGRADED whatever its other groups say, never DOWN (nothing says callers fail) and never
 * unknown (AWS answered).
 */
function goneFinding(g: GoneTargetGroup): Finding {
  const label = `${g.cluster}/${g.service}`;
  const head = `target group ${g.name} no longer exists (deleted?) but ${label} still names it`;
  return {
    level: "degraded",
    layer: "deploy",
    text: `${head}: ECS cannot register its tasks there, and no listener forwards to a deleted group`,
    brief: head,
    next: `Deploy: see which target groups ${label} names (aws ecs describe-services --cluster ${g.cluster} --services ${g.service} --query 'services[0].loadBalancers'), then point it at an existing group or drop ${g.name}: aws ecs update-service --cluster ${g.cluster} --service ${g.service} --load-balancers … starts a new deployment (rolling updates; blue/green through a CodeDeploy deployment). (${SOURCE_UPDATE_SERVICE})`,
  };
}

/** One finding per target group that is not simply healthy; unknown groups are gaps instead. */
export function targetHealthFindings(j: TargetHealthView): Finding[] {
  return [...(j.gone ?? []).map(goneFinding), ...j.groups.flatMap((g) => groupFinding(g) ?? [])];
}

/** Any healthy target: the balancer serves, so no other finding may call the service DOWN. */
export function capBelowDown(findings: Finding[], j: TargetHealthJudgement | undefined): Finding[] {
  const healthy = j?.groups.reduce((n, g) => n + g.healthy, 0) ?? 0;
  if (healthy === 0) return findings;
  return findings.map((f) =>
    f.level === "down"
      ? {
          ...f,
          level: "degraded",
          text: `${f.text} (yet ${healthy} target${healthy === 1 ? "" : "s"} pass the balancer's health checks)`,
        }
      : f,
  );
}

/** "3 of 3 targets healthy" (one group), "checkout-tg 3 of 3, admin-tg 1 of 1 targets healthy". */
export function targetSummary(j: TargetHealthJudgement | undefined): string {
  const read = j?.groups.filter((g) => g.level !== "unknown") ?? [];
  const [only] = read;
  if (!only) return "";
  // Targets whose health checks are disabled are neither healthy nor failing: said apart.
  const unchecked = read.reduce(
    (n, g) => n + g.targets.filter((t) => t.verdict === "unchecked").length,
    0,
  );
  const apart = unchecked > 0 ? `, ${unchecked} not health-checked` : "";
  const checked = (g: JudgedGroup) =>
    g.inService - g.targets.filter((t) => t.verdict === "unchecked").length;
  if (read.every((g) => checked(g) === 0)) return `${unchecked} targets not health-checked`;
  if (read.length === 1) return `${only.healthy} of ${checked(only)} targets healthy${apart}`;
  return `${read.map((g) => `${g.name} ${g.healthy} of ${checked(g)}`).join(", ")} targets healthy${apart}`;
}

/**
 * Where one asked task stands with the balancer, when that is worse than healthy: the headline
 * then never calls a task "healthy" that fails the balancer's checks. Undefined otherwise.
 */
export function askedTaskTargets(
  j: TargetHealthJudgement | undefined,
  taskId: string | undefined,
): string | undefined {
  const task = j?.tasks.find((t) => t.taskId === taskId);
  const [first] = task?.targets.filter((t) => t.verdict === task.verdict) ?? [];
  if (!task || !first) return undefined;
  const reason = first.reason ? ` (${first.reason})` : "";
  switch (task.verdict) {
    case "unhealthy":
      return `fails the health checks of ${first.targetGroup}${reason}`;
    case "initial":
      return `is still waiting for the health checks of ${first.targetGroup}`;
    case "unused":
      return `gets no traffic from ${first.targetGroup}${reason}`;
    case "draining":
      return `is being drained from ${first.targetGroup}`;
    default:
      return undefined;
  }
}

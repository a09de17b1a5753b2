// What each target health reason code means and the next step it leads to, each with AWS's page
// that says so. The spec, with the sources: ./README.md ("Reason codes").

import type { LoadBalancer, TargetGroup, TargetHealth } from "./types.ts";

export const SOURCES = {
  reasons:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-reason-codes",
  api: "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html",
  notInService:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#target-not-inservice",
  nlbTroubleshooting:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
  failingChecks: "https://repost.aws/knowledge-center/elb-fix-failing-health-checks-alb",
  deregistration:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay",
  grace:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html#ECS-Type-Service-healthCheckGracePeriodSeconds",
  ecsStopped: "https://repost.aws/knowledge-center/ecs-task-stopped",
} as const;

/** What the advice may name: the target, its group and balancers, the service. */
export interface ReasonContext {
  target: TargetHealth;
  group?: TargetGroup;
  loadBalancers?: LoadBalancer[];
  /** "tutorial/checkout" */
  service: string;
  /** The health check as a sentence's subject: "GET /healthz on 8080". */
  check: string;
  /** The port health checks go to. */
  checkPort: string;
  /** The codes the target answered ("503"), from AWS's description. */
  codes?: string;
}

export interface ReasonAdvice {
  /** What went wrong, in plain words (AWS's description is kept beside it). */
  what: string;
  /** The next step, prefixed with where to look ("App:", "Path:", "Wait:", "Load balancer:"). */
  next: string;
  source: string;
}

const matcherOf = (g?: TargetGroup) => g?.healthCheck.matcher ?? "200";

/** Why the app may answer what it does: a hint by the code's class. */
function codeHint(codes: string | undefined, path: string): string {
  const first = Number(codes?.split(/[ ,]+/)[0]);
  if (first === 404) return `${path} does not exist in the app: fix the path the check asks for.`;
  if (first === 401 || first === 403)
    return `${path} asks for authentication: serve the health path without it.`;
  if (first >= 300 && first < 400)
    return `the app redirects ${path} (HTTP to HTTPS, a trailing slash): check a path that answers directly, or add the redirect's code to the matcher.`;
  if (first >= 500)
    return `the app reports itself failing: read its logs at ${path} (a dependency it checks, a slow start).`;
  return `make ${path} answer the matcher's code, or correct the matcher if the app is right.`;
}

function zonesOf(lbs: LoadBalancer[] | undefined): string {
  const zones = [...new Set((lbs ?? []).flatMap((lb) => lb.zones.map((z) => z.zone)))];
  return zones.length > 0 ? zones.join(", ") : "?";
}

/** The advice for one target's reason code; a code AWS adds later gets its state's default. */
export function reasonAdvice(ctx: ReasonContext): ReasonAdvice {
  const { target, group, service } = ctx;
  const tg = group?.name ?? "its target group";
  const path = group?.healthCheck.path ?? "the health path";
  const timeout = group?.healthCheck.timeoutSeconds;
  switch (target.reason) {
    case "Target.ResponseCodeMismatch":
      return {
        what: `${ctx.check} answered ${ctx.codes ?? "another code"}, matcher ${matcherOf(group)}`,
        next: `App: ${codeHint(ctx.codes, path)} The check is ${ctx.check}, expecting ${matcherOf(group)} (aws elbv2 describe-target-groups --names ${tg}).`,
        source: SOURCES.reasons,
      };
    case "Target.Timeout":
      return {
        what: `${ctx.check} got no answer${timeout ? ` within ${timeout} s` : ""}`,
        next: `Path: the tasks' security groups must allow TCP ${ctx.checkPort} from the balancer's security group (/ecs why shows the rule to add), and the app must listen on ${ctx.checkPort} on every interface (0.0.0.0, not 127.0.0.1); a slow health path needs a longer timeout.`,
        source: SOURCES.notInService,
      };
    case "Target.FailedHealthChecks":
      return {
        what: `${ctx.check} failed: the connection was refused or reset, or the answer was malformed`,
        next: `App: is the app of ${service} listening on ${ctx.checkPort}, with the check's protocol (${group?.healthCheck.protocol ?? "?"})? Then the path: security groups and network ACLs must let the balancer reach ${ctx.checkPort}.`,
        source: SOURCES.failingChecks,
      };
    case "Elb.InternalError":
      return {
        what: "the balancer's health checks failed on AWS's side (internal error)",
        next: "Load balancer: nothing to fix in the service; if it lasts, open a case with AWS Support.",
        source: SOURCES.api,
      };
    case "Elb.RegistrationInProgress":
      return {
        what: "being registered with the balancer",
        next: "Wait: the balancer routes to it once registration ends and it passes its first health checks.",
        source: SOURCES.failingChecks,
      };
    case "Elb.InitialHealthChecking":
      return {
        what: "the balancer is still running its first health checks",
        next: `Wait: it needs ${group?.healthCheck.healthyThreshold ?? "a few"} passing checks${group?.healthCheck.intervalSeconds ? `, every ${group.healthCheck.intervalSeconds} s` : ""}; a slow start needs a health-check grace period on ${service} (aws ecs update-service --health-check-grace-period-seconds).`,
        source: SOURCES.failingChecks,
      };
    case "Target.NotInUse":
      return (group?.loadBalancerArns.length ?? 1) === 0
        ? {
            what: `no load balancer uses ${tg}`,
            next: `Load balancer: ${tg} is in no listener rule: forward a listener's rule to it (aws elbv2 modify-listener or create-rule), or remove it from ${service}.`,
            source: SOURCES.api,
          }
        : {
            what: `its Availability Zone${target.availabilityZone ? ` (${target.availabilityZone})` : ""} is not enabled for the balancer (${zonesOf(ctx.loadBalancers)})`,
            next: `Load balancer: enable that zone on the balancer (aws elbv2 set-subnets, with a subnet in it), or place the tasks of ${service} only in subnets of the balancer's zones.`,
            source: SOURCES.nlbTroubleshooting,
          };
    case "Target.DeregistrationInProgress":
      return {
        what: "draining: being deregistered (a deployment or a scale-in)",
        next: "Wait: the balancer finishes its requests, then drops it after the deregistration delay (300 s unless changed); nothing to fix.",
        source: SOURCES.deregistration,
      };
    case "Target.NotRegistered":
      return {
        what: `not registered in ${tg}`,
        next: `Deploy: ECS registers the tasks of ${service} itself; a running task missing from ${tg} is still starting, or its registration failed (the service events say which).`,
        source: SOURCES.api,
      };
    case "Target.InvalidState":
      return {
        what: "the target (its instance) is stopped or terminated",
        next: `Capacity: the container instance of this task is stopped or terminated; ECS replaces the task elsewhere (the service events of ${service} say where).`,
        source: SOURCES.api,
      };
    case "Target.IpUnusable":
      return {
        what: "its IP address is reserved for a load balancer",
        next: `Load balancer: the registered address is a load balancer's, not a task's: register the task's own address in ${tg}.`,
        source: SOURCES.api,
      };
    case "Target.HealthCheckDisabled":
      return {
        what: `health checks are disabled for ${tg}`,
        next: `Load balancer: the balancer sends it traffic without checking it: enable health checks (aws elbv2 modify-target-group --health-check-enabled).`,
        source: SOURCES.api,
      };
    default:
      return defaultAdvice(ctx);
  }
}

/** A reason code the bot does not know (or none): what its state says. */
function defaultAdvice(ctx: ReasonContext): ReasonAdvice {
  const said = ctx.target.description ?? ctx.target.reason ?? ctx.target.state;
  const next: Record<TargetHealth["state"], string> = {
    initial: "Wait: the balancer has not judged it yet.",
    healthy: "",
    unhealthy: `App: it fails ${ctx.check}; read the app's logs and the target group's health check settings.`,
    "unhealthy.draining": "Wait: it failed its checks and is being drained.",
    unused: "Load balancer: the balancer sends it nothing; its target group and zones say why.",
    draining: "Wait: it is being deregistered.",
    unavailable: "Load balancer: its health is unavailable; ask again in a minute.",
  };
  return { what: said, next: next[ctx.target.state], source: SOURCES.api };
}

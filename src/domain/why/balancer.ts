// `/ecs why CLIENT <balancer>`: the chain through the balancer (load-balancing/reach.ts) judged
// into a why report: the same verdict rules as a direct why (the first broken link leads, one fix
// per broken link; unknown is not open), the balancer's listener and group in the target's name.
// Its targets are an ECS service's tasks (its health report), or, when no ECS service registers
// in the group, the addresses DescribeTargetHealth lists, whose security groups are not read.
import type { HealthReport } from "../health.ts";
import type { Known } from "../known.ts";
import {
  balancerEnds,
  balancerReachChecks,
  reachClientOf,
  targetEnds,
} from "../load-balancing/reach.ts";
import type { JudgedGroup } from "../load-balancing/target-health.ts";
import type { Listener, LoadBalancer, TargetGroup } from "../load-balancing/types.ts";
import type { PathEnd } from "../network-path.ts";
import type { WhyReport } from "../why.ts";
import type { WhyCheck } from "./check.ts";
import { clientLabel, type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { fixesInOrder } from "./fixes.ts";
import { brokenVerdict, unknownOutcome } from "./verdict.ts";

/** Targets that are no ECS service's tasks: their addresses, and their health as judged. */
export interface LooseTargets {
  /** The registered IP targets (instance and Lambda targets have none). */
  ips: string[];
  judged?: JudgedGroup;
  /** Why no ECS service stands behind them: "no ECS service registers in checkout-tg". */
  why: string;
}

export interface BalancerWhyInput {
  client: WhyClient;
  network: NetworkFacts;
  balancer: LoadBalancer;
  listener: Listener;
  group: TargetGroup;
  /** How the listener sends to the group: "default", "path-pattern /api/*". */
  route?: string;
  /** The health report of the ECS service whose tasks are the group's targets. */
  report?: HealthReport;
  /** No ECS service behind the group: its targets as DescribeTargetHealth listed them. */
  loose?: LooseTargets;
  /** What the user typed for the target, to ask again with. */
  asked?: string;
  /** The name checks (the balancer's DNS name or its alias), judged before the path. */
  name?: WhyCheck[];
}

/** The targets of a group no ECS service registers in: one end per subnet, groups unread. */
function looseEnds(loose: LooseTargets, group: TargetGroup, network: NetworkFacts): PathEnd[] {
  const groups: Known<never[]> = {
    known: false,
    why: `the targets of ${group.name} are no ECS service's tasks (${loose.why}): which security groups their network interfaces carry is not read`,
  };
  return targetEnds(`${group.name} targets`, loose.ips, [], network).map((e) => ({
    ...e,
    groups,
  }));
}

export function judgeBalancerWhy(input: BalancerWhyInput): WhyReport {
  const { client, report, network, balancer: lb, listener, group } = input;
  const r = report?.resolution;
  const targetPort = group.port ?? r?.endpoints.find((e) => e.port)?.port ?? listener.port;
  const ips = r
    ? [...new Set(r.endpoints.flatMap((e) => (e.ip ? [e.ip] : [])))]
    : (input.loose?.ips ?? []);
  const judged = report
    ? report.targetHealth?.groups.find((g) => g.arn === group.arn)
    : input.loose?.judged;
  const ends = r
    ? targetEnds(
        `${r.publisher.service} tasks`,
        ips,
        r.publisher.ecs?.securityGroups ?? [],
        network,
      )
    : looseEnds(input.loose ?? { ips: [], why: "no ECS service" }, group, network);
  const checks = [
    ...(input.name ?? []),
    ...balancerReachChecks({
      client: reachClientOf(client, network),
      balancer: lb,
      listener,
      targetGroup: group,
      balancerEnds: balancerEnds(lb, network),
      targetEnds: ends,
      targetPort,
      ...(judged ? { targets: judged } : {}),
    }),
  ];
  const who = shortName(client);
  const via = input.route && input.route !== "default" ? ` ${input.route}` : "";
  const target = `${lb.name} (${listener.protocol} ${listener.port}${via}) → ${group.name}:${targetPort}`;
  const base = {
    client: clientLabel(client),
    target,
    checks,
    ...(report ? { health: report } : {}),
  };
  const again = `/ecs why ${clientLabel(client)} ${input.asked ?? lb.dnsName}`;
  const broken = checks.filter((c) => c.status === "broken");
  const [first] = broken;
  if (first) {
    const fixes = fixesInOrder(broken, false);
    const lead = `${first.link.endsWith("(replies)") ? "the replies are dropped: " : ""}${first.detail}`;
    return {
      ...base,
      status: "broken",
      verdict: brokenVerdict(who, target, broken, lead),
      fixes,
      next:
        fixes.length === 1
          ? fixes[0]?.command
            ? `Fix (${first.layer}): run the command above, then ${again} again.`
            : `Fix the ${first.layer} link above, then ${again} again.`
          : `Apply the ${fixes.length} fixes above in the order given, then ${again} again.`,
    };
  }
  const unknown = checks.filter((c) => c.status === "unknown");
  if (unknown.length > 0) return { ...base, ...unknownOutcome(who, target, unknown) };
  const failing = judged ? judged.inService - judged.healthy : 0;
  const healthOf = report ? `/ecs health ${report.query}` : `/ecs whois ${group.name}`;
  const health = judged
    ? failing > 0
      ? `; ${failing} of ${judged.inService} targets of ${group.name} failing its health checks (the balancer routes to the healthy ones: ${healthOf})`
      : `; ${judged.healthy} of ${judged.inService} targets healthy`
    : "";
  return {
    ...base,
    fixes: [],
    status: "reachable",
    verdict: `✔ ${who} can reach ${target}: ${lb.name} admits it on ${listener.protocol} ${listener.port} and the targets admit ${lb.name} on ${targetPort}${health}`,
    next:
      failing > 0
        ? `The path is open. For the failing targets: ${healthOf}.`
        : `Everything the bot can read is open. If it still fails, look inside the tasks: is the app listening on ${targetPort}?`,
  };
}

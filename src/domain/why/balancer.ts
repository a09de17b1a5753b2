// `/ecs why CLIENT <balancer>`: the chain through the balancer (load-balancing/reach.ts) judged
// into a why report: the same verdict rules as a direct why (the first broken link leads, one fix
// per broken link; unknown is not open), the balancer's listener and group in the target's name.
import type { HealthReport } from "../health.ts";
import {
  balancerEnds,
  balancerReachChecks,
  reachClientOf,
  targetEnds,
} from "../load-balancing/reach.ts";
import type { Listener, LoadBalancer, TargetGroup } from "../load-balancing/types.ts";
import type { WhyReport } from "../why.ts";
import { clientLabel, type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { fixesInOrder } from "./fixes.ts";
import { brokenVerdict, unknownOutcome } from "./verdict.ts";

export interface BalancerWhyInput {
  client: WhyClient;
  /** The health report of the ECS service whose tasks are the group's targets. */
  report: HealthReport;
  network: NetworkFacts;
  balancer: LoadBalancer;
  listener: Listener;
  group: TargetGroup;
}

export function judgeBalancerWhy(input: BalancerWhyInput): WhyReport {
  const { client, report, network, balancer: lb, listener, group } = input;
  const r = report.resolution;
  const targetPort = group.port ?? r.endpoints.find((e) => e.port)?.port ?? listener.port;
  const ips = [...new Set(r.endpoints.flatMap((e) => (e.ip ? [e.ip] : [])))];
  const judged = report.targetHealth?.groups.find((g) => g.arn === group.arn);
  const checks = balancerReachChecks({
    client: reachClientOf(client, network),
    balancer: lb,
    listener,
    targetGroup: group,
    balancerEnds: balancerEnds(lb, network),
    targetEnds: targetEnds(
      `${r.publisher.service} tasks`,
      ips,
      r.publisher.ecs?.securityGroups ?? [],
      network,
    ),
    targetPort,
    ...(judged ? { targets: judged } : {}),
  });
  const who = shortName(client);
  const target = `${lb.name} (${listener.protocol} ${listener.port}) → ${group.name}:${targetPort}`;
  const base = { client: clientLabel(client), target, checks, health: report };
  const again = `/ecs why ${clientLabel(client)} ${lb.dnsName}`;
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
  const health = judged
    ? failing > 0
      ? `; ${failing} of ${judged.inService} targets of ${group.name} failing its health checks (the balancer routes to the healthy ones: /ecs health ${report.query})`
      : `; ${judged.healthy} of ${judged.inService} targets healthy`
    : "";
  return {
    ...base,
    fixes: [],
    status: "reachable",
    verdict: `✔ ${who} can reach ${target}: ${lb.name} admits it on ${listener.protocol} ${listener.port} and the targets admit ${lb.name} on ${targetPort}${health}`,
    next:
      failing > 0
        ? `The path is open. For the failing targets: /ecs health ${report.query}.`
        : `Everything the bot can read is open. If it still fails, look inside the tasks: is the app listening on ${targetPort}?`,
  };
}

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
  REACH_SOURCES,
  reachClientOf,
  targetEnds,
} from "../load-balancing/reach.ts";
import type { JudgedGroup } from "../load-balancing/target-health.ts";
import type { Listener, LoadBalancer, TargetGroup } from "../load-balancing/types.ts";
import type { BalancerRead } from "../load-balancing/whois.ts";
import type { PathEnd } from "../network-path.ts";
import type { Scope } from "../resolution/bindings.ts";
import type { WhyReport } from "../why.ts";
import type { WhyCheck } from "./check.ts";
import { clientLabel, type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { fixesInOrder } from "./fixes.ts";
import { dnsNameCheck } from "./private-dns.ts";
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
    why: `${loose.why}, so they are no ECS service's tasks: which security groups their network interfaces carry is not read`,
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
  if (unknown.length > 0) {
    const outcome = unknownOutcome(who, target, unknown);
    // Not a read that failed: the bot does not know these targets' groups; the engineer can.
    const loose =
      input.loose &&
      ends.length > 0 &&
      unknown[0]?.link.endsWith(`${ends[0]?.name} security groups in`);
    if (!loose) return { ...base, ...outcome };
    const next = `Check that the security groups of ${group.name}'s targets admit ${lb.securityGroups.join(", ") || lb.name} on TCP ${targetPort}: aws ec2 describe-network-interfaces --filters Name=addresses.private-ip-address,Values=${ips.join(",")} --query 'NetworkInterfaces[].Groups'`;
    return { ...base, ...outcome, next };
  }
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

/**
 * The name link of a balancer's DNS name: AWS publishes it in public DNS, so any resolver answers
 * it, from any VPC or none; an internal balancer's name resolves to its private addresses
 * (ELB User Guide, "Internal load balancers"), reachable only as the path below says.
 */
export function balancerNameCheck(lb: LoadBalancer): WhyCheck {
  const addresses =
    lb.scheme === "internal"
      ? `it resolves to ${lb.name}'s private addresses in ${lb.vpcId}`
      : `it resolves to ${lb.name}'s public addresses`;
  return {
    layer: "name",
    link: `resolve ${lb.dnsName}`,
    status: "ok",
    detail: `a public name AWS manages: any resolver answers it; ${addresses} (${REACH_SOURCES.scheme})`,
  };
}

/**
 * A balancer (or target group) found, but no listener forwards a client to a target group: no
 * load balancer uses the group, the balancer has no listener, or its listeners only redirect or
 * answer themselves. Unknown, never broken, when the listeners or their rules were not read.
 */
export function unroutedWhy(client: WhyClient, read: BalancerRead, rulesRead: boolean): WhyReport {
  const lb = read.balancer;
  const group = read.groups[0]?.group;
  const target = lb?.name ?? group?.name ?? "the target group";
  const base = { layer: "path" as const, link: `${target} listeners` };
  const listeners = read.listeners.known ? read.listeners.value : [];
  const forwardsTo = read.matched === "target-group" && group ? group.name : "a target group";
  const check: WhyCheck = !lb
    ? {
        ...base,
        link: `load balancers of ${target}`,
        status: "broken",
        detail: `no load balancer forwards to ${target}: nothing reaches its targets through ELB`,
        remedy: {
          advice: `Forward to ${target} from a listener's default action or rule`,
          resources: [target],
        },
      }
    : !read.listeners.known
      ? { ...base, status: "unknown", detail: `the listeners of ${lb.name}: ${read.listeners.why}` }
      : !rulesRead
        ? {
            ...base,
            status: "unknown",
            detail: `the rules of ${lb.name}'s listeners were not read: which of them forwards to ${forwardsTo} is unknown`,
          }
        : {
            ...base,
            status: "broken",
            detail:
              listeners.length === 0
                ? `${lb.name} has no listener: it accepts no connection`
                : `no listener of ${lb.name} (${listeners.map((l) => `${l.protocol} ${l.port}`).join(", ")}) forwards to ${forwardsTo}: they redirect or answer themselves`,
            remedy: {
              advice: `Forward to ${forwardsTo} from a listener of ${lb.name} (its default action or a rule)`,
              resources: [lb.name],
            },
          };
  const who = shortName(client);
  const out = { client: clientLabel(client), target, checks: [check] };
  if (check.status === "unknown") return { ...out, ...unknownOutcome(who, target, [check]) };
  const fixes = fixesInOrder([check], false);
  return {
    ...out,
    status: "broken",
    verdict: brokenVerdict(who, target, [check], check.detail),
    fixes,
    next: `Fix the ${check.layer} link above, then ask again.`,
  };
}

/**
 * The name link of a Route 53 alias of a balancer: who can resolve its zone, by the private DNS
 * rules (private-dns.ts: the client's VPC associated, its DNS attributes, and what else answers).
 */
export function aliasNameChecks(
  client: WhyClient,
  alias: string,
  zone: Extract<Scope, { kind: "dns" }> | undefined,
  network: NetworkFacts,
  region: string,
): WhyCheck[] {
  if (!zone) {
    return [
      {
        layer: "name",
        link: `resolve ${alias}`,
        status: "unknown",
        detail: `the Route 53 hosted zone ${alias} is in could not be read`,
      },
    ];
  }
  const focus = {
    name: alias,
    discoveryName: alias.split(".")[0] ?? alias,
    namespace: zone.namespace,
    scope: zone,
  };
  return dnsNameCheck(client, focus, network, region);
}

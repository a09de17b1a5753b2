// `/ecs whois` of a load balancer or a target group: which inputs name one (before any AWS call),
// and the answer built from what was read. The reads: src/commands/reads/balancers.ts.

import type { Known } from "../known.ts";
import type { SecurityGroup } from "../network-path/security-groups.ts";
import { type JudgedGroup, judgeTargetHealth, type TaskAsTarget } from "./target-health.ts";
import type { Listener, ListenerRule, LoadBalancer, TargetGroup, TargetHealth } from "./types.ts";

/** What a whois input may name in Elastic Load Balancing. */
export type BalancerQuery =
  /** `[dualstack.][internal-]NAME-ID.REGION.elb.amazonaws.com` (or NLB's `….elb.REGION.…`). */
  | { kind: "dns-name"; dnsName: string }
  | { kind: "balancer-arn"; arn: string }
  | { kind: "target-group-arn"; arn: string }
  /** One word that may be a balancer's or a target group's name (and maybe an ECS service's). */
  | { kind: "name"; name: string }
  /** A private DNS name that may be a Route 53 alias of a balancer. */
  | { kind: "alias"; name: string };

const ELB_DNS =
  /^(?:dualstack\.)?(?:internal-)?[a-z0-9-]+-[0-9a-z]+\.(?:[a-z0-9-]+\.elb|elb\.[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const ELB_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:(loadbalancer|targetgroup)\/.+$/;
/** Balancer and target group names: up to 32 letters, digits and hyphens, no hyphen at an end. */
const ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** What the input may name in ELB, or undefined when it cannot name a balancer or group. */
export function balancerQuery(input: string): BalancerQuery | undefined {
  const text = input.trim();
  const arn = ELB_ARN.exec(text);
  if (arn) {
    return arn[1] === "loadbalancer"
      ? { kind: "balancer-arn", arn: text }
      : { kind: "target-group-arn", arn: text };
  }
  const host = text.toLowerCase().replace(/\.$/, "");
  if (ELB_DNS.test(host)) return { kind: "dns-name", dnsName: host };
  if (ELB_NAME.test(text)) return { kind: "name", name: text };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return { kind: "alias", name: host };
  return undefined;
}

/** An ECS service registering its tasks in a target group (DescribeServices `loadBalancers`). */
export interface GroupService {
  cluster: string;
  service: string;
  gracePeriodSeconds?: number;
}

/** One target group as read for whois. */
export interface GroupRead {
  group: TargetGroup;
  /** Its services; unknown when the services could not all be listed. */
  services: Known<GroupService[]>;
  targets: Known<TargetHealth[]>;
  /** Its services' running tasks, when read: they name the targets and start the grace period. */
  tasks?: TaskAsTarget[];
  /** Why its targets' tasks are not known (a read failed): no target is told its task. */
  tasksUnknown?: string;
  /**
   * The services were named by its targets (their tasks' interfaces or the address book), not by
   * listing every service: a service that names the group but has no target in it is not among them.
   */
  servicesByTargets?: boolean;
}

/** Everything read about one balancer (absent for a target group no balancer uses). */
export interface BalancerRead {
  balancer?: LoadBalancer;
  listeners: Known<Listener[]>;
  rules: ListenerRule[];
  /** Why the listeners' rules could not be read; absent when they were (or there are none). */
  rulesUnread?: string;
  securityGroups: Known<SecurityGroup[]>;
  groups: GroupRead[];
  /** What the user typed named this: the balancer, one of its groups, or an alias of it. */
  matched: "balancer" | "target-group";
  /** The Route 53 alias record the name was, when it was one. */
  alias?: string;
}

/** A target group in the answer: its routes, services and judged targets. */
export interface GroupWhois extends GroupRead {
  /** "HTTP 80 (default)", "HTTPS 443 path-pattern /api/*". */
  routes: string[];
  /** Why which listener forwards to it is not known (listeners or rules unread). */
  routesUnknown?: string;
  judged: JudgedGroup;
}

export interface BalancerWhois extends Omit<BalancerRead, "groups"> {
  groups: GroupWhois[];
  /** Who can reach it, in words: its scheme, then what its security groups admit per listener. */
  reach: string[];
  /** The promise and whether it is kept: "shop-alb (internal ALB) → checkout-tg → …". */
  headline: string;
}

const TYPE_WORD = { application: "ALB", network: "NLB", gateway: "GWLB" } as const;

/** "shop-alb (internal ALB)". */
export function balancerTitle(lb: LoadBalancer): string {
  return `${lb.name} (${lb.scheme} ${TYPE_WORD[lb.type]})`;
}

function routesTo(read: BalancerRead, groupArn: string): string[] {
  if (!read.listeners.known) return [];
  const out: string[] = [];
  for (const l of read.listeners.value) {
    const rules = read.rules.filter((r) => r.listenerArn === l.arn);
    const head = `${l.protocol} ${l.port}`;
    if (rules.length === 0 && l.defaultTargetGroupArns.includes(groupArn)) {
      out.push(`${head} (default)`);
    }
    for (const r of rules.filter((r) => r.targetGroupArns.includes(groupArn))) {
      out.push(r.isDefault ? `${head} (default)` : `${head} ${r.conditions.join(" and ")}`.trim());
    }
  }
  return out;
}

const ruleAdmits = (rule: SecurityGroup["ingress"][number], port: number): boolean =>
  (rule.protocol === "-1" || rule.protocol === "tcp") &&
  (rule.ports === undefined || (port >= rule.ports.from && port <= rule.ports.to));

function reachOf(read: BalancerRead): string[] {
  const lb = read.balancer;
  if (!lb) return ["No load balancer forwards to it: nothing reaches its targets through ELB."];
  const out = [
    lb.scheme === "internal"
      ? `Internal: private addresses in ${lb.vpcId}, reachable from inside the VPC and from networks peered or routed to it.`
      : "Internet-facing: public addresses, reachable from the internet where its security groups allow.",
  ];
  if (lb.securityGroups.length === 0) {
    out.push(
      lb.type === "network"
        ? "No security groups: the targets' own groups decide who gets through."
        : "No security groups read for it.",
    );
    return out;
  }
  if (!read.securityGroups.known) {
    out.push(
      `Its security groups ${lb.securityGroups.join(", ")}: unknown (${read.securityGroups.why}).`,
    );
    return out;
  }
  const listeners = read.listeners.known ? read.listeners.value : [];
  for (const l of listeners) {
    const sources = read.securityGroups.value.flatMap((g) =>
      g.ingress
        .filter((r) => ruleAdmits(r, l.port))
        .flatMap((r) => [...r.cidrs, ...r.groupIds, ...(r.prefixListIds ?? [])]),
    );
    const unique = [...new Set(sources)];
    out.push(
      unique.length > 0
        ? `Port ${l.port}: its security groups admit ${unique.join(", ")}.`
        : `Port ${l.port}: no rule of its security groups admits it: nobody gets through.`,
    );
  }
  return out;
}

function servicesText(g: GroupWhois): string {
  if (!g.services.known) return "its services unknown";
  if (g.services.value.length === 0) return "no ECS service";
  return g.services.value.map((s) => `${s.cluster}/${s.service}`).join(", ");
}

/** "1 of 3 targets failing (Target.ResponseCodeMismatch)", or why it is not known. */
export function groupVerdict(g: GroupWhois): string {
  const j = g.judged;
  if (j.level === "unknown") return `target health unknown (${j.why ?? "not read"})`;
  const failing = j.targets.filter((t) => t.verdict === "unhealthy");
  const total = j.targets.length;
  if (total === 0) return "no registered targets";
  if (failing.length > 0) {
    const reasons = [...new Set(failing.map((t) => t.reason).filter((r) => r !== undefined))];
    const why = reasons.length > 0 ? ` (${reasons.join(", ")})` : "";
    return `${failing.length} of ${total} targets failing${why}`;
  }
  const healthy = j.targets.filter((t) => t.verdict === "healthy").length;
  // Waiting: AWS's initial state, or failing within the service's grace period.
  const starting = j.targets.filter((t) => t.verdict === "initial").length;
  const other = total - healthy - starting;
  return [
    `${healthy} of ${total} targets healthy`,
    ...(starting > 0 ? [`${starting} starting`] : []),
    ...(other > 0 ? [`${other} not in service`] : []),
  ].join(", ");
}

/** The whois answer of one balancer (or target group): routes, judged targets, reach, headline. */
export function buildBalancerWhois(read: BalancerRead, now: Date): BalancerWhois {
  const groups = read.groups.map((g): GroupWhois => {
    const services = g.services.known ? g.services.value : [];
    const grace = Math.max(0, ...services.map((s) => s.gracePeriodSeconds ?? 0));
    const judgement = judgeTargetHealth({
      service: services.map((s) => `${s.cluster}/${s.service}`).join(", ") || g.group.name,
      groups: [{ arn: g.group.arn, group: { known: true, value: g.group }, targets: g.targets }],
      tasks: g.tasks ?? [],
      ...(grace > 0 ? { gracePeriodSeconds: grace } : {}),
      now,
    });
    const judged = judgement.groups[0] ?? {
      arn: g.group.arn,
      name: g.group.name,
      level: "unknown" as const,
      inService: 0,
      healthy: 0,
      targets: [],
    };
    const unknownWhy = read.listeners.known ? read.rulesUnread : read.listeners.why;
    return {
      ...g,
      routes: routesTo(read, g.group.arn),
      ...(unknownWhy !== undefined ? { routesUnknown: unknownWhy } : {}),
      judged,
    };
  });
  const head = read.balancer ? balancerTitle(read.balancer) : undefined;
  const parts = groups.map((g) => `${g.group.name} → ${servicesText(g)}: ${groupVerdict(g)}`);
  const body =
    parts.length === 0
      ? "forwards to no target group"
      : parts.length === 1
        ? parts[0]
        : `${parts.length} target groups: ${parts.join("; ")}`;
  const named = head ? `${head} → ${body}` : `target group ${body} (no load balancer)`;
  // An alias record is said first: the name the user typed, then what it points at.
  const headline = read.alias ? `${read.alias} → ${named}` : named;
  return { ...read, groups, reach: reachOf(read), headline };
}

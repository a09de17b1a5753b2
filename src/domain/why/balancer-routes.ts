// Which listener sends a client to which target group: every listener of a balancer (a client may
// dial any of them), each target group its rules and default action forward to (weighted forward
// groups each count), in the order a reader looks for them: by port, then rule priority, the
// default last. Several whys through one balancer lead with the worst.

import type { Known } from "../known.ts";
import type {
  Listener,
  ListenerRule,
  LoadBalancer,
  TargetGroup,
  TargetHealth,
} from "../load-balancing/types.ts";
import type { BalancerRead, GroupService } from "../load-balancing/whois.ts";
import type { WhyReport } from "../why.ts";

export interface BalancerRoute {
  balancer: LoadBalancer;
  listener: Listener;
  group: TargetGroup;
  /** How the listener sends to the group: "default", "path-pattern /api/*", or both with "or". */
  route: string;
  /** The ECS services registering in the group; unknown when they could not all be listed. */
  services: Known<GroupService[]>;
  targets: Known<TargetHealth[]>;
}

const priority = (r: ListenerRule) => (r.isDefault ? Number.POSITIVE_INFINITY : Number(r.priority));

/** What a listener forwards where: its rules (by priority, default last), else its default action. */
function forwards(listener: Listener, rules: ListenerRule[]): { arns: string[]; route: string }[] {
  const own = rules.filter((r) => r.listenerArn === listener.arn);
  if (own.length === 0) return [{ arns: listener.defaultTargetGroupArns, route: "default" }];
  return [...own]
    .sort((a, b) => priority(a) - priority(b))
    .map((r) => ({
      arns: r.targetGroupArns,
      route: r.isDefault ? "default" : r.conditions.join(" and ") || `rule ${r.priority}`,
    }));
}

/** Every (listener, target group) a client of this balancer may meet; none when unread. */
export function routesOf(read: BalancerRead): BalancerRoute[] {
  const lb = read.balancer;
  if (!lb || !read.listeners.known) return [];
  const out: BalancerRoute[] = [];
  for (const listener of [...read.listeners.value].sort((a, b) => a.port - b.port)) {
    for (const { arns, route } of forwards(listener, read.rules)) {
      for (const arn of arns) {
        const g = read.groups.find((x) => x.group.arn === arn);
        if (!g) continue;
        const seen = out.find((r) => r.listener.arn === listener.arn && r.group.arn === arn);
        if (seen) {
          seen.route = `${seen.route} or ${route}`;
          continue;
        }
        out.push({
          balancer: lb,
          listener,
          group: g.group,
          route,
          services: g.services,
          targets: g.targets,
        });
      }
    }
  }
  return out;
}

const RANK: Record<WhyReport["status"], number> = { broken: 0, unknown: 1, reachable: 2 };
const MARK: Record<WhyReport["status"], string> = { broken: "✖", unknown: "?", reachable: "✔" };

/**
 * Several whys through balancers, the worst first; its verdict lists the others so the headline
 * never reads better than one of them (each keeps its own section below).
 */
export function worstFirst(reports: WhyReport[], balancers: string[]): WhyReport[] {
  const sorted = [...reports].sort((a, b) => RANK[a.status] - RANK[b.status]);
  const [first, ...others] = sorted;
  if (!first || others.length === 0) return sorted;
  const names = [...new Set(balancers)];
  const also = names.length === 1 ? `Also through ${names[0]}` : "Also";
  const list = others.map((o) => `${MARK[o.status]} ${o.target}`).join("; ");
  const end = /[.!?]$/.test(first.verdict) ? "" : ".";
  return [{ ...first, verdict: `${first.verdict}${end} ${also}: ${list}.` }, ...others];
}

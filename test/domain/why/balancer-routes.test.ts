import { describe, expect, it } from "vitest";
import type { ListenerRule, TargetGroup } from "../../../src/domain/load-balancing/types.ts";
import type { BalancerRead } from "../../../src/domain/load-balancing/whois.ts";
import { routesOf } from "../../../src/domain/why/balancer-routes.ts";
import { listener } from "../load-balancing/network.ts";
import { CHECKOUT_TG_ARN, checkoutTg, REGION_ARN, shopAlb } from "../load-balancing/support.ts";

// Which target groups a client of a balancer may meet: every listener, each group its rules
// (by priority, the default last) and default action forward to, weighted groups each.

/** A listener on its port, with its own ARN. */
const on = (port: number) => ({ ...listener(port), arn: `${listener().arn}-${port}` });
const API_TG_ARN = `${REGION_ARN}:targetgroup/api-tg/0a1b2c3d4e5f6071`;
const apiTg = (): TargetGroup => ({ ...checkoutTg(), arn: API_TG_ARN, name: "api-tg", port: 9090 });

function read(rules: ListenerRule[], extra: Partial<BalancerRead> = {}): BalancerRead {
  const group = (g: TargetGroup) => ({
    group: g,
    services: { known: true as const, value: [] },
    targets: { known: true as const, value: [] },
  });
  return {
    balancer: shopAlb(),
    listeners: { known: true, value: [on(443), on(80)] },
    rules,
    securityGroups: { known: true, value: [] },
    groups: [group(checkoutTg()), group(apiTg())],
    matched: "balancer",
    ...extra,
  };
}

const rule = (l: number, priority: string, arns: string[], conditions: string[] = []) => ({
  arn: `rule-${l}-${priority}`,
  listenerArn: on(l).arn,
  priority,
  isDefault: priority === "default",
  conditions,
  targetGroupArns: arns,
});

describe("the routes through a balancer", () => {
  it("each listener by port, its rules by priority and the default last", () => {
    const routes = routesOf(
      read([
        rule(80, "default", [CHECKOUT_TG_ARN]),
        rule(80, "20", [API_TG_ARN], ["path-pattern /api/*"]),
      ]),
    );
    expect(routes.map((r) => [r.listener.port, r.group.name, r.route])).toEqual([
      [80, "api-tg", "path-pattern /api/*"],
      [80, "checkout-tg", "default"],
      [443, "checkout-tg", "default"],
    ]);
  });

  it("a weighted forward: each of its groups is a route", () => {
    const routes = routesOf(read([rule(80, "default", [CHECKOUT_TG_ARN, API_TG_ARN])]));
    expect(routes.map((r) => [r.listener.port, r.group.name])).toEqual([
      [80, "checkout-tg"],
      [80, "api-tg"],
      [443, "checkout-tg"],
    ]);
  });

  it("listeners unread: no route (unknown, never none forwarding)", () => {
    const routes = routesOf(read([], { listeners: { known: false, why: "denied" } }));
    expect(routes).toEqual([]);
  });
});

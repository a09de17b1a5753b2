import { describe, expect, it } from "vitest";
import { reachClientOf } from "../../../src/domain/load-balancing/reach.ts";
import { judgeTargetHealth } from "../../../src/domain/load-balancing/target-health.ts";
import type { NetworkAcl } from "../../../src/domain/network-path/acls.ts";
import {
  ALB_SG,
  ALL,
  broken,
  CHECKOUT_SG,
  network,
  reach,
  statusOf,
  tcp,
  WEB_SG,
} from "./network.ts";
import {
  CHECKOUT_TG_ARN,
  checkoutTasks,
  checkoutTg,
  demoTargets,
  NOW,
  shopAlb,
} from "./support.ts";

// The path through a balancer: client → balancer (scheme, egress, the balancer's groups on the
// listener port, ACLs) → targets (ALB: the balancer's group; NLB without groups: the client's
// addresses with client IP preservation, else the balancer's) → app (target health).

describe("client → internal ALB → targets", () => {
  it("all open: every link ok, in the order a request meets them", () => {
    const checks = reach(network());
    expect(broken(checks)).toEqual([]);
    expect(checks.map((c) => c.link)).toEqual([
      "shop-alb scheme",
      "web-frontend → shop-alb: web-frontend security groups out",
      "web-frontend → shop-alb: network ACLs (requests)",
      "web-frontend → shop-alb: shop-alb security groups in",
      "web-frontend → shop-alb: network ACLs (replies)",
      "shop-alb → targets: shop-alb security groups out",
      "shop-alb → targets: network ACLs (requests)",
      "shop-alb → targets: checkout security groups in",
      "shop-alb → targets: network ACLs (replies)",
    ]);
  });

  it("every subnet pair's ACLs allowing: one line per direction naming the ACLs, ports and subnets", () => {
    const checks = reach(network());
    const detail = (link: string) => checks.find((c) => c.link === link)?.detail;
    expect(detail("shop-alb → targets: network ACLs (requests)")).toBe(
      "acl-0a11 allows TCP 8080 out of subnet-0a11; acl-0c11 allows TCP 8080 out of subnet-0c11; acl-0a22 allows TCP 8080 into subnet-0a22; acl-0d22 allows TCP 8080 into subnet-0d22",
    );
    expect(detail("web-frontend → shop-alb: network ACLs (replies)")).toBe(
      "acl-0a11 allows TCP 32768-60999 out of subnet-0a11; acl-0c11 allows TCP 32768-60999 out of subnet-0c11; acl-0e33 allows TCP 32768-60999 into subnet-0e33",
    );
  });

  it("one subnet pair denied: that pair keeps its own line and fix, the others are merged apart from it", () => {
    const acl: NetworkAcl = {
      id: "acl-0d22",
      ingress: [
        { ruleNumber: 90, protocol: "6", action: "deny", cidr: "10.0.102.0/24" },
        { ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" },
      ],
      egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
    };
    const checks = reach(network({}, { "subnet-0d22": acl }));
    const [only, ...rest] = broken(checks);
    expect(rest).toEqual([]);
    expect(only?.link).toBe("shop-alb → targets: subnet-0d22 in");
    expect(only?.detail).toMatch(/^acl-0d22 denies TCP 8080 from 10\.0\.102\.0\/24 \(rule 90\)/);
    expect(
      checks.find((c) => c.link === "shop-alb → targets: network ACLs (requests)")?.detail,
    ).toMatch(/^the other subnet pairs: /);
  });

  it("the targets' group does not admit the balancer's: one fix, on that group, naming the balancer's group and the port", () => {
    const checkout = {
      id: CHECKOUT_SG,
      name: "checkout",
      ingress: [tcp(8080, { groupIds: [WEB_SG] })],
      egress: [ALL],
    };
    const [only, ...rest] = broken(reach(network({ checkout })));
    expect(rest).toEqual([]);
    expect(only?.link).toBe("shop-alb → targets: checkout security groups in");
    expect(only?.fix).toBe(
      `aws ec2 authorize-security-group-ingress --group-id ${CHECKOUT_SG} --protocol tcp --port 8080 --source-group ${ALB_SG}`,
    );
  });

  it("the balancer's group does not admit the client on the listener port: the fix is on the balancer's group", () => {
    const alb = {
      id: ALB_SG,
      name: "shop-alb",
      ingress: [tcp(443, { groupIds: [WEB_SG] })],
      egress: [ALL],
    };
    const [only, ...rest] = broken(reach(network({ alb })));
    expect(rest).toEqual([]);
    expect(only?.link).toBe("web-frontend → shop-alb: shop-alb security groups in");
    expect(only?.fix).toBe(
      `aws ec2 authorize-security-group-ingress --group-id ${ALB_SG} --protocol tcp --port 80 --source-group ${WEB_SG}`,
    );
  });

  it("a network ACL of the targets' subnet denying the target port: the ACL entry to add", () => {
    const acl: NetworkAcl = {
      id: "acl-0d22",
      ingress: [
        {
          ruleNumber: 100,
          protocol: "6",
          action: "allow",
          cidr: "0.0.0.0/0",
          ports: { from: 443, to: 443 },
        },
      ],
      egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
    };
    const [only] = broken(reach(network({}, { "subnet-0d22": acl })));
    expect(only?.link).toBe("shop-alb → targets: subnet-0d22 in");
    expect(only?.fix).toMatch(
      /^aws ec2 create-network-acl-entry --network-acl-id acl-0d22 --ingress --rule-number 32766 --protocol tcp --port-range From=8080,To=8080 --cidr-block 10\.0\.100\.0\/22 --rule-action allow$/,
    );
  });

  it("an internet client cannot reach an internal balancer: the scheme is the broken link, nothing behind it judged", () => {
    const net = network();
    const checks = reach(net, { client: { kind: "internet", name: "the internet" } });
    expect(checks.map((c) => [c.link, c.status])).toEqual([["shop-alb scheme", "broken"]]);
    expect(checks[0]?.detail).toMatch(/internal: its nodes have only private addresses/);
  });

  it("a Lambda outside any VPC cannot reach an internal balancer", () => {
    const net = network();
    const lambda = {
      kind: "lambda" as const,
      name: "report",
      fn: { known: true as const, value: { name: "report" } },
    };
    const checks = reach(net, { client: reachClientOf(lambda, net) });
    expect(checks[0]).toMatchObject({ link: "shop-alb scheme", status: "broken" });
    expect(checks[0]?.remedy?.resources).toEqual(["lambda:report"]);
  });

  it("an internet-facing balancer open to everyone on the listener port admits an internet client", () => {
    const alb = {
      id: ALB_SG,
      name: "shop-alb",
      ingress: [tcp(80, { cidrs: ["0.0.0.0/0"] })],
      egress: [ALL],
    };
    const checks = reach(network({ alb }), {
      lb: shopAlb({ scheme: "internet-facing" }),
      client: { kind: "internet", name: "the internet" },
    });
    expect(broken(checks)).toEqual([]);
    expect(statusOf(checks, "the internet → shop-alb: shop-alb security groups in")).toBe("ok");
  });

  it("a health-check port other than the traffic port must be admitted too", () => {
    const tg = checkoutTg({ healthCheck: { ...checkoutTg().healthCheck, port: "8081" } });
    const [only] = broken(reach(network(), { tg }));
    expect(only?.link).toBe("shop-alb health checks → targets: checkout security groups in");
    expect(only?.fix).toBe(
      `aws ec2 authorize-security-group-ingress --group-id ${CHECKOUT_SG} --protocol tcp --port 8081 --source-group ${ALB_SG}`,
    );
  });
});

describe("what could not be read", () => {
  it("a Lambda whose configuration could not be read: the scheme link is unknown, never open", () => {
    const net = network();
    const lambda = {
      kind: "lambda" as const,
      name: "report",
      fn: { known: false as const, why: "denied" },
    };
    const checks = reach(net, { client: reachClientOf(lambda, net) });
    expect(checks[0]).toMatchObject({ link: "shop-alb scheme", status: "unknown" });
  });

  it("subnets not described: the path is unknown, never open", () => {
    const net = network();
    const unread = { ...net, subnets: { known: false as const, why: "denied" } };
    const checks = reach(unread);
    expect(checks.map((c) => [c.link, c.status])).toEqual([
      ["shop-alb scheme", "unknown"],
      ["path through shop-alb", "unknown"],
    ]);
  });

  it("the targets' security groups unread: that link unknown, never open", () => {
    const net = network();
    const checks = reach({
      ...net,
      groups: { known: false, why: "AWS throttled DescribeSecurityGroups" },
    });
    expect(broken(checks)).toEqual([]);
    expect(statusOf(checks, "shop-alb → targets: checkout security groups in")).toBe("unknown");
  });
});

describe("client → NLB without security groups → targets", () => {
  const nlb = () => shopAlb({ type: "network", securityGroups: [], name: "shop-nlb" });
  const tcpTg = (preserveClientIp?: boolean) =>
    checkoutTg({
      protocol: "TCP",
      healthCheck: { enabled: true, protocol: "TCP", port: "traffic-port" },
      ...(preserveClientIp === undefined ? {} : { preserveClientIp }),
    });
  const admitting = (cidrs: string[]) => ({
    id: CHECKOUT_SG,
    name: "checkout",
    ingress: [tcp(8080, { cidrs })],
    egress: [ALL],
  });

  it("client IP preservation on: the targets must admit the client's addresses", () => {
    const net = network({ checkout: admitting(["10.0.101.0/24", "10.0.102.0/24"]) });
    const [only, ...rest] = broken(reach(net, { lb: nlb(), tg: tcpTg(true) }));
    expect(rest).toEqual([]);
    expect(only?.link).toBe("shop-nlb → targets: checkout security groups in");
    expect(only?.fix).toBe(
      `aws ec2 authorize-security-group-ingress --group-id ${CHECKOUT_SG} --protocol tcp --port 8080 --cidr 10.0.5.0/24`,
    );
    const ok = reach(
      network({ checkout: admitting(["10.0.5.0/24", "10.0.101.0/24", "10.0.102.0/24"]) }),
      { lb: nlb(), tg: tcpTg(true) },
    );
    expect(broken(ok)).toEqual([]);
    expect(statusOf(ok, "web-frontend → shop-nlb: shop-nlb security groups in")).toBe("ok");
  });

  it("client IP preservation on: the health checks still come from the balancer's addresses", () => {
    const net = network({ checkout: admitting(["10.0.5.0/24"]) });
    const links = broken(reach(net, { lb: nlb(), tg: tcpTg(true) })).map((c) => c.link);
    expect(links).toEqual(["shop-nlb health checks → targets: checkout security groups in"]);
  });

  it("client IP preservation off: the targets must admit the balancer's subnets", () => {
    const net = network({ checkout: admitting(["10.0.5.0/24"]) });
    const [only, ...rest] = broken(reach(net, { lb: nlb(), tg: tcpTg(false) }));
    expect(rest).toEqual([]);
    expect(only?.link).toBe("shop-nlb → targets: checkout security groups in");
    expect(only?.fix).toMatch(
      new RegExp(
        `^aws ec2 authorize-security-group-ingress --group-id ${CHECKOUT_SG} --protocol tcp --port 8080 --cidr 10\\.0\\.100\\.0/22$`,
      ),
    );
  });

  it("client IP preservation unread: unknown where the two answers differ, never open", () => {
    const net = network({ checkout: admitting(["10.0.101.0/24", "10.0.102.0/24"]) });
    const checks = reach(net, { lb: nlb(), tg: tcpTg(undefined) });
    expect(broken(checks)).toEqual([]);
    const link = checks.find((c) => c.link === "shop-nlb → targets: checkout security groups in");
    expect(link?.status).toBe("unknown");
    expect(link?.detail).toMatch(/preserve_client_ip\.enabled\) was not read/);
  });
});

describe("the app behind the balancer", () => {
  const judged = (targets = demoTargets()) =>
    judgeTargetHealth({
      service: "tutorial/checkout",
      groups: [
        {
          arn: CHECKOUT_TG_ARN,
          group: { known: true, value: checkoutTg() },
          targets: { known: true, value: targets },
        },
      ],
      tasks: checkoutTasks(),
      now: NOW,
    }).groups[0];

  it("some targets healthy: a note, the balancer routes to them", () => {
    const checks = reach(network(), { targets: judged() });
    expect(checks.at(-1)).toMatchObject({
      link: "targets of checkout-tg",
      status: "note",
      layer: "app",
    });
  });

  it("every target failing: broken, with the reason's next step", () => {
    const failing = demoTargets().map((t) => ({
      ...t,
      state: "unhealthy" as const,
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    }));
    const last = reach(network(), { targets: judged(failing) }).at(-1);
    expect(last).toMatchObject({ status: "broken", layer: "app" });
    expect(last?.detail).toContain("GET /healthz on 8080 answered 503, matcher 200");
    expect(last?.remedy?.resources).toEqual(["checkout-tg"]);
  });

  it("target health unread: unknown, never open", () => {
    const g = judgeTargetHealth({
      service: "tutorial/checkout",
      groups: [
        {
          arn: CHECKOUT_TG_ARN,
          group: { known: true, value: checkoutTg() },
          targets: { known: false, why: "denied" },
        },
      ],
      tasks: checkoutTasks(),
      now: NOW,
    }).groups[0];
    expect(reach(network(), { targets: g }).at(-1)).toMatchObject({ status: "unknown" });
  });
});

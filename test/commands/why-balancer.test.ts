import { describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// Issue 24 item 3: /ecs why CLIENT <balancer> goes through the balancer. shop-alb (internal ALB,
// HTTP 80) forwards to checkout-tg (8080), whose three targets are checkout's tasks; one answers
// its health check with 503.

const ALB = "internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com";
const ALB_SG = "sg-0c0ffee00000e0001";
const TASKS_SG = "sg-0c0ffee00000a0005";
const ask = async (text: string) =>
  renderText((await runEcsCommand(text, () => awsContext("ap-northeast-1"))).doc);
/** The check line of a link (a mark, then the link), not the headline nor a fix naming it. */
const line = (text: string, part: string) =>
  text.split("\n").find((l) => /^ +[✔✖?•] /.test(l) && l.includes(part)) ?? "";

describe("/ecs why through the demo fleet's load balancer", () => {
  const aws = useEmulatorPerFile();

  it("finds the path open through shop-alb's listener to checkout-tg's targets, one of three failing", async () => {
    const text = await ask(`why tutorial/web-frontend ${ALB}`);
    const [headline = ""] = text.split("\n");

    expect(headline).toMatch(/^✔ web-frontend can reach shop-alb \(HTTP 80\) → checkout-tg:8080/);
    expect(headline).toContain("1 of 3 targets of checkout-tg failing");
    expect(line(text, "web-frontend → shop-alb: shop-alb security groups in")).toMatch(
      /^ *✔ .*allows TCP 80/,
    );
    expect(line(text, "shop-alb → targets: checkout tasks security groups in")).toMatch(
      new RegExp(`^ *✔ .*allows TCP 8080 from ${ALB_SG}`),
    );
    expect(line(text, "targets of checkout-tg")).toContain("2 of 3 targets healthy");
    expect(text).not.toContain("Not found");
  });

  it("says each leg's network ACLs in one line per direction, not one per pair of subnets", async () => {
    const text = await ask(`why tutorial/web-frontend ${ALB}`);
    const acls = text
      .split("\n")
      .filter((l) => /^ +[✔✖?•] .*(network ACLs|subnet-\S+ (in|out))/.test(l));

    expect(acls.map((l) => l.replace(/:.*$/, "").trim())).toEqual([
      "✔ web-frontend → shop-alb",
      "✔ web-frontend → shop-alb",
      "✔ shop-alb → targets",
      "✔ shop-alb → targets",
    ]);
    expect(line(text, "shop-alb → targets: network ACLs (requests)")).toContain(
      "acl-0c0ffee0000000001 allows TCP 8080 between subnet-0a1c0ffee0000001a, subnet-0a1c0ffee0000001c, subnet-0a1c0ffee0000001d",
    );
  });

  it("says in section 1 that a balancer's DNS name is public, AWS's, and resolves to private addresses", async () => {
    const text = await ask(`why tutorial/web-frontend ${ALB}`);

    expect(text).toContain("1. Name (can tutorial/web-frontend resolve it)");
    expect(line(text, `resolve ${ALB}`)).toMatch(
      /^ *✔ .*a public name AWS manages: any resolver answers it; it resolves to shop-alb's private addresses in vpc-0b1e2c3d4e5f60718/,
    );
  });

  it("judges who can resolve checkout.shop.internal, a private alias of shop-alb, then the path through it", async () => {
    const text = await ask("why tutorial/web-frontend checkout.shop.internal");

    expect(text.split("\n")[0]).toMatch(
      /^✔ web-frontend can reach shop-alb \(HTTP 80\) → checkout-tg:8080/,
    );
    expect(line(text, "associated with shop.internal")).toMatch(
      /^ *✔ .*private hosted zone of shop.internal is associated with vpc-0b1e2c3d4e5f60718/,
    );
  });

  it("breaks the name of a private alias for a client in a VPC its zone is not associated with", async () => {
    const text = await ask("why lambda:nightly-export checkout.shop.internal");

    expect(text.split("\n")[0]).toMatch(
      /^✖ Lambda nightly-export cannot reach shop-alb .*First, vpc-0d2e3f4a5b6c70819 associated with shop.internal/,
    );
    expect(text).toContain(
      "aws route53 associate-vpc-with-hosted-zone --hosted-zone-id Z0EXAMPLE2SHOP0INTERNAL --vpc VPCRegion=ap-northeast-1,VPCId=vpc-0d2e3f4a5b6c70819",
    );
  });

  it("goes through shop-alb when asked about checkout, a service behind it that publishes no name", async () => {
    const text = await ask("why tutorial/web-frontend checkout");

    expect(text.split("\n")[0]).toMatch(
      /^✔ web-frontend can reach shop-alb \(HTTP 80\) → checkout-tg:8080/,
    );
    expect(line(text, "checkout tasks security groups in")).toMatch(/^ *✔ /);
  });

  it("says the app link is unknown when target health is denied, never healthy", async () => {
    aws.emulator.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);
    const text = await ask(`why tutorial/web-frontend ${ALB}`);

    expect(text.split("\n")[0]).toMatch(
      /^\? web-frontend → shop-alb .*targets of checkout-tg is unknown/,
    );
    expect(line(text, "targets of checkout-tg")).toMatch(/^ *\? /);
  });
});

describe("/ecs why through a balancer the targets do not admit", () => {
  onFleet((fleet) => {
    const tasks = fleet.securityGroups?.find((g) => g.GroupId === TASKS_SG);
    if (!tasks) throw new Error("the demo fleet lost checkout-tasks");
    tasks.IpPermissions = [];
  });

  it("breaks the balancer → targets link with the one rule to add", async () => {
    const text = await ask(`why tutorial/web-frontend ${ALB}`);

    expect(text.split("\n")[0]).toMatch(/^✖ web-frontend cannot reach shop-alb \(HTTP 80\)/);
    expect(line(text, "shop-alb → targets: checkout tasks security groups in")).toMatch(/^ *✖ /);
    const fixes = text.match(/aws ec2 authorize-security-group-ingress[^\n]*/g) ?? [];
    expect(fixes).toEqual([
      `aws ec2 authorize-security-group-ingress --group-id ${TASKS_SG} --protocol tcp --port 8080 --source-group ${ALB_SG}`,
    ]);
  });
});

const LB_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35";
const TG_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-tg/3f2a1b0c9d8e7f60";
const API_TG_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api-tg/0a1b2c3d4e5f6071";

/** The emulator on a fleet changed by `change`, for one describe block. */
function onFleet(change: (fleet: Fleet) => void) {
  useEmulatorPerFile({
    fleet: () => {
      const fleet = loadDemoFleet();
      change(fleet);
      return fleet;
    },
  });
}

describe("/ecs why to a balancer or target group named by its name or ARN", () => {
  onFleet(() => undefined);

  it.each(["shop-alb", LB_ARN, "checkout-tg", TG_ARN])(
    "walks %s the same way as its DNS name",
    async (name) => {
      const text = await ask(`why tutorial/web-frontend ${name}`);

      expect(text.split("\n")[0]).toMatch(
        /^✔ web-frontend can reach shop-alb \(HTTP 80\) → checkout-tg:8080: .*1 of 3 targets of checkout-tg failing/,
      );
      expect(line(text, "checkout tasks security groups in")).toMatch(/^ *✔ /);
      expect(text).not.toContain("Not found");
    },
  );
});

describe("/ecs why to a word that names both a target group and an ECS service", () => {
  onFleet((fleet) => {
    for (const g of fleet.targetGroups ?? []) {
      if (g.TargetGroupName === "checkout-tg") g.TargetGroupName = "checkout";
    }
  });

  it("lists both as questions to ask, none picked", async () => {
    const { doc } = await runEcsCommand("why tutorial/web-frontend checkout", () =>
      awsContext("ap-northeast-1"),
    );
    const text = renderText(doc);

    expect(text.split("\n")[0]).toMatch(/^checkout matches 2 targets/);
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "why tutorial/web-frontend tutorial/checkout",
      `why tutorial/web-frontend ${TG_ARN}`,
    ]);
  });
});

describe("/ecs why to a balancer no ECS service stands behind", () => {
  onFleet((fleet) => {
    for (const s of fleet.services) s.loadBalancers = [];
  });

  it("walks client → balancer → targets → app, the targets' security groups unknown, never absent", async () => {
    const text = await ask("why tutorial/web-frontend shop-alb");
    const [headline = ""] = text.split("\n");

    expect(headline).toMatch(/^\? web-frontend → shop-alb \(HTTP 80\) → checkout-tg:8080: /);
    expect(line(text, "web-frontend → shop-alb: shop-alb security groups in")).toMatch(/^ *✔ /);
    expect(line(text, "checkout-tg targets security groups in")).toMatch(
      /^ *\? .*no ECS service registers in checkout-tg.*not read/,
    );
    expect(line(text, "targets of checkout-tg:")).toContain("2 of 3 targets healthy");
    expect(text).toMatch(
      /Check that the security groups of checkout-tg's targets admit sg-0c0ffee00000e0001 on TCP 8080/,
    );
    expect(text).not.toContain("Not found");
    expect(text).not.toMatch(/authorize-security-group-ingress/);
  });
});

describe("/ecs why to a balancer whose listener forwards to several target groups", () => {
  onFleet((fleet) => {
    const [listener] = fleet.listeners ?? [];
    const [group] = fleet.targetGroups ?? [];
    if (!listener || !group) throw new Error("the demo fleet lost shop-alb's listener");
    fleet.targetGroups?.push({
      ...group,
      TargetGroupArn: API_TG_ARN,
      TargetGroupName: "api-tg",
      Port: 9090,
    });
    fleet.listenerRules = [
      {
        RuleArn: `${listener.ListenerArn.replace(":listener/", ":listener-rule/")}/9a8b7c6d5e4f3a2b`,
        ListenerArn: listener.ListenerArn,
        Priority: "10",
        IsDefault: false,
        Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] } }],
        Actions: [{ Type: "forward", TargetGroupArn: API_TG_ARN }],
      },
    ];
    for (const ip of ["10.0.1.60", "10.0.2.61"]) {
      fleet.targetHealth?.push({
        TargetGroupArn: API_TG_ARN,
        Target: { Id: ip, Port: 9090 },
        HealthCheckPort: "9090",
        TargetHealth: {
          State: "unhealthy",
          Reason: "Target.Timeout",
          Description: "Request timed out",
        },
      });
    }
  });

  it("judges each group the listener forwards to, leads with the worst and lists the others", async () => {
    const text = await ask("why tutorial/web-frontend shop-alb");
    const [headline = ""] = text.split("\n");

    expect(headline).toMatch(
      /^✖ web-frontend cannot reach shop-alb \(HTTP 80 path-pattern \/api\/\*\) → api-tg:9090/,
    );
    expect(headline).toMatch(/also through shop-alb: ✔ .*checkout-tg:8080/i);
    expect(line(text, "targets of api-tg")).toMatch(
      /^ *✖ targets of api-tg: 0 of 2 targets healthy/,
    );
    expect(text).toMatch(/^✔ web-frontend can reach shop-alb \(HTTP 80\) → checkout-tg:8080/m);
  });
});

describe("/ecs why to a balancer whose listener forwards to no target group", () => {
  onFleet((fleet) => {
    for (const l of fleet.listeners ?? []) {
      l.DefaultActions = [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }];
    }
  });

  it("says no listener forwards to a target group, never not found", async () => {
    const text = await ask("why tutorial/web-frontend shop-alb");

    expect(text.split("\n")[0]).toBe(
      "✖ web-frontend cannot reach shop-alb: no listener of shop-alb (HTTP 80) forwards to a target group: they redirect or answer themselves",
    );
    expect(text).not.toContain("Not found");
  });
});

describe("/ecs why to a balancer whose listeners' rules cannot be read", () => {
  const aws = useEmulatorPerFile({
    fleet: () => {
      const fleet = loadDemoFleet();
      for (const l of fleet.listeners ?? []) {
        l.DefaultActions = [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }];
      }
      return fleet;
    },
  });

  it("says which listener forwards is unknown, never that none does", async () => {
    aws.emulator.setDenied(["ELBv2.DescribeRules"]);
    const text = await ask("why tutorial/web-frontend shop-alb");

    expect(text.split("\n")[0]).not.toMatch(/^✖/);
    expect(text).toContain("were not read: which of them forwards");
  });
});

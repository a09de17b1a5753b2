import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

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
  let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });
  beforeEach(() => {
    clearSharedCache();
    aws.emulator.setDenied([]);
  });

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
  let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    const fleet = loadDemoFleet();
    const tasks = fleet.securityGroups?.find((g) => g.GroupId === TASKS_SG);
    if (!tasks) throw new Error("the demo fleet lost checkout-tasks");
    tasks.IpPermissions = [];
    aws = await useEmulatedAws(fleet);
  });
  afterAll(async () => {
    await aws.stop();
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

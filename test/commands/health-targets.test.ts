import { describe, expect, it } from "vitest";
import { slackTexts } from "../../bench/slack-texts.ts";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { GLANCE_HEADLINE_MAX, plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// Issue 24 item 2: /ecs health of a service behind a target group hears the load balancer.
// checkout (demo fleet) sits behind shop-alb's checkout-tg; one of its three targets answers the
// health check with 503.

const aws = useEmulatorPerFile();
const ask = (text: string) => runEcsCommand(text, () => awsContext("ap-northeast-1"));
const health = async (name: string) => renderText((await ask(`health ${name}`)).doc);
const firstView = async (name: string) => {
  const doc = (await ask(`health ${name}`)).doc;
  return { doc, text: slackTexts(renderBlocks(doc).blocks).join("\n") };
};
const elbv2Calls = (operation: string) =>
  aws.emulator.requests.filter((r) => r.operation === operation).length;

describe("/ecs health of a service behind a load balancer", () => {
  it("leads with the failing target of checkout-tg and the check it fails", async () => {
    const text = await health("checkout");

    expect(text.split("\n")[0]).toMatch(
      /^▲ DEGRADED tutorial\/checkout: 1 of 3 targets of checkout-tg unhealthy: .*GET \/healthz on 8080 answered 503, matcher 200/,
    );
  });

  it("gives the reason's next step with its AWS source", async () => {
    const text = await health("checkout");
    const next = text.split("Next check:\n")[1] ?? "";

    expect(next).toMatch(/App: .*\/healthz/);
    expect(next).toContain("https://docs.aws.amazon.com/elasticloadbalancing/");
  });

  it("lists the target group and each target's state and reason in the details", async () => {
    const text = await health("checkout");
    const section = text.split("Load balancer target groups:\n")[1]?.split("\n\n")[0] ?? "";

    expect(section).toMatch(/checkout-tg.*2 of 3 targets healthy/);
    expect(section).toMatch(/✖ 10\.0\.3\.62:8080 .*unhealthy Target\.ResponseCodeMismatch/);
    expect(section).toMatch(/✔ 10\.0\.1\.60:8080 .*healthy/);
    expect(section).toMatch(/✔ 10\.0\.2\.61:8080 .*healthy/);
  });

  it("puts the failing target and a short next step in the first view", async () => {
    const { doc, text } = await firstView("checkout");
    const headline = doc.glance ? plain(doc.glance.headline) : doc.summary;

    expect(headline.length).toBeLessThanOrEqual(GLANCE_HEADLINE_MAX);
    expect(headline).toContain("1 of 3 targets of checkout-tg unhealthy");
    expect(text).toMatch(/10\.0\.3\.62.*Target\.ResponseCodeMismatch/);
    expect(plain(doc.glance?.next ?? [])).toMatch(/^App: /);
  });

  // Unread target health changes no verdict by itself (src/domain/load-balancing/README.md):
  // the answer is partial and names it, and no target is called healthy or unhealthy.
  it("never draws the failing task healthy among the tasks: its line says what the balancer says", async () => {
    const text = await health("checkout");
    const tasks = text.split("Tasks (the service publishes no name):\n")[1]?.split("\n\n")[0] ?? "";

    expect(tasks).toMatch(/✖ UNHEALTHY 10\.0\.3\.62 .*checkout-tg Target\.ResponseCodeMismatch$/m);
    expect(tasks).not.toMatch(/✔ healthy 10\.0\.3\.62/);
    expect(tasks).toMatch(/✔ healthy 10\.0\.1\.60 /);
  });

  it("says target health is unknown, and the answer partial, when DescribeTargetHealth is denied", async () => {
    aws.emulator.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);

    const text = await health("checkout");
    const headline = text.split("\n")[0] ?? "";

    expect(headline).not.toMatch(/targets? (healthy|unhealthy)|targets of checkout-tg/);
    expect(headline).toMatch(/\(partial: could not read target health of checkout-tg\)$/);
    expect(text).toMatch(
      /checkout-tg: target health unknown \(the bot's IAM role may not call DescribeTargetHealth/,
    );
    expect(text).not.toMatch(/10\.0\.3\.62:8080 .*(healthy|unhealthy)/);
  });

  it("says target health is unknown, never healthy, when AWS throttles DescribeTargetHealth", async () => {
    aws.emulator.setThrottleRate(1, ["ELBv2.DescribeTargetHealth"]);

    const text = await health("checkout");
    const headline = text.split("\n")[0] ?? "";

    expect(headline).not.toMatch(/targets? (healthy|unhealthy)|targets of checkout-tg/);
    expect(headline).toMatch(/\(partial: could not read target health of checkout-tg\)$/);
    expect(text).toMatch(/checkout-tg: target health unknown \(AWS throttled DescribeTargetHealth/);
  }, 30_000);

  it("names the balancer's zones when a target is in a zone the balancer does not use", async () => {
    const fleet = loadDemoFleet();
    const balancer = fleet.loadBalancers?.[0];
    if (balancer) balancer.AvailabilityZones = balancer.AvailabilityZones?.slice(1);
    const [first] = fleet.targetHealth ?? [];
    if (first) first.TargetHealth = { State: "unused", Reason: "Target.NotInUse" };
    aws.emulator.setFleet(fleet);
    try {
      const text = await health("checkout");

      expect(text).toMatch(
        /10\.0\.1\.60:8080 .*unused Target\.NotInUse: its Availability Zone \(ap-northeast-1a\) is not enabled for the balancer \(ap-northeast-1c, ap-northeast-1d\)/,
      );
      expect(elbv2Calls("DescribeLoadBalancers")).toBe(1);
    } finally {
      aws.emulator.setFleet(loadDemoFleet());
    }
  });

  it("reads target health once per target group, and nothing of ELBv2 for a service without one", async () => {
    await health("checkout");

    expect(elbv2Calls("DescribeTargetHealth")).toBe(1);
    expect(elbv2Calls("DescribeTargetGroups")).toBe(1);
    // No target is Target.NotInUse: the balancers' zones are not needed.
    expect(elbv2Calls("DescribeLoadBalancers")).toBe(0);

    aws.emulator.resetStats();
    await health("nginx.service-connect");

    expect(aws.emulator.requests.filter((r) => r.service === "ELBv2")).toEqual([]);
  });
});

// Issue 24: a target group the service still names but AWS says does not exist (deleted) is a
// finding, not a gap: AWS answered TargetGroupNotFound.
const GONE_TG =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-old-tg/0a1b2c3d4e5f6071";

/** The demo fleet with checkout's targets all healthy and checkout naming GONE_TG too (or only). */
function fleetWithGoneGroup(only: boolean) {
  const fleet = loadDemoFleet();
  for (const t of fleet.targetHealth ?? []) t.TargetHealth = { State: "healthy" };
  const checkout = fleet.services.find((s) => s.serviceName === "checkout");
  if (checkout) {
    const gone = { targetGroupArn: GONE_TG, containerName: "checkout", containerPort: 8080 };
    checkout.loadBalancers = only ? [gone] : [...(checkout.loadBalancers ?? []), gone];
  }
  return fleet;
}

/** health NAME on the demo fleet with a gone group (see fleetWithGoneGroup), then the demo fleet again. */
async function healthWithGoneGroup(only: boolean, name = "checkout") {
  aws.emulator.setFleet(fleetWithGoneGroup(only));
  try {
    const text = await health(name);
    return { text, headline: text.split("\n")[0] ?? "" };
  } finally {
    aws.emulator.setFleet(loadDemoFleet());
  }
}

describe("/ecs health of a service naming a target group AWS no longer has", () => {
  it("says the deleted target group is a finding: DEGRADED, naming it, never partial", async () => {
    const { text, headline } = await healthWithGoneGroup(false);

    expect(headline).toMatch(
      /^▲ DEGRADED tutorial\/checkout: target group checkout-old-tg no longer exists \(deleted\?\) but tutorial\/checkout still names it/,
    );
    expect(text).not.toMatch(/partial|could not read target health/);
  });

  it("still reads and draws the service's other target group when one is gone", async () => {
    const { text } = await healthWithGoneGroup(false);
    const section = text.split("Load balancer target groups:\n")[1]?.split("\n\n")[0] ?? "";

    expect(section).toMatch(/checkout-tg.*3 of 3 targets healthy/);
    expect(section).toMatch(
      /✖ checkout-old-tg · gone: AWS says it does not exist \(TargetGroupNotFound\)/,
    );
  });

  it("says what to change next: the service's load balancer configuration, with a new deployment", async () => {
    const { text } = await healthWithGoneGroup(false);
    const next = text.split("Next check:\n")[1] ?? "";

    expect(next).toMatch(/^\s*Deploy: /m);
    expect(next).toContain("aws ecs describe-services --cluster tutorial --services checkout");
    expect(next).toContain(
      "aws ecs update-service --cluster tutorial --service checkout --load-balancers",
    );
  });

  it("calls a service whose only target group is gone DEGRADED, not DOWN, and not partial", async () => {
    const { text, headline } = await healthWithGoneGroup(true);

    expect(headline).toMatch(
      /^▲ DEGRADED tutorial\/checkout: target group checkout-old-tg no longer exists/,
    );
    expect(text).not.toMatch(/partial|could not read target health/);
  });

  it("keeps a denied target group unknown and the answer partial beside a gone one", async () => {
    aws.emulator.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);
    const { text, headline } = await healthWithGoneGroup(false);

    expect(headline).toMatch(/\(partial: could not read target health of checkout-tg\)$/);
    expect(text).toMatch(/checkout-old-tg no longer exists/);
  });
});

describe("/ecs health's round trips behind a load balancer", () => {
  it("reads target health beside the service's other reads: no sequential round trip more", async () => {
    await aws.stop();
    const withoutGroups = loadDemoFleet();
    for (const s of withoutGroups.services) if (s.serviceName === "checkout") s.loadBalancers = [];
    const slow = await useEmulatedAws(withoutGroups, ROUND_TRIP_MS);
    try {
      await health("checkout");
      const before = slow.emulator.stats();
      const plain = before.sequentialRoundTrips;
      slow.emulator.setFleet(loadDemoFleet());
      clearSharedCache();
      slow.emulator.resetStats();

      const text = await health("checkout");

      expect(text).toContain("1 of 3 targets of checkout-tg unhealthy");
      const after = slow.emulator.stats();
      expect(after.sequentialRoundTrips).toBe(plain);
      // The service is described once: target health shares the facts' DescribeServices.
      const notElb = (calls: Record<string, number>) =>
        Object.entries(calls).filter(([op]) => !op.startsWith("ELBv2."));
      expect(notElb(after.calls)).toEqual(notElb(before.calls));
    } finally {
      await slow.stop();
      await aws.start();
    }
  }, 30_000);
});

// `/ecs whois` of a load balancer or target group (issue 24 item 1), as the user reads it: the
// demo's internal ALB shop-alb, its target group checkout-tg and the service tutorial/checkout.

import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { whois } from "../../src/commands/whois.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";

const DNS = "internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com";
const LB_ARN =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35";
const HEADLINE =
  "shop-alb (internal ALB) → checkout-tg → tutorial/checkout: 1 of 3 targets failing (Target.ResponseCodeMismatch)";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function ask(question: string, fleet: Fleet = loadDemoFleet(), denied: string[] = []) {
  const aws = await useEmulatedAws(fleet, 0, { denyOperations: denied });
  stop = aws.stop;
  const { doc } = await runEcsCommand(question, () => awsContext("ap-northeast-1"));
  return { doc, text: renderText(doc), headline: plain(doc.glance?.headline ?? []) };
}

describe("whois of a load balancer", () => {
  it.each([DNS, `dualstack.${DNS}`, `${DNS.toUpperCase()}.`, "shop-alb", LB_ARN])(
    "answers %s with the balancer, its target group, the failing target and who can reach it",
    async (name) => {
      const { text, headline, doc } = await ask(`whois ${name}`);

      expect(headline).toBe(HEADLINE);
      expect(text).toContain("Mechanism: load balancer");
      expect(text).toContain("application load balancer, internal, state active.");
      expect(text).toContain(`DNS name: ${DNS}`);
      expect(text).toContain("Listeners: HTTP 80.");
      expect(text).toContain(
        "HTTP 8080, ip targets, health check HTTP /healthz on the traffic port, matcher 200.",
      );
      expect(text).toContain("Forwarded from: HTTP 80 (default).");
      expect(text).toContain("ECS services: tutorial/checkout");
      expect(text).toContain(
        "✖ 10.0.3.62:8080 (task c3d2e5a7b9f1) unhealthy Target.ResponseCodeMismatch: Health checks failed with these codes: [503]",
      );
      expect(text).toContain("✔ 10.0.1.60:8080 (task a1f0c3e5b7d9) healthy");
      expect(text).toMatch(
        /Next: App: the app reports itself failing: .*GET \/healthz on 8080, expecting 200/,
      );
      expect(text).toMatch(
        /Internal: private addresses in vpc-0b1e2c3d4e5f60718, reachable from inside the VPC/,
      );
      expect(text).toContain("Port 80: its security groups admit 10.0.0.0/16.");
      expect(doc.glance?.links?.map((l) => l.command)).toEqual([
        "health tutorial/checkout",
        "traffic tutorial/checkout",
      ]);
    },
  );

  it("answers the target group checkout-tg, by name, with the balancer that forwards to it", async () => {
    const { headline, text } = await ask("whois checkout-tg");

    expect(headline).toBe(HEADLINE);
    expect(text).toContain("Target group checkout-tg");
  });

  it("answers checkout.shop.internal, a Route 53 alias record of shop-alb, with the balancer", async () => {
    const { headline, text } = await ask("whois checkout.shop.internal");

    expect(headline).toBe(`checkout.shop.internal → ${HEADLINE}`);
    expect(text).toContain("checkout.shop.internal is a Route 53 alias record of this balancer.");
    expect(text).toContain(
      "✖ 10.0.3.62:8080 (task c3d2e5a7b9f1) unhealthy Target.ResponseCodeMismatch",
    );
  });

  it("says the alias search was incomplete when Route 53 refuses to list the records", async () => {
    const { text } = await ask("whois checkout.shop.internal", loadDemoFleet(), [
      "Route53.ListResourceRecordSets",
    ]);

    expect(text.split("\n")[0]).toBe(
      "Not found, but the search was incomplete: checkout.shop.internal",
    );
    expect(text).toMatch(/could not read the Route 53 records of checkout\.shop\.internal/);
  });

  it("says target health is unknown when DescribeTargetHealth is denied, never healthy", async () => {
    const { headline, text } = await ask(`whois ${DNS}`, loadDemoFleet(), [
      "ELBv2.DescribeTargetHealth:checkout-tg",
    ]);

    expect(headline).toMatch(
      /^shop-alb \(internal ALB\) → checkout-tg → tutorial\/checkout: target health unknown/,
    );
    expect(text).toContain("? Targets: unknown, their health could not be read");
    expect(text).not.toContain("✔ 10.0.1.60");
    expect(text).toMatch(/could not read the target health of checkout-tg/);
  });

  it("says what was searched when no balancer has the name", async () => {
    const { text } = await ask("whois internal-nope-123.ap-northeast-1.elb.amazonaws.com");

    expect(text.split("\n")[0]).toBe(
      "Not found: internal-nope-123.ap-northeast-1.elb.amazonaws.com",
    );
    expect(text).toContain(
      "Looked in region ap-northeast-1: load balancers (the one named in internal-nope-123.ap-northeast-1.elb.amazonaws.com, then every balancer's DNS name).",
    );
  });

  it("never says a plain Not found when DescribeLoadBalancers was denied", async () => {
    const { text } = await ask(`whois ${DNS}`, loadDemoFleet(), ["ELBv2.DescribeLoadBalancers"]);

    expect(text.split("\n")[0]).toBe(`Not found, but the search was incomplete: ${DNS}`);
    expect(text).toMatch(/could not read the load balancer internal-shop-alb/);
  });

  it("says it looked for balancers and target groups too when a word names nothing", async () => {
    const { text } = await ask("whois nope-alb");

    expect(text.split("\n")[0]).toBe("Not found: nope-alb");
    expect(text).toMatch(/clusters .*; load balancers and target groups by name\./);
  });

  it("lists a word that names an ECS service and a target group, one button each, none chosen", async () => {
    const fleet = loadDemoFleet();
    for (const g of fleet.targetGroups ?? []) {
      if (g.TargetGroupName === "checkout-tg") g.TargetGroupName = "checkout";
    }
    const { headline, doc } = await ask("whois checkout", fleet);

    expect(headline).toBe("checkout names 2 things: ask about one alone");
    expect(doc.glance?.asks?.map((a) => a.command)).toEqual([
      "whois tutorial/checkout",
      expect.stringMatching(/^whois arn:aws:elasticloadbalancing:.*:targetgroup\//),
    ]);
  });
});

describe("which listeners forward to a target group, in a whois", () => {
  it("says the default route and that more may forward when the listeners' rules cannot be read", async () => {
    const { text } = await ask(`whois ${DNS}`, loadDemoFleet(), ["DescribeRules"]);

    expect(text).toMatch(
      /Forwarded from: HTTP 80 \(default\), maybe more \(rules not read: .+\)\./,
    );
  });

  it("says no listener rule forwards to a group only when the listeners and rules were read", async () => {
    const fleet = loadDemoFleet();
    for (const l of fleet.listeners ?? []) l.DefaultActions = [{ Type: "fixed-response" }];
    for (const r of fleet.listenerRules ?? []) r.Actions = [{ Type: "fixed-response" }];
    const { text } = await ask("whois checkout-tg", fleet);

    expect(text).toContain("Forwarded from: no listener rule forwards to it.");
  });
});

describe("what a whois of a load balancer costs", () => {
  async function cost(services: number, eniTags?: "cluster-and-service") {
    const fleet = generateFleet({ services });
    fleet.eniTags = eniTags;
    const aws = await useEmulatedAws(fleet, ROUND_TRIP_MS);
    stop = aws.stop;
    const answer = await whois(() => awsContext("ap-northeast-1"), DNS);
    const stats = aws.emulator.stats();
    await aws.stop();
    stop = undefined;
    return { answer, stats };
  }

  it("names the services from the targets' ECS-tagged interfaces: the same calls at 10 and 5,000 services, at most 6 round trips cold", async () => {
    const small = await cost(10, "cluster-and-service");
    const large = await cost(5000, "cluster-and-service");

    expect(large.answer.kind).toBe("found");
    expect(large.stats.calls).toEqual(small.stats.calls);
    expect(large.stats.calls["ECS.ListServices"]).toBeUndefined();
    expect(large.stats.sequentialRoundTrips).toBeLessThanOrEqual(6);
  });

  it("takes an interface's ECS tags as a lead, not proof: a service that no longer names the group is not its service", async () => {
    const fleet = loadDemoFleet();
    fleet.eniTags = "cluster-and-service";
    for (const s of fleet.services) if (s.serviceName === "checkout") s.loadBalancers = [];
    const { text } = await ask(`whois ${DNS}`, fleet);

    expect(text).toContain("ECS services: none registers in it.");
  });

  it("names each target's task once its services are read from the targets", async () => {
    const fleet = loadDemoFleet();
    fleet.eniTags = "cluster-and-service";
    const { text } = await ask(`whois ${DNS}`, fleet);

    expect(text).toContain("ECS services with targets in it: tutorial/checkout");
    expect(text).toMatch(
      /✖ 10\.0\.3\.62:8080 \(task [0-9a-f]{12}\) unhealthy Target\.ResponseCodeMismatch/,
    );
  });

  it("lists the region's services only when the targets name none (untagged interfaces, no address book)", async () => {
    const { answer, stats } = await cost(10);

    expect(answer.kind).toBe("found");
    expect(stats.calls["ECS.ListServices"]).toBeGreaterThan(0);
  });
});

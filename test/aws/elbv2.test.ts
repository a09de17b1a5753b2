// The ELBv2 adapter through the real SDK client against the emulator (the demo's shop-alb and
// checkout-tg), and its mapping of AWS's published examples into the domain's types.

import { readFileSync } from "node:fs";
import type {
  Listener as SdkListener,
  Rule as SdkRule,
  TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet, FleetLoadBalancer, FleetTargetGroup } from "../../emulator/fleet/types.ts";
import type { RunningEmulator } from "../../emulator/server.ts";
import { TtlCache } from "../../src/aws/cache.ts";
import { awsClients } from "../../src/aws/clients.ts";
import {
  Elbv2Adapter,
  nameInDnsName,
  TARGET_HEALTH_TTL_MS,
  toListener,
  toRule,
  toTargetHealth,
} from "../../src/aws/elbv2.ts";
import { LOAD_BALANCER_READ_ACTIONS } from "../../src/aws/iam-actions.ts";
import { awsContext, clearSharedCache, Gaps } from "../../src/commands/reads/aws-context.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

const REGION = "ap-northeast-1";
const DNS = "internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com";
const SHOP_ALB =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35";
const CHECKOUT_TG =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-tg/3f2a1b0c9d8e7f60";

/** The demo fleet with `extra` more balancers and target groups, copies of shop-alb's. */
function biggerFleet(extraBalancers: number, extraGroups: number): Fleet {
  const fleet = loadDemoFleet();
  const alb = fleet.loadBalancers?.[0] as FleetLoadBalancer;
  const tg = fleet.targetGroups?.[0] as FleetTargetGroup;
  for (let i = 0; i < extraBalancers; i++) {
    fleet.loadBalancers?.push({
      ...alb,
      LoadBalancerName: `lb-${i}`,
      LoadBalancerArn: alb.LoadBalancerArn.replace("shop-alb", `lb-${i}`),
      DNSName: `internal-lb-${i}-${1000 + i}.ap-northeast-1.elb.amazonaws.com`,
    });
  }
  for (let i = 0; i < extraGroups; i++) {
    const arn = tg.TargetGroupArn.replace("checkout-tg", `tg-${i}`);
    fleet.targetGroups?.push({ ...tg, TargetGroupName: `tg-${i}`, TargetGroupArn: arn });
    fleet.targetHealth?.push({
      TargetGroupArn: arn,
      Target: { Id: `10.0.1.${i + 1}`, Port: 8080 },
      TargetHealth: { State: "healthy" },
    });
  }
  return fleet;
}

let emulator: RunningEmulator;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ emulator, stop } = await useEmulatedAws(biggerFleet(0, 20)));
});
afterAll(async () => {
  await stop();
});
beforeEach(() => {
  clearSharedCache();
  emulator.setDenied([]);
  emulator.setThrottleRate(0);
  emulator.setLatency(0);
  emulator.resetStats();
});

const calls = (operation: string) => emulator.stats().calls[`ELBv2.${operation}`] ?? 0;

describe("a balancer by its DNS name, name or ARN", () => {
  it("finds shop-alb from its DNS name in one DescribeLoadBalancers, whatever its case", async () => {
    const { elbv2 } = awsContext(REGION);
    const lb = await elbv2.loadBalancerByDnsName(DNS.toUpperCase());
    expect(lb).toEqual({
      arn: SHOP_ALB,
      name: "shop-alb",
      dnsName: DNS,
      canonicalHostedZoneId: "Z14GRHDCWA56QT",
      type: "application",
      scheme: "internal",
      vpcId: "vpc-0b1e2c3d4e5f60718",
      state: "active",
      zones: [
        { zone: "ap-northeast-1a", subnetId: "subnet-0a1c0ffee0000001a" },
        { zone: "ap-northeast-1c", subnetId: "subnet-0a1c0ffee0000001c" },
        { zone: "ap-northeast-1d", subnetId: "subnet-0a1c0ffee0000001d" },
      ],
      securityGroups: ["sg-0c0ffee00000e0001"],
    });
    expect(calls("DescribeLoadBalancers")).toBe(1);
  });

  it("an ELB DNS name that is no balancer's: not found, after listing the region's balancers", async () => {
    const { elbv2 } = awsContext(REGION);
    expect(
      await elbv2.loadBalancerByDnsName("internal-gone-alb-42.ap-northeast-1.elb.amazonaws.com"),
    ).toBeUndefined();
    expect(calls("DescribeLoadBalancers")).toBe(2);
  });

  it("leaves out names and ARNs that do not exist, keeping the others", async () => {
    const { elbv2 } = awsContext(REGION);
    const byName = await elbv2.loadBalancersByName(["shop-alb", "nope"]);
    expect(byName.map((lb) => lb.name)).toEqual(["shop-alb"]);
    const byArn = await elbv2.loadBalancersByArn([SHOP_ALB]);
    expect(byArn.map((lb) => lb.dnsName)).toEqual([DNS]);
  });

  it("reads the name an ELB DNS name carries (ALB, internal, NLB, dual-stack), nothing else", () => {
    expect(nameInDnsName(DNS)).toBe("shop-alb");
    expect(nameInDnsName("my-load-balancer-424835706.us-west-2.elb.amazonaws.com")).toBe(
      "my-load-balancer",
    );
    expect(
      nameInDnsName("my-network-load-balancer-5d1b75f4f1cee11e.elb.us-west-2.amazonaws.com"),
    ).toBe("my-network-load-balancer");
    expect(nameInDnsName(`dualstack.${DNS}`)).toBe("shop-alb");
    expect(nameInDnsName("api.internal.local")).toBeUndefined();
  });
});

describe("listeners, rules and target groups", () => {
  it("shop-alb listens on HTTP 80, and its default rule forwards to checkout-tg", async () => {
    const { elbv2 } = awsContext(REGION);
    const { listeners, rules } = await elbv2.listenersWithRules(SHOP_ALB);
    expect(listeners).toEqual([
      expect.objectContaining({
        port: 80,
        protocol: "HTTP",
        defaultTargetGroupArns: [CHECKOUT_TG],
      }),
    ]);
    expect(rules).toEqual([
      expect.objectContaining({
        priority: "default",
        isDefault: true,
        conditions: [],
        targetGroupArns: [CHECKOUT_TG],
      }),
    ]);
  });

  it("checkout-tg by balancer, name or ARN: HTTP 8080, ip targets, /healthz expecting 200", async () => {
    const { elbv2 } = awsContext(REGION);
    const [ofBalancer] = await elbv2.targetGroupsOfBalancer(SHOP_ALB);
    expect(ofBalancer).toEqual({
      arn: CHECKOUT_TG,
      name: "checkout-tg",
      protocol: "HTTP",
      port: 8080,
      vpcId: "vpc-0b1e2c3d4e5f60718",
      targetType: "ip",
      loadBalancerArns: [SHOP_ALB],
      healthCheck: {
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: "/healthz",
        matcher: "200",
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThreshold: 5,
        unhealthyThreshold: 2,
      },
    });
    expect(await elbv2.targetGroupsByName(["checkout-tg", "nope"])).toEqual([ofBalancer]);
    expect(await elbv2.targetGroupsByArn([CHECKOUT_TG])).toEqual([ofBalancer]);
    // An ALB's group has no preserve_client_ip attribute.
    expect(await elbv2.preserveClientIp(CHECKOUT_TG)).toBeUndefined();
  });

  it("describe-services of checkout carries its target group and health-check grace period", async () => {
    const { ecs } = awsContext(REGION);
    const { services } = await ecs.describeServices("tutorial", ["checkout"]);
    expect(services[0]?.loadBalancers).toEqual([
      { targetGroupArn: CHECKOUT_TG, containerName: "checkout", containerPort: 8080 },
    ]);
    expect(services[0]?.healthCheckGracePeriodSeconds).toBe(60);
  });
});

describe("target health", () => {
  it("checkout-tg: two healthy targets, and 10.0.3.62 failing with the code it answered", async () => {
    const { elbv2 } = awsContext(REGION);
    const [health] = await elbv2.targetHealth([CHECKOUT_TG]);
    expect(health?.known).toBe(true);
    const targets = health?.known ? health.targets : [];
    expect(targets.map((t) => `${t.id}:${t.port} ${t.state}`)).toEqual([
      "10.0.1.60:8080 healthy",
      "10.0.2.61:8080 healthy",
      "10.0.3.62:8080 unhealthy",
    ]);
    expect(targets[2]).toMatchObject({
      availabilityZone: "ap-northeast-1d",
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    });
  });

  it("denied: the group's health is unknown with the denial, never an empty list", async () => {
    emulator.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);
    const { elbv2 } = awsContext(REGION);
    const tg0 = CHECKOUT_TG.replace("checkout-tg", "tg-0");
    const [checkout, other] = await elbv2.targetHealth([CHECKOUT_TG, tg0]);
    expect(checkout).toMatchObject({ targetGroupArn: CHECKOUT_TG, known: false });
    expect(checkout && !checkout.known && checkout.error.kind).toBe("access-denied");
    expect(other?.known).toBe(true);
    const gaps = new Gaps();
    if (checkout && !checkout.known) gaps.add("target health of checkout-tg", checkout.error);
    expect(gaps.list).toEqual([
      expect.objectContaining({ what: "target health of checkout-tg", cause: "denied" }),
    ]);
    expect(gaps.list[0]?.why).toContain("DescribeTargetHealth");
  });

  it("throttled beyond the retries: unknown, throttled", async () => {
    emulator.setThrottleRate(1, ["ELBv2.DescribeTargetHealth"]);
    const { elbv2 } = awsContext(REGION);
    const [health] = await elbv2.targetHealth([CHECKOUT_TG]);
    expect(health?.known).toBe(false);
    expect(health && !health.known && health.error.kind).toBe("throttled");
  }, 15_000);

  it("a deleted target group: AWS answered TargetGroupNotFound, so it is gone, not merely unread", async () => {
    const { elbv2 } = awsContext(REGION);
    const gone = CHECKOUT_TG.replace("checkout-tg/3f2a1b0c9d8e7f60", "old-tg/0a1b2c3d4e5f6071");
    const [checkout, deleted] = await elbv2.targetHealth([CHECKOUT_TG, gone]);
    expect(checkout?.known).toBe(true);
    expect(deleted).toMatchObject({ targetGroupArn: gone, known: false, gone: true });
    expect(deleted && !deleted.known && deleted.error.code).toBe("TargetGroupNotFoundException");
  });

  it("denied or throttled is never gone", async () => {
    emulator.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);
    const { elbv2 } = awsContext(REGION);
    const [denied] = await elbv2.targetHealth([CHECKOUT_TG]);
    expect(denied?.known).toBe(false);
    expect(denied && !denied.known && denied.gone).toBeFalsy();
  });

  it("one deleted ARN among 21 target groups fails its DescribeTargetGroups batch, yet every other group is described", async () => {
    const { elbv2 } = awsContext(REGION);
    const gone = CHECKOUT_TG.replace("checkout-tg/3f2a1b0c9d8e7f60", "old-tg/0a1b2c3d4e5f6071");
    const arns = [
      CHECKOUT_TG,
      ...Array.from({ length: 20 }, (_, i) => CHECKOUT_TG.replace("checkout-tg", `tg-${i}`)),
    ];
    const groups = await elbv2.targetGroupsByArn([...arns, gone]);
    expect(groups.map((g) => g.arn).sort()).toEqual([...arns].sort());
  });

  it("is kept 5 seconds only; balancers and groups a minute", async () => {
    let now = 0;
    const cache = new TtlCache(() => now);
    const elbv2 = new Elbv2Adapter(awsClients(REGION).elbv2, cache, REGION);
    await elbv2.targetHealth([CHECKOUT_TG]);
    await elbv2.targetGroupsByArn([CHECKOUT_TG]);
    now += TARGET_HEALTH_TTL_MS - 1;
    await elbv2.targetHealth([CHECKOUT_TG]);
    expect(calls("DescribeTargetHealth")).toBe(1);
    now += 1;
    await elbv2.targetHealth([CHECKOUT_TG]);
    await elbv2.targetGroupsByArn([CHECKOUT_TG]);
    expect(calls("DescribeTargetHealth")).toBe(2);
    expect(calls("DescribeTargetGroups")).toBe(1);
  });

  it("reads 21 target groups one call each, never more than 8 at once", async () => {
    emulator.setLatency(30, "ELBv2.DescribeTargetHealth");
    const { elbv2 } = awsContext(REGION);
    const arns = [
      CHECKOUT_TG,
      ...Array.from({ length: 20 }, (_, i) => CHECKOUT_TG.replace("checkout-tg", `tg-${i}`)),
    ];
    const health = await elbv2.targetHealth(arns);
    expect(health.every((h) => h.known)).toBe(true);
    expect(health.map((h) => h.targetGroupArn)).toEqual(arns);
    expect(calls("DescribeTargetHealth")).toBe(21);
    expect(emulator.stats().maxInFlight["ELBv2.DescribeTargetHealth"]).toBeLessThanOrEqual(8);
  });
});

describe("pagination", () => {
  it("lists 402 balancers in two pages, and finds one whose DNS name carries no name", async () => {
    const fleet = biggerFleet(401, 0);
    const odd = fleet.loadBalancers?.[401] as FleetLoadBalancer;
    odd.DNSName = "renamed-7.ap-northeast-1.elb.amazonaws.com";
    emulator.setFleet(fleet);
    try {
      const { elbv2 } = awsContext(REGION);
      expect((await elbv2.allLoadBalancers()).length).toBe(402);
      expect(calls("DescribeLoadBalancers")).toBe(2);
      clearSharedCache();
      const found = await elbv2.loadBalancerByDnsName("renamed-7.ap-northeast-1.elb.amazonaws.com");
      expect(found?.name).toBe("lb-400");
    } finally {
      emulator.setFleet(biggerFleet(0, 20));
    }
  });
});

describe("IAM", () => {
  it("LOAD_BALANCER_READ_ACTIONS names exactly the ELBv2 operations the adapter calls", async () => {
    const { elbv2 } = awsContext(REGION);
    await elbv2.loadBalancerByDnsName("internal-gone-alb-42.ap-northeast-1.elb.amazonaws.com");
    await elbv2.loadBalancersByArn([SHOP_ALB]);
    await elbv2.listenersWithRules(SHOP_ALB);
    await elbv2.targetGroupsOfBalancer(SHOP_ALB);
    await elbv2.targetGroupsByName(["checkout-tg"]);
    await elbv2.targetHealth([CHECKOUT_TG]);
    await elbv2.preserveClientIp(CHECKOUT_TG);
    const called = Object.keys(emulator.stats().calls)
      .filter((k) => k.startsWith("ELBv2."))
      .map((k) => `elasticloadbalancing:${k.slice("ELBv2.".length)}`);
    expect(called.sort()).toEqual([...LOAD_BALANCER_READ_ACTIONS].sort());
  });
});

const official = <T>(name: string): T =>
  JSON.parse(
    readFileSync(
      new URL(`../fixtures/aws/official/elbv2/elbv2-${name}.json`, import.meta.url),
      "utf8",
    ),
  ) as T;

describe("AWS's published examples in the domain's words", () => {
  it("a path-pattern rule forwarding to my-targets", () => {
    const [rule] = official<{ Rules: SdkRule[] }>("describe-rules-api-reference").Rules;
    expect(toRule(rule as SdkRule, "listener-arn")).toEqual({
      arn: rule?.RuleArn,
      listenerArn: "listener-arn",
      priority: "10",
      isDefault: false,
      conditions: ["path-pattern /img/*"],
      targetGroupArns: [
        "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067",
      ],
    });
  });

  it("an HTTPS and an HTTP listener of one balancer", () => {
    const { Listeners } = official<{ Listeners: SdkListener[] }>(
      "describe-listeners-by-load-balancer",
    );
    expect(
      Listeners.map(toListener).map((l) => [l.protocol, l.port, l.defaultTargetGroupArns.length]),
    ).toEqual([
      ["HTTPS", 443, 1],
      ["HTTP", 80, 1],
    ]);
  });

  it("each published target state and reason, as AWS said it", () => {
    const of = (name: string) =>
      official<{ TargetHealthDescriptions: TargetHealthDescription[] }>(name)
        .TargetHealthDescriptions.map((d) => toTargetHealth(d, "tg"))
        .map((t) => [t.state, t.reason, t.description]);
    expect(of("describe-target-health-unhealthy")).toEqual([
      ["unhealthy", "Target.Timeout", "Connection to target timed out"],
    ]);
    expect(of("describe-target-health-initial")).toEqual([
      ["initial", "Elb.RegistrationInProgress", "Target registration is in progress"],
    ]);
    expect(of("describe-target-health-lambda-unavailable")).toEqual([
      [
        "unavailable",
        "Target.HealthCheckDisabled",
        "Health checks are not enabled for this target",
      ],
    ]);
    expect(of("describe-target-health-unused")[0]?.[1]).toBe("Target.NotInUse");
  });

  it("a state the bot does not know reads as unavailable, never healthy", () => {
    const t = toTargetHealth(
      { Target: { Id: "10.0.0.1" }, TargetHealth: { State: "someday" as never } },
      "tg",
    );
    expect(t.state).toBe("unavailable");
  });
});

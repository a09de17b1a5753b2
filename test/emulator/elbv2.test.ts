// The emulated Elastic Load Balancing v2 through the real SDK client: AWS's published examples
// (test/fixtures/aws/official/elbv2/, copied from ../shared/aws-samples/official/) served from a
// fleet come back as the SDK parses AWS's answers; the XML itself has the element structure of
// moto_server's answers (test/fixtures/aws/moto/, recorded once by hand from moto 5.2.1, see the
// README there); faults apply to these operations as to the others.

import { readFileSync } from "node:fs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  LoadBalancerNotFoundException,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet, FleetLoadBalancer, FleetTargetGroup } from "../../emulator/fleet/types.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";

const region = "ap-northeast-1";
const credentials = { accessKeyId: "demo", secretAccessKey: "demo" };
const SHOP_ALB =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35";
const CHECKOUT_TG =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-tg/3f2a1b0c9d8e7f60";

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/aws/${path}`, import.meta.url), "utf8")) as T;
const moto = (name: string) =>
  readFileSync(new URL(`../fixtures/aws/moto/${name}`, import.meta.url), "utf8");

interface Sample {
  LoadBalancers: FleetLoadBalancer[];
  TargetGroups: FleetTargetGroup[];
  Listeners: Fleet["listeners"] & object;
  Rules: { RuleArn: string }[];
  TargetHealthDescriptions: object[];
}
const official = (name: string) => fixture<Sample>(`official/elbv2/elbv2-${name}.json`);

// The official examples' balancer, target group and listener, as a fleet of their own.
const SAMPLE_LB = official("describe-load-balancers").LoadBalancers[0] as FleetLoadBalancer;
const SAMPLE_TG = official("describe-target-groups").TargetGroups[0] as FleetTargetGroup;
const SAMPLE_LISTENER = official("describe-listeners").Listeners[0];
const SAMPLE_RULE = official("describe-rules-api-reference").Rules[0] as { RuleArn: string };
const SAMPLE_HEALTH = official("describe-target-health").TargetHealthDescriptions;
const NLB = official("create-load-balancer-network").LoadBalancers[0] as FleetLoadBalancer;
const NLB_TG = official("create-target-group-network-ip").TargetGroups[0] as FleetTargetGroup;

function sampleFleet(): Fleet {
  const fleet = loadDemoFleet();
  fleet.loadBalancers = [SAMPLE_LB, NLB, ...(fleet.loadBalancers ?? [])];
  fleet.targetGroups = [SAMPLE_TG, NLB_TG, ...(fleet.targetGroups ?? [])];
  fleet.listeners = [
    {
      ...SAMPLE_LISTENER,
      ListenerArn: SAMPLE_LISTENER?.ListenerArn ?? "",
      LoadBalancerArn: SAMPLE_LB.LoadBalancerArn,
    },
    ...(fleet.listeners ?? []),
  ];
  fleet.listenerRules = [{ ...SAMPLE_RULE, ListenerArn: SAMPLE_LISTENER?.ListenerArn ?? "" }];
  fleet.targetHealth = [
    ...SAMPLE_HEALTH.map((h) => ({ ...h, TargetGroupArn: SAMPLE_TG.TargetGroupArn })),
    ...(fleet.targetHealth ?? []),
  ];
  return fleet;
}

/** A published example as the SDK hands it over: its timestamps become Dates. */
const asParsed = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (key, v) =>
    key === "CreatedTime" && typeof v === "string" ? new Date(v) : v,
  ) as T;

let emu: RunningEmulator;
let elb: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  emu = await startEmulator({ fleet: sampleFleet() });
  elb = new ElasticLoadBalancingV2Client({
    region,
    endpoint: emu.url,
    credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  elb.destroy();
  await emu.close();
});
beforeEach(() => {
  emu.setDenied([]);
  emu.setThrottleRate(0);
  emu.setLatency(0);
  emu.resetStats();
});

describe("the emulated ELBv2 answers AWS's published examples as the SDK parses them", () => {
  it("DescribeLoadBalancers by name: the CLI example's ALB, whole", async () => {
    const out = await elb.send(new DescribeLoadBalancersCommand({ Names: ["my-load-balancer"] }));
    expect(out.LoadBalancers).toEqual([asParsed(SAMPLE_LB)]);
  });

  it("DescribeLoadBalancers by ARN: the published NLB (no security groups, an Elastic IP)", async () => {
    const out = await elb.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [NLB.LoadBalancerArn] }),
    );
    expect(out.LoadBalancers).toEqual([asParsed(NLB)]);
  });

  it("DescribeTargetGroups by balancer, by name and by ARN", async () => {
    const byLb = await elb.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: SAMPLE_LB.LoadBalancerArn }),
    );
    expect(byLb.TargetGroups).toEqual([SAMPLE_TG]);
    const byName = await elb.send(new DescribeTargetGroupsCommand({ Names: ["checkout-tg"] }));
    expect(byName.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([CHECKOUT_TG]);
    const byArn = await elb.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [NLB_TG.TargetGroupArn] }),
    );
    expect(byArn.TargetGroups).toEqual([NLB_TG]);
  });

  it("DescribeListeners of a balancer and DescribeRules of a listener, the default rule last", async () => {
    const listeners = await elb.send(
      new DescribeListenersCommand({ LoadBalancerArn: SAMPLE_LB.LoadBalancerArn }),
    );
    expect(listeners.Listeners).toEqual([SAMPLE_LISTENER]);
    const rules = await elb.send(
      new DescribeRulesCommand({ ListenerArn: SAMPLE_LISTENER?.ListenerArn }),
    );
    expect(rules.Rules?.[0]).toEqual(SAMPLE_RULE);
    expect(rules.Rules?.[1]).toMatchObject({
      Priority: "default",
      IsDefault: true,
      Actions: SAMPLE_LISTENER?.DefaultActions,
    });
  });

  it("DescribeTargetHealth: the example's targets; one asked about but not registered is unused", async () => {
    const all = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: SAMPLE_TG.TargetGroupArn }),
    );
    expect(all.TargetHealthDescriptions).toEqual(SAMPLE_HEALTH);
    const one = await elb.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: SAMPLE_TG.TargetGroupArn,
        Targets: [{ Id: "i-0f76fade", Port: 80 }, { Id: "i-00000000" }],
      }),
    );
    expect(one.TargetHealthDescriptions?.[0]).toEqual(SAMPLE_HEALTH[1]);
    expect(one.TargetHealthDescriptions?.[1]?.TargetHealth).toEqual({
      State: "unused",
      Reason: "Target.NotRegistered",
      Description: "Target is not registered to the target group",
    });
  });
});

describe("the demo's shop-alb", () => {
  it("is internal, in three subnets, with one security group, behind its DNS name", async () => {
    const out = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [SHOP_ALB] }));
    const alb = out.LoadBalancers?.[0];
    expect(alb?.DNSName).toMatch(/^internal-shop-alb-\d+\.ap-northeast-1\.elb\.amazonaws\.com$/);
    expect(alb?.Scheme).toBe("internal");
    expect(alb?.AvailabilityZones).toHaveLength(3);
    expect(alb?.SecurityGroups).toEqual(["sg-0c0ffee00000e0001"]);
  });

  it("forwards HTTP 80 to checkout-tg, whose third target fails with a 503", async () => {
    const listeners = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: SHOP_ALB }));
    expect(listeners.Listeners?.map((l) => [l.Protocol, l.Port])).toEqual([["HTTP", 80]]);
    expect(listeners.Listeners?.[0]?.DefaultActions?.[0]?.TargetGroupArn).toBe(CHECKOUT_TG);
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: CHECKOUT_TG }));
    expect(health.TargetHealthDescriptions?.map((t) => t.TargetHealth?.State)).toEqual([
      "healthy",
      "healthy",
      "unhealthy",
    ]);
    expect(health.TargetHealthDescriptions?.[2]?.TargetHealth).toEqual({
      State: "unhealthy",
      Reason: "Target.ResponseCodeMismatch",
      Description: "Health checks failed with these codes: [503]",
    });
  });

  it("has tags and attributes; an NLB ip/TCP group does not preserve client IPs by default", async () => {
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [SHOP_ALB] }));
    expect(tags.TagDescriptions?.[0]?.Tags).toEqual([{ Key: "team", Value: "shop" }]);
    const alb = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: CHECKOUT_TG }),
    );
    expect(alb.Attributes).toContainEqual({
      Key: "deregistration_delay.timeout_seconds",
      Value: "30",
    });
    expect(alb.Attributes?.some((a) => a.Key === "preserve_client_ip.enabled")).toBe(false);
    const nlb = await elb.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: NLB_TG.TargetGroupArn }),
    );
    expect(nlb.Attributes).toContainEqual({ Key: "preserve_client_ip.enabled", Value: "false" });
  });
});

describe("paging and errors", () => {
  it("pages DescribeLoadBalancers with PageSize and NextMarker; a marker from another query is refused", async () => {
    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    expect(first.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual([
      "my-load-balancer",
      "my-network-load-balancer",
    ]);
    expect(first.NextMarker).toBeDefined();
    const second = await elb.send(
      new DescribeLoadBalancersCommand({ PageSize: 2, Marker: first.NextMarker }),
    );
    expect(second.LoadBalancers?.map((l) => l.LoadBalancerName)).toEqual(["shop-alb"]);
    expect(second.NextMarker).toBeUndefined();
    await expect(
      elb.send(new DescribeTargetGroupsCommand({ PageSize: 2, Marker: first.NextMarker })),
    ).rejects.toMatchObject({ name: "ValidationError" });
    await expect(
      elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })),
    ).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("answers an unknown balancer or target group with the modelled not-found errors", async () => {
    await expect(
      elb.send(new DescribeLoadBalancersCommand({ Names: ["shop-alb", "nope"] })),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: `${CHECKOUT_TG}0` })),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });

  // The SDK model: TargetGroupNotFound is an awsQueryError of HTTP 400 (a client error); AWS
  // fails the whole DescribeTargetGroups call when any one of its ARNs does not exist.
  it("fails a whole DescribeTargetGroups with TargetGroupNotFound (HTTP 400) when one of its ARNs was deleted", async () => {
    await expect(
      elb.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: [CHECKOUT_TG, `${CHECKOUT_TG}0`] }),
      ),
    ).rejects.toMatchObject({
      name: "TargetGroupNotFoundException",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: `${CHECKOUT_TG}0` })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it("applies denial (one target group or all), throttling and latency like every other operation", async () => {
    emu.setDenied(["ELBv2.DescribeTargetHealth:checkout-tg"]);
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: CHECKOUT_TG })),
    ).rejects.toMatchObject({
      name: "AccessDenied",
      message: expect.stringContaining("elasticloadbalancing:DescribeTargetHealth"),
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: SAMPLE_TG.TargetGroupArn })),
    ).resolves.toBeDefined();
    emu.setDenied([]);
    emu.setThrottleRate(1, ["ELBv2.DescribeLoadBalancers"]);
    await expect(elb.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: "Throttling",
      message: "Rate exceeded",
    });
    emu.setThrottleRate(0);
    emu.setLatency(60, "ELBv2.DescribeListeners");
    const start = performance.now();
    await elb.send(new DescribeListenersCommand({ LoadBalancerArn: SHOP_ALB }));
    expect(performance.now() - start).toBeGreaterThanOrEqual(55);
    expect(emu.stats()).toMatchObject({ throttled: 1, denied: 1 });
  });
});

/** Every element path of an XML document (`A/B/member/C`), values and request IDs aside. */
function elementPaths(xml: string): Set<string> {
  const paths = new Set<string>();
  const stack: string[] = [];
  for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([A-Za-z][\w]*)[^>]*?(\/?)>/g)) {
    if (close) stack.pop();
    else {
      paths.add([...stack, name].join("/"));
      if (!selfClosing) stack.push(name ?? "");
    }
  }
  return paths;
}

/** The raw XML the emulator sends for one form request (it checks a signature's form, not its value). */
async function rawXml(form: string): Promise<{ status: number; xml: string }> {
  const res = await fetch(emu.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-amz-date": "20261123T000000Z",
      authorization:
        "AWS4-HMAC-SHA256 Credential=demo/20261123/ap-northeast-1/elasticloadbalancing/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
    },
    body: form,
  });
  return { status: res.status, xml: await res.text() };
}

describe("the XML has moto_server's structure (recorded answers, test/fixtures/aws/moto/)", () => {
  const cases: [string, string][] = [
    [
      "elbv2-describe-load-balancers.xml",
      "Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=shop-alb",
    ],
    [
      "elbv2-describe-target-groups.xml",
      `Action=DescribeTargetGroups&Version=2015-12-01&LoadBalancerArn=${SHOP_ALB}`,
    ],
    [
      "elbv2-describe-listeners.xml",
      `Action=DescribeListeners&Version=2015-12-01&LoadBalancerArn=${SHOP_ALB}`,
    ],
    [
      "elbv2-describe-target-health.xml",
      `Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=${CHECKOUT_TG}`,
    ],
    [
      "elbv2-describe-tags.xml",
      `Action=DescribeTags&Version=2015-12-01&ResourceArns.member.1=${SHOP_ALB}`,
    ],
    [
      "elbv2-describe-target-group-attributes.xml",
      `Action=DescribeTargetGroupAttributes&Version=2015-12-01&TargetGroupArn=${CHECKOUT_TG}`,
    ],
    [
      "elbv2-load-balancer-not-found.xml",
      "Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=nope",
    ],
  ];
  it.each(cases)("%s: every element path moto sends, we send", async (file, form) => {
    const theirs = moto(file);
    const { status, xml } = await rawXml(form);
    expect(status).toBe(file.includes("not-found") ? 400 : 200);
    // The same root element in the same namespace.
    const root = (doc: string) => /<(\w+) xmlns="([^"]+)"/.exec(doc)?.slice(1);
    expect(root(xml)).toEqual(root(theirs));
    const ours = elementPaths(xml);
    // Members moto writes that the demo's objects leave out (an empty ALPN policy, an SSL policy
    // on an HTTP listener, a tag-less resource's empty Tags) are not structure.
    const optional = /AlpnPolicy|SslPolicy/;
    const missing = [...elementPaths(theirs)].filter((p) => !ours.has(p) && !optional.test(p));
    expect(missing).toEqual([]);
  });

  it("DescribeRules: the default rule as moto writes it", async () => {
    const listener = `${SHOP_ALB.replace(":loadbalancer/", ":listener/")}/5b6c7d8e9f0a1b2c`;
    const { xml } = await rawXml(`Action=DescribeRules&Version=2015-12-01&ListenerArn=${listener}`);
    const ours = elementPaths(xml);
    const missing = [...elementPaths(moto("elbv2-describe-rules.xml"))].filter((p) => !ours.has(p));
    expect(missing).toEqual([]);
  });
});

describe("a private alias record pointing at shop-alb (Route 53)", () => {
  it("checkout.shop.internal is an alias of shop-alb's DNS name in the tutorial VPC's zone", async () => {
    const route53 = new Route53Client({ region, endpoint: emu.url, credentials, maxAttempts: 1 });
    try {
      const zone = await route53.send(new GetHostedZoneCommand({ Id: "Z0EXAMPLE2SHOP0INTERNAL" }));
      expect(zone.HostedZone?.Config?.PrivateZone).toBe(true);
      expect(zone.VPCs?.map((v) => v.VPCId)).toEqual(["vpc-0b1e2c3d4e5f60718"]);
      const out = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: "Z0EXAMPLE2SHOP0INTERNAL",
          StartRecordName: "checkout.shop.internal",
          StartRecordType: "A",
          MaxItems: 1,
        }),
      );
      expect(out.ResourceRecordSets).toEqual([
        {
          Name: "checkout.shop.internal.",
          Type: "A",
          AliasTarget: {
            HostedZoneId: "Z14GRHDCWA56QT",
            DNSName: "internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com.",
            EvaluateTargetHealth: true,
          },
        },
      ]);
      expect(out.IsTruncated).toBe(false);
      const all = await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: "Z0EXAMPLE2SHOP0INTERNAL", MaxItems: 2 }),
      );
      // Route 53's order: names with their labels reversed, so the apex's NS and SOA come first.
      expect(all.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual([
        "shop.internal. NS",
        "shop.internal. SOA",
      ]);
      expect(all).toMatchObject({
        IsTruncated: true,
        NextRecordName: "checkout.shop.internal.",
        NextRecordType: "A",
      });
      expect(all.ResourceRecordSets?.[0]?.ResourceRecords).toHaveLength(4);
    } finally {
      route53.destroy();
    }
  });
});

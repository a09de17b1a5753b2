import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { balancerDatapoints } from "../../emulator/cloudwatch/balancer-model.ts";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext, Gaps } from "../../src/commands/reads/aws-context.ts";
import { measure } from "../../src/commands/reads/traffic-reads.ts";
import { traffic } from "../../src/commands/traffic.ts";
import type { BalancedGroup } from "../../src/domain/traffic/balancer.ts";
import { parseWindow, type TrafficWindow } from "../../src/domain/traffic/window.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { trafficDocument } from "../../src/render/traffic-document.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// /ecs traffic of a service behind a load balancer: the demo's checkout (no Service Connect) in
// target group checkout-tg of internal ALB shop-alb, one of its three targets failing.

const NOW = Date.parse("2026-11-23T16:00:30Z");
const END = Math.floor(NOW / 60_000) * 60;
const TG = "targetgroup/checkout-tg/3f2a1b0c9d8e7f60";
const LB = "app/shop-alb/8e4d7c2b1a0f9e35";
const aws = useEmulatorPerFile({ options: { now: () => NOW } });
const ctx = () => awsContext("ap-northeast-1");
const WINDOW_1H = parseWindow("1h") as TrafficWindow;

/** The emulator's own figure of one ALB series over the last hour (its 1-minute points). */
function lastHour(metricName: string, stat: "Sum" | "Maximum", dims: Record<string, string>) {
  const points = balancerDatapoints(
    loadDemoFleet(),
    {
      namespace: "AWS/ApplicationELB",
      metricName,
      dimensions: dims,
      period: 60,
      stat: { kind: stat },
    },
    END - 3600,
    END,
    END,
  );
  return stat === "Sum" ? points.values.reduce((a, v) => a + v, 0) : Math.max(...points.values);
}

interface Body {
  MetricDataQueries: {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: {
        Namespace: string;
        MetricName: string;
        Dimensions: { Name: string; Value: string }[];
      };
      Stat: string;
    };
  }[];
}

/** Runs `fn` against an emulator of `fleet` in place of the demo's, and puts the demo's back. */
async function withEmulator(
  fleet: Fleet,
  options: { metricsPerCallMax?: number },
  fn: () => Promise<void>,
): Promise<void> {
  await aws.stop();
  await aws.start({ fleet, options });
  try {
    await fn();
  } finally {
    await aws.stop();
    await aws.start();
  }
}

const ask = async (text: string) =>
  renderText(trafficDocument(await traffic(ctx, text, new Date(NOW))));

describe("/ecs traffic of a service behind a load balancer", () => {
  it("shows checkout's traffic as shop-alb measured it, said to be the balancer's alone, with its figures in ms", async () => {
    const text = await ask("checkout");
    const requests = lastHour("RequestCount", "Sum", { TargetGroup: TG, LoadBalancer: LB });
    const errors = lastHour("HTTPCode_Target_5XX_Count", "Sum", {
      TargetGroup: TG,
      LoadBalancer: LB,
    });

    expect(text).toContain(
      `tutorial/checkout via shop-alb (ALB): ${requests.toLocaleString("en-US")} requests, target 5xx ${((errors / requests) * 100).toFixed(2)}%`,
    );
    expect(text).toContain("this traffic is its load balancer's alone");
    expect(text).not.toContain("No Service Connect metrics");
    expect(text).toContain("Measured by shop-alb (ALB), target group checkout-tg, last 1h");
    expect(text).toContain(`Target 5xx ${errors.toLocaleString("en-US")}, `);
    // TargetResponseTime is in seconds: shown as ms (the emulator's p99 is about 180 ms).
    expect(text).toMatch(/Response time p99 1[6-9]\d ms/);
    expect(text).toMatch(/Response time avg 4\d ms/);
    expect(text).toContain("ELB 5xx (whole balancer)");
    expect(text).toContain("counted per load balancer, not per target group");
    expect(text).toContain("Targets: at most 1 unhealthy at once, at least 2 healthy");
    expect(text).toContain("see /ecs health tutorial/checkout");
  });

  it("finds the target group's balancer by SEARCH on its TargetGroup dimension (its ARN's suffix), with AWS's statistics, never DescribeTargetGroups", async () => {
    await ask("checkout");

    expect(aws.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBeUndefined();
    const expressions = aws.emulator.requests
      .filter((r) => r.operation === "GetMetricData")
      .flatMap((r) => (r.body as Body).MetricDataQueries.map((q) => q.Expression ?? "MetricStat"));
    // ALB or NLB is not in the target group's ARN: both namespaces are searched, in parallel.
    expect(expressions.sort()).toEqual(
      [
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HTTPCode_Target_5XX_Count" TargetGroup="${TG}"', 'Sum', 60)`,
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" TargetGroup="${TG}"', 'Minimum', 60)`,
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="RequestCount" TargetGroup="${TG}"', 'Sum', 60)`,
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="TargetResponseTime" TargetGroup="${TG}"', 'Average', 60)`,
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="TargetResponseTime" TargetGroup="${TG}"', 'p99', 60)`,
        `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="UnHealthyHostCount" TargetGroup="${TG}"', 'Maximum', 60)`,
        `SEARCH('{AWS/NetworkELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" TargetGroup="${TG}"', 'Minimum', 60)`,
        `SEARCH('{AWS/NetworkELB,LoadBalancer,TargetGroup} MetricName="UnHealthyHostCount" TargetGroup="${TG}"', 'Maximum', 60)`,
        // Counted per balancer only, whose dimension is not known yet: every balancer's, one
        // region-wide search per call (aws-semantics.md, "CloudWatch SEARCH in GetMetricData").
        `SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName="HTTPCode_ELB_5XX_Count"', 'Sum', 60)`,
        `SEARCH('{AWS/NetworkELB,LoadBalancer} MetricName="NewFlowCount"', 'Sum', 60)`,
        `SEARCH('{AWS/NetworkELB,LoadBalancer} MetricName="TCP_Target_Reset_Count"', 'Sum', 60)`,
      ].sort(),
    );
  });

  it("answers the same, from DescribeTargetGroups and its own queries, when CloudWatch cut the searches", async () => {
    const searched = await ask("checkout");
    await withEmulator(loadDemoFleet(), { metricsPerCallMax: 0 }, async () => {
      const cut = await ask("checkout");

      // Every search came back cut (MaxMetricsExceeded): nothing it returned is taken as absent.
      expect(aws.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBe(1);
      expect(cut).toEqual(searched);
      expect(cut).toContain("Measured by shop-alb (ALB), target group checkout-tg, last 1h");
    });
  });

  it("says a target group the searches find no series of, and that no balancer uses, has no balancer traffic: no data, not 0 requests", async () => {
    await withEmulator(detachedGroup(), {}, async () => {
      const text = await ask("checkout");

      // Found nothing is not "0 requests": DescribeTargetGroups says why (no balancer sends to it).
      expect(aws.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBe(1);
      expect(text).not.toMatch(/\b0 requests/);
      expect(text).not.toContain("Measured by");
    });
  });

  it("tells an NLB's target group by the namespace its series are found in", async () => {
    await withEmulator(behindNlb(), {}, async () => {
      const text = await ask("checkout");

      expect(aws.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBeUndefined();
      expect(text).toContain("Measured by shop-nlb (NLB), target group checkout-tg, last 1h");
      expect(text).not.toContain("shop-alb");
    });
  });

  it("says the balancer's figures are unknown, never zero, when GetMetricData is denied", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData"]);
    const text = await ask("checkout");

    expect(text).toContain("load balancer traffic could not be read (unknown, not zero)");
    expect(text).toContain("Could not be read (see below): unknown, not zero.");
    expect(text).not.toMatch(/\b0 requests/);
    expect(text).toMatch(/could not read the load balancer traffic of checkout-tg \(shop-alb\)/);
  });

  it("says the balancer is unknown when its target group can be neither searched nor described", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData", "ELBv2.DescribeTargetGroups"]);
    const text = await ask("checkout");

    expect(text).toContain(
      "its target groups could not be read, so its load balancer traffic is unknown",
    );
    expect(text).toMatch(/could not read the target groups checkout-tg/);
  });

  it("leaves a service without a load balancer as it was: no balancer read, no balancer section", async () => {
    const text = await ask("nginx.service-connect");

    expect(text).not.toContain("Measured by");
    expect(aws.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBeUndefined();
    expect(aws.emulator.stats().calls["CloudWatch.GetMetricData"]).toBe(1);
  });
});

const SHOP_ALB = "loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35";

/** The demo fleet with checkout-tg attached to no balancer (it then publishes no metric). */
function detachedGroup(): Fleet {
  const fleet = loadDemoFleet();
  for (const g of fleet.targetGroups ?? []) g.LoadBalancerArns = [];
  return fleet;
}

/** The demo fleet with checkout-tg behind an NLB, shop-nlb, instead. */
function behindNlb(): Fleet {
  const fleet = loadDemoFleet();
  for (const g of fleet.targetGroups ?? [])
    g.LoadBalancerArns = (g.LoadBalancerArns ?? []).map((a) =>
      a.replace(SHOP_ALB, "loadbalancer/net/shop-nlb/5c6d7e8f9a0b1c2d"),
    );
  return fleet;
}

/** The demo fleet with nginx (Service Connect) registered in checkout-tg as well. */
function nginxBehindAlb(): Fleet {
  const fleet = loadDemoFleet();
  const nginx = fleet.services.find((s) => s.serviceName === "service-connect-nginx-service");
  const checkout = fleet.services.find((s) => s.serviceName === "checkout");
  if (nginx && checkout) nginx.loadBalancers = checkout.loadBalancers;
  return fleet;
}

describe("/ecs traffic of a Service Connect service behind a load balancer", () => {
  let slow: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    await aws.stop();
  });
  afterAll(async () => {
    await aws.start();
  });

  it("shows both, each labelled with who measured it, the balancer's read beside Service Connect's", async () => {
    slow = await useEmulatedAws(undefined, ROUND_TRIP_MS, { now: () => NOW });
    await traffic(ctx, "nginx.service-connect", new Date(NOW));
    const alone = slow.emulator.stats().sequentialRoundTrips;
    await slow.stop();

    slow = await useEmulatedAws(nginxBehindAlb(), ROUND_TRIP_MS, { now: () => NOW });
    try {
      const doc = trafficDocument(await traffic(ctx, "nginx.service-connect", new Date(NOW)));
      const text = renderText(doc);
      // The balancer's metrics go out beside Service Connect's, never after them, and no
      // DescribeTargetGroups before them: SEARCH by TargetGroup finds its LoadBalancer dimension.
      expect(slow.emulator.stats().sequentialRoundTrips).toBeLessThanOrEqual(alone);
      expect(slow.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBeUndefined();
      expect(text).toContain("Service Connect traffic of tutorial/service-connect-nginx-service");
      expect(text).toContain("Measured by shop-alb (ALB), target group checkout-tg");
      // Service Connect's next check reads its own figures: the balancer's concern is said too.
      expect(text).toContain("Next: Targets: up to 1 unhealthy and 1.");
      // The first view's facts say which figures are the balancer's.
      expect((doc.glance?.facts ?? []).map(plain).join("\n")).toMatch(
        /Measured by shop-alb \(ALB\): [\d,]+ requests, target 5xx 1\.\d\d%, p99 1\d\d ms/,
      );
      await slow.stop();

      // The same answer, word for word, as DescribeTargetGroups and one query per metric give
      // (every search cut by MaxMetricsExceeded falls back to them): who measured what unchanged.
      slow = await useEmulatedAws(nginxBehindAlb(), 0, { now: () => NOW, metricsPerCallMax: 0 });
      const described = renderText(
        trafficDocument(await traffic(ctx, "nginx.service-connect", new Date(NOW))),
      );
      expect(slow.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBe(1);
      expect(described).toEqual(text);
    } finally {
      await slow.stop();
    }
  });
});

describe("measure with a service's target groups (for reads that have not searched ahead)", () => {
  const target = {
    name: "nginx.service-connect:80",
    discoveryName: "nginx",
    publisher: { service: "service-connect-nginx-service", cluster: "tutorial" },
    appProtocol: "http",
    candidates: [{ service: "web-frontend", cluster: "tutorial" }],
  };
  const group: BalancedGroup = {
    targetGroup: "checkout-tg",
    targetGroupDimension: TG,
    loadBalancer: "shop-alb",
    loadBalancerDimension: LB,
    type: "application",
  };

  it("reads Service Connect's and the balancer's metrics in the same GetMetricData call", async () => {
    const gaps = new Gaps();
    const report = await measure(ctx(), gaps, target, WINDOW_1H, new Date(NOW), [group]);

    const calls = aws.emulator.requests.filter((r) => r.operation === "GetMetricData");
    expect(calls).toHaveLength(1);
    const body = calls[0]?.body as Body;
    const namespaces = body.MetricDataQueries.map((q) => q.MetricStat?.Metric.Namespace);
    expect(new Set(namespaces)).toEqual(new Set(["AWS/ECS", "AWS/ApplicationELB"]));
    expect(report?.balancers?.[0]?.status).toBe("read");
    expect(report?.balancers?.[0]?.requests?.current).toBeGreaterThan(0);
  });

  it("leaves both unknown, in one gap naming both, when that call is denied", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData"]);
    const gaps = new Gaps();
    const report = await measure(ctx(), gaps, target, WINDOW_1H, new Date(NOW), [group]);

    expect(report).toBeUndefined();
    expect(gaps.list.map((g) => g.what).join("\n")).toContain(
      "the Service Connect and load balancer traffic of nginx, checkout-tg (shop-alb)",
    );
  });
});

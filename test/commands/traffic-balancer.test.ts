import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balancerDatapoints } from "../../emulator/cloudwatch/balancer-model.ts";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext, clearSharedCache, Gaps } from "../../src/commands/reads/aws-context.ts";
import { measure } from "../../src/commands/reads/traffic-reads.ts";
import { traffic } from "../../src/commands/traffic.ts";
import type { BalancedGroup } from "../../src/domain/traffic/balancer.ts";
import { parseWindow, type TrafficWindow } from "../../src/domain/traffic/window.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { trafficDocument } from "../../src/render/traffic-document.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";

// /ecs traffic of a service behind a load balancer: the demo's checkout (no Service Connect) in
// target group checkout-tg of internal ALB shop-alb, one of its three targets failing.

const NOW = Date.parse("2026-11-23T16:00:30Z");
const END = Math.floor(NOW / 60_000) * 60;
const TG = "targetgroup/checkout-tg/3f2a1b0c9d8e7f60";
const LB = "app/shop-alb/8e4d7c2b1a0f9e35";
let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
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

beforeAll(async () => {
  aws = await useEmulatedAws(undefined, 0, { now: () => NOW });
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
  aws.emulator.setDenied([]);
  aws.emulator.requests.length = 0;
});

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

  it("reads the target group's metrics by its ARN suffixes, with AWS's statistics, in one GetMetricData call", async () => {
    await ask("checkout");

    const calls = aws.emulator.requests.filter((r) => r.operation === "GetMetricData");
    expect(calls).toHaveLength(1);
    const body = calls[0]?.body as Body;
    const queries = body.MetricDataQueries.map((q) => {
      const m = q.MetricStat;
      const dims = Object.fromEntries((m?.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      return `${m?.Metric.Namespace} ${m?.Metric.MetricName} ${m?.Stat} ${dims.TargetGroup ?? "-"} ${dims.LoadBalancer}`;
    });
    expect(queries.sort()).toEqual(
      [
        `AWS/ApplicationELB HTTPCode_ELB_5XX_Count Sum - ${LB}`,
        `AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum ${TG} ${LB}`,
        `AWS/ApplicationELB HealthyHostCount Minimum ${TG} ${LB}`,
        `AWS/ApplicationELB RequestCount Sum ${TG} ${LB}`,
        `AWS/ApplicationELB TargetResponseTime Average ${TG} ${LB}`,
        `AWS/ApplicationELB TargetResponseTime p99 ${TG} ${LB}`,
        `AWS/ApplicationELB UnHealthyHostCount Maximum ${TG} ${LB}`,
      ].sort(),
    );
  });

  it("says the balancer's figures are unknown, never zero, when GetMetricData is denied", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData"]);
    const text = await ask("checkout");

    expect(text).toContain("load balancer traffic could not be read (unknown, not zero)");
    expect(text).toContain("Could not be read (see below): unknown, not zero.");
    expect(text).not.toMatch(/\b0 requests/);
    expect(text).toMatch(/could not read the load balancer traffic of checkout-tg \(shop-alb\)/);
  });

  it("says the balancer is unknown when its target group cannot be described", async () => {
    aws.emulator.setDenied(["ELBv2.DescribeTargetGroups"]);
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
    aws = await useEmulatedAws(undefined, 0, { now: () => NOW });
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
      // The balancer's metrics go out beside Service Connect's, never after them; the one round
      // trip more is DescribeTargetGroups, whose LoadBalancer dimension no ECS answer holds.
      expect(slow.emulator.stats().sequentialRoundTrips).toBeLessThanOrEqual(alone + 1);
      expect(slow.emulator.stats().calls["ELBv2.DescribeTargetGroups"]).toBe(1);
      expect(text).toContain("Service Connect traffic of tutorial/service-connect-nginx-service");
      expect(text).toContain("Measured by shop-alb (ALB), target group checkout-tg");
      // Service Connect's next check reads its own figures: the balancer's concern is said too.
      expect(text).toContain("Next: Targets: up to 1 unhealthy and 1.");
      // The first view's facts say which figures are the balancer's.
      expect((doc.glance?.facts ?? []).map(plain).join("\n")).toMatch(
        /Measured by shop-alb \(ALB\): [\d,]+ requests, target 5xx 1\.\d\d%, p99 1\d\d ms/,
      );
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

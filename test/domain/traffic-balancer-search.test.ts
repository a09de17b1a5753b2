import { describe, expect, it } from "vitest";
import type { SeriesById } from "../../src/domain/metrics.ts";
import {
  attachedAtEnd,
  balancerSearches,
  foundGroup,
  hostQueries,
} from "../../src/domain/traffic/balancer.ts";
import { parseWindow, type TrafficWindow } from "../../src/domain/traffic/window.ts";

// Finding a service's target groups' balancers by CloudWatch SEARCH instead of
// DescribeTargetGroups: what is searched, and when a balancer found is still the group's.

const TG = "targetgroup/checkout-tg/3f2a1b0c9d8e7f60";
const END = new Date("2026-11-23T16:00:00Z");
const W1H = parseWindow("1h") as TrafficWindow;
const W7D = parseWindow("7d") as TrafficWindow;
const at = (minutesBeforeEnd: number) => new Date(END.getTime() - minutesBeforeEnd * 60_000);
const hosts = (...minutesBeforeEnd: number[]): SeriesById =>
  new Map([
    ["lb0healthy", { points: minutesBeforeEnd.map((m) => ({ at: at(m), value: 2 })) }],
    ["lb0unhealthy", { points: [] }],
  ]);

describe("the searches that find a target group's balancer", () => {
  it("searches both ALB and NLB per group (its ARN does not say which), and each per-balancer metric region-wide", () => {
    const { byGroup, regionWide } = balancerSearches([TG], W1H);

    expect(new Set(byGroup.map((s) => s.namespace))).toEqual(
      new Set(["AWS/ApplicationELB", "AWS/NetworkELB"]),
    );
    expect(byGroup.every((s) => s.filter.TargetGroup === TG)).toBe(true);
    expect(byGroup.every((s) => s.dimensionNames.join() === "LoadBalancer,TargetGroup")).toBe(true);
    expect(regionWide.map((s) => `${s.namespace} ${s.metricName}`).sort()).toEqual([
      "AWS/ApplicationELB HTTPCode_ELB_5XX_Count",
      "AWS/NetworkELB NewFlowCount",
      "AWS/NetworkELB TCP_Target_Reset_Count",
    ]);
    expect(regionWide.every((s) => Object.keys(s.filter).length === 0)).toBe(true);
    const ids = [...byGroup, ...regionWide].map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^[a-z][a-zA-Z0-9_]*$/.test(id))).toBe(true);
  });

  it("names a group found by its dimensions as DescribeTargetGroups would", () => {
    expect(foundGroup("application", TG, "app/shop-alb/8e4d7c2b1a0f9e35")).toEqual({
      targetGroup: "checkout-tg",
      targetGroupDimension: TG,
      loadBalancer: "shop-alb",
      loadBalancerDimension: "app/shop-alb/8e4d7c2b1a0f9e35",
      type: "application",
    });
    const g = foundGroup("network", TG, "net/shop-nlb/5c6d7e8f9a0b1c2d");
    expect(hostQueries(g, W1H).map((q) => q.metricName)).toEqual([
      "UnHealthyHostCount",
      "HealthyHostCount",
    ]);
  });
});

describe("whether a balancer found is still the group's", () => {
  it("is, with a host count in the last five minutes", () => {
    expect(attachedAtEnd(hosts(50, 3), END, W1H)).toBe(true);
  });

  it("is not, when its host counts stopped earlier in the window: the group has left it", () => {
    expect(attachedAtEnd(hosts(50, 40, 10), END, W1H)).toBe(false);
  });

  it("is not, with no host count at all, or nothing searched (unknown, so described instead)", () => {
    expect(attachedAtEnd(hosts(), END, W1H)).toBe(false);
    expect(attachedAtEnd(undefined, END, W1H)).toBe(false);
  });

  it("allows the window's last period when it is longer than five minutes (7d: hourly points)", () => {
    expect(attachedAtEnd(hosts(60), END, W7D)).toBe(true);
    expect(attachedAtEnd(hosts(61), END, W7D)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import type { TrafficAnswer } from "../../src/domain/answer.ts";
import type { BalancedGroup, BalancerTraffic } from "../../src/domain/traffic/balancer.ts";
import { parseWindow, type TrafficWindow } from "../../src/domain/traffic/window.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { trafficDocument } from "../../src/render/traffic-document.ts";

// What a user reads of a balancer's figures: who measured them, and nothing unknown shown as zero.

const WINDOW = parseWindow("1h") as TrafficWindow;
const alb: BalancedGroup = {
  targetGroup: "checkout-tg",
  targetGroupDimension: "targetgroup/checkout-tg/1",
  loadBalancer: "shop-alb",
  loadBalancerDimension: "app/shop-alb/2",
  type: "application",
};
const nlb: BalancedGroup = {
  ...alb,
  targetGroup: "ledger-tg",
  loadBalancer: "edge-nlb",
  loadBalancerDimension: "net/edge-nlb/3",
  type: "network",
};

const answerOf = (balancers: BalancerTraffic[]): TrafficAnswer => ({
  kind: "found",
  query: "checkout",
  window: WINDOW,
  results: [{ kind: "balancer", service: "tutorial/checkout", balancers }],
  gaps: [],
});

describe("a balancer's traffic", () => {
  it("says no request reached the target group, not 'steady', when the ALB counted none", () => {
    const doc = trafficDocument(
      answerOf([
        {
          group: alb,
          window: WINDOW,
          status: "read",
          requests: { current: 0, previous: 0 },
          target5xx: { current: 0, previous: 0 },
          elb5xx: { current: 0, previous: 0 },
          errorRate: {},
          averageMs: {},
          p99Ms: {},
          unhealthyMax: 0,
          healthyMin: 3,
        },
      ]),
    );
    const text = renderText(doc);

    expect(plain(doc.glance?.headline ?? [])).toBe(
      "tutorial/checkout via shop-alb (ALB): no request reached target group checkout-tg in the last 1h",
    );
    expect(text).toContain("No request reached checkout-tg through shop-alb");
    expect(text).not.toContain("looks steady");
  });

  it("shows an NLB's host counts and its whole-balancer flows, labelled as the balancer's", () => {
    const text = renderText(
      trafficDocument(
        answerOf([
          {
            group: nlb,
            window: WINDOW,
            status: "read",
            unhealthyMax: 1,
            healthyMin: 2,
            newFlows: { current: 1200, previous: 1000 },
            targetResets: { current: 4, previous: 0 },
          },
        ]),
      ),
    );

    expect(text).toContain("Measured by edge-nlb (NLB), target group ledger-tg, last 1h");
    expect(text).toContain("New flows (whole balancer) 1,200 (Δ +20%)");
    expect(text).toContain("Targets: at most 1 unhealthy at once, at least 2 healthy");
    expect(text).toContain("counted per load balancer, not per target group");
  });

  it("says an unread balancer is unknown beside an unread Service Connect call", () => {
    const text = renderText(
      trafficDocument({
        kind: "found",
        query: "nginx.service-connect",
        window: WINDOW,
        results: [
          {
            kind: "unread",
            target: {
              name: "nginx.service-connect:80",
              discoveryName: "nginx",
              publisher: { service: "nginx", cluster: "tutorial" },
              candidates: [],
            },
            balancers: [{ group: alb, window: WINDOW, status: "unread" }],
          },
        ],
        gaps: [],
      }),
    );

    expect(text).toContain("Measured by shop-alb (ALB), target group checkout-tg");
    expect(text).toContain("Could not be read (see below): unknown, not zero.");
  });
});

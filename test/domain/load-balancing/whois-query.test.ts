import { describe, expect, it } from "vitest";
import { balancerQuery } from "../../../src/domain/load-balancing/whois.ts";

describe("what a whois input may name in Elastic Load Balancing", () => {
  it.each([
    ["internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com", "dns-name"],
    ["dualstack.web-alb-123.us-east-1.elb.amazonaws.com", "dns-name"],
    ["orders-nlb-0123456789abcdef.elb.ap-northeast-1.amazonaws.com", "dns-name"],
    ["INTERNAL-SHOP-ALB-1908642753.AP-NORTHEAST-1.ELB.AMAZONAWS.COM.", "dns-name"],
    [
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/shop-alb/8e4d7c2b1a0f9e35",
      "balancer-arn",
    ],
    [
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-tg/0123456789abcdef",
      "target-group-arn",
    ],
    ["shop-alb", "name"],
    ["checkout.shop.internal", "alias"],
  ])("%s may name a %s", (input, kind) => {
    expect(balancerQuery(input)?.kind).toBe(kind);
  });

  it.each(["-shop", "shop-", "a".repeat(33), "svc_name", "cluster/service", "arn:aws:ecs:x"])(
    "%s names no balancer or target group",
    (input) => {
      expect(balancerQuery(input)).toBeUndefined();
    },
  );
});

// Property: whois of a load balancer names a target group's ECS services truthfully, however they
// are found. Over variations of the demo fleet (the targets' interfaces tagged or not, the service
// behind the group still naming it or not, another service naming it too), the services named are
// always services whose describe-services `loadBalancers` list the group (an interface's ECS tag
// is a lead, never proof), the owner of the registered targets is always among them, and where
// nothing on the targets names a service, the region's listing makes the list exact.
//
// Replaying: npm run test:props -- --seed S --path P --test "names" test/properties/balancer-owners.test.ts

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { EniTags, Fleet } from "../../emulator/fleet/types.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { PROPERTY_TIMEOUT, propsParameters } from "./support.ts";

const DNS = "internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com";
const GROUP =
  "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/checkout-tg/3f2a1b0c9d8e7f60";

interface Variation {
  eniTags: EniTags;
  checkoutNamesGroup: boolean;
  webFrontendNamesGroup: boolean;
}

const variation = fc.record({
  eniTags: fc.constantFrom<EniTags>("none", "cluster", "cluster-and-service"),
  checkoutNamesGroup: fc.boolean(),
  webFrontendNamesGroup: fc.boolean(),
});

function fleetOf(v: Variation): Fleet {
  const fleet = loadDemoFleet();
  fleet.eniTags = v.eniTags;
  for (const s of fleet.services) {
    const cluster = s.clusterArn?.split("/").at(-1);
    if (cluster !== "tutorial") continue;
    if (s.serviceName === "checkout" && !v.checkoutNamesGroup) s.loadBalancers = [];
    if (s.serviceName === "web-frontend" && v.webFrontendNamesGroup) {
      s.loadBalancers = [{ targetGroupArn: GROUP, containerName: "web", containerPort: 80 }];
    }
  }
  return fleet;
}

/** The fleet's own truth: the services whose loadBalancers list the group. */
function naming(fleet: Fleet): string[] {
  return fleet.services
    .filter((s) => (s.loadBalancers ?? []).some((lb) => lb.targetGroupArn === GROUP))
    .map((s) => `${s.clusterArn?.split("/").at(-1)}/${s.serviceName}`)
    .sort();
}

/** The services the answer names for checkout-tg ("ECS services: a, b"); [] for "none". */
function named(text: string): string[] {
  const line = text.split("\n").find((l) => l.includes("ECS services"));
  if (!line || /none registers/.test(line)) return [];
  return (line.split(":")[1] ?? "")
    .split(",")
    .map((s) => s.trim().replace(/\s*\(.*$/, ""))
    .filter(Boolean)
    .sort();
}

describe("whois of a load balancer, over variations of who names its target group", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });

  it(
    "names only services that list the group, always the targets' owner, exactly when nothing on the targets names one",
    async () => {
      await fc.assert(
        fc.asyncProperty(variation, async (v) => {
          const fleet = fleetOf(v);
          aws.emulator.setFleet(fleet);
          clearSharedCache();
          const { doc } = await runEcsCommand(`whois ${DNS}`, () => awsContext("ap-northeast-1"));
          const text = renderText(doc);
          const truth = naming(fleet);
          const said = named(text);

          for (const service of said) expect(truth).toContain(service);
          if (v.checkoutNamesGroup) expect(said).toContain("tutorial/checkout");
          if (v.eniTags !== "cluster-and-service") expect(said).toEqual(truth);
          if (said.length === 0) expect(text.split("\n")[0]).toContain("no ECS service");
        }),
        propsParameters(8),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

// `/ecs whois` of a target group of INSTANCE targets (issue 24 items 1 and 2): legacy/storefront
// runs in bridge mode behind shop-alb's storefront-tg, whose targets are EC2 instance IDs with
// dynamic host ports; the one failing, i-0a1b2c3d4e5f60718:32769, is the second task on that
// instance. Its services come from the region's listing; their tasks name the targets.

import { describe, expect, it } from "vitest";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import {
  bridgeFleet,
  FAILING_BRIDGE_TARGET,
  FAILING_BRIDGE_TASK,
} from "../support/bridge-fleet.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

const aws = useEmulatorPerFile({ fleet: bridgeFleet });
const short = FAILING_BRIDGE_TASK.slice(0, 12);
const calls = (operation: string) =>
  aws.emulator.requests.filter((r) => r.operation === operation).length;

async function whois(name: string) {
  const { doc } = await runEcsCommand(`whois ${name}`, () => awsContext("ap-northeast-1"));
  return { doc, text: renderText(doc), headline: plain(doc.glance?.headline ?? []) };
}

/**
 * The bridge fleet in host mode: one task per instance (8d4b… on i-0a1b…, failing; 9e5c… on
 * i-0b2c…), each on port 80, whose containers ECS reports without network bindings.
 */
function hostModeFleet(): Fleet {
  const fleet = bridgeFleet();
  for (const td of fleet.taskDefinitions) {
    if (td.family !== "storefront") continue;
    td.networkMode = "host";
    for (const c of td.containerDefinitions ?? []) {
      for (const p of c.portMappings ?? []) p.hostPort = p.containerPort;
    }
  }
  fleet.tasks = fleet.tasks.filter((t) => !t.taskArn.endsWith("7c3a4b5c6d7e4f8091a2b3c4d5e6f701"));
  for (const t of fleet.tasks) {
    if (t.group !== "service:storefront") continue;
    for (const c of t.containers ?? []) c.networkBindings = [];
  }
  fleet.targetHealth = (fleet.targetHealth ?? []).filter(
    (h) => !(h.Target?.Id === "i-0a1b2c3d4e5f60718" && h.Target.Port === 32768),
  );
  for (const h of fleet.targetHealth) {
    if (!h.Target?.Id?.startsWith("i-")) continue;
    h.Target.Port = 80;
    h.HealthCheckPort = "80";
  }
  return fleet;
}

/** The lines of the section of storefront-tg. */
const groupSection = (text: string) =>
  text.split("Target group storefront-tg:\n")[1]?.split("\n\n")[0] ?? "";

describe("whois of a target group of instance targets (bridge mode)", () => {
  it("names legacy/storefront and the task of each instance:port target, the failing one first", async () => {
    const { headline, text } = await whois("storefront-tg");
    const section = groupSection(text);

    expect(headline).toBe(
      "shop-alb (internal ALB) → storefront-tg → legacy/storefront: 1 of 3 targets failing (Target.ResponseCodeMismatch)",
    );
    expect(section).toContain("instance targets");
    expect(section).toContain("ECS services: legacy/storefront");
    expect(section).toMatch(
      new RegExp(
        `✖ ${FAILING_BRIDGE_TARGET} \\(task ${short}\\) unhealthy Target\\.ResponseCodeMismatch`,
      ),
    );
    expect(section).toMatch(/✔ i-0a1b2c3d4e5f60718:32768 \(task 7c3a4b5c6d7e\) healthy/);
    expect(section).toMatch(/✔ i-0b2c3d4e5f6071829:32768 \(task 9e5c6d7e8f90\) healthy/);
    expect(section).not.toMatch(/Target\.NotRegistered|instance unknown/);
    expect(text).not.toContain("partial");
  });

  it("names the tasks of the instance group in a whois of the whole balancer, beside checkout-tg's", async () => {
    const { text } = await whois("shop-alb");

    expect(groupSection(text)).toMatch(
      new RegExp(`✖ ${FAILING_BRIDGE_TARGET} \\(task ${short}\\)`),
    );
    expect(text).toContain(
      "✖ 10.0.3.62:8080 (task c3d2e5a7b9f1) unhealthy Target.ResponseCodeMismatch",
    );
  });

  it("respects the service's grace period: a target failing since its task started 20 s ago is waited for, not failing", async () => {
    const fleet = bridgeFleet();
    for (const t of fleet.tasks) {
      if (t.taskArn?.endsWith(FAILING_BRIDGE_TASK))
        t.startedAt = new Date(Date.now() - 20_000).toISOString();
    }
    aws.emulator.setFleet(fleet);
    try {
      const { headline, text } = await whois("storefront-tg");

      expect(headline).toBe(
        "shop-alb (internal ALB) → storefront-tg → legacy/storefront: 2 of 3 targets healthy, 1 starting",
      );
      expect(groupSection(text)).toMatch(
        /Next: Wait: ECS ignores this until .*\(grace period 60 s\)/,
      );
    } finally {
      aws.emulator.setFleet(bridgeFleet());
    }
  });

  it("in host mode, where ECS reported no port binding, matches each target by the task definition's port", async () => {
    aws.emulator.setFleet(hostModeFleet());
    try {
      const { text } = await whois("storefront-tg");
      const section = groupSection(text);

      expect(section).toMatch(
        new RegExp(
          `✖ i-0a1b2c3d4e5f60718:80 \\(task ${short}\\) unhealthy Target\\.ResponseCodeMismatch`,
        ),
      );
      expect(section).toMatch(/✔ i-0b2c3d4e5f6071829:80 \(task 9e5c6d7e8f90\) healthy/);
      expect(section).not.toMatch(/Target\.NotRegistered|Which task/);
      expect(calls("DescribeTaskDefinition")).toBe(1);
    } finally {
      aws.emulator.setFleet(bridgeFleet());
    }
  });

  it("names no task when ECS no longer describes a task's container instance, and says why", async () => {
    const fleet = bridgeFleet();
    fleet.containerInstances = (fleet.containerInstances ?? []).filter(
      (ci) => ci.ec2InstanceId !== "i-0b2c3d4e5f6071829",
    );
    aws.emulator.setFleet(fleet);
    try {
      const section = groupSection((await whois("storefront-tg")).text);

      expect(section).not.toContain("(task ");
      expect(section).toMatch(
        /Which task each target is: unknown \(ECS did not describe its container instance/,
      );
    } finally {
      aws.emulator.setFleet(bridgeFleet());
    }
  });

  it("reads no task of a group more than 10 services register in, and says so", async () => {
    const fleet = bridgeFleet();
    const storefront = fleet.services.find((s) => s.serviceName === "storefront");
    for (let i = 1; i <= 10 && storefront; i++) {
      fleet.services.push({
        ...storefront,
        serviceName: `storefront-${i}`,
        serviceArn: `${storefront.serviceArn}-${i}`,
      });
    }
    aws.emulator.setFleet(fleet);
    try {
      const section = groupSection((await whois("storefront-tg")).text);

      expect(section).toMatch(/ECS services: legacy\/storefront, .*legacy\/storefront-10/);
      expect(section).not.toContain("(task ");
      expect(section).toContain(
        "Which task each target is: unknown (11 services register in it: tasks not read).",
      );
      expect(calls("DescribeContainerInstances")).toBe(0);
    } finally {
      aws.emulator.setFleet(bridgeFleet());
    }
  });

  it("reads the container instances of the group's tasks in one call", async () => {
    await whois("storefront-tg");

    expect(calls("DescribeContainerInstances")).toBe(1);
  });

  it("with container instances denied: no task named for a target, and the answer says what it could not read", async () => {
    aws.emulator.setDenied(["DescribeContainerInstances"]);
    const { doc, text } = await whois("storefront-tg");
    const section = groupSection(text);

    expect(plain(doc.glance?.headline ?? [])).toBe(
      "shop-alb (internal ALB) → storefront-tg → legacy/storefront: 1 of 3 targets failing (Target.ResponseCodeMismatch)",
    );
    expect(doc.summary).toMatch(/partial/);
    expect(section).not.toContain("(task ");
    expect(section).toMatch(new RegExp(`✖ ${FAILING_BRIDGE_TARGET} unhealthy`));
    expect(section).not.toMatch(/Target\.NotRegistered|instance unknown/);
    expect(section).toMatch(/Which task each target is: unknown \(.*DescribeContainerInstances/);
    expect(text).toMatch(/could not read the container instances of storefront-tg/);
  });

  it("with the service's tasks denied: no task named, and the answer says so", async () => {
    aws.emulator.setDenied(["DescribeTasks"]);
    const { doc, text } = await whois("storefront-tg");
    const section = groupSection(text);

    expect(doc.summary).toMatch(/partial/);
    expect(section).not.toContain("(task ");
    expect(section).toMatch(/Which task each target is: unknown/);
    expect(text).toMatch(/could not read the tasks of legacy\/storefront/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import type { Fleet } from "../../../emulator/fleet/types.ts";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../../src/commands/reads/digest-of-scope.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// Issue 24 item 5: a digest judges target health as /ecs health does, and a scope of many
// services behind target groups costs one DescribeTargetGroups per 20 groups and one
// DescribeTargetHealth per group: never one call per task, never one per service for groups.

const BEHIND = 45;

/** A generated fleet whose first BEHIND services each sit behind their own target group. */
function fleetBehindBalancers(): { fleet: Fleet; failing: string } {
  const fleet = generateFleet({ services: 60, clusters: 6, namespaces: 2 });
  fleet.targetGroups = [];
  fleet.targetHealth = [];
  const behind = fleet.services.slice(0, BEHIND);
  for (const [i, service] of behind.entries()) {
    const name = `${service.serviceName}-tg`.slice(0, 32);
    const arn = `arn:aws:elasticloadbalancing:${fleet.region}:${fleet.accountId}:targetgroup/${name}/${String(i).padStart(16, "0")}`;
    service.loadBalancers = [
      { targetGroupArn: arn, containerName: service.serviceName, containerPort: 8080 },
    ];
    fleet.targetGroups.push({
      TargetGroupArn: arn,
      TargetGroupName: name,
      Protocol: "HTTP",
      Port: 8080,
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "traffic-port",
      HealthCheckEnabled: true,
      HealthCheckPath: "/healthz",
      Matcher: { HttpCode: "200" },
      LoadBalancerArns: [],
      TargetType: "ip",
    });
    const tasks = fleet.tasks.filter(
      (t) =>
        t.group === `service:${service.serviceName}` &&
        t.clusterArn === service.clusterArn &&
        t.desiredStatus === "RUNNING",
    );
    for (const [k, task] of tasks.entries()) {
      const ip = task.attachments?.[0]?.details?.find(
        (d) => d.name === "privateIPv4Address",
      )?.value;
      fleet.targetHealth.push({
        TargetGroupArn: arn,
        Target: { Id: ip, Port: 8080 },
        // The first service's first target fails its health check.
        TargetHealth:
          i === 0 && k === 0
            ? {
                State: "unhealthy",
                Reason: "Target.ResponseCodeMismatch",
                Description: "Health checks failed with these codes: [503]",
              }
            : { State: "healthy" },
      });
    }
  }
  return { fleet, failing: behind[0]?.serviceName ?? "" };
}

const { fleet, failing } = fleetBehindBalancers();
let aws: Awaited<ReturnType<typeof useEmulatedAws>>;

beforeAll(async () => {
  aws = await useEmulatedAws(fleet);
});
afterAll(async () => {
  await aws.stop();
});

describe("a digest of services behind target groups", () => {
  it("says the service whose target fails is degraded, with the failing check", async () => {
    const { digest } = await makeDigest(
      awsContext("ap-northeast-1"),
      { name: "targets", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );
    const stats = aws.emulator.stats();

    const offender = digest.offenders.find((o) => o.entry.service === failing);
    expect(offender?.level).toBe("degraded");
    expect(offender?.reason).toMatch(/targets of .*-tg unhealthy.*answered 503, matcher 200/);
    expect(digest.counts.unknown).toBe(0);
    // Target groups read ahead 20 to a call; target health once per group; no balancer read
    // (no target is Target.NotInUse).
    expect(stats.calls["ELBv2.DescribeTargetGroups"]).toBeLessThanOrEqual(
      Math.ceil(BEHIND / 20) + 6,
    );
    expect(stats.calls["ELBv2.DescribeTargetHealth"]).toBe(BEHIND);
    expect(stats.calls["ELBv2.DescribeLoadBalancers"] ?? 0).toBe(0);
  });
});

import { DescribeNetworkInterfacesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { generateIncidentFleet } from "../../../emulator/fleet/incidents.ts";
import type { Fleet } from "../../../emulator/fleet/types.ts";
import { startEmulator } from "../../../emulator/server.ts";
import { expectConsistent, taskIp } from "./support.ts";

describe("incident fleets (generateIncidentFleet, for property tests)", () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);

  it("is the same fleet for the same seed, another for another seed", () => {
    expect(JSON.stringify(generateIncidentFleet(7))).toBe(JSON.stringify(generateIncidentFleet(7)));
    expect(JSON.stringify(generateIncidentFleet(7))).not.toBe(
      JSON.stringify(generateIncidentFleet(8)),
    );
  });

  it("keeps what AWS keeps consistent: running counts, Cloud Map instances of running tasks only", () => {
    for (const seed of seeds) expectConsistent(generateIncidentFleet(seed));
  });

  it("has, over a few seeds, every incident the properties ask about", () => {
    const fleets = seeds.map((seed) => generateIncidentFleet(seed));
    const some = (test: (fleet: Fleet) => boolean) => fleets.some(test);
    const reused = (names: string[]) => new Set(names).size < names.length;

    // A service name in two clusters; a discovery name in two namespaces (beyond the demo's api).
    expect(some((f) => reused(f.services.map((s) => s.serviceName)))).toBe(true);
    expect(
      some((f) =>
        f.cloudMapServices.some(
          (s) =>
            s.Name !== "api" &&
            f.cloudMapServices.some((o) => o.Name === s.Name && o.NamespaceId !== s.NamespaceId),
        ),
      ),
    ).toBe(true);
    for (const state of ["UNHEALTHY"]) {
      expect(some((f) => f.tasks.some((t) => t.healthStatus === state))).toBe(true);
    }
    expect(
      some((f) =>
        f.tasks.some(
          (t) => t.lastStatus === "STOPPED" && t.stopCode === "EssentialContainerExited",
        ),
      ),
    ).toBe(true);
    expect(some((f) => f.tasks.some((t) => t.lastStatus === "DEACTIVATING"))).toBe(true);
    expect(some((f) => f.services.some((s) => (s.loadBalancers ?? []).length > 0))).toBe(true);
    // A service with no task running while some are desired.
    expect(
      some((f) =>
        f.services.some(
          (s) =>
            (s.desiredCount ?? 0) > 0 && s.runningCount === 0 && s.clusterArn.includes("prod-"),
        ),
      ),
    ).toBe(true);
  });

  it("puts services behind real balancers: every named target group is described, or deliberately deleted", () => {
    const fleets = seeds.map((seed) => generateIncidentFleet(seed));
    let dangling = 0;
    const reasons = new Set<string>();
    for (const fleet of fleets) {
      const groups = new Map((fleet.targetGroups ?? []).map((g) => [g.TargetGroupArn, g]));
      for (const service of fleet.services) {
        for (const lb of service.loadBalancers ?? []) {
          const group = groups.get(lb.targetGroupArn ?? "");
          if (!group) {
            // A deleted group leaves nothing behind in ELB: no listener forwards to it.
            dangling++;
            expect(JSON.stringify(fleet.listeners ?? [])).not.toContain(lb.targetGroupArn);
            continue;
          }
          for (const arn of group.LoadBalancerArns ?? []) {
            expect(fleet.loadBalancers?.some((b) => b.LoadBalancerArn === arn)).toBe(true);
          }
          // Its targets are exactly the service's running and draining tasks, by IP.
          const targets = (fleet.targetHealth ?? []).filter(
            (h) => h.TargetGroupArn === group.TargetGroupArn,
          );
          const tasks = fleet.tasks.filter(
            (t) =>
              t.clusterArn === service.clusterArn &&
              t.group === `service:${service.serviceName}` &&
              t.lastStatus !== "STOPPED",
          );
          expect(targets.map((h) => h.Target?.Id).sort()).toEqual(
            tasks.map((t) => taskIp(t)).sort(),
          );
          for (const target of targets) {
            const task = tasks.find((t) => taskIp(t) === target.Target?.Id);
            // A zone the balancer does not use is not health-checked: unused, whatever the task.
            if (task?.healthStatus === "UNHEALTHY" && target.TargetHealth?.State !== "unused")
              expect(target.TargetHealth?.State).toBe("unhealthy");
            if (task?.lastStatus === "DEACTIVATING")
              expect(target.TargetHealth?.State).toBe("draining");
            if (target.TargetHealth?.Reason) reasons.add(target.TargetHealth.Reason);
          }
          // A healthy task's target never fails alone: the balancer keeps a healthy target then.
          const checked = targets.filter((h) => {
            const task = tasks.find((t) => taskIp(t) === h.Target?.Id);
            return task?.lastStatus === "RUNNING" && h.TargetHealth?.State !== "unused";
          });
          const healthyTask = checked.some(
            (h) => tasks.find((t) => taskIp(t) === h.Target?.Id)?.healthStatus !== "UNHEALTHY",
          );
          if (healthyTask)
            expect(checked.some((h) => h.TargetHealth?.State === "healthy")).toBe(true);
        }
      }
    }
    expect(dangling).toBeGreaterThan(0);
    expect([...reasons].sort()).toEqual(
      expect.arrayContaining([
        "Target.DeregistrationInProgress",
        "Target.NotInUse",
        "Target.ResponseCodeMismatch",
        "Target.Timeout",
      ]),
    );
  });

  it("serves a draining task's address as its ENI, a stopping task still holding it, and a stopped task's as none", async () => {
    const fleet = seeds
      .map((seed) => generateIncidentFleet(seed))
      .find((f) => f.tasks.some((t) => t.lastStatus === "DEACTIVATING"));
    const draining = fleet?.tasks.find((t) => t.lastStatus === "DEACTIVATING");
    const stopped = fleet?.tasks.find(
      (t) => t.lastStatus === "STOPPED" && t.stopCode === "EssentialContainerExited",
    );
    if (!fleet || !draining) throw new Error("no draining task in the first seeds");
    const emulator = await startEmulator({ fleet });
    try {
      const ec2 = new EC2Client({
        region: fleet.region,
        endpoint: emulator.url,
        credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
      });
      const byAddress = async (address: string | undefined) =>
        (
          await ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: "addresses.private-ip-address", Values: [address ?? ""] }],
            }),
          )
        ).NetworkInterfaces ?? [];

      expect(await byAddress(taskIp(draining))).toHaveLength(1);
      if (stopped) expect(await byAddress(taskIp(stopped))).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});

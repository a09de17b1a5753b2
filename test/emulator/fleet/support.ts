// What the fleet tests share: a task's IP and ID, and the invariants AWS keeps between a fleet's objects.

import { expect } from "vitest";
import type { Fleet, FleetTask } from "../../../emulator/fleet/types.ts";

export function taskIp(task: FleetTask): string | undefined {
  return task.attachments
    ?.find((a) => a.type === "ElasticNetworkInterface")
    ?.details?.find((d) => d.name === "privateIPv4Address")?.value;
}

export function taskId(task: FleetTask): string {
  return task.taskArn.split("/").pop() ?? "";
}

/** The invariants AWS itself keeps between the objects of a fleet. */
export function expectConsistent(fleet: Fleet) {
  for (const service of fleet.services) {
    const running = fleet.tasks.filter(
      (t) =>
        t.clusterArn === service.clusterArn &&
        t.group === `service:${service.serviceName}` &&
        t.lastStatus === "RUNNING",
    );
    expect(running.length, service.serviceName).toBe(service.runningCount);
    expect(
      fleet.taskDefinitions.some((t) => t.taskDefinitionArn === service.taskDefinition),
      service.serviceName,
    ).toBe(true);
    expect(service.deployments?.filter((d) => d.status === "PRIMARY")).toHaveLength(1);
    // ECS returns events newest first.
    const times = (service.events ?? []).map((e) => Date.parse(String(e.createdAt)));
    expect(times, service.serviceName).toEqual([...times].sort((a, b) => b - a));
    // Every name a PRIMARY deployment publishes is a Cloud Map service holding exactly its RUNNING
    // tasks, registered by task ID, or (Service Connect instances without ECS attributes) by IP.
    const primary = service.deployments?.find((d) => d.status === "PRIMARY");
    for (const resource of primary?.serviceConnectResources ?? []) {
      const cloudMap = fleet.cloudMapServices.find((s) => s.Arn === resource.discoveryArn);
      expect(cloudMap?.Name, resource.discoveryArn).toBe(resource.discoveryName);
      expect(
        fleet.instances
          .filter((i) => i.serviceId === cloudMap?.Id)
          .map((i) =>
            running.find(
              (t) => taskId(t) === i.instanceId || taskIp(t) === i.attributes.AWS_INSTANCE_IPV4,
            ),
          )
          .map((t) => t && taskId(t))
          .sort(),
      ).toEqual(running.map(taskId).sort());
    }
  }
  const runningTasks = fleet.tasks.filter((t) => t.lastStatus === "RUNNING");
  for (const instance of fleet.instances) {
    const task = runningTasks.find(
      (t) =>
        taskId(t) === instance.instanceId ||
        (instance.attributes.ECS_CLUSTER_NAME === undefined &&
          taskIp(t) === instance.attributes.AWS_INSTANCE_IPV4),
    );
    expect(task, instance.instanceId).toBeDefined();
    expect(instance.attributes.AWS_INSTANCE_IPV4).toBe(task && taskIp(task));
    if (instance.attributes.AVAILABILITY_ZONE !== undefined) {
      expect(instance.attributes.AVAILABILITY_ZONE).toBe(task?.availabilityZone);
    }
    expect(fleet.cloudMapServices.some((s) => s.Id === instance.serviceId)).toBe(true);
  }
  const ips = fleet.tasks.filter((t) => t.lastStatus === "RUNNING").map(taskIp);
  expect(new Set(ips).size).toBe(ips.length);
  for (const service of fleet.cloudMapServices) {
    expect(fleet.namespaces.some((n) => n.Id === service.NamespaceId)).toBe(true);
  }
}

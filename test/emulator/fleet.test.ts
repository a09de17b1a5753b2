import { describe, expect, it } from "vitest";
import { type Fleet, type FleetTask, generateFleet, loadDemoFleet } from "../../emulator/fleet.ts";

function taskIp(task: FleetTask): string | undefined {
  return task.attachments
    ?.find((a) => a.type === "ElasticNetworkInterface")
    ?.details?.find((d) => d.name === "privateIPv4Address")?.value;
}

function taskId(task: FleetTask): string {
  return task.taskArn.split("/").pop() ?? "";
}

/** The invariants AWS itself keeps between the objects of a fleet. */
function expectConsistent(fleet: Fleet) {
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
  }
  const runningById = new Map(
    fleet.tasks.filter((t) => t.lastStatus === "RUNNING").map((t) => [taskId(t), t]),
  );
  for (const instance of fleet.instances) {
    const task = runningById.get(instance.instanceId);
    expect(task, instance.instanceId).toBeDefined();
    expect(instance.attributes.AWS_INSTANCE_IPV4).toBe(task && taskIp(task));
    expect(instance.attributes.AVAILABILITY_ZONE).toBe(task?.availabilityZone);
    expect(fleet.cloudMapServices.some((s) => s.Id === instance.serviceId)).toBe(true);
  }
  const ips = fleet.tasks.filter((t) => t.lastStatus === "RUNNING").map(taskIp);
  expect(new Set(ips).size).toBe(ips.length);
  for (const service of fleet.cloudMapServices) {
    expect(fleet.namespaces.some((n) => n.Id === service.NamespaceId)).toBe(true);
  }
}

describe("demo fleet", () => {
  it("holds the tutorial's names, IPs and health", () => {
    const fleet = loadDemoFleet();

    const byIp = Object.fromEntries(
      fleet.tasks.map((t) => [taskIp(t), [t.group, t.lastStatus, t.healthStatus]]),
    );

    expect(byIp).toEqual({
      "10.0.1.23": ["service:service-connect-nginx-service", "RUNNING", "HEALTHY"],
      "10.0.2.47": ["service:service-connect-nginx-service", "RUNNING", "HEALTHY"],
      "10.0.1.88": ["service:web-frontend", "RUNNING", "HEALTHY"],
      "10.0.1.101": ["service:api-service", "RUNNING", "HEALTHY"],
      "10.0.2.102": ["service:api-service", "RUNNING", "HEALTHY"],
      "10.0.3.103": ["service:api-service", "RUNNING", "UNHEALTHY"],
      "10.0.2.150": ["service:billing-worker", "STOPPED", "UNKNOWN"],
      "10.0.2.151": ["service:billing-worker", "STOPPED", "UNKNOWN"],
      "10.0.2.152": ["service:billing-worker", "STOPPED", "UNKNOWN"],
    });
  });

  it("keeps services, tasks, task definitions and Cloud Map instances consistent", () => {
    expectConsistent(loadDemoFleet());
  });

  it("returns a fresh copy on every load", () => {
    const first = loadDemoFleet();
    first.services.length = 0;

    expect(loadDemoFleet().services).toHaveLength(4);
  });
});

describe("generateFleet", () => {
  it("adds N Service Connect services to the demo fleet, consistently", () => {
    const demo = loadDemoFleet();

    const fleet = generateFleet({ services: 300, tasksPerService: 3 });

    expect(fleet.services).toHaveLength(demo.services.length + 300);
    expect(fleet.tasks).toHaveLength(demo.tasks.length + 900);
    expect(fleet.services.map((s) => s.serviceName)).toEqual(
      expect.arrayContaining([
        "service-connect-nginx-service",
        "web-frontend",
        "api-service",
        "billing-worker",
      ]),
    );
    expect(new Set(fleet.services.map((s) => s.serviceArn)).size).toBe(fleet.services.length);
    expectConsistent(fleet);
  });

  it("gives each generated service a discovery name and a client alias in one HTTP namespace", () => {
    const fleet = generateFleet({ services: 5 });
    const mesh = fleet.namespaces.find((n) => n.Name === "mesh");

    const generated = fleet.services.slice(-5);

    expect(mesh?.Type).toBe("HTTP");
    for (const service of generated) {
      const config = service.deployments?.[0]?.serviceConnectConfiguration;
      expect(config?.namespace).toBe(mesh?.Arn);
      expect(config?.services?.[0]?.discoveryName).toBe(service.serviceName);
      expect(config?.services?.[0]?.clientAliases?.[0]?.dnsName).toBe(
        `${service.serviceName}.mesh`,
      );
    }
  });

  it("is deterministic", () => {
    expect(generateFleet({ services: 20 })).toEqual(generateFleet({ services: 20 }));
  });
});

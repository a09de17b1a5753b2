import { describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { expectConsistent, taskIp } from "./support.ts";

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
      "10.0.3.60": ["service:session-cache", "RUNNING", "UNKNOWN"],
      "10.0.2.88": ["service:legacy-report", "RUNNING", "UNKNOWN"],
      "10.0.3.150": ["service:invoice-renderer", "STOPPED", "UNKNOWN"],
      "10.0.3.151": ["service:invoice-renderer", "STOPPED", "UNKNOWN"],
      "10.0.1.140": ["service:api-service", "RUNNING", "HEALTHY"],
      "10.0.2.141": ["service:api-service", "RUNNING", "HEALTHY"],
      "10.0.1.142": ["service:web-frontend", "RUNNING", "HEALTHY"],
      "10.0.1.60": ["service:checkout", "RUNNING", "UNKNOWN"],
      "10.0.2.61": ["service:checkout", "RUNNING", "UNKNOWN"],
      "10.0.3.62": ["service:checkout", "RUNNING", "UNKNOWN"],
    });
  });

  it("has checkout behind shop-alb: its tasks are checkout-tg's targets, admitting the ALB on 8080", () => {
    const fleet = loadDemoFleet();
    const checkout = fleet.services.find((s) => s.serviceName === "checkout");
    const [ref] = checkout?.loadBalancers ?? [];
    const group = fleet.targetGroups?.find((g) => g.TargetGroupArn === ref?.targetGroupArn);
    const alb = fleet.loadBalancers?.find((lb) =>
      group?.LoadBalancerArns?.includes(lb.LoadBalancerArn),
    );
    const taskIps = fleet.tasks
      .filter((t) => t.group === "service:checkout" && t.lastStatus === "RUNNING")
      .map(taskIp);
    const targets = fleet.targetHealth?.filter((h) => h.TargetGroupArn === group?.TargetGroupArn);

    expect(ref).toEqual({
      targetGroupArn: group?.TargetGroupArn,
      containerName: "checkout",
      containerPort: 8080,
    });
    expect(checkout?.healthCheckGracePeriodSeconds).toBe(60);
    expect(alb).toMatchObject({
      LoadBalancerName: "shop-alb",
      Scheme: "internal",
      Type: "application",
    });
    expect(alb?.DNSName).toMatch(/^internal-shop-alb-\d+\.ap-northeast-1\.elb\.amazonaws\.com$/);
    expect(group).toMatchObject({ TargetGroupName: "checkout-tg", Port: 8080, TargetType: "ip" });
    expect(targets?.map((t) => t.Target?.Id).sort()).toEqual([...taskIps].sort());
    expect(targets?.filter((t) => t.TargetHealth?.State !== "healthy")).toEqual([
      expect.objectContaining({
        Target: expect.objectContaining({ Id: "10.0.3.62" }),
        TargetHealth: {
          State: "unhealthy",
          Reason: "Target.ResponseCodeMismatch",
          Description: "Health checks failed with these codes: [503]",
        },
      }),
    ]);
    const taskGroups = checkout?.networkConfiguration?.awsvpcConfiguration?.securityGroups ?? [];
    const admitsAlb = fleet.securityGroups
      ?.filter((g) => taskGroups.includes(g.GroupId))
      .flatMap((g) => g.IpPermissions ?? [])
      .some(
        (p) =>
          p.FromPort === 8080 &&
          (p.UserIdGroupPairs ?? []).some((pair) =>
            alb?.SecurityGroups?.includes(pair.GroupId ?? ""),
          ),
      );
    expect(admitsAlb).toBe(true);
  });

  it("keeps services, tasks, task definitions and Cloud Map instances consistent", () => {
    expectConsistent(loadDemoFleet());
  });

  it("has api-service mid-migration: Service Discovery and Service Connect at once", () => {
    const fleet = loadDemoFleet();
    const api = fleet.services.find((s) => s.serviceName === "api-service");
    const web = fleet.services.find((s) => s.serviceName === "web-frontend");
    const primary = api?.deployments?.find((d) => d.status === "PRIMARY");
    const scApi = fleet.cloudMapServices.find((s) => s.Id === "srv-q2lmw6y4nbh7ecpa");

    expect(api?.serviceRegistries).toEqual([
      {
        registryArn:
          "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-utcrh6wavdkggqtk",
      },
    ]);
    expect(primary?.serviceConnectConfiguration?.services).toEqual([
      {
        portName: "api",
        discoveryName: "api",
        clientAliases: [{ port: 8080, dnsName: "api.service-connect" }],
      },
    ]);
    expect(scApi).toMatchObject({ Name: "api", NamespaceId: "ns-vdpucf3aztj23ecw" });
    expect(
      fleet.instances
        .filter((i) => i.serviceId === scApi?.Id)
        .map((i) => [i.attributes.AWS_INSTANCE_IPV4, i.attributes.AWS_INSTANCE_PORT, i.health]),
    ).toEqual([
      ["10.0.1.101", "8080", "HEALTHY"],
      ["10.0.2.102", "8080", "HEALTHY"],
      ["10.0.3.103", "8080", "UNHEALTHY"],
    ]);
    // web-frontend deployed after api first published its alias (the Cloud Map service's
    // creation), so it can call api through it, although api redeployed since (same alias).
    expect(scApi?.CreateDate).toBe("2026-11-22T10:50:01.468Z");
    expect(web?.deployments?.[0]?.createdAt).toBe("2026-11-22T12:00:00.000Z");
    expect(primary?.createdAt).toBe("2026-11-23T09:30:00.000Z");
    for (const task of fleet.tasks.filter(
      (t) => t.group === "service:api-service" && t.clusterArn === api?.clusterArn,
    )) {
      expect(task.attachments?.map((a) => a.type)).toEqual([
        "ServiceConnect",
        "ElasticNetworkInterface",
      ]);
      expect(task.containers?.map((c) => c.name)).toEqual(["ecs-service-connect-Hm4sW", "api"]);
    }
  });

  it("has a TCP service whose alias is only a port and whose instance carries no ECS attributes", () => {
    const fleet = loadDemoFleet();
    const cache = fleet.services.find((s) => s.serviceName === "session-cache");
    const primary = cache?.deployments?.find((d) => d.status === "PRIMARY");
    const td = fleet.taskDefinitions.find((t) => t.taskDefinitionArn === cache?.taskDefinition);

    expect(primary?.serviceConnectConfiguration?.services).toEqual([
      { portName: "redis", clientAliases: [{ port: 6379 }] },
    ]);
    expect(td?.containerDefinitions?.[0]?.portMappings?.[0]?.appProtocol).toBeUndefined();
    expect(fleet.instances.filter((i) => i.serviceId === "srv-r3dk7q2cache6x0a")).toEqual([
      {
        serviceId: "srv-r3dk7q2cache6x0a",
        instanceId: "redis-1",
        attributes: { AWS_INSTANCE_IPV4: "10.0.3.60", AWS_INSTANCE_PORT: "6379" },
        health: "HEALTHY",
      },
    ]);
  });

  it("has staging publish the same discovery name as prod in its own namespace and cluster", () => {
    const fleet = loadDemoFleet();
    const apis = fleet.services
      .filter((s) => s.serviceName === "api-service")
      .map((s) => {
        const sc = s.deployments?.find((d) => d.status === "PRIMARY")?.serviceConnectConfiguration;
        return [
          s.clusterArn.split("/").pop(),
          sc?.namespace?.split("/").pop(),
          sc?.services?.[0]?.discoveryName,
        ];
      });

    expect(apis).toEqual([
      ["ecs_service_discovery", "ns-vdpucf3aztj23ecw", "api"],
      ["staging", "ns-k7w2xq4mvb3stgag", "api"],
    ]);
  });

  it("has a client deployed before the name it calls first appeared, with a short-format ARN", () => {
    const fleet = loadDemoFleet();
    const legacy = fleet.services.find((s) => s.serviceName === "legacy-report");
    const scApi = fleet.cloudMapServices.find((s) => s.Id === "srv-q2lmw6y4nbh7ecpa");

    expect(legacy?.serviceArn).toBe(
      "arn:aws:ecs:ap-northeast-1:123456789012:service/legacy-report",
    );
    expect(Date.parse(String(legacy?.deployments?.[0]?.createdAt))).toBeLessThan(
      Date.parse(String(scApi?.CreateDate)),
    );
  });

  it("has invoice-renderer's tasks fail to start on an image that cannot be pulled", () => {
    const fleet = loadDemoFleet();
    const stopped = fleet.tasks.filter((t) => t.group === "service:invoice-renderer");

    expect(stopped.map((t) => [t.lastStatus, t.stopCode, t.startedAt])).toEqual(
      Array(2).fill(["STOPPED", "TaskFailedToStart", undefined]),
    );
    expect(stopped[0]?.stoppedReason).toMatch(/^CannotPullContainerError: /);
  });

  it("shows billing-worker's rollout FAILED by the circuit breaker after 3 failed tasks", () => {
    const fleet = loadDemoFleet();
    const billing = fleet.services.find((s) => s.serviceName === "billing-worker");
    const primary = billing?.deployments?.find((d) => d.status === "PRIMARY");
    const stopped = fleet.tasks.filter(
      (t) => t.group === "service:billing-worker" && t.startedBy === primary?.id,
    );

    expect(billing?.deploymentConfiguration?.deploymentCircuitBreaker?.enable).toBe(true);
    expect(primary).toMatchObject({
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      failedTasks: 3,
      desiredCount: 2,
      runningCount: 0,
    });
    expect(stopped.map((t) => [t.lastStatus, t.containers?.[0]?.exitCode])).toEqual(
      Array(3).fill(["STOPPED", 137]),
    );
    const messages = billing?.events?.map((e) => e.message) ?? [];
    expect(messages[0]).toBe(
      `(service billing-worker) (deployment ${primary?.id}) deployment failed: tasks failed to start.`,
    );
    const startedOne = messages.filter((m) =>
      /^\(service billing-worker\) has started 1 tasks: \(task \w+\)\.$/.test(m ?? ""),
    );
    expect(startedOne).toHaveLength(3);
    expect(new Set(startedOne).size).toBe(3);
  });

  it("returns a fresh copy on every load", () => {
    const first = loadDemoFleet();
    first.services.length = 0;

    expect(loadDemoFleet().services).toHaveLength(10);
  });
});

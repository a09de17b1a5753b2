import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListServicesByNamespaceCommand,
  ListServicesCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { GetHostedZoneCommand, NoSuchHostedZone } from "@aws-sdk/client-route-53";
import {
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  type HealthStatusFilter,
  ListServicesCommand as ListCloudMapServicesCommand,
  ListNamespacesCommand,
  ServiceNotFound,
} from "@aws-sdk/client-servicediscovery";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";
import { clients, credentials, region, withEmulator } from "./support.ts";

describe("AWS emulator with the demo fleet", () => {
  let emu: RunningEmulator;
  let aws: ReturnType<typeof clients>;

  beforeAll(async () => {
    emu = await startEmulator({ fleet: loadDemoFleet() });
    aws = clients(emu);
  });
  afterAll(() => emu.close());

  it("describes a Service Connect service with epoch-second timestamps the SDK turns into Dates", async () => {
    const { services, failures } = await aws.ecs.send(
      new DescribeServicesCommand({
        cluster: "tutorial",
        services: ["service-connect-nginx-service"],
      }),
    );

    const primary = services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
    expect(failures).toEqual([]);
    expect(services?.[0]?.createdAt?.toISOString()).toBe("2026-11-20T09:00:00.000Z");
    expect(primary?.serviceConnectConfiguration?.services?.[0]?.clientAliases).toEqual([
      { port: 80, dnsName: "nginx.service-connect" },
    ]);
    expect(primary?.serviceConnectResources?.[0]?.discoveryArn).toBe(
      "arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-tsw4bbsna23fxcjx",
    );
  });

  it("reports unknown services as MISSING failures and accepts service ARNs", async () => {
    const arn = "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/web-frontend";

    const { services, failures } = await aws.ecs.send(
      new DescribeServicesCommand({ cluster: "tutorial", services: [arn, "no-such-service"] }),
    );

    expect(services?.map((s) => s.serviceName)).toEqual(["web-frontend"]);
    expect(failures).toEqual([
      {
        arn: "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/no-such-service",
        reason: "MISSING",
      },
    ]);
  });

  it("rejects DescribeServices with more than 10 services", async () => {
    const names = Array.from({ length: 11 }, (_, i) => `service-${i}`);

    const call = aws.ecs.send(
      new DescribeServicesCommand({ cluster: "tutorial", services: names }),
    );

    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("raises ClusterNotFoundException for an unknown cluster", async () => {
    await expect(aws.ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
    });
  });

  it("lists the recently STOPPED tasks of billing-worker with their OOM exit", async () => {
    const { taskArns = [] } = await aws.ecs.send(
      new ListTasksCommand({
        cluster: "ecs_service_discovery",
        serviceName: "billing-worker",
        desiredStatus: "STOPPED",
      }),
    );
    const { tasks = [] } = await aws.ecs.send(
      new DescribeTasksCommand({ cluster: "ecs_service_discovery", tasks: taskArns }),
    );

    expect(tasks.map((t) => t.containers?.[0]?.exitCode)).toEqual([137, 137, 137]);
    expect(tasks.map((t) => t.stopCode)).toEqual(Array(3).fill("EssentialContainerExited"));
    expect(tasks.every((t) => t.stoppedAt instanceof Date)).toBe(true);
  });

  it("resolves a bare task definition family to its latest ACTIVE revision", async () => {
    const { taskDefinition } = await aws.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: "api" }),
    );

    expect(taskDefinition?.taskDefinitionArn).toBe(
      "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:9",
    );
  });

  it("derives ListServicesByNamespace from the PRIMARY deployments' Service Connect namespace", async () => {
    const { serviceArns } = await aws.ecs.send(
      new ListServicesByNamespaceCommand({ namespace: "service-connect" }),
    );

    expect(serviceArns).toEqual([
      "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/service-connect-nginx-service",
      "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/web-frontend",
      "arn:aws:ecs:ap-northeast-1:123456789012:service/ecs_service_discovery/api-service",
      "arn:aws:ecs:ap-northeast-1:123456789012:service/tutorial/session-cache",
      // Services created before the long ARN format keep their short ARN.
      "arn:aws:ecs:ap-northeast-1:123456789012:service/legacy-report",
    ]);
  });

  it.each([
    [undefined, ["10.0.1.101", "10.0.2.102"]],
    ["HEALTHY", ["10.0.1.101", "10.0.2.102"]],
    ["UNHEALTHY", ["10.0.3.103"]],
    ["ALL", ["10.0.1.101", "10.0.2.102", "10.0.3.103"]],
    ["HEALTHY_OR_ELSE_ALL", ["10.0.1.101", "10.0.2.102"]],
  ] as const)(
    "filters DiscoverInstances of api.internal.local by HealthStatus %s",
    async (health, ips) => {
      const { Instances = [] } = await aws.cloudMap.send(
        new DiscoverInstancesCommand({
          NamespaceName: "internal.local",
          ServiceName: "api",
          HealthStatus: health as HealthStatusFilter | undefined,
        }),
      );

      expect(Instances.map((i) => i.Attributes?.AWS_INSTANCE_IPV4).sort()).toEqual(ips);
    },
  );

  it("ANDs DiscoverInstances query parameters", async () => {
    const { Instances = [] } = await aws.cloudMap.send(
      new DiscoverInstancesCommand({
        NamespaceName: "internal.local",
        ServiceName: "api",
        HealthStatus: "ALL",
        QueryParameters: {
          ECS_CLUSTER_NAME: "ecs_service_discovery",
          AVAILABILITY_ZONE: "ap-northeast-1d",
        },
      }),
    );

    expect(Instances).toEqual([
      expect.objectContaining({
        InstanceId: "5e6f7a8b9c0d41e2f3a4b5c6d7e8f906",
        HealthStatus: "UNHEALTHY",
      }),
    ]);
  });

  it("discovers api-service's tasks under both of its names during the migration", async () => {
    const discover = (NamespaceName: string) =>
      aws.cloudMap.send(
        new DiscoverInstancesCommand({ NamespaceName, ServiceName: "api", HealthStatus: "ALL" }),
      );

    const [classic, connect] = await Promise.all([
      discover("internal.local"),
      discover("service-connect"),
    ]);
    const ids = (r: typeof classic) => (r.Instances ?? []).map((i) => i.InstanceId).sort();

    expect(ids(connect)).toEqual(ids(classic));
    expect(ids(connect)).toHaveLength(3);
  });

  it("keeps the instances revision when only the health filter changes", async () => {
    const all = await aws.cloudMap.send(
      new DiscoverInstancesCommand({
        NamespaceName: "internal.local",
        ServiceName: "api",
        HealthStatus: "ALL",
      }),
    );
    const { InstancesRevision } = await aws.cloudMap.send(
      new DiscoverInstancesRevisionCommand({ NamespaceName: "internal.local", ServiceName: "api" }),
    );

    expect(typeof InstancesRevision).toBe("number");
    expect(all.InstancesRevision).toBe(InstancesRevision);
  });

  it("raises ServiceNotFound for a name the namespace does not hold", async () => {
    const call = aws.cloudMap.send(
      new DiscoverInstancesCommand({ NamespaceName: "service-connect", ServiceName: "billing" }),
    );

    await expect(call).rejects.toBeInstanceOf(ServiceNotFound);
  });

  it("filters Cloud Map services by namespace", async () => {
    const { Namespaces = [] } = await aws.cloudMap.send(new ListNamespacesCommand({}));
    const http = Namespaces.find((n) => n.Type === "HTTP");

    const { Services = [] } = await aws.cloudMap.send(
      new ListCloudMapServicesCommand({
        Filters: [{ Name: "NAMESPACE_ID", Values: [http?.Id ?? ""], Condition: "EQ" }],
      }),
    );

    expect(Services.map((s) => [s.Name, s.InstanceCount])).toEqual([
      ["nginx", 2],
      ["api", 3],
      ["redis", 1],
    ]);
  });

  it("parses the VPCs of the private hosted zone behind internal.local", async () => {
    const { HostedZone, VPCs } = await aws.route53.send(
      new GetHostedZoneCommand({ Id: "/hostedzone/Z0EXAMPLE1INTERNAL0LCL" }),
    );

    expect(HostedZone).toMatchObject({ Name: "internal.local.", Config: { PrivateZone: true } });
    expect(VPCs).toEqual([
      { VPCRegion: "ap-northeast-1", VPCId: "vpc-0b1e2c3d4e5f60718" },
      { VPCRegion: "ap-northeast-1", VPCId: "vpc-0d2e3f4a5b6c70819" },
    ]);
  });

  it("raises NoSuchHostedZone for an unknown zone", async () => {
    const call = aws.route53.send(new GetHostedZoneCommand({ Id: "ZUNKNOWN" }));

    await expect(call).rejects.toBeInstanceOf(NoSuchHostedZone);
  });

  it("rejects an unsigned request", async () => {
    emu.resetStats();

    const response = await fetch(emu.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
      },
      body: "{}",
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });
    expect(emu.stats()).toMatchObject({ total: 0, rejected: 1 });
  });

  it("rejects a signature scoped to another service", async () => {
    const response = await fetch(emu.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
        "x-amz-date": "20261123T160000Z",
        authorization:
          "AWS4-HMAC-SHA256 Credential=demo/20261123/ap-northeast-1/servicediscovery/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
      },
      body: "{}",
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: "InvalidSignatureException" });
  });

  it("answers an unknown operation with UnknownOperationException", async () => {
    const call = fetch(emu.url, {
      method: "POST",
      headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.DeleteCluster" },
      body: "{}",
    });

    const response = await call;
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "UnknownOperationException" });
  });
});

describe("AWS emulator paging with a generated fleet", () => {
  it("pages ListServices 10 at a time by default", async () => {
    const fleet = generateFleet({ services: 95 });
    const clusterArn = "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod-core";
    const expected = fleet.services
      .filter((s) => s.clusterArn === clusterArn)
      .map((s) => s.serviceArn);
    const emu = await startEmulator({ fleet });
    const { ecs } = clients(emu);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: clusterArn, nextToken }));
      pages.push(page.serviceArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    await emu.close();

    expect(expected.length).toBeGreaterThan(20);
    expect(pages.map((p) => p.length)).toEqual([10, 10, expected.length - 20]);
    expect(pages.flat()).toEqual(expected);
    expect(emu.stats().calls["ECS.ListServices"]).toBe(3);
  });
});

describe("AWS emulator stats", () => {
  it("counts calls per operation and two parallel calls then one as 2 sequential round trips", async () => {
    await withEmulator({ latencyMs: 30 }, async (emu) => {
      const { ecs, cloudMap } = clients(emu);

      await Promise.all([
        ecs.send(new ListServicesCommand({ cluster: "tutorial" })),
        cloudMap.send(
          new DiscoverInstancesCommand({ NamespaceName: "service-connect", ServiceName: "nginx" }),
        ),
      ]);
      await ecs.send(
        new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }),
      );

      expect(emu.stats()).toEqual({
        calls: {
          "ECS.ListServices": 1,
          "ServiceDiscovery.DiscoverInstances": 1,
          "ECS.DescribeServices": 1,
        },
        total: 3,
        throttled: 0,
        denied: 0,
        sequentialRoundTrips: 2,
        rejected: 0,
        // The first two were sent together, each operation once at a time.
        maxInFlight: {
          "ECS.ListServices": 1,
          "ServiceDiscovery.DiscoverInstances": 1,
          "ECS.DescribeServices": 1,
        },
      });
      expect(emu.requests.map((r) => r.operation).sort()).toEqual([
        "DescribeServices",
        "DiscoverInstances",
        "ListServices",
      ]);
      expect(emu.requests.find((r) => r.operation === "DescribeServices")?.body).toEqual({
        cluster: "tutorial",
        services: ["web-frontend"],
      });
    });
  });

  it("applies per-operation latency and forgets everything on resetStats", async () => {
    await withEmulator({}, async (emu) => {
      const { ecs } = clients(emu);
      emu.setLatency(60, "ECS.DescribeServices");

      const started = performance.now();
      await ecs.send(
        new DescribeServicesCommand({ cluster: "tutorial", services: ["web-frontend"] }),
      );
      const elapsed = performance.now() - started;
      emu.resetStats();

      expect(elapsed).toBeGreaterThanOrEqual(55);
      expect(emu.stats()).toEqual({
        calls: {},
        total: 0,
        throttled: 0,
        denied: 0,
        sequentialRoundTrips: 0,
        rejected: 0,
        maxInFlight: {},
      });
      expect(emu.requests).toEqual([]);
    });
  });

  it("delays one cluster's or one namespace's requests of an operation alone", async () => {
    const slow = {
      "ECS.DescribeServices:tutorial": 200,
      "ServiceDiscovery.DiscoverInstances:staging": 200,
    };
    await withEmulator({ latencyByOperation: slow }, async (emu) => {
      const { ecs, cloudMap } = clients(emu);
      const timed = async (send: () => Promise<unknown>) => {
        const started = performance.now();
        await send();
        return performance.now() - started;
      };
      const describe = (cluster: string) => () =>
        ecs.send(new DescribeServicesCommand({ cluster, services: ["web-frontend"] }));
      const discover = (namespace: string) => () =>
        cloudMap.send(
          new DiscoverInstancesCommand({ NamespaceName: namespace, ServiceName: "api" }),
        );

      expect(await timed(describe("tutorial"))).toBeGreaterThanOrEqual(195);
      expect(await timed(describe("staging"))).toBeLessThan(150);
      expect(await timed(discover("staging"))).toBeGreaterThanOrEqual(195);
      expect(await timed(discover("internal.local"))).toBeLessThan(150);
    });
  });

  it("is reached through the standard AWS_ENDPOINT_URL variable", async () => {
    await withEmulator({}, async (emu) => {
      const saved = process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL = emu.url;
      try {
        const ecs = new ECSClient({ region, credentials });

        const { serviceArns } = await ecs.send(
          new ListServicesCommand({ cluster: "ecs_service_discovery" }),
        );

        expect(serviceArns).toHaveLength(3);
        expect(emu.stats().calls["ECS.ListServices"]).toBe(1);
      } finally {
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
        else process.env.AWS_ENDPOINT_URL = saved;
      }
    });
  });
});

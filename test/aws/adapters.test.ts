import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/aws/cache.ts";
import { CloudMapAdapter } from "../../src/aws/cloud-map.ts";
import { AwsReadError } from "../../src/aws/errors.ts";
import {
  CLOUD_MAP_DATA_HOST,
  CLOUD_MAP_HOST,
  CLOUD_MAP_TARGET,
  ECS_HOST,
  ECS_TARGET,
  interceptJson,
  onlyNock,
  REGION,
  type SeenCall,
  WIRE_CREDENTIALS,
  wireEcs,
} from "../support/aws-wire.ts";
import { wireFixture } from "../support/fixtures.ts";

const credentials = WIRE_CREDENTIALS;
const ecs = wireEcs;
const cloudMap = () =>
  new CloudMapAdapter(
    new ServiceDiscoveryClient({ region: REGION, credentials, maxAttempts: 1 }),
    new TtlCache(),
    REGION,
  );

const serviceArn = (i: number) =>
  `arn:aws:ecs:${REGION}:123456789012:service/big/svc-${String(i).padStart(3, "0")}`;

onlyNock();

describe("EcsAdapter on the wire", () => {
  it("follows nextToken through three pages of ListServices", async () => {
    const seen: SeenCall[] = [];
    const pages = [
      { serviceArns: [1, 2, 3].map(serviceArn), nextToken: "page-2" },
      { serviceArns: [4, 5].map(serviceArn), nextToken: "page-3" },
      { serviceArns: [6].map(serviceArn) },
    ];
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.ListServices`,
      () => pages[seen.length - 1] ?? {},
      seen,
      3,
    );

    const arns = await ecs().listServices("big");

    expect(arns).toEqual([1, 2, 3, 4, 5, 6].map(serviceArn));
    expect(seen.map((c) => c.body)).toEqual([
      { cluster: "big", maxResults: 100 },
      { cluster: "big", maxResults: 100, nextToken: "page-2" },
      { cluster: "big", maxResults: 100, nextToken: "page-3" },
    ]);
  });

  it("describes 23 services in batches of 10, 10 and 3", async () => {
    const seen: SeenCall[] = [];
    const template = (
      wireFixture("aws/describe-services.tutorial.json").services as object[]
    )[0] as Record<string, unknown>;
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeServices`,
      (body) => ({
        services: (body.services as string[]).map((arn) => ({
          ...template,
          serviceArn: arn,
          serviceName: arn.split("/").pop(),
        })),
        failures: [],
      }),
      seen,
      3,
    );
    const wanted = Array.from({ length: 23 }, (_, i) => serviceArn(i));

    const out = await ecs().describeServices("big", wanted);

    expect(seen.map((c) => (c.body.services as string[]).length).sort((a, b) => b - a)).toEqual([
      10, 10, 3,
    ]);
    expect(out.services.map((s) => s.name).sort()).toEqual(
      wanted.map((a) => a.split("/").pop()).sort(),
    );
    expect(out.services[0]?.serviceConnect?.services[0]?.clientAliases).toEqual([
      { dnsName: "nginx.service-connect", port: 80 },
    ]);
  });

  it("describes 150 tasks in two DescribeTasks calls of 100 and 50", async () => {
    const seen: SeenCall[] = [];
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeTasks`,
      () => ({ tasks: [], failures: [] }),
      seen,
      2,
    );
    const ids = Array.from({ length: 150 }, (_, i) => i.toString(16).padStart(32, "0"));

    await ecs().describeTasks("big", ids);

    expect(seen.map((c) => (c.body.tasks as string[]).length).sort((a, b) => b - a)).toEqual([
      100, 50,
    ]);
  });

  it("reads the task IP, AZ and container health from a real DescribeTasks answer", async () => {
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeTasks`,
      () => wireFixture("aws/describe-tasks.api.json"),
      [],
    );

    const tasks = await ecs().describeTasks("ecs_service_discovery", [
      "5e6f7a8b9c0d41e2f3a4b5c6d7e8f906",
    ]);

    expect(tasks.map((t) => [t.ipv4, t.availabilityZone, t.healthStatus])).toContainEqual([
      "10.0.3.103",
      "ap-northeast-1d",
      "UNHEALTHY",
    ]);
    expect(tasks[0]?.startedAt).toBeInstanceOf(Date);
  });

  it("turns ECS throttling into an AwsReadError that says what was being read", async () => {
    nock(ECS_HOST)
      .post("/")
      .reply(
        400,
        { __type: "ThrottlingException", message: "Rate exceeded" },
        { "x-amzn-errortype": "ThrottlingException" },
      );

    const error = await ecs()
      .describeServices("tutorial", ["web-frontend"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsReadError);
    expect(error).toMatchObject({
      kind: "throttled",
      operation: "DescribeServices",
      code: "ThrottlingException",
    });
    expect((error as AwsReadError).reason).toBe(
      "AWS throttled DescribeServices (ThrottlingException) even after retries",
    );
  });

  it("reports an access-denied read as a missing permission", async () => {
    nock(ECS_HOST).post("/").reply(400, {
      __type: "AccessDeniedException",
      message: "User is not authorized to perform: ecs:ListClusters",
    });

    const error = await ecs()
      .listClusters()
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "access-denied", operation: "ListClusters" });
  });
});

describe("CloudMapAdapter on the wire", () => {
  it("asks the data-plane host for every instance, healthy or not, of api.internal.local", async () => {
    const seen: SeenCall[] = [];
    interceptJson(
      CLOUD_MAP_DATA_HOST,
      `${CLOUD_MAP_TARGET}.DiscoverInstances`,
      () => wireFixture("aws/discover-instances.api.json"),
      seen,
    );

    const instances = await cloudMap().discoverInstances("internal.local", "api");

    expect(seen[0]?.body).toEqual({
      NamespaceName: "internal.local",
      ServiceName: "api",
      HealthStatus: "ALL",
      MaxResults: 1000,
    });
    expect(instances.map((i) => [i.ipv4, i.health])).toEqual([
      ["10.0.1.101", "HEALTHY"],
      ["10.0.2.102", "HEALTHY"],
      ["10.0.3.103", "UNHEALTHY"],
    ]);
    expect(instances[2]).toMatchObject({
      port: 8080,
      ecsClusterName: "ecs_service_discovery",
      ecsServiceName: "api-service",
    });
  });

  it("surfaces an unknown namespace as not-found, so the caller can fall back", async () => {
    nock(CLOUD_MAP_DATA_HOST)
      .post("/")
      .reply(400, { __type: "NamespaceNotFound", Message: "Namespace not found" });

    const error = await cloudMap()
      .discoverInstances("nope", "nginx")
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: "not-found", code: "NamespaceNotFound" });
  });

  describe("when a Service Connect name first appeared", () => {
    const internal = {
      id: "ns-internal",
      arn: `arn:aws:servicediscovery:${REGION}:123456789012:namespace/ns-internal`,
      name: "internal.local",
      type: "DNS_PRIVATE" as const,
      httpName: "internal.local",
    };
    const apiId = "srv-utcrh6wavdkggqtk";
    const snapshotOf = () =>
      new CloudMapAdapter(
        new ServiceDiscoveryClient({ region: REGION, credentials, maxAttempts: 1 }),
        TtlCache.snapshotOver(new TtlCache()),
        REGION,
        undefined,
        undefined,
        "scope",
      );
    const getService = (seen: SeenCall[]) =>
      interceptJson(
        CLOUD_MAP_HOST,
        `${CLOUD_MAP_TARGET}.GetService`,
        (body) => ({
          Service: {
            Id: body.Id,
            Name: "worker",
            NamespaceId: internal.id,
            CreateDate: Date.parse("2026-11-20T07:00:00Z") / 1000,
          },
        }),
        seen,
      );

    it("asks GetService for one name alone", async () => {
      const seen: SeenCall[] = [];
      getService(seen);

      const at = await cloudMap().createdAt(internal, "srv-worker");

      expect(seen.map((c) => c.target)).toEqual([`${CLOUD_MAP_TARGET}.GetService`]);
      expect(at?.toISOString()).toBe("2026-11-20T07:00:00.000Z");
    });

    it("over a whole scope dates every name of a namespace from one listing, and asks alone only for a name it lacks", async () => {
      const seen: SeenCall[] = [];
      interceptJson(
        CLOUD_MAP_HOST,
        `${CLOUD_MAP_TARGET}.ListServices`,
        () => wireFixture("aws/list-services.internal-local.json"),
        seen,
      );
      getService(seen);
      const adapter = snapshotOf();

      const [api, again, worker] = await Promise.all([
        adapter.createdAt(internal, apiId),
        adapter.createdAt(internal, apiId),
        adapter.createdAt(internal, "srv-worker"),
      ]);

      expect(seen.map((c) => c.target.split(".").pop())).toEqual(["ListServices", "GetService"]);
      expect(seen[0]?.body.Filters).toEqual([
        { Name: "NAMESPACE_ID", Values: [internal.id], Condition: "EQ" },
      ]);
      expect([api, again, worker].map((d) => d?.toISOString())).toEqual([
        "2026-10-01T08:05:00.000Z",
        "2026-10-01T08:05:00.000Z",
        "2026-11-20T07:00:00.000Z",
      ]);
    });

    it("over a whole scope asks GetService when the listing is denied, and fails as a read when both are", async () => {
      const denied = () =>
        nock(CLOUD_MAP_HOST).post("/").reply(400, {
          __type: "AccessDeniedException",
          Message: "User is not authorized to perform: servicediscovery:ListServices",
        });
      const seen: SeenCall[] = [];
      denied();
      getService(seen);
      expect((await snapshotOf().createdAt(internal, apiId))?.toISOString()).toBe(
        "2026-11-20T07:00:00.000Z",
      );

      denied();
      denied();
      const error = await snapshotOf()
        .createdAt(internal, apiId)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsReadError);
      expect(error).toMatchObject({ kind: "access-denied" });
    });
  });

  it("lists namespaces once and serves the second ask from the cache", async () => {
    const seen: SeenCall[] = [];
    interceptJson(
      CLOUD_MAP_HOST,
      `${CLOUD_MAP_TARGET}.ListNamespaces`,
      () => wireFixture("aws/list-namespaces.json"),
      seen,
    );
    const adapter = cloudMap();

    const first = await adapter.listNamespaces();
    const second = await adapter.listNamespaces();

    expect(seen).toHaveLength(1);
    expect(second).toBe(first);
    expect(first.map((n) => [n.name, n.type, n.hostedZoneId])).toEqual([
      ["internal.local", "DNS_PRIVATE", "Z0EXAMPLE1INTERNAL0LCL"],
      ["service-connect", "HTTP", undefined],
    ]);
  });
});

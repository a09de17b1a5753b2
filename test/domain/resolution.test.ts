import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { toEcsService } from "../../src/aws/ecs-mapping.ts";
import { buildResolution } from "../../src/domain/resolution.ts";
import { apiFacts, nginxFacts } from "../support/facts.ts";
import { sdkFixture } from "../support/fixtures.ts";

const byName = (name: string, port?: number) => ({
  query: name,
  subject: { kind: "name" as const, name },
  focusName: { name, port },
});

describe("buildResolution", () => {
  it("lists both endpoints of nginx.service-connect with their health", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());

    expect(
      r.endpoints.map((e) => [e.ip, e.port, e.availabilityZone, e.cloudMapHealth, e.state]),
    ).toEqual([
      ["10.0.1.23", 80, "ap-northeast-1a", "HEALTHY", "healthy"],
      ["10.0.2.47", 80, "ap-northeast-1c", "HEALTHY", "healthy"],
    ]);
    expect(r.verdict).toBe(
      "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service, port nginx (80/http), 2 of 2 endpoints healthy",
    );
  });

  it("says only Service Connect services in the namespace can resolve the alias", () => {
    const r = buildResolution(byName("nginx.service-connect", 80), nginxFacts());

    expect(r.bindings[0]?.name).toBe("nginx.service-connect:80");
    expect(r.bindings[0]?.scope).toEqual({
      kind: "service-connect",
      namespace: "service-connect",
      namespaceType: "HTTP",
      clientServices: ["service-connect-nginx-service", "web-frontend"],
    });
  });

  it("names the publisher's task definition, container and port", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());

    expect(r.publisher).toMatchObject({
      cluster: "tutorial",
      service: "service-connect-nginx-service",
      ecs: {
        taskDefinition: "service-connect-nginx:1",
        rolloutState: "COMPLETED",
        securityGroups: ["sg-0c0ffee00000a0001"],
      },
    });
    expect(r.bindings[0]).toMatchObject({
      containerName: "webserver",
      portName: "nginx",
      containerPort: 80,
      appProtocol: "http",
    });
  });

  it("ends a healthy Service Connect answer with the path check for the security group", () => {
    const r = buildResolution(byName("nginx.service-connect"), nginxFacts());

    expect(r.nextCheck).toContain("sg-0c0ffee00000a0001 allows TCP 80");
    // The name's first appearance decides, not the publisher's latest deployment.
    expect(r.nextCheck).toContain(
      "whose deployment started after 2026-11-20 09:00 UTC (when nginx first appeared in the namespace",
    );
  });

  it("puts the unhealthy endpoint of api.internal.local first, with its failing container", () => {
    const r = buildResolution(byName("api.internal.local"), apiFacts());

    expect(r.endpoints[0]).toMatchObject({
      ip: "10.0.3.103",
      state: "unhealthy",
      cloudMapHealth: "UNHEALTHY",
    });
    expect(r.endpoints[0]?.note).toBe("container health check failing: api");
    expect(r.healthy).toBe(2);
    expect(r.verdict).toContain(
      "Service Discovery DNS name (A, TTL 60s) of ecs_service_discovery/api-service",
    );
    expect(r.nextCheck).toMatch(/^App: 1 endpoint\(s\) not healthy \(first: 10\.0\.3\.103/);
  });

  it("says api.internal.local resolves for any client in the VPC through Route 53 private DNS", () => {
    const r = buildResolution(byName("api.internal.local"), apiFacts());

    expect(r.bindings[0]?.scope).toEqual({
      kind: "dns",
      namespace: "internal.local",
      privateZone: true,
      records: [{ type: "A", ttl: 60 }],
      vpcIds: ["vpc-0b1e2c3d4e5f60718"],
      hostedZoneId: "Z0EXAMPLE1INTERNAL0LCL",
      // The namespace ARN's account: an association fix for another account's VPC needs it.
      zoneAccountId: "123456789012",
    });
  });

  it("marks a Cloud Map registration whose task ECS no longer runs as stale", () => {
    const facts = nginxFacts();
    facts.tasks = facts.tasks.slice(1);

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.endpoints[0]).toMatchObject({ ip: "10.0.1.23", state: "stale" });
    expect(r.healthy).toBe(1);
  });

  it("marks a running task that Cloud Map does not list as unregistered", () => {
    const facts = nginxFacts();
    facts.instances.set(
      "srv-tsw4bbsna23fxcjx",
      (facts.instances.get("srv-tsw4bbsna23fxcjx") ?? []).slice(0, 1),
    );

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.endpoints[0]).toMatchObject({ ip: "10.0.2.47", state: "unregistered" });
    expect(r.endpoints[0]?.cloudMapHealth).toBeUndefined();
  });

  it("sends the user to the stop reasons when nothing runs", () => {
    const facts = apiFacts();
    if (facts.service) facts.service = { ...facts.service, runningCount: 0 };
    facts.tasks = [];
    facts.instances.set("srv-utcrh6wavdkggqtk", []);

    const r = buildResolution(byName("api.internal.local"), facts);

    expect(r.nextCheck).toContain("Nothing runs: 0 of 3 tasks");
  });

  it("answers a task lookup with that task and the name it serves, among its service's endpoints", () => {
    const facts = nginxFacts();
    const r = buildResolution(
      {
        query: "10.0.2.47",
        subject: { kind: "task", taskId: "1a2b3c4d5e6f47a8b9c0d1e2f3a4b502", ip: "10.0.2.47" },
      },
      facts,
    );

    expect(r.endpoints).toHaveLength(2);
    expect(r.endpoints.filter((e) => e.asked).map((e) => e.ip)).toEqual(["10.0.2.47"]);
    expect(r.askedTask?.taskId).toBe("1a2b3c4d5e6f47a8b9c0d1e2f3a4b502");
    expect(r.verdict).toBe(
      "10.0.2.47 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial/service-connect-nginx-service (RUNNING, HEALTHY), serves nginx.service-connect:80",
    );
  });

  it("names the classic load balancer of AWS's own create-service example as the way in", () => {
    const published = sdkFixture<{ service: Service }>(
      "aws/official/create-service.classic-elb.json",
    ).service;
    const facts = nginxFacts();
    // Its example runs nothing yet: say it runs, to read how callers reach it.
    facts.service = {
      ...toEcsService(published),
      runningCount: 10,
      serviceConnect: undefined,
      serviceRegistries: [],
    };

    const r = buildResolution(
      { query: "ecs-simple-service-elb", subject: { kind: "service" } },
      facts,
    );

    expect(r.publisher.ecs?.loadBalancers).toEqual([
      {
        containerName: "ecs-demo",
        containerPort: 80,
        loadBalancerName: "EC2Contai-EcsElast-123456789012",
      },
    ]);
    expect(r.nextCheck).toContain(
      "callers reach it through its load balancer: Classic Load Balancer EC2Contai-EcsElast-123456789012 (container ecs-demo, port 80)",
    );
  });

  it("applies ECS's default alias to AWS's own create-service example (no dnsName)", () => {
    const published = sdkFixture<{ service: Service }>(
      "aws/official/create-service.service-connect.json",
    ).service;
    const facts = nginxFacts();
    facts.service = toEcsService(published);

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.bindings.map((b) => b.name)).toEqual(["nginx.service-connect:80"]);
    expect(r.verdict).toMatch(/^nginx\.service-connect → Service Connect alias of tutorial\//);
  });

  it("names the proxy's listening port when ingressPortOverride moves it off the container port", () => {
    const facts = nginxFacts();
    const entry = facts.service?.serviceConnect?.services[0];
    if (entry) entry.ingressPortOverride = 15000;

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.nextCheck).toContain(
      "sg-0c0ffee00000a0001 allows TCP 15000 (the Service Connect proxy's listener; the app itself is on 80)",
    );
  });

  it("says the proxy listens on an ephemeral port in bridge mode", () => {
    const facts = nginxFacts();
    if (facts.taskDefinition) facts.taskDefinition.networkMode = "bridge";

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.bindings[0]?.listenPort).toBe("ephemeral");
    expect(r.nextCheck).toContain("allows the Service Connect proxy's ephemeral port");
  });

  it("joins Service Connect instances without ECS attributes to their tasks by IP", () => {
    const facts = nginxFacts();
    facts.instances.set(
      "srv-tsw4bbsna23fxcjx",
      (facts.instances.get("srv-tsw4bbsna23fxcjx") ?? []).map((i, n) => ({
        id: `sc-instance-${n}`,
        ipv4: i.ipv4,
        port: i.port,
        health: "UNKNOWN" as const,
      })),
    );

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.endpoints.map((e) => [e.ip, e.taskId, e.state])).toEqual([
      ["10.0.1.23", "0f4e5d6c7b8a49e1a2b3c4d5e6f70801", "healthy"],
      ["10.0.2.47", "1a2b3c4d5e6f47a8b9c0d1e2f3a4b502", "healthy"],
    ]);
    // UNKNOWN is Cloud Map's answer for a service without a health check: normal.
    expect(r.healthy).toBe(2);
  });

  it("calls an endpoint unknown, not stale, when the ECS tasks could not be read", () => {
    const facts = nginxFacts();
    facts.tasks = [];
    facts.tasksComplete = false;

    const r = buildResolution(byName("nginx.service-connect"), facts);

    expect(r.endpoints.map((e) => e.state)).toEqual(["unknown", "unknown"]);
    expect(r.verdict).toContain("2 endpoints registered, their ECS state unread");
    expect(r.nextCheck).not.toMatch(/dead IP|still resolves to/);
  });

  it("leads with the name clients use, never calling a bare word an alias", () => {
    const r = buildResolution(
      {
        query: "nginx",
        subject: { kind: "name", name: "nginx.service-connect" },
        focusName: { name: "nginx.service-connect" },
      },
      nginxFacts(),
    );

    expect(r.verdict).toMatch(
      /^nginx\.service-connect \(asked: nginx\) → Service Connect alias of tutorial\/service-connect-nginx-service/,
    );
    expect(r.verdict).toContain(
      "nginx is only the Cloud Map discovery name: clients cannot resolve it, they use nginx.service-connect:80",
    );
  });

  it("says a client-only Service Connect service is a client of its namespace", () => {
    const facts = nginxFacts();
    if (facts.service?.serviceConnect) facts.service.serviceConnect.services = [];

    const r = buildResolution(
      { query: "tutorial/web-frontend", subject: { kind: "service" } },
      facts,
    );

    expect(r.verdict).toContain(
      "a Service Connect client of namespace service-connect (it resolves that namespace's aliases and publishes none)",
    );
    expect(r.nextCheck).not.toContain("neither Service Connect nor");
  });
});

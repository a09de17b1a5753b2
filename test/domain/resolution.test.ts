import { describe, expect, it } from "vitest";
import { buildResolution } from "../../src/domain/resolution.ts";
import { apiFacts, nginxFacts } from "../support/facts.ts";

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
      taskDefinition: "service-connect-nginx:1",
      rolloutState: "COMPLETED",
      securityGroups: ["sg-0c0ffee00000a0001"],
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
    expect(r.nextCheck).toContain("started after 2026-11-20T09:00:00.000Z");
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
    facts.service = { ...facts.service, runningCount: 0 };
    facts.tasks = [];
    facts.instances.set("srv-utcrh6wavdkggqtk", []);

    const r = buildResolution(byName("api.internal.local"), facts);

    expect(r.nextCheck).toContain("Nothing runs: 0 of 3 tasks");
  });

  it("answers a task lookup with that task and the name it serves", () => {
    const facts = nginxFacts();
    const r = buildResolution(
      {
        query: "10.0.2.47",
        subject: { kind: "task", taskId: "1a2b3c4d5e6f47a8b9c0d1e2f3a4b502", ip: "10.0.2.47" },
      },
      facts,
    );

    expect(r.endpoints).toHaveLength(1);
    expect(r.verdict).toBe(
      "10.0.2.47 → task 1a2b3c4d5e6f47a8b9c0d1e2f3a4b502 of tutorial/service-connect-nginx-service (RUNNING, HEALTHY), serves nginx.service-connect:80",
    );
  });
});

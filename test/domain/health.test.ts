import type { DescribeTasksResponse, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { toEcsTask } from "../../src/aws/ecs-mapping.ts";
import { dedupeEvents, type HealthInput, judgeHealth } from "../../src/domain/health.ts";
import type { ServiceFacts } from "../../src/domain/resolution/service-facts.ts";
import { buildResolution } from "../../src/domain/resolution.ts";
import type { TrafficReport } from "../../src/domain/traffic.ts";
import { apiFacts, nginxFacts } from "../support/facts.ts";
import { sdkFixture } from "../support/fixtures.ts";

const stoppedWorkers = () =>
  (
    sdkFixture<DescribeTasksResponse>("aws/describe-tasks.billing-worker-stopped.json").tasks ?? []
  ).map(toEcsTask);

function input(name: string, facts: ServiceFacts, extra: Partial<HealthInput> = {}): HealthInput {
  const resolution = buildResolution(
    { query: name, subject: { kind: "name", name }, focusName: { name } },
    facts,
  );
  return { resolution, service: facts.service, stoppedTasks: [], gaps: [], ...extra };
}

const cases: { rule: string; build: () => HealthInput; level: string; reason: RegExp }[] = [
  {
    rule: "all healthy",
    build: () => input("nginx.service-connect", nginxFacts(), { clients: [] }),
    level: "healthy",
    reason: /^2 of 2 endpoints healthy, 2 of 2 tasks running, deployment COMPLETED$/,
  },
  {
    rule: "one unhealthy endpoint",
    build: () => input("api.internal.local", apiFacts()),
    level: "degraded",
    reason: /^1 of 3 endpoints unhealthy: 10\.0\.3\.103 \(container health check failing: api\)$/,
  },
  {
    rule: "rollout failed",
    build: () => {
      const facts = nginxFacts();
      if (!facts.service) throw new Error("fixture has the service");
      facts.service = {
        ...facts.service,
        rolloutState: "FAILED",
        rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        failedTasks: 3,
      };
      return input("nginx.service-connect", facts);
    },
    level: "degraded",
    reason:
      /^deployment failed: ECS deployment circuit breaker: tasks failed to start\. \(3 failed tasks\)$/,
  },
  {
    rule: "running 0",
    build: () => {
      const facts = apiFacts();
      if (facts.service) facts.service = { ...facts.service, runningCount: 0 };
      facts.tasks = [];
      facts.instances.set("srv-utcrh6wavdkggqtk", []);
      return input("api.internal.local", facts, { stoppedTasks: stoppedWorkers() });
    },
    level: "down",
    reason:
      /^0 of 3 tasks running; last stop: task stopped 2026-11-23 15:33 UTC: Essential container in task exited \(worker exit 137: OutOfMemoryError/,
  },
  {
    rule: "Cloud Map lists a task ECS no longer runs",
    build: () => {
      const facts = nginxFacts();
      facts.tasks = facts.tasks.slice(1);
      return input("nginx.service-connect", facts);
    },
    level: "degraded",
    reason:
      /^Cloud Map still lists 10\.0\.1\.23 for nginx\.service-connect, but ECS no longer runs that task: clients resolve a dead IP$/,
  },
  {
    rule: "a publisher redeploy with unchanged aliases",
    build: () => {
      // nginx first appeared 2026-11-20 09:00; it redeployed on 11-22, web-frontend on 11-21.
      const facts = nginxFacts();
      if (facts.service) facts.service.deployedAt = new Date("2026-11-22T09:00:00Z");
      return input("nginx.service-connect", facts, {
        clients: [
          {
            cluster: "tutorial",
            service: "web-frontend",
            deployedAt: new Date("2026-11-21T08:00:00Z"),
          },
        ],
      });
    },
    level: "healthy",
    reason: /^2 of 2 endpoints healthy, 2 of 2 tasks running, deployment COMPLETED$/,
  },
  {
    rule: "ECS tasks unreadable",
    build: () => {
      const facts = nginxFacts();
      facts.tasks = [];
      facts.tasksComplete = false;
      return input("nginx.service-connect", facts, {
        clients: [],
        gaps: [{ what: "the task list of tutorial/service-connect-nginx-service", why: "denied" }],
      });
    },
    // Cloud Map's health check still says both endpoints are HEALTHY: not down, not stale.
    level: "healthy",
    reason: /^2 endpoints registered, their ECS state unread, 2 of 2 tasks running/,
  },
  {
    rule: "ECS service unreadable",
    build: () => {
      // Found through Cloud Map first (the whois fast path), then DescribeServices denied.
      const facts = nginxFacts();
      facts.service = undefined;
      const namespace = facts.namespaces.find((n) => n.name === "service-connect");
      const instances = facts.instances.get("srv-tsw4bbsna23fxcjx");
      if (namespace && instances) facts.known = { namespace, discoveryName: "nginx", instances };
      return input("nginx.service-connect", facts, {
        gaps: [{ what: "the ECS service tutorial/service-connect-nginx-service", why: "denied" }],
      });
    },
    level: "unknown",
    reason:
      /^could not read the ECS service tutorial\/service-connect-nginx-service; known: 2 registered in Cloud Map \(2 HEALTHY\)$/,
  },
  {
    rule: "every endpoint failing its container health check",
    build: () => {
      const facts = apiFacts();
      const failing = facts.tasks.find((t) => t.healthStatus === "UNHEALTHY");
      facts.tasks = facts.tasks.map((t) => ({
        ...t,
        healthStatus: "UNHEALTHY",
        containers: failing?.containers ?? t.containers,
      }));
      return input("api.internal.local", facts);
    },
    level: "down",
    reason:
      /^every endpoint of api\.internal\.local fails its container health check \(container api\): 0 of 3 healthy$/,
  },
];

describe("judgeHealth", () => {
  it.each(cases)("judges $rule as $level with the deciding reason", ({ build, level, reason }) => {
    const report = judgeHealth(build());

    expect(report.level).toBe(level);
    expect(report.reason).toMatch(reason);
  });

  it("judges running 0 with a failed rollout as down and points at the OOM kill", () => {
    const facts = apiFacts();
    if (facts.service)
      facts.service = { ...facts.service, runningCount: 0, rolloutState: "FAILED" };
    facts.tasks = [];
    facts.instances.set("srv-utcrh6wavdkggqtk", []);

    const report = judgeHealth(
      input("api.internal.local", facts, { stoppedTasks: stoppedWorkers() }),
    );

    expect(report.findings.map((f) => f.level)).toEqual(["down", "down"]);
    expect(report.nextCheck).toContain(
      "Exit 137 with OutOfMemoryError means the container hit its memory limit",
    );
  });

  it("sends tasks that never started to the image, the registry and the network, not to logs", () => {
    const facts = apiFacts();
    if (facts.service) facts.service = { ...facts.service, runningCount: 0 };
    facts.tasks = [];
    facts.instances.set("srv-utcrh6wavdkggqtk", []);
    const never = toEcsTask(
      sdkFixture<{ task: Task }>("aws/official/stop-task.task-failed-to-start.json").task,
    );

    const report = judgeHealth(input("api.internal.local", facts, { stoppedTasks: [never] }));

    expect(report.level).toBe("down");
    expect(report.reason).toBe(
      "0 of 3 tasks running; tasks never start: task stopped 2019-07-18 03:44 UTC: Taskfailedtostart",
    );
    expect(report.findings[0]?.layer).toBe("deploy");
    expect(report.nextCheck).toMatch(/^App \(never started\): .*no container logs to read/);
    expect(report.nextCheck).toContain("the image tag exists in the registry");
    expect(report.nextCheck).not.toContain("Read its logs");
  });

  it("does not call 'no stopped task' what it could not read", () => {
    const facts = apiFacts();
    if (facts.service) facts.service = { ...facts.service, runningCount: 0 };
    facts.tasks = [];

    const report = judgeHealth(input("api.internal.local", facts, { stoppedTasks: undefined }));

    expect(report.nextCheck).toContain("could not be read");
    expect(report.nextCheck).not.toContain("keeps no recently stopped task");
  });

  it("turns unread ECS tasks into unknown endpoints, never stale ones or DOWN", () => {
    const facts = apiFacts();
    facts.tasks = [];
    facts.tasksComplete = false;

    const report = judgeHealth(input("api.internal.local", facts));

    expect(report.cloudMapOnly).toEqual([]);
    // Cloud Map's own health check still marks 10.0.3.103 unhealthy: that was read.
    expect(report.level).toBe("degraded");
    expect(report.reason).toMatch(/^1 of 3 endpoints unhealthy: 10\.0\.3\.103/);
    expect(report.resolution.endpoints.filter((e) => e.state === "unknown")).toHaveLength(2);
  });

  it("says a registration outlived its task: since when, what keeps it, and how to remove it", () => {
    const facts = nginxFacts();
    const gone = facts.tasks[0];
    if (!gone) throw new Error("fixture has tasks");
    facts.tasks = facts.tasks.slice(1);
    facts.extraTasks = [
      {
        ...gone,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stoppedAt: new Date("2026-11-23T15:40:00Z"),
        stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1)",
        stopCode: "ServiceSchedulerInitiated",
      },
    ];

    const report = judgeHealth(input("nginx.service-connect", facts));

    expect(report.reason).toBe(
      "Cloud Map still lists 10.0.1.23 (task stopped 2026-11-23 15:40 UTC) for nginx.service-connect, but ECS no longer runs that task: clients resolve a dead IP",
    );
    expect(report.findings[0]?.layer).toBe("name");
    expect(report.nextCheck).toContain(
      "aws servicediscovery deregister-instance --service-id srv-tsw4bbsna23fxcjx --instance-id 0f4e5d6c7b8a49e1a2b3c4d5e6f70801",
    );
    expect(report.nextCheck).not.toMatch(/within a minute|should clear/);
  });

  it("notes a client deployed before the name appeared, without calling the service degraded", () => {
    const report = judgeHealth(
      input("nginx.service-connect", nginxFacts(), {
        clients: [
          {
            cluster: "tutorial",
            service: "web-frontend",
            deployedAt: new Date("2026-11-22T12:00:00Z"),
          },
          {
            cluster: "tutorial",
            service: "legacy-report",
            deployedAt: new Date("2026-11-18T08:00:00Z"),
          },
        ],
      }),
    );

    expect(report.level).toBe("healthy");
    expect(report.staleClients?.map((c) => c.service)).toEqual(["legacy-report"]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        level: "note",
        layer: "name",
        text: "legacy-report deployed before nginx.service-connect:80 first appeared (2026-11-20 09:00 UTC): if it calls it, its Service Connect proxies cannot resolve it until redeployed",
      }),
    ]);
    expect(report.nextCheck).toContain(
      "aws ecs update-service --cluster tutorial --service legacy-report --force-new-deployment",
    );
  });

  const end = new Date("2026-11-23T16:00:00Z");
  const figure = (current: number) => ({ current, previous: 0 });
  /** 15 minutes of nginx traffic: checkout sees 30 % 5xx, web-frontend none. */
  const trafficOf = (errors: number): TrafficReport => ({
    name: "nginx.service-connect:80",
    discoveryName: "nginx",
    publisher: { service: "service-connect-nginx-service", cluster: "tutorial" },
    protocol: "http",
    window: { label: "15m", seconds: 900, period: 60 },
    end,
    status: "ok",
    requests: figure(3000),
    rate: figure(3.3),
    codes: {
      "2XX": figure(3000 - errors),
      "3XX": figure(0),
      "4XX": figure(0),
      "5XX": figure(errors),
    },
    errorRate: figure(errors / 3000),
    latency: { p50: figure(8), p90: figure(15), p99: figure(30) },
    newConnections: figure(30),
    activeConnections: figure(40),
    bytes: figure(1e6),
    callers: [
      {
        service: "checkout",
        cluster: "tutorial",
        requests: 1000,
        errorRate: errors / 1000,
        p99: 40,
      },
      { service: "web-frontend", cluster: "tutorial", requests: 2000, errorRate: 0, p99: 30 },
    ],
    notes: [],
  });

  it("says when only one caller sees the 5xx, and whether it deployed just before", () => {
    const traffic = trafficOf(300);
    const clients = [
      { cluster: "tutorial", service: "checkout", deployedAt: new Date("2026-11-23T15:40:00Z") },
      {
        cluster: "tutorial",
        service: "web-frontend",
        deployedAt: new Date("2026-11-22T12:00:00Z"),
      },
    ];

    const report = judgeHealth(input("nginx.service-connect", nginxFacts(), { traffic, clients }));

    expect(report.level).toBe("degraded");
    expect(report.reason).toBe(
      "only tutorial/checkout sees 5xx: 30.0% of its requests in the last 15m; the other caller sees under 1%",
    );
    expect(report.nextCheck).toContain("checkout deployed at 2026-11-23 15:40 UTC, 20 min before");
  });

  it("does not call a handful of 5xx an incident, however high their share", () => {
    // 6 errors in 15 minutes: 0.2 % overall, 0.6 % of checkout's; and 9 of 10 requests failing
    // would still be 9 errors, under the 10 that make a finding.
    const few = judgeHealth(
      input("nginx.service-connect", nginxFacts(), { traffic: trafficOf(6), clients: [] }),
    );
    const tiny = trafficOf(9);
    tiny.codes["2XX"] = figure(1);
    tiny.errorRate = figure(0.9);
    const small = judgeHealth(
      input("nginx.service-connect", nginxFacts(), { traffic: tiny, clients: [] }),
    );

    expect(few.level).toBe("healthy");
    expect(small.level).toBe("healthy");
  });

  it("lists the newest stopped task first", () => {
    const report = judgeHealth(
      input("api.internal.local", apiFacts(), { stoppedTasks: stoppedWorkers() }),
    );

    expect(report.stopped?.map((s) => s.taskId)).toEqual([
      "7a8b9c0d1e2f43a4b5c6d7e8f9a0b128",
      "6f7a8b9c0d1e42f3a4b5c6d7e8f90a17",
    ]);
  });
});

describe("dedupeEvents", () => {
  it("collapses events about different tasks without pinning them on one task ID", () => {
    const events = dedupeEvents([
      {
        at: new Date("2026-11-23T15:00:00Z"),
        message: "(service w) has started 1 tasks: (task 6f7a8b9c0d1e42f3a4b5c6d7e8f90a17).",
      },
      {
        at: new Date("2026-11-23T15:20:00Z"),
        message: "(service w) has started 1 tasks: (task 7a8b9c0d1e2f43a4b5c6d7e8f9a0b128).",
      },
      { at: new Date("2026-11-23T15:10:00Z"), message: "(service w) has reached a steady state." },
    ]);

    expect(events.map((e) => [e.message, e.count, e.about])).toEqual([
      ["(service w) has started 1 tasks: (task …).", 2, ["task 7a8b9c0d1e2f", "task 6f7a8b9c0d1e"]],
      ["(service w) has reached a steady state.", 1, []],
    ]);
  });

  it("keeps both deployments when two deployments completed", () => {
    const events = dedupeEvents([
      {
        at: new Date("2026-11-23T09:35:00Z"),
        message: "(service a) (deployment ecs-svc/3318052217748190562) deployment completed.",
      },
      {
        at: new Date("2026-11-22T10:55:00Z"),
        message: "(service a) (deployment ecs-svc/7410358296610427183) deployment completed.",
      },
    ]);

    expect(events.map((e) => [e.message, e.about])).toEqual([
      [
        "(service a) (deployment ecs-svc/…) deployment completed.",
        ["deployment ecs-svc/3318052217748190562", "deployment ecs-svc/7410358296610427183"],
      ],
    ]);
  });

  it("keeps the task ID when every collapsed event names the same task", () => {
    const message =
      "(service w) (task 6f7a8b9c0d1e42f3a4b5c6d7e8f90a17) failed container health checks.";
    const events = dedupeEvents([
      { at: new Date("2026-11-23T15:00:00Z"), message },
      { at: new Date("2026-11-23T15:05:00Z"), message },
    ]);

    expect(events.map((e) => [e.message, e.count])).toEqual([[message, 2]]);
  });
});

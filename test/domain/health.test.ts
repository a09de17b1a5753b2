import type { DescribeTasksResponse } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { toEcsTask } from "../../src/aws/ecs-mapping.ts";
import { dedupeEvents, type HealthInput, judgeHealth } from "../../src/domain/health.ts";
import { buildResolution, type ServiceFacts } from "../../src/domain/resolution.ts";
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
      facts.service = { ...facts.service, runningCount: 0 };
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
      /^Cloud Map still lists 10\.0\.1\.23 for nginx\.service-connect, but ECS no longer runs that task: clients may resolve a dead IP$/,
  },
  {
    rule: "client needing redeploy",
    build: () =>
      input("nginx.service-connect", nginxFacts(), {
        clients: [
          {
            cluster: "tutorial",
            service: "web-frontend",
            deployedAt: new Date("2026-11-19T08:00:00Z"),
          },
        ],
      }),
    level: "degraded",
    reason:
      /^web-frontend started before service-connect-nginx-service's current deployment \(2026-11-20T09:00:00\.000Z\)/,
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
    facts.service = { ...facts.service, runningCount: 0, rolloutState: "FAILED" };
    facts.tasks = [];
    facts.instances.set("srv-utcrh6wavdkggqtk", []);

    const report = judgeHealth(
      input("api.internal.local", facts, { stoppedTasks: stoppedWorkers() }),
    );

    expect(report.findings.map((f) => f.level)).toEqual(["down", "down"]);
    expect(report.nextCheck).toContain(
      "exit 137 with OutOfMemoryError means the container hit its memory limit",
    );
  });

  it("lists the newest stopped task first", () => {
    const report = judgeHealth(
      input("api.internal.local", apiFacts(), { stoppedTasks: stoppedWorkers() }),
    );

    expect(report.stopped.map((s) => s.taskId)).toEqual([
      "7a8b9c0d1e2f43a4b5c6d7e8f9a0b128",
      "6f7a8b9c0d1e42f3a4b5c6d7e8f90a17",
    ]);
  });
});

describe("dedupeEvents", () => {
  it("collapses events that differ only by task ID and keeps the newest", () => {
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

    expect(events.map((e) => [e.message, e.count])).toEqual([
      ["(service w) has started 1 tasks: (task 7a8b9c0d1e2f43a4b5c6d7e8f9a0b128).", 2],
      ["(service w) has reached a steady state.", 1],
    ]);
  });
});

import { describe, expect, it } from "vitest";
import type { EcsTask, TaskDefinition } from "../../../src/domain/facts.ts";
import {
  judgeTargetHealth,
  type ServiceTargetGroup,
  type TaskAsTarget,
  taskAsTarget,
} from "../../../src/domain/load-balancing/target-health.ts";
import type { TargetHealth } from "../../../src/domain/load-balancing/types.ts";
import { CHECKOUT_TG_ARN, checkoutTg, instanceTarget, NOW } from "./support.ts";

// Instance targets of bridge and host tasks (issue 24 item 2): a target of an `instance` group is
// an EC2 instance ID and a port (ELB "Target type": instance targets are registered by instance
// ID, ECS registers the task's host port); bridge mode maps a container port to a dynamic host
// port (ECS networkBindings), host mode binds the container port on the host itself.

const LONG_AGO = new Date("2026-12-06T09:00:00Z");
const group = checkoutTg({ targetType: "instance", port: 80 });

const read = (targets: TargetHealth[]): ServiceTargetGroup => ({
  arn: CHECKOUT_TG_ARN,
  group: { known: true, value: group },
  targets: { known: true, value: targets },
});

function ecsTask(id: string, bindings: [number, number][], extra: Partial<EcsTask> = {}): EcsTask {
  return {
    arn: `arn:aws:ecs:ap-northeast-1:111122223333:task/legacy/${id}`,
    id,
    clusterName: "legacy",
    taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/web:7",
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    startedAt: LONG_AGO,
    containerInstanceArn: "arn:aws:ecs:ap-northeast-1:111122223333:container-instance/legacy/ci1",
    containers: [
      {
        name: "web",
        networkBindings: bindings.map(([containerPort, hostPort]) => ({ containerPort, hostPort })),
      },
    ],
    ...extra,
  };
}

const judge = (tasks: TaskAsTarget[], targets: TargetHealth[], containerPort = 80) =>
  judgeTargetHealth({
    service: "legacy/web",
    groups: [read(targets)],
    tasks,
    registers: [{ targetGroupArn: CHECKOUT_TG_ARN, containerName: "web", containerPort }],
    now: NOW,
  });

const failing = () =>
  instanceTarget(
    "i-0a1b2c3d4e5f60718",
    32769,
    "unhealthy",
    "Target.ResponseCodeMismatch",
    "Health checks failed with these codes: [502]",
  );

describe("instance targets of bridge tasks", () => {
  it("names the task whose dynamic host port the failing instance:port target is", () => {
    const on = { instanceId: "i-0a1b2c3d4e5f60718" };
    const tasks = [
      taskAsTarget(ecsTask("aaaa1111", [[80, 32768]]), on),
      taskAsTarget(ecsTask("bbbb2222", [[80, 32769]]), on),
    ];
    const j = judge(tasks, [instanceTarget("i-0a1b2c3d4e5f60718", 32768, "healthy"), failing()]);

    const bad = j.groups[0]?.targets.find((t) => t.verdict === "unhealthy");
    expect(bad).toMatchObject({ target: "i-0a1b2c3d4e5f60718:32769", taskId: "bbbb2222" });
    expect(j.tasks).toMatchObject([
      { taskId: "aaaa1111", verdict: "healthy" },
      { taskId: "bbbb2222", verdict: "unhealthy" },
    ]);
  });

  it("matches only the host port of the container port the service registers", () => {
    // 32769 publishes the admin port 9090, not the registered 80: the target is not that task.
    const task = taskAsTarget(
      ecsTask("aaaa1111", [
        [80, 32768],
        [9090, 32769],
      ]),
      { instanceId: "i-0a1b2c3d4e5f60718" },
    );
    const j = judge([task], [failing()]);

    expect(j.groups[0]?.targets.find((t) => t.verdict === "unhealthy")?.taskId).toBeUndefined();
  });

  it("never takes the instance's only task for a target when it binds no port", () => {
    const task = taskAsTarget(ecsTask("aaaa1111", []), { instanceId: "i-0a1b2c3d4e5f60718" });
    const j = judge([task], [failing()]);

    expect(j.groups[0]?.targets[0]?.taskId).toBeUndefined();
  });

  it("never matches a task on another instance with the same host port", () => {
    const task = taskAsTarget(ecsTask("aaaa1111", [[80, 32769]]), {
      instanceId: "i-0ffffffffffffffff",
    });
    const j = judge([task], [failing()]);

    expect(j.groups[0]?.targets[0]?.taskId).toBeUndefined();
  });
});

describe("instance targets of host-mode tasks", () => {
  it("takes the container port as the host port when ECS reports no bindings", () => {
    const td: TaskDefinition = {
      arn: "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/web:7",
      family: "web",
      revision: 7,
      networkMode: "host",
      containers: [{ name: "web", portMappings: [{ containerPort: 8080 }] }],
    };
    const task = taskAsTarget(ecsTask("aaaa1111", []), { instanceId: "i-0a1b2c3d4e5f60718" }, td);
    const j = judge(
      [task],
      [instanceTarget("i-0a1b2c3d4e5f60718", 8080, "unhealthy", "Target.Timeout")],
      8080,
    );

    expect(j.groups[0]?.targets[0]).toMatchObject({
      target: "i-0a1b2c3d4e5f60718:8080",
      taskId: "aaaa1111",
    });
  });
});

describe("a bridge task whose container instance could not be read", () => {
  const unknown = { unknown: "AWS denied DescribeContainerInstances (AccessDeniedException)" };
  const tasks = () => [
    taskAsTarget(ecsTask("aaaa1111", [[80, 32768]]), unknown),
    taskAsTarget(ecsTask("bbbb2222", [[80, 32769]]), unknown),
  ];

  it("leaves the failing target unmatched: no task is named, never a wrong one", () => {
    const j = judge(tasks(), [instanceTarget("i-0a1b2c3d4e5f60718", 32768, "healthy"), failing()]);

    const bad = j.groups[0]?.targets.find((t) => t.verdict === "unhealthy");
    expect(bad?.target).toBe("i-0a1b2c3d4e5f60718:32769");
    expect(bad?.taskId).toBeUndefined();
  });

  it("says of each task why its target is unknown, and never calls it missing from the group", () => {
    const j = judge(tasks(), [failing()]);

    for (const task of j.tasks) {
      expect(task.verdict).toBe("unknown");
      expect(task.targets[0]?.reason).toBeUndefined();
      expect(task.targets[0]?.what).toMatch(
        /its container instance could not be read \(AWS denied DescribeContainerInstances/,
      );
    }
  });

  it("keeps the group's verdict from its targets: the failing target still counts", () => {
    const j = judge(tasks(), [instanceTarget("i-0a1b2c3d4e5f60718", 32768, "healthy"), failing()]);

    expect(j.groups[0]).toMatchObject({ level: "degraded", healthy: 1, inService: 2 });
  });
});

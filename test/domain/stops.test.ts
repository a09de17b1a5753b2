import { describe, expect, it } from "vitest";
import type { EcsTask } from "../../src/domain/facts.ts";
import { stopAdvice, stopKind, stopNote } from "../../src/domain/stops.ts";

// Exit code 137 is SIGKILL (ECS guide, Docker diagnostics), not "out of memory": running out of
// memory is one cause, named by an OutOfMemoryError reason; a task stopped by the scheduler or a
// user whose container ignores the stop signal is killed after stopTimeout (API StopTask).

function stopped(extra: Partial<EcsTask>, container: EcsTask["containers"][number]): EcsTask {
  return {
    arn: "arn:aws:ecs:eu-west-1:111122223333:task/prod/0123456789abcdef",
    id: "0123456789abcdef",
    clusterName: "prod",
    taskDefinitionArn: "arn:aws:ecs:eu-west-1:111122223333:task-definition/api:7",
    lastStatus: "STOPPED",
    desiredStatus: "STOPPED",
    stoppedAt: new Date("2026-11-23T15:40:00Z"),
    containers: [container],
    ...extra,
  };
}

describe("why a task that exited 137 stopped", () => {
  it("says out of memory when the container's reason is OutOfMemoryError", () => {
    const task = stopped(
      { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" },
      {
        name: "worker",
        exitCode: 137,
        reason: "OutOfMemoryError: Container killed due to memory usage",
      },
    );

    expect(stopKind(task)).toBe("out-of-memory");
    expect(stopAdvice(task, "prod/billing-worker")).toMatch(/OutOfMemoryError/);
  });

  it("leads with the scheduler's reason and says the app ignored the stop signal", () => {
    const task = stopped(
      {
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Task failed container health checks",
      },
      { name: "api", exitCode: 137 },
    );

    const advice = stopAdvice(task, "prod/api");
    expect(stopKind(task)).toBe("killed-after-stop-timeout");
    expect(advice).toMatch(/^Deploy: ECS stopped the tasks: Task failed container health checks\./);
    expect(advice).toContain("did not exit on the stop signal");
    expect(advice).toContain("stopTimeout");
    expect(advice).not.toMatch(/memory limit|raise memory/i);
    expect(stopNote(task)).toContain("api exit 137 (SIGKILL)");
  });

  it("says a user's stop killed it after stopTimeout", () => {
    const task = stopped(
      { stopCode: "UserInitiated", stoppedReason: "Task stopped by user" },
      { name: "api", exitCode: 137 },
    );

    expect(stopKind(task)).toBe("killed-after-stop-timeout");
    expect(stopAdvice(task, "prod/api")).toMatch(
      /^Deploy: ECS stopped the tasks: Task stopped by user\./,
    );
  });

  it("calls a bare 137 a SIGKILL whose cause is not stated, not out of memory", () => {
    const task = stopped(
      { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" },
      { name: "worker", exitCode: 137 },
    );

    const advice = stopAdvice(task, "prod/worker");
    expect(stopKind(task)).toBe("killed");
    expect(advice).toContain("killed (SIGKILL, exit 137)");
    expect(advice).toContain("cause not stated");
    expect(advice).not.toMatch(/hit its memory limit|OutOfMemoryError means/);
  });
});

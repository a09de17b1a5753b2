import { describe, expect, it } from "vitest";
import { classify } from "../../../src/domain/incidents/classify.ts";
import { deploymentStop, oomStop, sample, sampleNames, taskEvent } from "./events.ts";

const SERVICE = "111122223333/us-west-2/default/servicetest";

describe("classifying AWS's published events", () => {
  const expected: Record<string, Record<string, unknown>> = {
    "cloudwatch-alarm-state-change-anomaly-detection": {
      outcome: "incident",
      key: "123456789012/us-east-1/alarm/EC2 CPU Utilization Anomaly",
      signal: { kind: "alarm", severity: "error" },
    },
    "cloudwatch-alarm-state-change-composite": {
      outcome: "incident",
      key: "123456789012/us-east-1/alarm/ServiceAggregatedAlarm",
      signal: { kind: "alarm" },
    },
    "cloudwatch-alarm-state-change-metric-math": {
      outcome: "incident",
      signal: { kind: "alarm", alarm: { name: "TotalNetworkTrafficTooHigh" } },
    },
    "cloudwatch-alarm-state-change-single-metric": {
      outcome: "incident",
      signal: { kind: "alarm" },
    },
    "ecs-container-instance-state-change": { outcome: "ignored" },
    "ecs-deployment-state-change-completed": {
      outcome: "resolves",
      key: SERVICE,
      why: "deployment-completed",
    },
    "ecs-deployment-state-change-failed": {
      outcome: "incident",
      key: SERVICE,
      signal: {
        kind: "deployment-failed",
        severity: "error",
        summary: "deployment failed: ECS deployment circuit breaker: task failed to start.",
        deploymentId: "ecs-svc/123",
      },
    },
    "ecs-deployment-state-change-in-progress-rollback": {
      outcome: "incident",
      key: SERVICE,
      signal: { kind: "rollback-started", severity: "error" },
    },
    "ecs-deployment-state-change-in-progress": {
      outcome: "routine",
      key: SERVICE,
      reason: "deployment-in-progress",
    },
    "ecs-service-action-capacity-provider-steady-state": {
      outcome: "routine",
      reason: "informational",
    },
    "ecs-service-action-steady-state": { outcome: "resolves", key: SERVICE, why: "steady-state" },
    "ecs-service-action-task-placement-failure-ec2-cpu": {
      outcome: "incident",
      signal: {
        kind: "placement-failure",
        reason: "RESOURCE:CPU",
        summary: "tasks cannot be placed: RESOURCE:CPU",
      },
    },
    "ecs-service-action-task-placement-failure-fargate-spot": {
      outcome: "incident",
      signal: {
        kind: "placement-failure",
        summary: "tasks cannot be placed: RESOURCE:FARGATE (FARGATE_SPOT)",
      },
    },
    "ecs-service-action-task-start-impaired": {
      outcome: "incident",
      key: SERVICE,
      signal: { kind: "task-start-impaired", severity: "warning" },
    },
    "ecs-task-state-change-running-fargate": { outcome: "routine", reason: "running" },
    "ecs-task-state-change-spot-termination-notice": {
      outcome: "routine",
      reason: "spot-interruption",
      detail:
        "Spot interruption (TerminationNotice): Your Spot Task was interrupted.: the service replaces the task",
    },
  };

  it("has an expectation for every published sample", () => {
    expect(sampleNames().sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))("classifies %s", (name, outcome) => {
    expect(classify(sample(name))).toMatchObject(outcome);
  });

  it("names the cluster and service of a service event from the service ARN in resources", () => {
    const result = classify(sample("ecs-service-action-task-start-impaired"));
    expect(result).toMatchObject({
      subject: {
        account: "111122223333",
        region: "us-west-2",
        cluster: "default",
        service: "servicetest",
      },
      at: new Date("2019-11-19T19:55:38Z"),
    });
  });

  it("keys an alarm on an ECS service by the alarm, and names the service from its dimensions", () => {
    const event = sample("cloudwatch-alarm-state-change-single-metric");
    const detail = event.detail as {
      configuration: { metrics: { metricStat: { metric: { dimensions: unknown } } }[] };
    };
    const metric = detail.configuration.metrics[0];
    if (metric) metric.metricStat.metric.dimensions = { ServiceName: "api", ClusterName: "prod" };
    expect(classify(event)).toMatchObject({
      outcome: "incident",
      subject: { cluster: "prod", service: "api", alarm: expect.any(String) },
      key: expect.stringContaining("/alarm/"),
    });
  });

  it("turns an alarm back to OK into a resolution, and INSUFFICIENT_DATA into nothing", () => {
    const event = sample("cloudwatch-alarm-state-change-single-metric");
    const state = (event.detail as { state: { value: string } }).state;
    state.value = "OK";
    expect(classify(event)).toMatchObject({ outcome: "resolves", why: "alarm-ok" });
    state.value = "INSUFFICIENT_DATA";
    expect(classify(event)).toMatchObject({ outcome: "routine", reason: "alarm-not-alarming" });
  });
});

describe("classifying a stopped task of a service", () => {
  it("opens on an out-of-memory crash with the container, exit code, reason, image and task definition", () => {
    const result = classify(oomStop());
    expect(result).toMatchObject({
      outcome: "incident",
      key: SERVICE,
      signal: {
        kind: "task-stopped",
        severity: "warning",
        stop: {
          group: "service:servicetest",
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
          cause: "out-of-memory",
          taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/servicetest:7",
          container: {
            name: "app",
            exitCode: 137,
            reason: "OutOfMemoryError: Container killed due to memory usage",
            image: "111122223333.dkr.ecr.us-west-2.amazonaws.com/servicetest:v2",
          },
        },
      },
      task: { version: 5 },
    });
  });

  it("calls a bare exit 137 a kill, not out of memory", () => {
    const result = classify(
      taskEvent({
        stopCode: "EssentialContainerExited",
        exitCode: 137,
        stoppedReason: "Essential container in task exited",
      }),
    );
    expect(result).toMatchObject({ signal: { stop: { cause: "killed" } } });
    if (result.outcome !== "incident") throw new Error(result.outcome);
    expect(result.signal.summary).toContain("app exit 137 (SIGKILL)");
    expect(result.signal.summary).not.toMatch(/memory/i);
  });

  it("opens on a task that failed to start, as an error", () => {
    const result = classify(
      taskEvent({
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
      }),
    );
    expect(result).toMatchObject({
      outcome: "incident",
      signal: { severity: "error", stop: { cause: "image-pull", stopCode: "TaskFailedToStart" } },
    });
  });

  it("opens when the scheduler stops a task that failed its ELB health checks, 137 after stopTimeout included, with the load balancer as cause", () => {
    const result = classify(
      taskEvent({
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason:
          "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/api/1234)",
        exitCode: 137,
      }),
    );
    expect(result).toMatchObject({
      outcome: "incident",
      signal: { stop: { cause: "elb-health-check" } },
    });
  });

  it.each([
    [
      "a deployment's scale-in",
      deploymentStop(),
      "deployment-or-scale-in",
      "stopped by a deployment or scale-in: Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
    ],
    [
      "a user's StopTask",
      taskEvent({
        stopCode: "UserInitiated",
        stoppedReason: "Task stopped by user",
        exitCode: 137,
      }),
      "user-initiated",
      "stopped by a user: Task stopped by user",
    ],
    [
      "a Spot interruption",
      taskEvent({ stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." }),
      "spot-interruption",
      undefined,
    ],
    [
      "another scheduler stop",
      taskEvent({
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Container instance is draining",
      }),
      "scheduler",
      undefined,
    ],
    [
      "a standalone task",
      taskEvent({ group: "family:batch", stopCode: "EssentialContainerExited", exitCode: 1 }),
      "not-a-service-task",
      undefined,
    ],
    [
      "a task still deprovisioning",
      taskEvent({ lastStatus: "DEPROVISIONING" }),
      "not-terminal",
      undefined,
    ],
    [
      "a clean exit",
      taskEvent({ stopCode: "EssentialContainerExited", exitCode: 0 }),
      "clean-exit",
      undefined,
    ],
  ])("keeps %s quiet, saying why", (_, event, reason, detail) => {
    const result = classify(event);
    expect(result).toMatchObject({ outcome: "routine", reason });
    if (detail) expect(result).toMatchObject({ detail });
  });

  it("reads a snippet without time or region from the task's own fields and ARN", () => {
    expect(classify(sample("ecs-task-state-change-spot-termination-notice"))).toMatchObject({
      outcome: "routine",
      // No envelope time: the task's own createdAt is the best the snippet says.
      at: new Date("2016-12-06T16:41:05.702Z"),
    });
    const stop = taskEvent({ stopCode: "EssentialContainerExited", exitCode: 1 });
    delete stop.region;
    expect(classify(stop)).toMatchObject({ subject: { region: "us-west-2" } });
  });
});

describe("classifying what is not an incident event", () => {
  it.each([
    ["null", null, "not an EventBridge event"],
    ["a string", "hello", "not an EventBridge event"],
    [
      "no detail",
      { source: "aws.ecs", "detail-type": "ECS Task State Change" },
      "without a detail",
    ],
    ["another source", { source: "aws.s3", "detail-type": "Object Created", detail: {} }, "aws.s3"],
    [
      "a task without ARN",
      { source: "aws.ecs", "detail-type": "ECS Task State Change", detail: {} },
      "without a task ARN",
    ],
    [
      "a service event without ARN",
      {
        source: "aws.ecs",
        "detail-type": "ECS Service Action",
        detail: { eventName: "SERVICE_STEADY_STATE" },
        resources: [],
      },
      "no ECS service ARN",
    ],
    [
      "an unknown eventName",
      {
        ...sample("ecs-service-action-task-start-impaired"),
        detail: { eventType: "ERROR", eventName: "SOMETHING_NEW" },
      },
      "SOMETHING_NEW",
    ],
    [
      "an alarm without state",
      {
        source: "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        detail: { alarmName: "x" },
      },
      "without alarmName or state.value",
    ],
  ])("ignores %s with a reason instead of throwing", (_, event, why) => {
    const result = classify(event);
    expect(result.outcome).toBe("ignored");
    if (result.outcome === "ignored") expect(result.why).toContain(why);
  });

  it("never takes a short task ARN's ID for a cluster", () => {
    const long = taskEvent({ stopCode: "EssentialContainerExited", exitCode: 1 });
    delete long.detail.clusterArn;
    expect(classify(long)).toMatchObject({ subject: { cluster: "default" } });
    const short = {
      ...long,
      detail: { ...long.detail, taskArn: "arn:aws:ecs:us-west-2:111122223333:task/0123abcd" },
    };
    expect(classify(short)).toMatchObject({ subject: { cluster: "" } });
  });

  it("reads a short-format service ARN with the cluster from the event", () => {
    const event = sample("ecs-service-action-task-start-impaired");
    event.resources = ["arn:aws:ecs:us-west-2:111122223333:service/servicetest"];
    expect(classify(event)).toMatchObject({ key: SERVICE });
  });
});

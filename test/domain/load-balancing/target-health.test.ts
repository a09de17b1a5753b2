import { describe, expect, it } from "vitest";
import {
  judgeTargetHealth,
  type ServiceTargetGroup,
  type TargetHealthInput,
  taskAsTarget,
} from "../../../src/domain/load-balancing/target-health.ts";
import type { TargetGroup, TargetHealth } from "../../../src/domain/load-balancing/types.ts";
import {
  CHECKOUT_TG_ARN,
  checkoutTasks,
  checkoutTg,
  demoTargets,
  NOW,
  officialTargetGroup,
  officialTargetHealth,
  shopAlb,
  target,
} from "./support.ts";

// Each reason code AWS lists for TargetHealth (ELBv2 API reference, TargetHealth; ALB guide,
// "Health check reason codes") gets its own next step; see src/domain/load-balancing/README.md.

function read(targets: TargetHealth[], group: TargetGroup = checkoutTg()): ServiceTargetGroup {
  return {
    arn: group.arn,
    group: { known: true, value: group },
    targets: { known: true, value: targets },
    loadBalancers: [shopAlb()],
  };
}

function judge(groups: ServiceTargetGroup[], extra: Partial<TargetHealthInput> = {}) {
  return judgeTargetHealth({
    service: "tutorial/checkout",
    groups,
    tasks: checkoutTasks(),
    now: NOW,
    ...extra,
  });
}

/** The one target of the first group that is not healthy. */
function failing(groups: ServiceTargetGroup[], extra: Partial<TargetHealthInput> = {}) {
  const j = judge(groups, extra);
  const t = j.groups[0]?.targets.find((x) => x.verdict !== "healthy");
  if (!t) throw new Error("no target that is not healthy");
  return { j, t };
}

const withThird = (t: TargetHealth) => [
  target("10.0.1.17", "healthy"),
  t,
  target("10.0.1.99", "healthy"),
];

describe("target health by reason code", () => {
  it("ResponseCodeMismatch: the check's path, port and matcher against what the app answered", () => {
    const { j, t } = failing([read(demoTargets())]);
    expect(t.what).toBe("GET /healthz on 8080 answered 503, matcher 200");
    expect(t.verdict).toBe("unhealthy");
    expect(t.taskId).toBe("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2");
    expect(t.next).toMatch(/^App: the app reports itself failing/);
    expect(t.source).toContain("target-health-reason-codes");
    expect(j.groups[0]).toMatchObject({ level: "degraded", healthy: 2, inService: 3 });
  });

  it("ResponseCodeMismatch 404: the path does not exist", () => {
    const mismatch = target(
      "10.0.3.42",
      "unhealthy",
      "Target.ResponseCodeMismatch",
      "Health checks failed with these codes: [404]",
    );
    const { t } = failing([read(withThird(mismatch))]);
    expect(t.what).toBe("GET /healthz on 8080 answered 404, matcher 200");
    expect(t.next).toMatch(/\/healthz does not exist in the app/);
  });

  it("Timeout (AWS's example): the security group from the balancer's, the app listening on the port", () => {
    // AWS's example: instance i-0f76fade, port 80, "Connection to target timed out".
    const group = officialTargetGroup("elbv2-describe-target-groups.json");
    const targets = officialTargetHealth("elbv2-describe-target-health-unhealthy.json", group.arn);
    const { t } = failing([read(targets, group)], {
      tasks: [{ taskId: "bridge-task", instanceId: "i-0f76fade", hostPorts: [80] }],
    });
    expect(t.taskId).toBe("bridge-task");
    expect(t.target).toBe("i-0f76fade:80");
    expect(t.what).toBe("GET / on 80 got no answer within 5 s");
    expect(t.next).toMatch(
      /^Path: the tasks' security groups must allow TCP 80 from the balancer's security group/,
    );
    expect(t.next).toContain("0.0.0.0");
    expect(t.source).toContain("load-balancer-troubleshooting");
  });

  it("FailedHealthChecks: is the app listening with the check's protocol", () => {
    const t0 = target(
      "10.0.3.42",
      "unhealthy",
      "Target.FailedHealthChecks",
      "Health checks failed",
    );
    const { t } = failing([read(withThird(t0))]);
    expect(t.next).toMatch(
      /^App: is the app of tutorial\/checkout listening on 8080, with the check's protocol \(HTTP\)\?/,
    );
  });

  it("Elb.InternalError: AWS's side, nothing to fix in the service", () => {
    const t0 = target("10.0.3.42", "unhealthy", "Elb.InternalError");
    const { t } = failing([read(withThird(t0))]);
    expect(t.next).toMatch(/^Load balancer: nothing to fix in the service/);
  });

  it("Elb.InitialHealthChecking: wait, not a failure", () => {
    const t0 = target("10.0.3.42", "initial", "Elb.InitialHealthChecking");
    const { j, t } = failing([read(withThird(t0))]);
    expect(t.verdict).toBe("initial");
    expect(t.next).toMatch(/^Wait: it needs 5 passing checks, every 30 s/);
    expect(j.groups[0]?.level).toBe("healthy");
  });

  it("Elb.RegistrationInProgress (AWS's example): wait", () => {
    const group = officialTargetGroup("elbv2-describe-target-groups.json");
    const targets = officialTargetHealth("elbv2-describe-target-health-initial.json", group.arn);
    const { j, t } = failing([read(targets, group)], {
      tasks: [{ taskId: "bridge-task", instanceId: "i-0f76fade", hostPorts: [80] }],
    });
    expect(t.verdict).toBe("initial");
    expect(t.next).toMatch(/^Wait: the balancer routes to it once registration ends/);
    // Nothing serves yet, and nothing failed: starting, never down.
    expect(j.groups[0]?.level).toBe("starting");
  });

  it("Target.NotInUse (AWS's example): no listener forwards to the target group", () => {
    const group = {
      ...officialTargetGroup("elbv2-describe-target-groups.json"),
      loadBalancerArns: [],
    };
    const targets = officialTargetHealth("elbv2-describe-target-health-unused.json", group.arn);
    const { j, t } = failing([read(targets, group)], {
      tasks: [{ taskId: "bridge-task", instanceId: "i-0f76fade", hostPorts: [80] }],
    });
    expect(t.verdict).toBe("unused");
    expect(t.next).toMatch(/^Load balancer: my-targets is in no listener rule/);
    expect(j.groups[0]?.level).toBe("degraded");
  });

  it("Target.NotInUse: a zone the balancer does not use", () => {
    const t0 = target("10.0.3.42", "unused", "Target.NotInUse");
    const { j, t } = failing([read(withThird(t0))]);
    expect(t.what).toBe(
      "its Availability Zone (ap-northeast-1d) is not enabled for the balancer (ap-northeast-1a, ap-northeast-1c)",
    );
    expect(t.next).toMatch(
      /^Load balancer: enable that zone on the balancer \(aws elbv2 set-subnets/,
    );
    expect(j.groups[0]).toMatchObject({ level: "degraded", healthy: 2 });
  });

  it("Target.DeregistrationInProgress: draining, nothing to fix", () => {
    const t0 = target("10.0.3.42", "draining", "Target.DeregistrationInProgress");
    const { j, t } = failing([read(withThird(t0))]);
    expect(t.verdict).toBe("draining");
    expect(t.next).toMatch(/^Wait: .*deregistration delay/);
    expect(j.groups[0]).toMatchObject({ level: "healthy", inService: 2 });
  });

  it("Target.NotRegistered: a running task the balancer does not list", () => {
    const { j, t } = failing([
      read([target("10.0.1.17", "healthy"), target("10.0.1.99", "healthy")]),
    ]);
    expect(t).toMatchObject({
      taskId: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
      reason: "Target.NotRegistered",
    });
    expect(t.next).toMatch(/^Deploy: ECS registers the tasks of tutorial\/checkout itself/);
    expect(j.groups[0]?.level).toBe("degraded");
  });

  it("Target.InvalidState, Target.IpUnusable, Target.HealthCheckDisabled: each its own step", () => {
    const invalid = failing([
      read(withThird(target("10.0.3.42", "unused", "Target.InvalidState"))),
    ]);
    expect(invalid.t.next).toMatch(/^Capacity: the container instance of this task is stopped/);
    const reserved = failing([read(withThird(target("10.0.3.42", "unused", "Target.IpUnusable")))]);
    expect(reserved.t.next).toMatch(/^Load balancer: the registered address is a load balancer's/);
    const group = { ...checkoutTg(), targetType: "lambda" as const };
    const lambda = officialTargetHealth(
      "elbv2-describe-target-health-lambda-unavailable.json",
      group.arn,
    );
    const j = judge([read(lambda, group)]);
    expect(j.groups[0]?.targets[0]).toMatchObject({
      verdict: "unchecked",
      reason: "Target.HealthCheckDisabled",
    });
    expect(j.groups[0]?.targets[0]?.next).toMatch(/--health-check-enabled/);
  });

  it("a reason code the bot does not know: its state's default, AWS's words kept", () => {
    const t0 = target("10.0.3.42", "unhealthy", "Target.SomethingNew", "Something new happened");
    const { t } = failing([read(withThird(t0))]);
    expect(t.what).toBe("Something new happened");
    expect(t.next).toMatch(/^App: it fails GET \/healthz on 8080/);
  });
});

describe("target health that could not be read", () => {
  it("is unknown for every task, a gap, never healthy or unhealthy", () => {
    const j = judge([
      {
        arn: CHECKOUT_TG_ARN,
        group: { known: true, value: checkoutTg() },
        targets: { known: false, why: "AWS throttled DescribeTargetHealth (Throttling)" },
      },
    ]);
    expect(j.groups[0]).toMatchObject({ level: "unknown", healthy: 0 });
    expect(j.tasks.map((t) => t.verdict)).toEqual(["unknown", "unknown", "unknown"]);
    expect(j.gaps).toEqual([
      {
        what: "target health of checkout-tg",
        why: "AWS throttled DescribeTargetHealth (Throttling)",
      },
    ]);
  });

  it("a group whose description could not be read still judges its targets, by its ARN's name", () => {
    const j = judge([
      {
        arn: CHECKOUT_TG_ARN,
        group: { known: false, why: "denied" },
        targets: { known: true, value: demoTargets() },
      },
    ]);
    expect(j.groups[0]).toMatchObject({ name: "checkout-tg", level: "degraded", healthy: 2 });
  });
});

describe("the health-check grace period", () => {
  it("an unhealthy target whose task started within the grace period is waiting, not failing", () => {
    const tasks = checkoutTasks();
    const young = tasks[1];
    if (young) young.startedAt = new Date(NOW.getTime() - 30_000);
    const { j, t } = failing([read(demoTargets())], { tasks, gracePeriodSeconds: 120 });
    expect(t.verdict).toBe("initial");
    expect(t.graceEnds?.toISOString()).toBe("2026-12-06T12:01:30.000Z");
    expect(t.next).toMatch(
      /^Wait: ECS ignores this until 2026-12-06 12:01 UTC \(grace period 120 s\)/,
    );
    expect(j.groups[0]?.level).toBe("healthy");
  });

  it("past the grace period it fails again", () => {
    const { t } = failing([read(demoTargets())], { gracePeriodSeconds: 120 });
    expect(t.verdict).toBe("unhealthy");
  });
});

describe("per target group", () => {
  it("every target failing is down; the tasks each carry their worst target", () => {
    const all = checkoutTasks().map((x) =>
      target(x.ip ?? "", "unhealthy", "Target.Timeout", "Request timed out"),
    );
    const j = judge([read(all)]);
    expect(j.groups[0]).toMatchObject({ level: "down", healthy: 0, inService: 3 });
    expect(j.tasks.every((t) => t.verdict === "unhealthy")).toBe(true);
  });

  it("AWS's example of two healthy instance targets: healthy, matched by instance and port", () => {
    const group = officialTargetGroup("elbv2-describe-target-groups.json");
    const targets = officialTargetHealth("elbv2-describe-target-health.json", group.arn);
    const j = judge([read(targets, group)], {
      tasks: [
        { taskId: "t1", instanceId: "i-ceddcd4d", hostPorts: [80] },
        { taskId: "t2", instanceId: "i-0f76fade", hostPorts: [80] },
      ],
    });
    expect(j.groups[0]).toMatchObject({ level: "healthy", healthy: 2, inService: 2 });
    expect(j.tasks).toMatchObject([
      { taskId: "t1", verdict: "healthy" },
      { taskId: "t2", verdict: "healthy" },
    ]);
  });

  it("a task in two target groups is as bad as its worse one", () => {
    const admin = checkoutTg({
      arn: CHECKOUT_TG_ARN.replace("checkout-tg", "admin-tg"),
      name: "admin-tg",
    });
    const j = judge([
      read(checkoutTasks().map((x) => target(x.ip ?? "", "healthy"))),
      read(demoTargets(), admin),
    ]);
    expect(j.tasks.find((t) => t.taskId.startsWith("b2"))?.verdict).toBe("unhealthy");
    expect(j.tasks.find((t) => t.taskId.startsWith("a1"))?.verdict).toBe("healthy");
  });
});

describe("an ECS task as a target", () => {
  it("carries its ENI's IP and start, and on bridge networking its instance and host ports", () => {
    const task = {
      arn: "arn:aws:ecs:ap-northeast-1:111122223333:task/tutorial/abc",
      id: "abc",
      clusterName: "tutorial",
      taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/checkout:3",
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      ipv4: "10.0.1.17",
      startedAt: NOW,
      containers: [],
    };
    expect(taskAsTarget(task)).toEqual({ taskId: "abc", ip: "10.0.1.17", startedAt: NOW });
    const bridged = {
      ...task,
      ipv4: undefined,
      containers: [{ name: "web", networkBindings: [{ containerPort: 80, hostPort: 32768 }] }],
    };
    expect(taskAsTarget(bridged, { instanceId: "i-0f76fade" })).toMatchObject({
      instanceId: "i-0f76fade",
      bindings: [{ containerName: "web", containerPort: 80, hostPort: 32768 }],
    });
  });
});

describe("a running task the balancer does not list yet", () => {
  it("within the grace period it is waiting for ECS to register it, not missing", () => {
    const tasks = checkoutTasks();
    const young = tasks[1];
    if (young) young.startedAt = new Date(NOW.getTime() - 20_000);
    const j = judge([read([target("10.0.1.17", "healthy"), target("10.0.1.99", "healthy")])], {
      tasks,
      gracePeriodSeconds: 60,
    });
    const t = j.groups[0]?.targets.find((x) => x.reason === "Target.NotRegistered");
    expect(t?.verdict).toBe("initial");
    expect(t?.next).toMatch(
      /^Wait: ECS registers the task once it runs \(grace period until 2026-12-06 12:00 UTC\)/,
    );
    expect(j.groups[0]?.level).toBe("healthy");
  });
});

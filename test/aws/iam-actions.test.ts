import { describe, expect, it } from "vitest";
import {
  DIGEST_FUNCTION_ACTIONS,
  HEALTH_REPORT_ACTIONS,
  LOAD_BALANCER_READ_ACTIONS,
  NOTIFY_FUNCTION_ACTIONS,
  READ_ACTIONS,
  TARGET_HEALTH_ACTIONS,
} from "../../src/aws/iam-actions.ts";
import { INCIDENTS_TABLE_ACTIONS } from "../../src/aws/incidents-store.ts";

describe("the notify function's action list", () => {
  it("is health's reads of one service, plus its own resources and nothing else", () => {
    const reads = new Set<string>(HEALTH_REPORT_ACTIONS);
    const others = NOTIFY_FUNCTION_ACTIONS.filter((a) => !reads.has(a));
    expect([...others].sort()).toEqual(
      [
        "sts:AssumeRole",
        "ssm:GetParameters",
        ...INCIDENTS_TABLE_ACTIONS,
        "sqs:SendMessage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ].sort(),
    );
  });

  it("reads nothing the member accounts' role does not grant, and no graph, path or IP read", () => {
    for (const action of HEALTH_REPORT_ACTIONS) expect(READ_ACTIONS).toContain(action);
    for (const action of [
      "ecs:ListServices",
      "cloudwatch:GetMetricWidgetImage",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSecurityGroups",
      "lambda:InvokeFunction",
      "scheduler:CreateSchedule",
    ]) {
      expect(NOTIFY_FUNCTION_ACTIONS as readonly string[]).not.toContain(action);
    }
  });
});

describe("load balancer reads", () => {
  it("are all read actions; the digest gets target health only, not a balancer's listeners", () => {
    for (const action of LOAD_BALANCER_READ_ACTIONS) {
      expect(action).toMatch(/^elasticloadbalancing:Describe[A-Za-z]+$/);
      expect(READ_ACTIONS).toContain(action);
    }
    const digest: readonly string[] = DIGEST_FUNCTION_ACTIONS;
    expect(digest.filter((a) => a.startsWith("elasticloadbalancing:")).sort()).toEqual(
      [...TARGET_HEALTH_ACTIONS].sort(),
    );
  });
});

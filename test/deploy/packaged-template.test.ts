// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::...} are CloudFormation substitutions, literal on purpose
// The CloudFormation template osls packages (what CloudFormation would deploy), not serverless.yml
// as written: the digest's schedule, its function and role, the tables, the regions the roles may
// read, and how long the functions' logs are kept.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DIGEST_FUNCTION_ACTIONS,
  HEALTH_REPORT_ACTIONS,
  NOTIFY_FUNCTION_ACTIONS,
  READ_ACTIONS,
} from "../../src/aws/iam-actions.ts";
import { allows, readCall, type Statement } from "./policy.ts";

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };

const root = fileURLToPath(new URL("../..", import.meta.url));
const DEPLOY_REGION = "ap-northeast-1";
// The regions an operator tells the bot to read: the deploy region and one more.
const BOT_REGIONS = [DEPLOY_REGION, "us-east-1"];
let out: string;
let resources: Record<string, Resource>;
// The same stack packaged with --param="logRetentionDays=7" and --param="notifyAlarms=true".
let shortLogs: Record<string, Resource>;
let conditions: Record<string, unknown>;
let shortLogsConditions: Record<string, unknown>;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), "ecs-chatops-package-"));
  const run = (command: string, args: string[]) =>
    execFileSync(command, args, {
      cwd: root,
      stdio: "pipe",
      env: { ...process.env, SLS_TELEMETRY_DISABLED: "1", AWS_EC2_METADATA_DISABLED: "true" },
    });
  run(process.execPath, ["scripts/bundle.mjs"]);
  const packaged = (name: string, params: string[]) => {
    const dir = path.join(out, name);
    run(process.execPath, [
      path.join(root, "node_modules/osls/bin/serverless.js"),
      "package",
      "--stage",
      "dev",
      "--region",
      DEPLOY_REGION,
      ...params.map((p) => `--param=${p}`),
      "--package",
      dir,
    ]);
    const template = JSON.parse(
      readFileSync(path.join(dir, "cloudformation-template-update-stack.json"), "utf8"),
    ) as { Resources: Record<string, Resource>; Conditions: Record<string, unknown> };
    return template;
  };
  ({ Resources: resources, Conditions: conditions } = packaged("regions", [
    `botRegions=${BOT_REGIONS.join(",")}`,
  ]));
  ({ Resources: shortLogs, Conditions: shortLogsConditions } = packaged("short-logs", [
    "logRetentionDays=7",
    "notifyAlarms=true",
  ]));
}, 60_000);
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function digestStatements(): Statement[] {
  const role = resources.DigestFunctionRole;
  const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

describe("packaged CloudFormation template: scheduled digests", () => {
  it("has an EventBridge rule every quarter hour that invokes the digest function, and lets it", () => {
    const rules = ofType("AWS::Events::Rule").filter(
      ([, r]) =>
        r.Properties.ScheduleExpression &&
        JSON.stringify(r.Properties.Targets).includes('"DigestLambdaFunction"'),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties.ScheduleExpression).toBe("cron(0/15 * * * ? *)");
    expect(rule.Properties.State).toBe("ENABLED");
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { "Fn::GetAtt": ["DigestLambdaFunction", "Arn"] } }),
    ]);
    const permission = ofType("AWS::Lambda::Permission").find(
      ([, p]) =>
        p.Properties.Principal === "events.amazonaws.com" &&
        JSON.stringify(p.Properties.FunctionName).includes("DigestLambdaFunction"),
    );
    expect(permission?.[1].Properties.FunctionName).toEqual({
      "Fn::GetAtt": ["DigestLambdaFunction", "Arn"],
    });
  });

  it("sends ECS's task state change events to the addresses function, which keeps the address book", () => {
    const rules = ofType("AWS::Events::Rule").filter(([, r]) =>
      JSON.stringify(r.Properties.Targets).includes("AddressesLambdaFunction"),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties.EventPattern).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
    });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { "Fn::GetAtt": ["AddressesLambdaFunction", "Arn"] } }),
    ]);
    const fn = resources.AddressesLambdaFunction?.Properties ?? {};
    expect(fn.Handler).toBe("dist/handler.addresses");
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.ADDRESS_TABLE).toEqual({ Ref: "AddressBookTable" });
    // Member accounts' forwarded events are accepted only when listed (param memberAccounts),
    // and only the ECS events the bot's rules use.
    const policy = resources.MemberTaskEventsPolicy as Resource & { Condition?: string };
    expect(policy?.Type).toBe("AWS::Events::EventBusPolicy");
    expect(policy?.Condition).toBe("ForwardsMemberTaskEvents");
    expect(policy?.Properties.Statement).toEqual(
      expect.objectContaining({
        Action: "events:PutEvents",
        Condition: {
          StringEquals: {
            "events:source": "aws.ecs",
            "events:detail-type": [
              "ECS Task State Change",
              "ECS Deployment State Change",
              "ECS Service Action",
            ],
          },
        },
      }),
    );
    expect(resources.AddressBookTable?.Properties.KeySchema).toEqual([
      { AttributeName: "address", KeyType: "HASH" },
      { AttributeName: "task", KeyType: "RANGE" },
    ]);
  });

  it("runs the digest with its own role, 300 s, 1 GB, no Lambda retry, and the targets parameter", () => {
    const fn = resources.DigestLambdaFunction?.Properties ?? {};
    expect(fn.Handler).toBe("dist/handler.digest");
    expect(fn.Timeout).toBe(300);
    expect(fn.MemorySize).toBe(1024);
    expect(fn.Role).toEqual({ "Fn::GetAtt": ["DigestFunctionRole", "Arn"] });
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.DIGEST_TARGETS_PARAM).toBe("/ecs-chatops/dev/digest-targets");
    expect(env.DIGEST_TABLE).toEqual({ Ref: "DigestHistoryTable" });
    expect(env.DIGEST_PART_SERVICES).toBe("1000");
    expect(env.DIGEST_PART_CONCURRENCY).toBe("2");
    expect(resources.DigestLambdaEvConf?.Properties.MaximumRetryAttempts).toBe(0);
    // A part Lambda gives up on comes back to the function itself, to be counted (digest-fanout).
    expect(resources.DigestLambdaEvConf?.Properties.DestinationConfig).toEqual({
      OnFailure: { Destination: { "Fn::GetAtt": ["DigestLambdaFunction", "Arn"] } },
    });
    // The Slack function keeps the provider's role.
    expect(resources.SlackLambdaFunction?.Properties.Role).toEqual({
      "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"],
    });
  });

  it("grants the digest role exactly DIGEST_FUNCTION_ACTIONS, none of them a wildcard", () => {
    const granted = digestStatements().flatMap(actions);
    expect([...new Set(granted)].sort()).toEqual([...new Set(DIGEST_FUNCTION_ACTIONS)].sort());
    // Invoke on the digest function itself only: the parts of a digest too large for one run.
    const invoke = digestStatements().filter((s) => actions(s).includes("lambda:InvokeFunction"));
    expect(invoke.flatMap(actions)).toEqual(["lambda:InvokeFunction"]);
    expect(JSON.stringify(invoke.map((s) => s.Resource))).toMatch(
      /function:ecs-chatops-dev-digest"/,
    );
    for (const a of granted) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    for (const s of digestStatements()) expect(s.Effect).toBe("Allow");
  });

  it("lets the digest read the bot token and the targets, not the signing secret", () => {
    const ssm = digestStatements().filter((s) => actions(s).includes("ssm:GetParameters"));
    const arns = JSON.stringify(ssm.map((s) => s.Resource));
    expect(arns).toContain("parameter/ecs-chatops/dev/slack-bot-token");
    expect(arns).toContain("parameter/ecs-chatops/dev/digest-targets");
    expect(arns).not.toContain("signing-secret");
  });

  it("declares both tables with a TTL, the digest role scoped to their ARNs", () => {
    for (const table of ["IdempotencyTable", "DigestHistoryTable"]) {
      expect(resources[table]?.Type).toBe("AWS::DynamoDB::Table");
      expect(resources[table]?.Properties.TimeToLiveSpecification).toEqual({
        AttributeName: "expiration",
        Enabled: true,
      });
    }
    const dynamo = digestStatements().filter((s) => actions(s)[0]?.startsWith("dynamodb:"));
    expect(dynamo.map((s) => s.Resource)).toEqual([
      [{ "Fn::GetAtt": ["IdempotencyTable", "Arn"] }],
      [{ "Fn::GetAtt": ["DigestHistoryTable", "Arn"] }],
    ]);
  });

  it("lets incident digests' schedules invoke the digest function only, in the bot's own group", () => {
    expect(resources.DigestScheduleGroup?.Type).toBe("AWS::Scheduler::ScheduleGroup");
    expect(resources.DigestScheduleGroup?.Properties.Name).toBe("ecs-chatops-dev-incidents");
    const role = resources.DigestSchedulerRole?.Properties ?? {};
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain("scheduler.amazonaws.com");
    const granted = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    );
    expect(granted.flatMap(actions)).toEqual(["lambda:InvokeFunction"]);
    expect(granted[0]?.Resource).toEqual([{ "Fn::GetAtt": ["DigestLambdaFunction", "Arn"] }]);

    const slackRole = resources.IamRoleLambdaExecution?.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    const slack = slackRole.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const schedules = slack.find((s) => actions(s).includes("scheduler:CreateSchedule"));
    expect(actions(schedules as Statement).sort()).toEqual([
      "scheduler:CreateSchedule",
      "scheduler:DeleteSchedule",
    ]);
    expect(JSON.stringify(schedules?.Resource)).toContain(":schedule/ecs-chatops-dev-incidents/*");
    const pass = slack.find((s) => actions(s).includes("iam:PassRole")) as Statement & {
      Condition?: unknown;
    };
    expect(pass.Resource).toEqual([{ "Fn::GetAtt": ["DigestSchedulerRole", "Arn"] }]);
    expect(pass.Condition).toEqual({
      StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" },
    });
  });
});

function slackStatements(): Statement[] {
  const role = resources.IamRoleLambdaExecution?.Properties as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  return role.Policies.flatMap((p) => p.PolicyDocument.Statement);
}

// Route 53 hosted zones are global: no region to read them in.
const regional = (list: readonly string[]) => list.filter((a) => !a.startsWith("route53:"));
const denied = (statements: Statement[], actions: readonly string[], region: string) =>
  actions.filter((a) => !allows(statements, readCall(a, region), DEPLOY_REGION));

describe("packaged CloudFormation template: every region the bot is told to read", () => {
  it("passes botRegions to the functions as BOT_REGIONS", () => {
    const env = resources.SlackLambdaFunction?.Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables.BOT_REGIONS).toBe("ap-northeast-1,us-east-1");
  });

  it.each(BOT_REGIONS)(
    "lets the Slack function read ECS, Cloud Map, CloudWatch, EC2 and Lambda in %s",
    (region) => {
      expect(denied(slackStatements(), regional(READ_ACTIONS), region)).toEqual([]);
    },
  );

  it.each(BOT_REGIONS)(
    "lets the scheduled digest read ECS, Cloud Map and CloudWatch in %s",
    (region) => {
      const reads = regional(
        DIGEST_FUNCTION_ACTIONS.filter((a) => READ_ACTIONS.includes(a as never)),
      );
      expect(reads).toContain("ecs:DescribeServices");
      expect(denied(digestStatements(), reads, region)).toEqual([]);
    },
  );

  it("still reads this account only: another account's clusters, services and tasks are denied", () => {
    const other = "210987654321";
    for (const statements of [slackStatements(), digestStatements()]) {
      for (const action of [
        "ecs:DescribeServices",
        "ecs:DescribeTasks",
        "ecs:DescribeContainerInstances",
        "ecs:ListServices",
        "ecs:ListTasks",
        "servicediscovery:GetService",
      ]) {
        expect(
          allows(statements, readCall(action, "us-east-1", other), DEPLOY_REGION),
          action,
        ).toBe(false);
      }
    }
  });

  it("keeps the secrets, the self-invoke and the schedules in the deploy region", () => {
    const elsewhere = (action: string, rest: string) => ({
      action,
      resource: `arn:aws:${action.split(":")[0]}:us-east-1:123456789012:${rest}`,
    });
    const slack = slackStatements();
    const here = {
      action: "ssm:GetParameters",
      resource: `arn:aws:ssm:${DEPLOY_REGION}:123456789012:parameter/ecs-chatops/dev/slack-bot-token`,
    };
    expect(allows(slack, here, DEPLOY_REGION)).toBe(true);
    for (const call of [
      elsewhere("ssm:GetParameters", "parameter/ecs-chatops/dev/slack-bot-token"),
      elsewhere("lambda:InvokeFunction", "function:ecs-chatops-dev-slack"),
      elsewhere("scheduler:CreateSchedule", "schedule/ecs-chatops-dev-incidents/C1"),
    ]) {
      expect(allows(slack, call, DEPLOY_REGION), call.action).toBe(false);
    }
  });
});

describe("packaged CloudFormation template: log retention", () => {
  const retention = (template: Record<string, Resource>) =>
    Object.values(template)
      .filter((r) => r.Type === "AWS::Logs::LogGroup")
      .map((r) => [r.Properties.LogGroupName, r.Properties.RetentionInDays]);

  it("keeps every function's logs 30 days by default", () => {
    expect(retention(resources)).toEqual([
      ["/aws/lambda/ecs-chatops-dev-slack", 30],
      ["/aws/lambda/ecs-chatops-dev-addresses", 30],
      ["/aws/lambda/ecs-chatops-dev-digest", 30],
      ["/aws/lambda/ecs-chatops-dev-notify", 30],
    ]);
  });

  it("keeps them as many days as --param logRetentionDays says", () => {
    expect(retention(shortLogs).map(([, days]) => days)).toEqual([7, 7, 7, 7]);
  });
});

describe("packaged CloudFormation template: runtime", () => {
  it("runs every function on nodejs22.x, arm64", () => {
    const functions = Object.values(resources).filter((r) => r.Type === "AWS::Lambda::Function");
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe("nodejs22.x");
      expect(fn.Properties.Architectures).toEqual(["arm64"]);
    }
  });
});

function notifyStatements(): Statement[] {
  const role = resources.NotifyFunctionRole;
  const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

const statementOf = (action: string) => {
  const found = notifyStatements().filter((s) => actions(s).includes(action));
  expect(found, action).toHaveLength(1);
  return found[0] as Statement;
};

describe("packaged CloudFormation template: the notify function (ECS events to incidents)", () => {
  it("runs dist/handler.notify with its own role, the incidents table and the routes parameter", () => {
    const fn = resources.NotifyLambdaFunction?.Properties ?? {};
    expect(fn.Handler).toBe("dist/handler.notify");
    expect(fn.Role).toEqual({ "Fn::GetAtt": ["NotifyFunctionRole", "Arn"] });
    expect(fn.Timeout).toBe(60);
    expect(fn.ReservedConcurrentExecutions).toBe(5);
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.INCIDENTS_TABLE).toEqual({ Ref: "IncidentsTable" });
    expect(env.DIGEST_TARGETS_PARAM).toBe("/ecs-chatops/dev/digest-targets");
    expect(env.SLACK_BOT_TOKEN_PARAM).toBe("/ecs-chatops/dev/slack-bot-token");
  });

  it("grants its role exactly NOTIFY_FUNCTION_ACTIONS: an action outside the list fails here", () => {
    const granted = notifyStatements().flatMap(actions);
    const listed: readonly string[] = NOTIFY_FUNCTION_ACTIONS;
    expect(granted.filter((a) => !listed.includes(a))).toEqual([]);
    expect([...new Set(granted)].sort()).toEqual([...new Set(NOTIFY_FUNCTION_ACTIONS)].sort());
    // Each action once: one statement, one scope.
    expect(granted).toHaveLength(new Set(granted).size);
    for (const a of granted) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    for (const s of notifyStatements()) expect(s.Effect).toBe("Allow");
    const assume = resources.NotifyFunctionRole?.Properties.AssumeRolePolicyDocument;
    expect(JSON.stringify(assume)).toContain('"Service":"lambda.amazonaws.com"');
    expect(resources.NotifyFunctionRole?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each(BOT_REGIONS)("lets it read a service's health in %s, in this account only", (region) => {
    expect(denied(notifyStatements(), regional(HEALTH_REPORT_ACTIONS), region)).toEqual([]);
    const other = "210987654321";
    for (const action of ["ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListTasks"]) {
      expect(
        allows(notifyStatements(), readCall(action, region, other), DEPLOY_REGION),
        action,
      ).toBe(false);
    }
    // Not the reads of other verbs: no service listing, graph, VPC rules or IP lookup.
    for (const action of [
      "ecs:ListServices",
      "cloudwatch:GetMetricWidgetImage",
      "ec2:DescribeNetworkInterfaces",
    ]) {
      expect(allows(notifyStatements(), readCall(action, region), DEPLOY_REGION), action).toBe(
        false,
      );
    }
  });

  it("reads the bot token and the routes (the digest targets' parameter), never the signing secret", () => {
    const arns = JSON.stringify(statementOf("ssm:GetParameters").Resource);
    expect(arns).toContain("parameter/ecs-chatops/dev/slack-bot-token");
    expect(arns).toContain("parameter/ecs-chatops/dev/digest-targets");
    expect(arns).not.toContain("signing-secret");
    expect((statementOf("ssm:GetParameters").Resource as unknown[]).length).toBe(2);
  });

  it("writes only its own resources: the incidents table, its failure queue, its log group", () => {
    expect(statementOf("dynamodb:PutItem").Resource).toEqual([
      { "Fn::GetAtt": ["IncidentsTable", "Arn"] },
    ]);
    expect(statementOf("sqs:SendMessage").Resource).toEqual([
      { "Fn::GetAtt": ["NotifyFailuresQueue", "Arn"] },
    ]);
    expect(JSON.stringify(statementOf("logs:PutLogEvents").Resource)).toContain(
      "log-group:/aws/lambda/ecs-chatops-dev-notify:*",
    );
    expect(statementOf("sts:AssumeRole").Resource).toEqual([
      { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/ecs-chatops-read" },
    ]);
  });

  it("declares the incidents table as the store expects (pk/sk, on demand, TTL on expiration)", () => {
    const table = resources.IncidentsTable?.Properties ?? {};
    expect(resources.IncidentsTable?.Type).toBe("AWS::DynamoDB::Table");
    expect(table.TableName).toBe("ecs-chatops-dev-incidents");
    expect(table.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: "expiration", Enabled: true });
  });

  it("retries a failed event twice, then keeps its record 14 days in an SQS queue", () => {
    const conf = resources.NotifyLambdaEvConf?.Properties ?? {};
    expect(conf.MaximumRetryAttempts).toBe(2);
    expect(conf.MaximumEventAgeInSeconds).toBe(3600);
    expect(conf.DestinationConfig).toEqual({
      OnFailure: { Destination: { "Fn::GetAtt": ["NotifyFailuresQueue", "Arn"] } },
    });
    const queue = resources.NotifyFailuresQueue;
    expect(queue?.Type).toBe("AWS::SQS::Queue");
    expect(queue?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    // A standard queue: Lambda destinations take no FIFO queue.
    expect(queue?.Properties.FifoQueue).toBeUndefined();
  });

  it("is invoked by failed deployments, troubled service actions and stopped service tasks only", () => {
    const patterns = ofType("AWS::Events::Rule")
      .filter(([, r]) => JSON.stringify(r.Properties.Targets).includes('"NotifyLambdaFunction"'))
      .filter(([, r]) => !r.Properties.ScheduleExpression)
      .map(([, r]) => r.Properties.EventPattern);
    expect(patterns).toEqual([
      {
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        detail: {
          eventName: [
            "SERVICE_DEPLOYMENT_FAILED",
            "SERVICE_DEPLOYMENT_IN_PROGRESS",
            "SERVICE_DEPLOYMENT_COMPLETED",
          ],
        },
      },
      {
        source: ["aws.ecs"],
        "detail-type": ["ECS Service Action"],
        detail: {
          eventName: [
            "SERVICE_TASK_START_IMPAIRED",
            "SERVICE_TASK_PLACEMENT_FAILURE",
            "SERVICE_TASK_CONFIGURATION_FAILURE",
            "SERVICE_DISCOVERY_INSTANCE_UNHEALTHY",
            "SERVICE_STEADY_STATE",
          ],
        },
      },
      {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: { lastStatus: ["STOPPED"], group: [{ prefix: "service:" }] },
      },
      {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { state: { value: ["ALARM", "OK"] } },
      },
    ]);
    const permissions = ofType("AWS::Lambda::Permission").filter(([, p]) =>
      JSON.stringify(p.Properties.FunctionName).includes("NotifyLambdaFunction"),
    );
    // The four rules and the flush timer's schedule.
    expect(permissions).toHaveLength(5);
  });

  it("is ticked every minute by a schedule that flushes the incidents' pending edits", () => {
    const ticks = ofType("AWS::Events::Rule").filter(
      ([, r]) =>
        r.Properties.ScheduleExpression &&
        JSON.stringify(r.Properties.Targets).includes('"NotifyLambdaFunction"'),
    );
    expect(ticks.map(([, r]) => [r.Properties.ScheduleExpression, r.Properties.State])).toEqual([
      ["rate(1 minute)", "ENABLED"],
    ]);
    const permission = ofType("AWS::Lambda::Permission").find(
      ([, p]) =>
        JSON.stringify(p.Properties.FunctionName).includes("NotifyLambdaFunction") &&
        JSON.stringify(p.Properties.SourceArn).includes(ticks[0]?.[0] ?? "none"),
    );
    expect(permission?.[1].Properties.Principal).toBe("events.amazonaws.com");
  });

  it("sends alarm state changes only with --param notifyAlarms=true", () => {
    const alarmRule = resources.NotifyAlarmsRule as Resource & { Condition?: string };
    expect(alarmRule.Condition).toBe("NotifiesAlarms");
    expect((resources.NotifyAlarmsPermission as { Condition?: string }).Condition).toBe(
      "NotifiesAlarms",
    );
    expect(conditions.NotifiesAlarms).toEqual({ "Fn::Equals": ["false", "true"] });
    expect(shortLogsConditions.NotifiesAlarms).toEqual({ "Fn::Equals": ["true", "true"] });
  });
});

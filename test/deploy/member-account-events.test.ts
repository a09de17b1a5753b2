import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, type ScalarTag } from "yaml";

// deploy/member-account-events.yml: forwards a member account's and region's ECS events to the
// bot's bus: task state changes for the address book of `whois <IP>`, and task, deployment and
// service action events for the notify function's incidents.
const cfnTags: ScalarTag[] = ["Ref", "GetAtt"].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) =>
    name === "Ref" ? { Ref: value } : { "Fn::GetAtt": value.split(".") },
}));
const template = parse(
  readFileSync(new URL("../../deploy/member-account-events.yml", import.meta.url), "utf8"),
  { customTags: cfnTags },
) as {
  Parameters: Record<string, { AllowedPattern: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
const { ForwardTaskEventsRole: role, ForwardTaskEventsRule: rule } = template.Resources;

describe("the member-account events template", () => {
  it("forwards ECS task, deployment and service action events, and only those, to the bot's bus with its own role", () => {
    expect(Object.keys(template.Resources).sort()).toEqual([
      "ForwardTaskEventsRole",
      "ForwardTaskEventsRule",
    ]);
    expect(rule?.Properties.EventPattern).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change", "ECS Deployment State Change", "ECS Service Action"],
    });
    expect(rule?.Properties.Targets).toEqual([
      {
        Id: "ecs-chatops-bot-bus",
        Arn: { Ref: "BotEventBusArn" },
        RoleArn: { "Fn::GetAtt": ["ForwardTaskEventsRole", "Arn"] },
      },
    ]);
  });

  it("lets EventBridge put events on the bot's bus and do nothing else", () => {
    const props = role?.Properties as {
      RoleName?: string;
      AssumeRolePolicyDocument: { Statement: unknown[] };
      Policies: { PolicyDocument: { Statement: unknown[] } }[];
    };
    // One stack per region: a fixed name would collide in the account (IAM is global).
    expect(props.RoleName).toBeUndefined();
    expect(props.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
    expect(props.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Effect: "Allow", Action: "events:PutEvents", Resource: { Ref: "BotEventBusArn" } },
    ]);
  });

  it("takes only a default event bus ARN as the bot's bus", () => {
    const pattern = new RegExp(template.Parameters.BotEventBusArn?.AllowedPattern ?? "^$");
    expect(pattern.test("arn:aws:events:ap-northeast-1:123456789012:event-bus/default")).toBe(true);
    expect(pattern.test("arn:aws:events:ap-northeast-1:123456789012:event-bus/other")).toBe(false);
    expect(pattern.test("arn:aws:lambda:ap-northeast-1:123456789012:function:x")).toBe(false);
  });
});

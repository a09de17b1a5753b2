import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CollectionTag, parse, type ScalarTag, type YAMLSeq } from "yaml";
import { MEMBER_ROLE_NAME, READ_ACTIONS } from "../../src/aws/iam-actions.ts";

// deploy/member-account-role.yml: the read-only role each member account creates for the bot.
// CloudFormation's short tags (!Ref, !GetAtt, !If, !Not, !Equals) read as their long forms.
const cfnTags: (ScalarTag | CollectionTag)[] = [
  ...["Ref", "GetAtt"].map(
    (name): ScalarTag => ({
      tag: `!${name}`,
      resolve: (value: string) =>
        name === "Ref" ? { Ref: value } : { "Fn::GetAtt": value.split(".") },
    }),
  ),
  ...["If", "Not", "Equals"].map(
    (name) =>
      ({
        tag: `!${name}`,
        collection: "seq",
        resolve: (value: YAMLSeq.Parsed) => ({ [`Fn::${name}`]: value.toJSON() }),
      }) as CollectionTag,
  ),
];
const template = parse(
  readFileSync(new URL("../../deploy/member-account-role.yml", import.meta.url), "utf8"),
  { customTags: cfnTags },
) as {
  Parameters: Record<string, { Default?: string; AllowedPattern: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
};
const role = template.Resources.EcsChatopsReadRole;
const props = role?.Properties as {
  RoleName: string;
  AssumeRolePolicyDocument: { Statement: Statement[] };
  Policies: { PolicyDocument: { Statement: Statement[] } }[];
};
const granted = props.Policies.flatMap((p) => p.PolicyDocument.Statement);

describe("the member-account role template", () => {
  it("is the one role, named as serverless.yml lets the bot assume it", () => {
    expect(Object.keys(template.Resources)).toEqual(["EcsChatopsReadRole"]);
    expect(role?.Type).toBe("AWS::IAM::Role");
    expect(props.RoleName).toBe(MEMBER_ROLE_NAME);
  });

  it("grants exactly the bot's reads (READ_ACTIONS), all Allow, nothing that writes", () => {
    const actions = granted.flatMap((s) => [s.Action].flat());
    expect([...actions].sort()).toEqual([...READ_ACTIONS].sort());
    expect(granted.every((s) => s.Effect === "Allow")).toBe(true);
    expect(actions.every((a) => /^[a-z0-9]+:(List|Describe|Get|Discover)/.test(a))).toBe(true);
  });

  it("trusts only the bot's role and, when given, its notify function's role", () => {
    expect(props.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: {
          AWS: [
            { Ref: "BotRoleArn" },
            { "Fn::If": ["TrustsNotify", { Ref: "NotifyRoleArn" }, { Ref: "AWS::NoValue" }] },
          ],
        },
        Action: "sts:AssumeRole",
      },
    ]);
    expect(template.Conditions.TrustsNotify).toEqual({
      "Fn::Not": [{ "Fn::Equals": [{ Ref: "NotifyRoleArn" }, ""] }],
    });
  });

  it("takes the notify role as optional: empty, or a role ARN", () => {
    const notify = template.Parameters.NotifyRoleArn;
    expect(notify?.Default).toBe("");
    const pattern = new RegExp(notify?.AllowedPattern ?? "^$");
    expect(pattern.test("")).toBe(true);
    expect(
      pattern.test("arn:aws:iam::123456789012:role/ecs-chatops-dev-NotifyFunctionRole-AB12"),
    ).toBe(true);
    expect(pattern.test("arn:aws:iam::123456789012:user/someone")).toBe(false);
  });
});

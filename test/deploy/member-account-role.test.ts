import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, type ScalarTag } from "yaml";
import { MEMBER_ROLE_NAME, READ_ACTIONS } from "../../src/aws/iam-actions.ts";

// deploy/member-account-role.yml: the read-only role each member account creates for the bot.
// CloudFormation's short tags (!Ref, !GetAtt) read as their long forms.
const cfnTags: ScalarTag[] = ["Ref", "GetAtt"].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) =>
    name === "Ref" ? { Ref: value } : { "Fn::GetAtt": value.split(".") },
}));
const template = parse(
  readFileSync(new URL("../../deploy/member-account-role.yml", import.meta.url), "utf8"),
  { customTags: cfnTags },
) as {
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

  it("trusts only the bot's role, given as a parameter", () => {
    expect(props.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: { Ref: "BotRoleArn" } },
        Action: "sts:AssumeRole",
      },
    ]);
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::...} are CloudFormation substitutions, literal on purpose
// Answers "would this packaged role allow this call?" for the shapes our templates use: Allow
// statements, Action lists, Resource patterns with * and ?, and ArnLike/StringLike/StringEquals
// conditions. CloudFormation's pseudo parameters are substituted as a deploy would (a fixed
// account, the deploy region); a resource given by Fn::GetAtt matches nothing here.

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const ACCOUNT = "123456789012";

export interface Call {
  action: string;
  resource: string;
  /** Condition keys of the request (ecs:cluster for ListServices and ListTasks). */
  context?: Record<string, string>;
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
  );

/** A template value as a deploy in `region` would see it: Fn::Sub of pseudo parameters, else nothing. */
function resolve(value: unknown, region: string): string | undefined {
  if (typeof value === "string") return value;
  const sub = (value as { "Fn::Sub"?: unknown } | null)?.["Fn::Sub"];
  if (typeof sub !== "string") return undefined;
  return sub
    .replaceAll("${AWS::Partition}", "aws")
    .replaceAll("${AWS::AccountId}", ACCOUNT)
    .replaceAll("${AWS::Region}", region);
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function conditionHolds(statement: Statement, call: Call, region: string): boolean {
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = call.context?.[key];
      if (actual === undefined) return false;
      const patterns = listOf(expected).map((e) => resolve(e, region));
      const like = operator === "ArnLike" || operator === "StringLike";
      const equals = operator === "StringEquals";
      if (!like && !equals) return false;
      const ok = patterns.some(
        (p) => p !== undefined && (like ? glob(p).test(actual) : p === actual),
      );
      if (!ok) return false;
    }
  }
  return true;
}

/** Whether some Allow statement grants the call (there is no Deny in our roles). */
export function allows(statements: Statement[], call: Call, deployRegion: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === "Allow" &&
      listOf(s.Action).some((a) => typeof a === "string" && glob(a).test(call.action)) &&
      listOf(s.Resource).some((r) => {
        const pattern = resolve(r, deployRegion);
        return pattern !== undefined && glob(pattern).test(call.resource);
      }) &&
      conditionHolds(s, call, deployRegion),
  );
}

/** A call of a read action on a resource of `account` in `region`, shaped as IAM authorises it. */
export function readCall(action: string, region: string, account = ACCOUNT): Call {
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${account}:${rest}`;
  const cluster = arn("ecs", "cluster/prod");
  switch (action) {
    case "ecs:DescribeServices":
      return { action, resource: arn("ecs", "service/prod/web") };
    case "ecs:DescribeTasks":
      return { action, resource: arn("ecs", "task/prod/0123456789abcdef") };
    case "ecs:DescribeContainerInstances":
      return { action, resource: arn("ecs", "container-instance/prod/0123456789abcdef") };
    case "ecs:ListServices":
    case "ecs:ListTasks":
      return { action, resource: cluster, context: { "ecs:cluster": cluster } };
    case "servicediscovery:GetService":
      return { action, resource: arn("servicediscovery", "service/srv-0123456789abcdef") };
    case "lambda:GetFunctionConfiguration":
      return { action, resource: arn("lambda", "function:orders-client") };
    default: {
      const [service] = action.split(":");
      return { action, resource: arn(service ?? "", "some-resource") };
    }
  }
}

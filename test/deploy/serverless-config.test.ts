// Checks serverless.yml as written, without osls: least-privilege IAM that matches the code's
// action list, secrets only by parameter name, the runtime and the Slack route.
//
// Serverless variables (${sls:stage}, ${param:...}, ${self:...}) are left as the strings they are
// in the file: they are never evaluated, apart from following a ${self:...} reference or taking
// the quoted default of ${param:..., '...'} where a test needs the effective parameter name.
// CloudFormation short-form tags (!Sub, !Ref...) are parsed into their long form.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here are serverless/CloudFormation variables, literal strings on purpose
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type CollectionTag, parse, type ScalarTag, type YAMLMap, type YAMLSeq } from "yaml";
import {
  ADDRESS_BOOK_ACTIONS,
  DIGEST_HISTORY_ACTIONS,
  IDEMPOTENCY_ACTIONS,
  INCIDENT_MUTE_ACTIONS,
  MEMBER_ROLE_NAME,
  READ_ACTIONS,
  ROLE_ACTIONS,
  SCHEDULE_ACTIONS,
  SECRET_ACTIONS,
  SELF_ACTIONS,
} from "../../src/aws/iam-actions.ts";
import { INCIDENTS_TABLE_ACTIONS, INCIDENTS_TABLE_SCHEMA } from "../../src/aws/incidents-store.ts";
import { DEFAULT_MACHINE_OPTIONS } from "../../src/domain/incidents/machine.ts";

const CFN_FUNCTIONS = [
  "And",
  "Base64",
  "Cidr",
  "Condition",
  "Equals",
  "FindInMap",
  "GetAtt",
  "GetAZs",
  "If",
  "ImportValue",
  "Join",
  "Not",
  "Or",
  "Ref",
  "Select",
  "Split",
  "Sub",
  "ToJsonString",
  "Transform",
];

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === "Ref" || name === "Condition") return { [name]: value };
  if (name === "GetAtt" && typeof value === "string") return { "Fn::GetAtt": value.split(".") };
  return { [`Fn::${name}`]: value };
}

const cfnTags: (ScalarTag | CollectionTag)[] = CFN_FUNCTIONS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) } satisfies ScalarTag,
  {
    tag: `!${name}`,
    collection: "seq",
    resolve: (value: YAMLSeq.Parsed) => longForm(name, value.toJSON()),
  } as CollectionTag,
  {
    tag: `!${name}`,
    collection: "map",
    resolve: (value: YAMLMap.Parsed) => longForm(name, value.toJSON()),
  } as CollectionTag,
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: Json;
  NotResource?: unknown;
  Condition?: Json;
}

const file = fileURLToPath(new URL("../../serverless.yml", import.meta.url));
const source = readFileSync(file, "utf8");
const config = parse(source, { customTags: cfnTags, uniqueKeys: true }) as JsonObject;

function at(path: string): Json | undefined {
  let node: Json | undefined = config;
  for (const key of path.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = node[key];
  }
  return node;
}

function asObject(value: Json | undefined): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Follows ${self:a.b} and takes the quoted default of ${param|opt|env:x, '...'}; nothing else. */
function effective(value: Json | undefined, depth = 0): Json | undefined {
  if (typeof value !== "string" || depth > 5) return value;
  const self = /^\$\{self:([\w.]+)\}$/.exec(value);
  if (self?.[1]) return effective(at(self[1]), depth + 1);
  const withDefault = /^\$\{(?:param|opt|env):[\w-]+,\s*'([^']*)'\}$/.exec(value);
  if (withDefault?.[1] !== undefined) return withDefault[1];
  return value;
}

const provider = asObject(at("provider"));
const statements = (at("provider.iam.role.statements") ?? []) as unknown as Statement[];
const actionsOf = (statement: Statement): string[] =>
  statement.Action === undefined
    ? []
    : Array.isArray(statement.Action)
      ? statement.Action
      : [statement.Action];
const allActions = statements.flatMap(actionsOf);

describe("serverless.yml: IAM", () => {
  it("names exactly the actions in src/aws/iam-actions.ts (read, secrets, invoke self, idempotency)", () => {
    const expected = [
      ...new Set([
        ...READ_ACTIONS,
        ...SECRET_ACTIONS,
        ...SELF_ACTIONS,
        ...IDEMPOTENCY_ACTIONS,
        ...DIGEST_HISTORY_ACTIONS,
        ...ADDRESS_BOOK_ACTIONS,
        ...INCIDENT_MUTE_ACTIONS,
        ...SCHEDULE_ACTIONS,
        ...ROLE_ACTIONS,
      ]),
    ].sort();
    expect([...new Set(allActions)].sort()).toEqual(expected);
    // An action appears twice only for the bot's tables, each on its own ARN.
    const twice = allActions.filter((a, i) => allActions.indexOf(a) !== i);
    expect(twice.every((a) => a.startsWith("dynamodb:"))).toBe(true);
  });

  it("has statements, all Allow, with no NotAction/NotResource", () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      expect(statement.Resource).toBeDefined();
    }
  });

  it("uses no wildcard action (`*`, `service:*` or any pattern)", () => {
    for (const action of allActions) {
      expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(action).not.toContain("*");
    }
  });

  it("uses no managed policies or role statements outside provider.iam.role.statements", () => {
    const role = asObject(at("provider.iam.role"));
    expect(Object.keys(role)).toEqual(["statements"]);
    expect(provider.iamRoleStatements).toBeUndefined();
    expect(provider.iamManagedPolicies).toBeUndefined();
  });

  it("scopes ssm:GetParameters to exactly the two Slack parameters and the routes', nothing else", () => {
    const ssm = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("ssm:")));
    expect(ssm).toHaveLength(1);
    const [statement] = ssm;
    expect(actionsOf(statement as Statement)).toEqual(["ssm:GetParameters"]);
    const resources = (statement as Statement).Resource;
    expect(Array.isArray(resources)).toBe(true);
    const arns = (resources as Json[]).map((r) => JSON.stringify(r));
    // The third: /ecs alerts lists the routes kept in the digest targets' parameter.
    expect(arns).toHaveLength(3);
    expect(arns.some((arn) => arn.includes("${self:custom.slackSigningSecretParam}"))).toBe(true);
    expect(arns.some((arn) => arn.includes("${self:custom.slackBotTokenParam}"))).toBe(true);
    expect(arns.some((arn) => arn.includes("${self:custom.digestTargetsParam}"))).toBe(true);
    for (const arn of arns) {
      expect(arn).toContain(":ssm:");
      expect(arn).toContain(":parameter${self:custom.");
      expect(arn).not.toMatch(/parameter\/?\*|"\*"/);
    }
  });

  it("lets the function invoke only itself", () => {
    const statement = statements.find((s) => actionsOf(s).includes("lambda:InvokeFunction"));
    expect(actionsOf(statement as Statement)).toEqual(["lambda:InvokeFunction"]);
    expect(JSON.stringify(statement?.Resource)).toContain(
      ":function:${self:service}-${sls:stage}-slack",
    );
  });

  it("lets the function assume only the member accounts' read-only role, by its one name", () => {
    const statement = statements.find((s) => actionsOf(s).includes("sts:AssumeRole"));
    expect(actionsOf(statement as Statement)).toEqual(["sts:AssumeRole"]);
    expect(statement?.Resource).toEqual([
      { "Fn::Sub": `arn:\${AWS::Partition}:iam::*:role/${MEMBER_ROLE_NAME}` },
    ]);
    expect(asObject(provider.environment).BOT_TARGETS).toBe("${param:botTargets, ''}");
  });

  it.each([
    ["IdempotencyTable", IDEMPOTENCY_ACTIONS],
    ["DigestHistoryTable", DIGEST_HISTORY_ACTIONS],
    ["AddressBookTable", ADDRESS_BOOK_ACTIONS],
    ["IncidentsTable", INCIDENT_MUTE_ACTIONS],
  ] as const)("grants the DynamoDB actions on the %s's own ARN only", (table, actions) => {
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toHaveLength(4);
    const statement = dynamo.find((s) => JSON.stringify(s.Resource).includes(`"${table}"`));
    if (!statement) throw new Error(`no statement for ${table}`);
    expect([...actionsOf(statement)].sort()).toEqual([...actions].sort());
    expect(statement.Condition).toBeUndefined();
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    expect(resources).toEqual([{ "Fn::GetAtt": [table, "Arn"] }]);
    expect(JSON.stringify(statement.Resource)).not.toContain("*");
  });

  it("grants no kms:Decrypt (the default aws/ssm key needs none)", () => {
    expect(allActions.filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  // Any region, not only the deploy region: the bot reads the regions of BOT_REGIONS, BOT_TARGETS
  // and the digest targets (a list, JSON, and an SSM parameter changed without a redeploy).
  it("scopes the ECS describes to ARNs of this account, in every region", () => {
    for (const action of ["ecs:DescribeServices", "ecs:DescribeTasks"]) {
      const statement = statements.find((s) => actionsOf(s).includes(action));
      expect(statement, action).toBeDefined();
      const resources = JSON.stringify(statement?.Resource);
      expect(resources).not.toBe('"*"');
      expect(resources).toContain(":ecs:*:${AWS::AccountId}:");
    }
  });
});

describe("serverless.yml: function, runtime and secrets", () => {
  const fn = asObject(at("functions.slack"));

  it("is service ecs-chatops on AWS, nodejs22.x, arm64, region default ap-northeast-1", () => {
    expect(config.service).toBe("ecs-chatops");
    expect(provider.name).toBe("aws");
    expect(provider.runtime).toBe("nodejs22.x");
    expect(provider.architecture).toBe("arm64");
    expect(fn.runtime ?? provider.runtime).toBe("nodejs22.x");
    expect(fn.architecture ?? provider.architecture).toBe("arm64");
    expect(effective(provider.region)).toBe("ap-northeast-1");
    expect(String(provider.stage)).toMatch(/^\$\{opt:stage/);
  });

  it("bundles for the Node version of the Lambda runtime (esbuild's target follows nodejs22.x)", () => {
    const bundler = readFileSync(new URL("../../scripts/bundle.mjs", import.meta.url), "utf8");
    const targets = [...bundler.matchAll(/target:\s*"node(\d+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(["22"]);
    expect(provider.runtime).toBe(`nodejs${targets[0]}.x`);
    const functions = asObject(at("functions"));
    for (const name of Object.keys(functions)) {
      expect(asObject(functions[name]).runtime, name).toBeUndefined();
    }
  });

  it("runs the bundled ESM handler with 29 s (deferred jobs run here too) / 512 MB", () => {
    expect(fn.handler).toBe("dist/handler.handler");
    expect(fn.timeout ?? provider.timeout).toBe(29);
    expect(fn.memorySize ?? provider.memorySize).toBe(512);
  });

  it("is reached by an HTTP API POST /slack/events", () => {
    const events = (fn.events ?? []) as JsonObject[];
    const routes = events
      .filter((event) => "httpApi" in event)
      .map((event) => {
        const httpApi = event.httpApi;
        if (typeof httpApi === "string") return httpApi;
        const { method, path } = asObject(httpApi);
        return `${String(method).toUpperCase()} ${String(path)}`;
      });
    expect(routes).toEqual(["POST /slack/events"]);
    expect(events.some((event) => "http" in event)).toBe(false);
  });

  it("gives the secrets only as SSM parameter names, never values", () => {
    const env = asObject(provider.environment);
    const signing = effective(env.SLACK_SIGNING_SECRET_PARAM);
    const token = effective(env.SLACK_BOT_TOKEN_PARAM);
    expect(signing).toBe("/ecs-chatops/${sls:stage}/slack-signing-secret");
    expect(token).toBe("/ecs-chatops/${sls:stage}/slack-bot-token");

    // No plaintext secret variables, and no deploy-time secret resolution anywhere.
    for (const key of Object.keys(env)) {
      expect(key).not.toMatch(/^SLACK_(SIGNING_SECRET|BOT_TOKEN|CLIENT_SECRET)$/);
    }
    // The Slack function's own variables name the incident digests' resources and the incidents
    // table (Mute 1 h) and the routes' parameter (/ecs alerts), not secrets.
    expect(Object.keys(asObject(fn.environment)).sort()).toEqual([
      "DIGEST_FUNCTION_ARN",
      "DIGEST_SCHEDULER_ROLE_ARN",
      "DIGEST_SCHEDULE_GROUP",
      "DIGEST_TARGETS_PARAM",
      "INCIDENTS_TABLE",
    ]);
    // (The parsed configuration, not the file: its comments show how to create the parameters.)
    const values = JSON.stringify(config);
    expect(values).not.toMatch(/\$\{ssm:/);
    expect(values).not.toMatch(/\bxox[abpre]-[A-Za-z0-9-]+/);
  });

  it("sets BOT_REGIONS (default: the deploy region) and source-mapped stack traces", () => {
    const env = asObject(provider.environment);
    expect(String(env.BOT_REGIONS)).toContain("self:provider.region");
    expect(env.NODE_OPTIONS).toBe("--enable-source-maps");
  });

  it("declares the idempotency table (key id, on demand, TTL on expiration) and passes its name", () => {
    const table = asObject(at("resources.Resources.IdempotencyTable"));
    expect(table.Type).toBe("AWS::DynamoDB::Table");
    const properties = asObject(table.Properties);
    expect(properties.TableName).toBe("${self:service}-${sls:stage}-idempotency");
    expect(properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(properties.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(properties.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "S" }]);
    // Powertools' default TTL attribute (epoch seconds).
    expect(properties.TimeToLiveSpecification).toEqual({
      AttributeName: "expiration",
      Enabled: true,
    });
    expect(asObject(provider.environment).IDEMPOTENCY_TABLE).toEqual({ Ref: "IdempotencyTable" });
  });

  it("packages only dist/", () => {
    const patterns = at("package.patterns") as string[];
    expect(patterns[0]).toBe("!**");
    for (const pattern of patterns.slice(1)) expect(pattern).toMatch(/^dist\//);
  });
});

describe("serverless.yml: deferred jobs and load", () => {
  it("does not let Lambda retry a deferred job, and caps the function's concurrency", () => {
    expect(at("functions.slack.maximumRetryAttempts")).toBe(0);
    expect(at("functions.slack.maximumEventAge")).toBe(300);
    expect(at("functions.slack.reservedConcurrency")).toBe("${param:reservedConcurrency, 10}");
  });
});

describe("serverless.yml: the notify function", () => {
  const fn = asObject(at("functions.notify"));

  it("runs dist/handler.notify with its own role, not the bot's shared one", () => {
    expect(fn.handler).toBe("dist/handler.notify");
    expect(fn.role).toBe("NotifyFunctionRole");
    expect(asObject(at("resources.Resources.NotifyFunctionRole")).Type).toBe("AWS::IAM::Role");
    // The shared role grants on the incidents table only what Mute 1 h calls.
    const onIncidents = statements.filter((s) =>
      JSON.stringify(s.Resource).includes("IncidentsTable"),
    );
    expect(onIncidents.flatMap(actionsOf).sort()).toEqual([...INCIDENT_MUTE_ACTIONS].sort());
  });

  it("is retried twice by Lambda, then ends in its on-failure queue; at most 5 at once by default", () => {
    expect(fn.maximumRetryAttempts).toBe(2);
    expect(fn.maximumEventAge).toBe(3600);
    expect(fn.destinations).toEqual({
      onFailure: { type: "sqs", arn: { "Fn::GetAtt": ["NotifyFailuresQueue", "Arn"] } },
    });
    expect(fn.reservedConcurrency).toBe("${param:notifyConcurrency, 5}");
    const queue = asObject(at("resources.Resources.NotifyFailuresQueue"));
    expect(asObject(queue.Properties).MessageRetentionPeriod).toBe(1_209_600);
  });

  it("times out before a post's claim expires, so a duplicate re-posts only for a dead attempt", () => {
    expect(fn.timeout).toBe(60);
    expect(DEFAULT_MACHINE_OPTIONS.postLeaseSeconds).toBeGreaterThan(Number(fn.timeout) + 15);
  });

  it("is ticked every minute by the flush timer", () => {
    expect(fn.events).toContainEqual({
      schedule: expect.objectContaining({ rate: "rate(1 minute)" }),
    });
  });

  it("is told the incidents table and the routes' parameter", () => {
    const env = asObject(fn.environment);
    expect(env.INCIDENTS_TABLE).toEqual({ Ref: "IncidentsTable" });
    expect(effective(env.DIGEST_TARGETS_PARAM)).toBe("/ecs-chatops/${sls:stage}/digest-targets");
  });

  it("reads incidents' services in the places the slack function reads, and knows its own account", () => {
    const env = asObject(fn.environment);
    const provider = asObject(at("provider.environment"));
    // Function environments add to the provider's: the same BOT_TARGETS and BOT_REGIONS.
    expect(env.BOT_TARGETS).toBeUndefined();
    expect(env.BOT_REGIONS).toBeUndefined();
    expect(provider.BOT_TARGETS).toBe("${param:botTargets, ''}");
    expect(provider.BOT_REGIONS).toBe("${param:botRegions, self:provider.region}");
    expect(env.BOT_ACCOUNT_ID).toEqual({ Ref: "AWS::AccountId" });
  });

  it("declares the incidents table with the store's keys and TTL (INCIDENTS_TABLE_SCHEMA)", () => {
    const table = asObject(at("resources.Resources.IncidentsTable"));
    expect(table.Type).toBe("AWS::DynamoDB::Table");
    const properties = asObject(table.Properties);
    expect(properties.TableName).toBe("${self:service}-${sls:stage}-incidents");
    expect(properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(properties.AttributeDefinitions).toEqual(INCIDENTS_TABLE_SCHEMA.AttributeDefinitions);
    expect(properties.KeySchema).toEqual(INCIDENTS_TABLE_SCHEMA.KeySchema);
    expect(properties.TimeToLiveSpecification).toEqual({
      AttributeName: INCIDENTS_TABLE_SCHEMA.TimeToLiveAttribute,
      Enabled: true,
    });
  });

  it("grants the incidents table exactly the store's actions (INCIDENTS_TABLE_ACTIONS)", () => {
    const role = asObject(at("resources.Resources.NotifyFunctionRole"));
    const policies = asObject(role.Properties).Policies as JsonObject[];
    const granted = policies.flatMap(
      (p) => (asObject(p.PolicyDocument).Statement ?? []) as unknown as Statement[],
    );
    const onTable = granted.filter((s) => JSON.stringify(s.Resource).includes('"IncidentsTable"'));
    expect(onTable.flatMap(actionsOf).sort()).toEqual([...INCIDENTS_TABLE_ACTIONS].sort());
  });

  it("has the bot's bus accept the member accounts' ECS events it uses, and no others", () => {
    const policy = asObject(at("resources.Resources.MemberTaskEventsPolicy"));
    const statement = asObject(asObject(policy.Properties).Statement);
    expect(asObject(statement.Condition).StringEquals).toEqual({
      "events:source": "aws.ecs",
      "events:detail-type": [
        "ECS Task State Change",
        "ECS Deployment State Change",
        "ECS Service Action",
      ],
    });
  });
});

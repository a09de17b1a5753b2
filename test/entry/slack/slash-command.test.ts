import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signedFormEvent, slashCommand } from "../../support/slack-events.ts";
import { useSlackLambda } from "../../support/slack-lambda.ts";

// The Lambda entry end to end: a slash command exactly as Slack signs and API Gateway wraps it,
// through Bolt's receiver, the command and the real SDK clients, to the loopback emulator.

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;

interface SlackReply {
  response_type: string;
  text: string;
  blocks: { type: string; text?: { text: string } }[];
}

function reply(result: APIGatewayProxyStructuredResultV2): SlackReply {
  return JSON.parse(result.body ?? "{}") as SlackReply;
}

const allText = (r: SlackReply) => r.blocks.map((b) => b.text?.text ?? "").join("\n");

beforeAll(async () => {
  lambda = await useSlackLambda();
});
afterAll(() => lambda.stop());
beforeEach(() => {
  lambda.emulator.resetStats();
});

describe("Lambda handler, /ecs slash command", () => {
  it("answers a signed /ecs whois with the endpoints, visible only to the asker", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect")),
    );

    expect(result.statusCode).toBe(200);
    const r = reply(result);
    expect(r.response_type).toBe("ephemeral");
    expect(r.text).toContain(
      "nginx.service-connect → Service Connect alias of tutorial/service-connect-nginx-service",
    );
    // The first view: the endpoints counted in the headline, who can resolve it, Details.
    expect(allText(r)).toContain("2 of 2 endpoints healthy*");
    expect(allText(r)).toContain("Resolvable only inside Service Connect tasks of namespace");
    expect(result.body).toContain('"action_id":"ecs_details"');
  });

  it("answers a signed /ecs why with the verdict first, the fix to copy, and the whole chain", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("why tutorial/legacy-report api.internal.local")),
    );
    const r = reply(result);

    expect(r.text).toBe(
      "✖ legacy-report cannot reach api.internal.local:8080: broken: path (api-service security groups in)",
    );
    // The first view: the verdict, the broken link, its fix to copy, the whole chain in Details.
    const text = allText(r);
    expect(text.indexOf("✖ legacy-report cannot reach")).toBeLessThan(text.indexOf("✖ path · "));
    expect(text).toContain("*api-service security groups in*: no rule of sg-0c0ffee00000b0001");
    expect(JSON.parse(result.body ?? "{}").blocks[1].elements[0]).toMatchObject({
      action_id: "ecs_copy_fix_0",
      text: { text: "Copy fix" },
      value:
        "aws ec2 authorize-security-group-ingress --group-id sg-0c0ffee00000b0001 --protocol tcp --port 8080 --source-group sg-0c0ffee00000a0004",
    });
    expect(result.body).toContain('"action_id":"ecs_details"');
    expect(lambda.emulator.stats().calls["EC2.DescribeSecurityGroups"]).toBe(1);
  });

  it("refuses /ecs why with a mention for a client, escaped, before any AWS call", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("why <!channel> api.internal.local")),
    );

    expect(result.body ?? "").not.toContain("<!channel>");
    expect(reply(result).text).toContain("Cannot answer that: the client:");
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("rejects a forged signature with 401 and makes no AWS call", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect"), { secret: "not-the-secret" }),
    );

    expect(result.statusCode).toBe(401);
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("rejects a request signed more than 5 minutes ago with 401 and makes no AWS call", async () => {
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect"), { timestamp: sixMinutesAgo }),
    );

    expect(result.statusCode).toBe(401);
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("escapes a mention smuggled in as a name and makes no AWS call", async () => {
    const result = await lambda.invoke(signedFormEvent(slashCommand("whois <!channel>")));
    const body = result.body ?? "";

    expect(result.statusCode).toBe(200);
    expect(body).not.toContain("<!channel>");
    expect(body).toContain("&lt;!channel&gt;");
    expect(lambda.emulator.stats().total).toBe(0);
  });

  it("answers an unknown subcommand with help", async () => {
    const r = reply(await lambda.invoke(signedFormEvent(slashCommand("restart everything"))));

    expect(allText(r)).toContain("*Unknown command* `restart`");
    expect(allText(r)).toContain("/ecs whois");
  });
});

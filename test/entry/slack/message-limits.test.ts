import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../../src/commands/router.ts";
import { renderBlocks, type SlackMessage } from "../../../src/render/blocks.ts";
import { blockKitViolations } from "../../support/block-limits.ts";
import { blockActions, signedFormEvent, slashCommand } from "../../support/slack-events.ts";
import { FUNCTION_NAME, useSlackLambda } from "../../support/slack-lambda.ts";

// No answer may fail with invalid_blocks: a name with 200 endpoints, and every demo answer,
// stays within Slack's limits; what is cut is counted, and a button posts the whole answer.

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;
const invocations: unknown[] = [];

beforeAll(async () => {
  // orders-api.mesh: one Service Connect service with 200 running, registered tasks.
  lambda = await useSlackLambda(
    { AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME },
    generateFleet({ services: 1, tasksPerService: 200 }),
  );
  lambda.emulator.setOnInvoke((i) => invocations.push(i.payload));
});
afterAll(() => lambda.stop());

describe("Slack message limits", () => {
  let message: SlackMessage;

  it("cuts a 200-endpoint answer to Slack's limits, counting what is left out", async () => {
    const result = await lambda.invoke(signedFormEvent(slashCommand("whois orders-api.mesh")));
    const first = JSON.parse(result.body ?? "{}") as SlackMessage;
    expect(blockKitViolations(first)).toEqual([]);
    expect(JSON.stringify(first)).toContain('"action_id":"ecs_details"');
    // The answer's first view is short: what is cut is the whole answer, Details.
    const output = await runEcsCommand("whois orders-api.mesh", () => awsContext("ap-northeast-1"));
    message = renderBlocks(output.doc, { view: "full" });

    expect(blockKitViolations(message)).toEqual([]);
    const endpoints = message.blocks.find(
      (b) => b.type === "section" && b.text?.text.includes("*Endpoints"),
    );
    expect(endpoints?.type === "section" && endpoints.text?.text).toMatch(/\n… and \d+ more$/);
  });

  it("offers the whole answer with a button", () => {
    const actions = message.blocks.find((b) => b.type === "actions");

    expect(actions?.type === "actions" && actions.elements).toContainEqual({
      type: "button",
      action_id: "ecs_full_answer",
      text: { type: "plain_text", text: "Full answer as a file" },
      value: "whois orders-api.mesh",
    });
  });

  it("posts the whole answer, all 200 endpoints, as a text file when the button is clicked", async () => {
    let length = 0;
    nock("https://slack.com")
      .post("/api/files.getUploadURLExternal", (body: Record<string, string>) => {
        length = Number(body.length);
        return body.filename === "ecs-answer.txt";
      })
      .reply(200, {
        ok: true,
        upload_url: "https://files.slack.com/upload/v1/TXT123",
        file_id: "F0TESTTEXT",
      })
      .post("/api/files.completeUploadExternal")
      .reply(200, { ok: true, files: [{ id: "F0TESTTEXT" }] });
    let uploaded = "";
    nock("https://files.slack.com")
      .post("/upload/v1/TXT123", (body: string) => {
        uploaded = typeof body === "string" ? body : JSON.stringify(body);
        return true;
      })
      .reply(200, "OK");
    const click = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
    click.actions[0] = {
      ...click.actions[0],
      action_id: "ecs_full_answer",
      value: "whois orders-api.mesh",
    };

    await lambda.invoke(signedFormEvent({ payload: JSON.stringify(click) }));
    const job = invocations.at(-1);
    await lambda.runJob(job);

    expect(length).toBeGreaterThan(3000);
    expect(uploaded.match(/✔ healthy 10\./g)).toHaveLength(200);
  });

  it.each([
    "whois nginx.service-connect",
    "whois api.internal.local",
    "whois nginx",
    "whois 10.0.3.103",
    "whois billing-worker",
    "whois ngnix",
    "health api.internal.local",
    "health billing-worker",
    "traffic nginx.service-connect",
    "traffic api.internal.local 15m",
    "help",
  ])("keeps the demo answer to %s within Block Kit's limits", async (text) => {
    const output = await runEcsCommand(text, () => awsContext("ap-northeast-1"));

    expect(blockKitViolations(renderBlocks(output.doc))).toEqual([]);
  });
});

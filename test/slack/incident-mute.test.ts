import type { Context } from "aws-lambda";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSlackApp } from "../../src/slack/app.ts";
import { readBotSettings } from "../../src/slack/settings.ts";
import { blockActions, SIGNING_SECRET, signedFormEvent } from "../support/slack-events.ts";

// The Mute 1 h button of an incident's message, clicked as Slack sends it (signed block_actions
// through the Bolt app): acknowledged, and the clicker told what happened.

const RESPONSE_PATH = "/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy";
const context = { functionName: "ecs-chatops-dev-slack", awsRequestId: "r1" } as Context;

beforeEach(() => {
  nock.disableNetConnect();
  delete process.env.INCIDENTS_TABLE;
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("the Mute 1 h button", () => {
  it("is acknowledged, and says so where the deployment keeps no incidents table", async () => {
    const hooks: Record<string, unknown>[] = [];
    nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .reply(200, (_uri, body) => {
        hooks.push(body as Record<string, unknown>);
        return "ok";
      });
    const { handler } = createSlackApp(
      { signingSecret: SIGNING_SECRET, botToken: "xoxb-test" },
      {
        run: async () => {
          throw new Error("a mute runs no command");
        },
        defer: async () => undefined,
        settings: readBotSettings({}),
      },
    );
    const base = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
    const click = {
      ...base,
      actions: [{ ...base.actions[0], action_id: "ecs_mute", value: "default/servicetest 1h" }],
    };

    const response = (await handler?.(
      signedFormEvent({ payload: JSON.stringify(click) }),
      context,
      () => undefined,
    )) as { statusCode: number };

    expect(response.statusCode).toBe(200);
    expect(hooks).toEqual([
      {
        response_type: "ephemeral",
        replace_original: false,
        text: "Mutes are not kept by this deployment (no INCIDENTS_TABLE).",
        blocks: [],
      },
    ]);
  });
});

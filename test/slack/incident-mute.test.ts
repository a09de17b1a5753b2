import type { Context } from "aws-lambda";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IncidentsStore } from "../../src/aws/incidents-store.ts";
import { createSlackApp } from "../../src/slack/app.ts";
import { incidentMuteButton, MUTE_LATE } from "../../src/slack/incident-mute.ts";
import { readBotSettings } from "../../src/slack/settings.ts";
import { blockActions, SIGNING_SECRET, signedFormEvent } from "../support/slack-events.ts";
import { BOT_TOKEN } from "../support/slack-lambda.ts";

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
      { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN },
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

  describe("called directly, as Bolt calls it", () => {
    const posted: string[] = [];
    const click = (store: () => Promise<IncidentsStore | undefined>) => {
      nock("https://hooks.slack.com")
        .post(RESPONSE_PATH)
        .reply(200, (_uri, body) => {
          posted.push((body as { text: string }).text);
          return "ok";
        });
      const args = {
        ack: async () => undefined,
        body: {
          response_url: `https://hooks.slack.com${RESPONSE_PATH}`,
          channel: { id: "C0OPS000001" },
          user: { id: "U0ONCALL" },
        },
        action: { value: "111122223333/us-west-2/default/servicetest 1h" },
        logger: { error: () => undefined },
        context: { receivedAt: Date.now() },
      };
      // The listener reads only these fields of Bolt's arguments.
      return incidentMuteButton(store)(
        args as unknown as Parameters<ReturnType<typeof incidentMuteButton>>[0],
      );
    };
    beforeEach(() => {
      posted.length = 0;
    });

    it("answers within Slack's deadline when the incidents table does not, saying the mute is unconfirmed", async () => {
      const hanging = new Promise<IncidentsStore>(() => undefined);
      const started = Date.now();
      await click(() => hanging);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(posted).toEqual([MUTE_LATE]);
    });

    it("tells the clicker when the incidents table cannot be read, instead of only logging it", async () => {
      const failing = {
        openIncidents: async () => {
          throw new Error("AccessDeniedException");
        },
      } as unknown as IncidentsStore;
      await click(async () => failing);
      expect(posted).toEqual([
        "The mute could not be stored: the incidents table could not be read or written.",
      ]);
    });
  });
});

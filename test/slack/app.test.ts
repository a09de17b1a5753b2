import type { Context } from "aws-lambda";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OnceOutcome, OnceStore } from "../../src/aws/idempotency.ts";
import type { CommandOutput } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { createSlackApp } from "../../src/slack/app.ts";
import { readBotSettings } from "../../src/slack/settings.ts";
import {
  eventFixture,
  SIGNING_SECRET,
  signedFormEvent,
  signedJsonEvent,
  slashCommand,
} from "../support/slack-events.ts";
import { BOT_TOKEN as BOT_TOKEN_FAKE } from "../support/slack-lambda.ts";

// The Bolt app as the Lambda receiver runs it, on Slack's own payloads: which listener answers
// each surface, and an Events API delivery answered once however often Slack retries it.

const doc: Doc = { summary: "answer", sections: [{ lines: [["answer"]] }], notes: [] };
const context = { functionName: "ecs-chatops-dev-slack", awsRequestId: "r1" } as Context;
const TIMED_OUT = { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" };
const FAILED = { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_error" };

/** A once-store that remembers keys in memory, or fails on every call. */
function memoryOnce(fails = false): OnceStore & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    async once<T>(key: string, work: () => Promise<T>): Promise<OnceOutcome<T>> {
      if (fails) throw new Error("DynamoDB unreachable");
      if (keys.includes(key)) return { ran: false, reason: "done" };
      keys.push(key);
      return { ran: true, value: await work() };
    },
  };
}

function slackApp(once?: OnceStore) {
  const asked: string[] = [];
  const { handler } = createSlackApp(
    { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN_FAKE },
    {
      run: async (text): Promise<CommandOutput> => {
        asked.push(text);
        return { command: "whois", doc };
      },
      settings: readBotSettings({}),
      once,
    },
  );
  if (!handler) throw new Error("the Lambda receiver gives a handler");
  const invoke = async (event: ReturnType<typeof signedFormEvent>) =>
    (await handler(event, context, () => undefined)) as { statusCode: number; body: string };
  return { asked, invoke };
}

/** Slack's Web API for chat.postMessage, recording each message the bot posts. */
function slackApi() {
  const posted: Record<string, string>[] = [];
  nock("https://slack.com")
    .post("/api/chat.postMessage")
    .times(5)
    .reply(200, (_uri, body) => {
      posted.push(Object.fromEntries(new URLSearchParams(String(body))));
      return { ok: true, ts: "1763913701.000400" };
    });
  return posted;
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("createSlackApp", () => {
  it("answers /ecs in the HTTP response itself", async () => {
    const app = slackApp();

    const response = await app.invoke(signedFormEvent(slashCommand("whois nginx")));

    expect(app.asked).toEqual(["whois nginx"]);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ response_type: "ephemeral", ...renderBlocks(doc) });
  });

  it("answers a mention in its thread through the Web API", async () => {
    const posted = slackApi();
    const app = slackApp(memoryOnce());

    const response = await app.invoke(signedJsonEvent(eventFixture("event.app-mention.json")));

    expect(response.statusCode).toBe(200);
    expect(app.asked).toEqual(["whois nginx.service-connect"]);
    expect(posted.map((p) => [p.channel, p.thread_ts, p.text])).toEqual([
      ["C2147483705", "1763913700.000300", "answer"],
    ]);
  });

  it("answers an event once, dropping Slack's retry of it whatever the retry's reason", async () => {
    const posted = slackApi();
    const once = memoryOnce();
    const app = slackApp(once);
    const mention = eventFixture("event.app-mention.json");

    await app.invoke(signedJsonEvent(mention));
    const retry = await app.invoke(signedJsonEvent(mention, { headers: FAILED }));

    expect(retry.statusCode).toBe(200);
    expect(app.asked).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect(once.keys).toEqual(["event:Ev0ECSMENTION1"]);
  });

  it("answers a retry whose first delivery failed when the once-store cannot be read", async () => {
    const posted = slackApi();
    const app = slackApp(memoryOnce(true));
    const mention = eventFixture("event.app-mention.json");
    await app.invoke(signedJsonEvent(mention, { headers: FAILED }));
    await app.invoke(signedJsonEvent(mention, { headers: TIMED_OUT }));

    // The http_error retry is answered; the http_timeout one reached a container that answers it.
    expect(app.asked).toHaveLength(1);
    expect(posted).toHaveLength(1);
  });
});

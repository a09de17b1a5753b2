import type { Context } from "aws-lambda";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CommandOutput } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { createSlackApp } from "../../src/slack/app.ts";
import { copyFixText } from "../../src/slack/copy-fix.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";
import { runDeferredJob } from "../../src/slack/deferred-run.ts";
import { readBotSettings } from "../../src/slack/settings.ts";
import { blockActions, SIGNING_SECRET, signedFormEvent } from "../support/slack-events.ts";
import { BOT_TOKEN } from "../support/slack-lambda.ts";

// The first view's buttons, clicked as Slack sends the clicks (signed block_actions through the
// Bolt app), with the deferred run in process as Socket Mode has it: Details shows the whole
// answer where its first view is, Copy fix sends the command alone to copy, a console link is
// only acknowledged.

const RESPONSE_PATH = "/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy";
const MESSAGE_TS = "1763913600.000200";
const context = { functionName: "ecs-chatops-dev-slack", awsRequestId: "r1" } as Context;

/** An answer with a first view; the sections, the log link and the fix are in Details only. */
const doc = (): Doc => ({
  summary: "✖ DOWN api.service-connect: 0 of 3 endpoints healthy",
  sections: [{ heading: "Endpoints", lines: [["every endpoint, one per line"]] }],
  notes: [],
  command: "health api.service-connect",
  asOf: new Date("2026-12-06T03:00:00Z"),
  glance: {
    headline: ["✖ DOWN api.service-connect: 0 of 3 endpoints healthy"],
    facts: [["10.0.3.103 ", { code: "container health check failing" }]],
    copy: [{ label: "Copy fix", text: "aws ecs update-service --force-new-deployment" }],
  },
  console: [
    { label: "Service in console", url: "https://console.example/service" },
    { label: "Log stream", url: "https://console.example/logs" },
  ],
});

function slackApp() {
  const asked: string[] = [];
  const jobs: UnsealedJob[] = [];
  const run = async (text: string): Promise<CommandOutput> => {
    asked.push(text);
    return { command: "health", doc: doc() };
  };
  const { handler } = createSlackApp(
    { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN },
    {
      run,
      // In process, as Socket Mode runs a job: the answer is out when the request returns.
      defer: async (job) => {
        jobs.push(job);
        await runDeferredJob(job, {
          run,
          graphOf: async () => undefined,
          botToken: async () => BOT_TOKEN,
        });
      },
      settings: readBotSettings({}),
    },
  );
  if (!handler) throw new Error("the Lambda receiver gives a handler");
  return {
    asked,
    jobs,
    click: async (payload: Record<string, unknown>) =>
      (await handler(
        signedFormEvent({ payload: JSON.stringify(payload) }),
        context,
        () => undefined,
      )) as { statusCode: number; body: string },
  };
}

interface Click {
  actionId: string;
  value?: string;
  /** A message everyone in the channel sees (else the ephemeral answer of the fixture). */
  visible?: boolean;
  /** The clicked message is a reply in this thread. */
  threadTs?: string;
}

/** Slack's block_actions payload for a click on the first view's button. */
function payload(c: Click): Record<string, unknown> {
  const base = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
  const container = {
    type: "message",
    message_ts: MESSAGE_TS,
    channel_id: "C2147483705",
    is_ephemeral: !c.visible,
    ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
  };
  return {
    ...base,
    container,
    // Slack sends the message itself only for a visible one.
    ...(c.visible
      ? {
          message: {
            type: "message",
            ts: MESSAGE_TS,
            ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
            ...renderBlocks(doc()),
          },
        }
      : {}),
    actions: [
      {
        ...base.actions[0],
        action_id: c.actionId,
        value: c.value ?? "health api.service-connect",
      },
    ],
  };
}

/** Slack's Web API method, recording each form the bot posts; `error` makes Slack refuse. */
function webApi(method: string, error?: string) {
  const posted: Record<string, string>[] = [];
  nock("https://slack.com")
    .post(`/api/${method}`)
    .times(5)
    .reply(200, (_uri, body) => {
      posted.push(Object.fromEntries(new URLSearchParams(String(body))));
      return error ? { ok: false, error } : { ok: true, ts: "1763913701.000400" };
    });
  return posted;
}

/** The response_url, recording each JSON body posted to it. */
function responseUrl() {
  const posted: Record<string, unknown>[] = [];
  nock("https://hooks.slack.com")
    .post(RESPONSE_PATH)
    .times(5)
    .reply(200, (_uri, body) => {
      posted.push(body as Record<string, unknown>);
      return "ok";
    });
  return posted;
}

beforeEach(() => {
  nock.disableNetConnect();
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  vi.restoreAllMocks();
});

describe("Details", () => {
  it("posts the whole answer in the thread of a channel's answer, re-reading it", async () => {
    const posts = webApi("chat.postMessage");
    const hooks = responseUrl();
    const app = slackApp();

    const response = await app.click(payload({ actionId: "ecs_details", visible: true }));

    expect(response.statusCode).toBe(200);
    expect(app.asked).toEqual(["health api.service-connect"]);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ channel: "C2147483705", thread_ts: MESSAGE_TS });
    const blocks = posts[0]?.blocks ?? "";
    expect(blocks).toContain("every endpoint, one per line");
    expect(blocks).toContain("https://console.example/logs");
    expect(blocks).toContain("As of 2026-12-06 03:00:00 UTC");
    expect(blocks).not.toContain("ecs_details");
    expect(hooks).toEqual([]);
  });

  it("posts in the thread the clicked answer is in, not under it", async () => {
    const posts = webApi("chat.postMessage");
    const app = slackApp();

    await app.click(
      payload({ actionId: "ecs_details", visible: true, threadTs: "1763913500.000100" }),
    );

    expect(posts[0]).toMatchObject({ channel: "C2147483705", thread_ts: "1763913500.000100" });
  });

  it("replaces an ephemeral answer with the whole answer, through its response_url", async () => {
    const posts = webApi("chat.postMessage");
    const hooks = responseUrl();
    const app = slackApp();

    await app.click(payload({ actionId: "ecs_details" }));

    expect(posts).toEqual([]);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ response_type: "ephemeral", replace_original: true });
    const blocks = JSON.stringify(hooks[0]?.blocks);
    expect(blocks).toContain("every endpoint, one per line");
    expect(blocks).not.toContain("ecs_details");
  });

  it("shows the whole answer to the clicker alone, saying why, when the thread refuses the post", async () => {
    webApi("chat.postMessage", "not_in_channel");
    const hooks = responseUrl();
    const app = slackApp();

    await app.click(payload({ actionId: "ecs_details", visible: true }));

    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ response_type: "ephemeral", replace_original: false });
    const said = JSON.stringify(hooks[0]);
    expect(said).toContain(
      "I could not post the details of `/ecs health api.service-connect` in the thread (not_in_channel), so only you see them here. Invite me to the channel to have them in the thread.",
    );
    expect(said).toContain("every endpoint, one per line");
  });

  it("tells the clicker privately when neither the thread nor the response_url take it", async () => {
    webApi("chat.postMessage", "not_in_channel");
    nock("https://hooks.slack.com").post(RESPONSE_PATH).times(2).reply(404, "expired_url");
    const ephemeral = webApi("chat.postEphemeral");
    const app = slackApp();

    await app.click(payload({ actionId: "ecs_details", visible: true }));

    expect(ephemeral).toEqual([
      expect.objectContaining({
        channel: "C2147483705",
        user: "U2147483697",
        text: expect.stringContaining("I could not post the details"),
      }),
    ]);
  });

  it("asks for the whole answer in the job, so a refresh of it stays whole", async () => {
    webApi("chat.postMessage");
    const hooks = responseUrl();
    const app = slackApp();

    await app.click(payload({ actionId: "ecs_details", visible: true }));
    const full = { ...payload({ actionId: "ecs_refresh", visible: true }) };
    full.message = { type: "message", ts: MESSAGE_TS, ...renderBlocks(doc(), { view: "full" }) };
    await app.click(full);
    await app.click(payload({ actionId: "ecs_refresh", visible: true }));

    expect(app.jobs.map((j) => j.view)).toEqual(["full", "full", undefined]);
    expect(JSON.stringify(hooks[0]?.blocks)).toContain("every endpoint, one per line");
    expect(hooks[0]).toMatchObject({ replace_original: true });
    expect(JSON.stringify(hooks[1]?.blocks)).toContain("ecs_details");
  });
});

describe("Copy fix", () => {
  it("sends the command alone in a code block, to the clicker, under the answer", async () => {
    const hooks = responseUrl();
    const app = slackApp();

    const response = await app.click(
      payload({
        actionId: "ecs_copy_fix_0",
        visible: true,
        value: "aws ecs update-service --cluster prod --service api --force-new-deployment",
      }),
    );

    expect(response.statusCode).toBe(200);
    expect(app.asked).toEqual([]);
    expect(app.jobs).toEqual([]);
    expect(hooks).toEqual([
      {
        response_type: "ephemeral",
        replace_original: false,
        text: "For you to run: I only read, I never change anything.\n```\naws ecs update-service --cluster prod --service api --force-new-deployment\n```",
        blocks: [],
      },
    ]);
  });

  it("cannot be made to mention the channel or to leave its code block", async () => {
    const hooks = responseUrl();
    const app = slackApp();

    await app.click(
      payload({
        actionId: "ecs_copy_fix_1",
        value: "echo <!channel> ```\n*pwned* <https://evil.example|x>",
      }),
    );

    const text = String(hooks[0]?.text);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://");
    expect(text).toContain("echo &lt;!channel&gt; ˋˋˋ\n*pwned* &lt;https://evil.example|x&gt;");
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text).toContain("Its backticks are shown as ˋ");
  });

  it("still acknowledges within Slack's 3 seconds when the response_url hangs", async () => {
    nock("https://hooks.slack.com").post(RESPONSE_PATH).delay(10_000).reply(200, "ok");
    const app = slackApp();

    const started = Date.now();
    const response = await app.click(payload({ actionId: "ecs_copy_fix_0", value: "aws ecs x" }));

    expect(response.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("says so when there is nothing to copy, or more than a button can hold", () => {
    expect(copyFixText("  ")).toBe("This button holds no command to copy.");
    expect(copyFixText("x".repeat(2001))).toBe(
      "This fix is too long to send as a message to copy (2001 characters); the answer's Details show it in full.",
    );
  });

  it("keeps single backticks of a command as they are", () => {
    expect(copyFixText("echo `date`")).toContain("```\necho `date`\n```");
  });
});

describe("console links", () => {
  it("acknowledges a console link's click and does nothing else", async () => {
    const posts = webApi("chat.postMessage");
    const hooks = responseUrl();
    const app = slackApp();
    const click = payload({ actionId: "ecs_console_0", visible: true });
    const [action] = click.actions as Record<string, unknown>[];
    click.actions = [{ ...action, value: undefined, url: "https://console.example/service" }];

    const response = await app.click(click);

    expect(response.statusCode).toBe(200);
    expect(response.body ?? "").toBe("");
    expect(app.asked).toEqual([]);
    expect(posts).toEqual([]);
    expect(hooks).toEqual([]);
  });
});

import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Invocation } from "../../../emulator/server.ts";
import { forgetLambdaClient } from "../../../src/aws/lambda.ts";
import { clearSharedCache } from "../../../src/commands/aws-context.ts";
import { signedFormEvent, slashCommand } from "../../support/slack-events.ts";
import { BOT_TOKEN, FUNCTION_NAME, useSlackLambda, waitFor } from "../../support/slack-lambda.ts";

// `/ecs digest` reads a whole fleet: longer than Slack's 3 seconds. The handler acks at once,
// then its asynchronous run shows how far it has come ("clusters 3/8 read…") in a message it
// edits with chat.update, and finally puts the digest in that message's place.

const RESPONSE_PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const WAR_ROOM = "C0WARROOM01";

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;
let invocations: Invocation[] = [];

beforeAll(async () => {
  lambda = await useSlackLambda({
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    PUBLIC_CHANNEL_IDS: WAR_ROOM,
  });
  forgetLambdaClient();
  lambda.emulator.setOnInvoke((invocation) => invocations.push(invocation));
});
afterAll(async () => {
  forgetLambdaClient();
  await lambda.stop();
});
beforeEach(() => {
  invocations = [];
  // Each digest reads AWS afresh, as a cold container would.
  clearSharedCache();
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
  lambda.emulator.setLatency(0);
});

/** Slack's ack of `/ecs <text>` in `channel` while AWS is slow, and the job it handed over. */
async function deferred(text: string, channel: string, latencyMs: number) {
  lambda.emulator.setLatency(5_000);
  lambda.emulator.setLatency(0, "Lambda.Invoke");
  const ack = await lambda.invoke(
    signedFormEvent(slashCommand(text, { channel_id: channel, channel_name: "incident-4711" })),
  );
  const invocation = await waitFor(() => invocations[0]);
  // AWS answers again, slowly enough (0.4 s a call) for several seconds of progress.
  lambda.emulator.setLatency(latencyMs);
  return { ack, job: invocation.payload };
}

type Body = Record<string, unknown>;

function web(method: string, calls: Body[], reply: Body) {
  return nock("https://slack.com", { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } })
    .post(`/api/${method}`, (body: Body) => {
      calls.push(body);
      return true;
    })
    .times(100)
    .reply(200, reply);
}

describe("/ecs digest, slower than Slack's budget", () => {
  it("edits one message with progress, then replaces it with the digest, in an incident channel", async () => {
    const { ack, job } = await deferred("digest", WAR_ROOM, 400);
    expect(JSON.parse(ack.body ?? "{}")).toMatchObject({
      text: expect.stringContaining("Looking up `digest`"),
    });
    const posts: Body[] = [];
    const updates: Body[] = [];
    web("chat.postMessage", posts, { ok: true, channel: WAR_ROOM, ts: "1763913701.000400" });
    web("chat.update", updates, { ok: true, channel: WAR_ROOM, ts: "1763913701.000400" });
    const responseUrl = nock("https://hooks.slack.com").post(RESPONSE_PATH).reply(200, "ok");

    await lambda.runJob(job);

    // One message posted: the progress line, visible in the channel.
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      channel: WAR_ROOM,
      text: "Digest of every cluster: listing the services…",
    });
    expect(JSON.stringify(posts[0]?.blocks)).toContain("hourglass");
    const texts = updates.map((u) => String(u.text));
    // Then edits of that same message, as clusters and services are read...
    expect(updates.every((u) => u.channel === WAR_ROOM && u.ts === "1763913701.000400")).toBe(true);
    expect(texts.slice(0, -1).length).toBeGreaterThan(0);
    for (const text of texts.slice(0, -1)) {
      expect(text).toMatch(
        /^Digest of every cluster: clusters \d+\/\d+ read(, services \d+\/\d+ judged)?…$/,
      );
    }
    // ...and last, the digest itself in its place: the worst first, no progress line left.
    const last = JSON.stringify(updates.at(-1));
    expect(last).toContain("billing-worker");
    expect(last).not.toContain("hourglass");
    expect(last.indexOf("billing-worker")).toBeLessThan(last.indexOf("api"));
    // Nothing else went to the channel: the answer did not come twice.
    expect(responseUrl.isDone()).toBe(false);
  });

  it("replaces the asker's own note through response_url when the answer is private, within Slack's 5 posts", async () => {
    const { job } = await deferred("digest", "C2147483705", 150);
    const posted: Body[] = [];
    nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .times(10)
      .reply(200, (_uri, body) => {
        posted.push(body as Body);
        return "ok";
      });

    await lambda.runJob(job);

    expect(posted.length).toBeGreaterThan(1);
    expect(posted.length).toBeLessThanOrEqual(4);
    expect(posted.every((p) => p.response_type === "ephemeral" && p.replace_original)).toBe(true);
    expect(String(posted[0]?.text)).toBe("Digest of every cluster: listing the services…");
    expect(JSON.stringify(posted.at(-1))).toContain("billing-worker");
  });

  it("still answers, through response_url, when the bot may not post in the channel", async () => {
    const { job } = await deferred("digest", WAR_ROOM, 50);
    const posts: Body[] = [];
    web("chat.postMessage", posts, { ok: false, error: "not_in_channel" });
    const posted: Body[] = [];
    nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .reply(200, (_uri, body) => {
        posted.push(body as Body);
        return "ok";
      });

    await lambda.runJob(job);

    expect(posts).toHaveLength(1);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ response_type: "in_channel" });
    expect(JSON.stringify(posted[0])).toContain("billing-worker");
  });
});

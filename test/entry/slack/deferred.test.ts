import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Invocation } from "../../../emulator/server.ts";
import { forgetLambdaClient } from "../../../src/aws/lambda.ts";
import { type DeferredJob, isDeferredJob } from "../../../src/slack/deferred-job.ts";
import { blockActions, signedFormEvent, slashCommand } from "../../support/slack-events.ts";
import { FUNCTION_NAME, useSlackLambda, waitFor } from "../../support/slack-lambda.ts";

// Slack drops a slash command that gets no HTTP answer within 3 seconds. When AWS is slow, the
// handler must answer at once and finish through an asynchronous run of itself (Lambda Invoke,
// InvocationType Event, played here by the emulator) that posts to the command's response_url.

const RESPONSE_PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const MESSAGE_TS = "1763913600.000200";

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;
let invocations: Invocation[] = [];

beforeAll(async () => {
  lambda = await useSlackLambda({ AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME });
  forgetLambdaClient();
  lambda.emulator.setOnInvoke((invocation) => invocations.push(invocation));
});
afterAll(async () => {
  forgetLambdaClient();
  await lambda.stop();
});
beforeEach(() => {
  invocations = [];
  lambda.emulator.setLatency(0);
  lambda.emulator.resetStats();
});

describe("Lambda handler, slow AWS", () => {
  it("acks within 3 s while AWS takes 10 s, then replaces the message at response_url", async () => {
    lambda.emulator.setLatency(10_000);
    lambda.emulator.setLatency(0, "Lambda.Invoke");
    const posted: Record<string, unknown>[] = [];
    const slack = nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return "ok";
      });

    const started = Date.now();
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect")),
    );
    const ackMs = Date.now() - started;

    expect(result.statusCode).toBe(200);
    expect(ackMs).toBeLessThan(3_000);
    expect(JSON.parse(result.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("Looking up `whois nginx.service-connect`"),
    });

    const invocation = await waitFor(() => invocations[0]);
    expect(invocation).toMatchObject({ functionName: FUNCTION_NAME, invocationType: "Event" });
    expect(isDeferredJob(invocation.payload)).toBe(true);

    // Lambda runs the queued job on its own; AWS has recovered by then.
    lambda.emulator.setLatency(0);
    await lambda.runJob(invocation.payload);

    expect(slack.isDone()).toBe(true);
    expect(posted[0]).toMatchObject({ response_type: "ephemeral", replace_original: true });
    expect(JSON.stringify(posted[0])).toContain("2 of 2 endpoints healthy");
    expect(JSON.stringify(posted[0])).toContain('"action_id":"ecs_details"');
  });

  it("answers inline, with no job handed over, when AWS answers in time", async () => {
    const result = await lambda.invoke(signedFormEvent(slashCommand("whois api.internal.local")));

    expect(result.body).toContain("10.0.3.103:8080");
    expect(invocations).toHaveLength(0);
    expect(lambda.emulator.stats().calls["Lambda.Invoke"]).toBeUndefined();
  });

  it("posts the traffic graph into the channel with files.uploadV2 after the answer", async () => {
    const uploaded: string[] = [];
    nock("https://hooks.slack.com").post(RESPONSE_PATH).reply(200, "ok");
    const api = nock("https://slack.com")
      .post("/api/files.getUploadURLExternal", (body: Record<string, string>) => {
        uploaded.push(`get:${body.filename}:${body.length}`);
        return true;
      })
      .reply(200, {
        ok: true,
        upload_url: "https://files.slack.com/upload/v1/ABC123",
        file_id: "F0TESTGRAPH",
      })
      .post("/api/files.completeUploadExternal", (body: Record<string, string>) => {
        uploaded.push(`complete:${body.channel_id}:${body.files}`);
        return true;
      })
      .reply(200, { ok: true, files: [{ id: "F0TESTGRAPH" }] });
    const upload = nock("https://files.slack.com")
      .post("/upload/v1/ABC123")
      .reply(200, "OK - 3123");

    const result = await lambda.invoke(
      signedFormEvent(slashCommand("traffic nginx.service-connect --graph")),
    );
    expect(result.body).toContain("Looking up `traffic nginx.service-connect`");
    const invocation = await waitFor(() => invocations[0]);
    await lambda.runJob(invocation.payload);

    expect(api.isDone()).toBe(true);
    expect(upload.isDone()).toBe(true);
    expect(uploaded[0]).toMatch(/^get:ecs-traffic\.png:\d+$/);
    expect(uploaded[1]).toContain("complete:C2147483705:");
  });

  it("acks a Health button click at once and posts the health answer under the message, visible in the incident channel", async () => {
    const posted: Record<string, unknown>[] = [];
    const slack = nock("https://hooks.slack.com")
      .post("/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy")
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return "ok";
      });

    const result = await lambda.invoke(signedFormEvent(blockActions("block-actions.health.json")));
    expect(result.statusCode).toBe(200);
    const invocation = await waitFor(() => invocations[0]);
    await lambda.runJob(invocation.payload);

    expect(slack.isDone()).toBe(true);
    expect(posted[0]).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(String(posted[0]?.text)).toContain("DEGRADED api.internal.local");
  });

  it.each([
    [
      "Whois",
      "ecs_whois",
      "whois api.internal.local",
      { replace_original: false },
      "api.internal.local → Service Discovery DNS name",
    ],
    [
      "Traffic",
      "ecs_traffic",
      "traffic nginx.service-connect",
      { replace_original: false },
      "requests",
    ],
    ["Refresh", "ecs_refresh", "whois nginx.service-connect", { replace_original: true }, "As of "],
    [
      "Share in channel",
      "ecs_share",
      "health billing-worker",
      { response_type: "in_channel", replace_original: false },
      "Shared by <@U2147483697>: ✖ DOWN",
    ],
  ])(
    "answers the %s button through response_url",
    async (_label, actionId, value, expected, text) => {
      const posted: Record<string, unknown>[] = [];
      nock("https://hooks.slack.com")
        .post("/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy")
        .reply(200, (_uri, body) => {
          posted.push(body as Record<string, unknown>);
          return "ok";
        });
      const click = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
      click.actions[0] = { ...click.actions[0], action_id: actionId, value };

      await lambda.invoke(signedFormEvent({ payload: JSON.stringify(click) }));
      const invocation = await waitFor(() => invocations[0]);
      await lambda.runJob(invocation.payload);

      expect(posted[0]).toMatchObject(expected);
      expect(String(posted[0]?.text) + JSON.stringify(posted[0]?.blocks)).toContain(text);
    },
  );

  it("uploads the graph into the clicked message's channel for the Graph button", async () => {
    nock("https://hooks.slack.com")
      .post("/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy")
      .reply(200, "ok");
    let channel = "";
    const api = nock("https://slack.com")
      .post("/api/files.getUploadURLExternal")
      .reply(200, {
        ok: true,
        upload_url: "https://files.slack.com/upload/v1/GRAPH2",
        file_id: "F0GRAPH2",
      })
      .post("/api/files.completeUploadExternal", (body: Record<string, string>) => {
        channel = body.channel_id ?? "";
        return true;
      })
      .reply(200, { ok: true, files: [{ id: "F0GRAPH2" }] });
    nock("https://files.slack.com").post("/upload/v1/GRAPH2").reply(200, "OK");
    const click = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
    click.actions[0] = {
      ...click.actions[0],
      action_id: "ecs_graph",
      value: "traffic nginx.service-connect 1h --graph",
    };

    await lambda.invoke(signedFormEvent({ payload: JSON.stringify(click) }));
    const invocation = await waitFor(() => invocations[0]);
    await lambda.runJob(invocation.payload);

    expect(api.isDone()).toBe(true);
    expect(channel).toBe("C2147483705");
  });
  // Jobs that are forged, or would answer anywhere but Slack: test/handler/hardening.test.ts.
});

// Details: the click is handed to an asynchronous run as a sealed job, which re-reads AWS and
// posts the whole answer in the clicked answer's thread. The demo commands' first views change
// as issue 22 goes on; what is asserted is the mechanism and what only a whole answer holds.

/** A Details click on a channel's answer to `command`, as Slack signs it. */
function detailsClick(command: string) {
  const click = JSON.parse(blockActions("block-actions.health.json").payload ?? "{}");
  click.container = { ...click.container, is_ephemeral: false };
  click.message = { type: "message", ts: MESSAGE_TS, text: "first view", blocks: [] };
  click.actions[0] = { ...click.actions[0], action_id: "ecs_details", value: command };
  return signedFormEvent({ payload: JSON.stringify(click) });
}

/** chat.postMessage on Slack's Web API, recording each form the bot posts. */
function threadPosts() {
  const posted: Record<string, string>[] = [];
  nock("https://slack.com")
    .post("/api/chat.postMessage")
    .reply(200, (_uri, body) => {
      posted.push(Object.fromEntries(new URLSearchParams(String(body))));
      return { ok: true, ts: "1763913701.000400" };
    });
  return posted;
}

describe("Details on the deployed bot", () => {
  it("posts the whole answer, read again, in the thread of the channel's answer", async () => {
    const posted = threadPosts();

    const result = await lambda.invoke(detailsClick("whois nginx.service-connect"));
    expect(result.statusCode).toBe(200);
    const invocation = await waitFor(() => invocations[0]);
    expect(lambda.emulator.stats().calls["Lambda.Invoke"]).toBe(1);
    await lambda.runJob(invocation.payload);

    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: "C2147483705", thread_ts: MESSAGE_TS });
    // Every endpoint, as only the whole answer lists them, and its own time read.
    expect(posted[0]?.blocks).toContain("`10.0.1.23:80`");
    expect(posted[0]?.blocks).toContain("`10.0.2.47:80`");
    expect(posted[0]?.blocks).toContain("As of ");
    expect(posted[0]?.blocks).not.toContain("ecs_details");
  });

  // Why it is refused ("bad MAC"): test/slack/deferred-job.test.ts.
  it("refuses a job whose view was changed after it was sealed: nothing read, nothing posted", async () => {
    const posted = threadPosts();
    await lambda.invoke(detailsClick("whois nginx.service-connect"));
    const invocation = await waitFor(() => invocations[0]);
    const sealed = invocation.payload as DeferredJob;
    expect(sealed.view).toBe("full");
    lambda.emulator.resetStats();

    await lambda.runJob({ ...sealed, view: undefined });

    expect(lambda.emulator.stats().total).toBe(0);
    expect(posted).toEqual([]);
  });
});

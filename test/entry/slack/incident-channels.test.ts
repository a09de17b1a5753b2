import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  eventFixture,
  SIGNING_SECRET,
  signedFormEvent,
  signedJsonEvent,
  slashCommand,
} from "../../support/slack-events.ts";
import { BOT_TOKEN, useSlackLambda } from "../../support/slack-lambda.ts";

// Incident rooms: mentions answered in their thread, visible answers in incident channels,
// --public / --private, Slack's url_verification and retries, and the request log.

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;

beforeAll(async () => {
  lambda = await useSlackLambda({ PUBLIC_CHANNEL_IDS: "C0WARROOM01" });
});
afterAll(() => lambda.stop());
beforeEach(() => {
  lambda.emulator.resetStats();
});
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

describe("incident channels", () => {
  it("answers an @mention in the mention's thread, visible to the channel", async () => {
    const posted: Record<string, unknown>[] = [];
    const slack = nock("https://slack.com", {
      reqheaders: { authorization: `Bearer ${BOT_TOKEN}` },
    })
      .post("/api/chat.postMessage", (body: Record<string, unknown>) => {
        posted.push(body);
        return true;
      })
      .reply(200, { ok: true, channel: "C2147483705", ts: "1763913701.000400" });

    const result = await lambda.invoke(signedJsonEvent(eventFixture("event.app-mention.json")));

    expect(result.statusCode).toBe(200);
    expect(slack.isDone()).toBe(true);
    expect(posted[0]).toMatchObject({ channel: "C2147483705", thread_ts: "1763913700.000300" });
    expect(String(posted[0]?.text)).toContain("nginx.service-connect → Service Connect alias");
  });

  it("answers a mention inside a thread in that same thread", async () => {
    const posted: Record<string, unknown>[] = [];
    nock("https://slack.com")
      .post("/api/chat.postMessage", (body: Record<string, unknown>) => {
        posted.push(body);
        return true;
      })
      .reply(200, { ok: true });
    const inThread = eventFixture("event.app-mention.json", (p) => {
      // Another event: the first test's event_id is recorded as answered.
      p.event_id = "Ev0THREAD0002";
      const event = p.event as Record<string, unknown>;
      event.thread_ts = "1763913000.000100";
      event.text = "<@U0ECSBOT01> health billing-worker";
    });

    await lambda.invoke(signedJsonEvent(inThread));

    expect(posted[0]).toMatchObject({ thread_ts: "1763913000.000100" });
    expect(String(posted[0]?.text)).toContain("DOWN ecs_service_discovery/billing-worker");
  });

  it.each([
    ["1", "http_timeout"],
    ["2", "http_error"],
  ])(
    "ignores Slack's retry %s (%s) of an event, with no AWS call and no second post",
    async (num, reason) => {
      const result = await lambda.invoke(
        signedJsonEvent(eventFixture("event.app-mention.json"), {
          headers: { "x-slack-retry-num": num, "x-slack-retry-reason": reason },
        }),
      );

      expect(result.statusCode).toBe(200);
      expect(lambda.emulator.stats().total).toBe(0);
      expect(nock.pendingMocks()).toEqual([]);
    },
  );

  it("answers Slack's url_verification challenge", async () => {
    const result = await lambda.invoke(signedJsonEvent(eventFixture("url-verification.json")));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? "{}")).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it.each([
    [
      "an inc- channel",
      { channel_name: "inc-2026-11-23-checkout" },
      "whois nginx.service-connect",
      "in_channel",
    ],
    [
      "a listed channel",
      { channel_id: "C0WARROOM01", channel_name: "war-room" },
      "whois nginx.service-connect",
      "in_channel",
    ],
    ["an ordinary channel", {}, "whois nginx.service-connect", "ephemeral"],
    [
      "--private in an inc- channel",
      { channel_name: "inc-2026-11-23-checkout" },
      "whois nginx.service-connect --private",
      "ephemeral",
    ],
    ["--public in an ordinary channel", {}, "whois nginx.service-connect --public", "in_channel"],
  ])(
    "answers a slash command in %s with the right visibility",
    async (_label, where, text, responseType) => {
      const result = await lambda.invoke(signedFormEvent(slashCommand(text, where)));

      expect(JSON.parse(result.body ?? "{}").response_type).toBe(responseType);
    },
  );

  it("logs one JSON line per request, without token, secret or signature", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const event = signedFormEvent(slashCommand("whois api.internal.local"));

    await lambda.invoke(event);

    const entries = lines.filter((l) => l.includes('"message":"ecs-chatops request"'));
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0] ?? "{}")).toMatchObject({
      kind: "slash_command",
      command: "whois api.internal.local",
      team: "T0001EXAMPLE",
      channel: "C2147483705",
      user: "U2147483697",
      outcome: "answered",
      mode: "inline",
      awsCallsByOperation: expect.objectContaining({ DiscoverInstances: 1 }),
    });
    const everything = lines.join("\n");
    expect(everything).not.toContain(BOT_TOKEN);
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toContain(String(event.headers["x-slack-signature"]));
  });
});

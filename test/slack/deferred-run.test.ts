import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CommandOutput } from "../../src/commands/router.ts";
import { runDeferredJob } from "../../src/slack/deferred-run.ts";
import { BOT_TOKEN as BOT_TOKEN_FAKE } from "../support/slack-lambda.ts";

// The asynchronous half of a slow lookup never fails silently: whatever it cannot do, the asker
// is told, through the command's response_url.

const URL_PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const job = {
  kind: "ecs-chatops.deferred-job" as const,
  command: "health api.service-connect",
  destination: {
    kind: "response_url" as const,
    url: `https://hooks.slack.com${URL_PATH}`,
    responseType: "ephemeral" as const,
    replaceOriginal: true,
  },
  context: {
    kind: "slash_command",
    command: "health api.service-connect",
    channel: "C1",
    user: "U1",
  },
};

beforeEach(() => {
  nock.disableNetConnect();
  vi.spyOn(console, "log").mockImplementation(() => undefined);
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  vi.restoreAllMocks();
});

describe("runDeferredJob", () => {
  it("says the lookup did not finish when it runs into the Lambda timeout, instead of nothing", async () => {
    const posted: Record<string, unknown>[] = [];
    nock("https://hooks.slack.com")
      .post(URL_PATH)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return "ok";
      });
    const never = new Promise<CommandOutput>(() => undefined);

    await runDeferredJob(job, {
      run: () => never,
      graphOf: async () => undefined,
      botToken: async () => BOT_TOKEN_FAKE,
      deadline: Date.now() + 50,
    });

    expect(posted).toEqual([
      expect.objectContaining({
        replace_original: true,
        text: "`/ecs health api.service-connect` did not finish in time: AWS answered too slowly for the whole lookup. Try again in a minute, or ask for one name.",
      }),
    ]);
  });

  it("tells the asker privately when the response_url no longer takes answers", async () => {
    nock("https://hooks.slack.com").post(URL_PATH).reply(404, "expired_url");
    const ephemeral = nock("https://slack.com")
      .post(
        "/api/chat.postEphemeral",
        (body: Record<string, string>) =>
          body.channel === "C1" &&
          body.user === "U1" &&
          (body.text ?? "").includes("could not post the answer"),
      )
      .reply(200, { ok: true });

    await runDeferredJob(job, {
      run: async () => ({ command: "health", doc: { summary: "ok", sections: [], notes: [] } }),
      graphOf: async () => undefined,
      botToken: async () => BOT_TOKEN_FAKE,
    });

    expect(ephemeral.isDone()).toBe(true);
  });

  it("puts the failure in place of its progress message when the lookup runs out of time", async () => {
    const slack = (method: string, calls: Record<string, unknown>[]) =>
      nock("https://slack.com")
        .post(`/api/${method}`, (body: Record<string, unknown>) => {
          calls.push(body);
          return true;
        })
        .reply(200, { ok: true, channel: "C1", ts: "1763913701.000400" });
    const posts: Record<string, unknown>[] = [];
    const updates: Record<string, unknown>[] = [];
    slack("chat.postMessage", posts);
    slack("chat.update", updates);
    const thread = {
      ...job,
      command: "digest",
      destination: { kind: "thread" as const, channel: "C1", threadTs: "1763913600.000100" },
    };

    await runDeferredJob(thread, {
      run: (_text, call) => {
        call?.onProgress?.({ scope: "every cluster", clusters: { done: 3, total: 8 } });
        return new Promise<CommandOutput>(() => undefined);
      },
      graphOf: async () => undefined,
      botToken: async () => BOT_TOKEN_FAKE,
      deadline: Date.now() + 300,
    });

    expect(posts).toEqual([
      expect.objectContaining({
        channel: "C1",
        thread_ts: "1763913600.000100",
        text: "Digest of every cluster: clusters 3/8 read…",
      }),
    ]);
    expect(updates).toEqual([
      expect.objectContaining({
        ts: "1763913701.000400",
        text: expect.stringContaining("`/ecs digest` did not finish in time"),
      }),
    ]);
  });

  it("asks Details' command as a re-read, so a digest keeps no history from it; a first answer is no re-read", async () => {
    nock("https://hooks.slack.com").post(URL_PATH).times(2).reply(200, "ok");
    const calls: (boolean | undefined)[] = [];
    const deps = {
      run: async (_text: string, call?: { rereading?: boolean }) => {
        calls.push(call?.rereading);
        return { command: "digest", doc: { summary: "ok", sections: [], notes: [] } };
      },
      graphOf: async () => undefined,
      botToken: async () => BOT_TOKEN_FAKE,
    };

    await runDeferredJob({ ...job, command: "digest", view: "full" as const }, deps);
    await runDeferredJob({ ...job, command: "digest" }, deps);

    expect(calls).toEqual([true, undefined]);
  });

  it("tells a handed-over command who typed it, so a mute records who muted", async () => {
    nock("https://hooks.slack.com").post(URL_PATH).reply(200, "ok");
    const users: (string | undefined)[] = [];
    await runDeferredJob(
      { ...job, command: "alerts mute tutorial/api 1h" },
      {
        run: async (_text, call) => {
          users.push(call?.user);
          return { command: "alerts", doc: { summary: "ok", sections: [], notes: [] } };
        },
        graphOf: async () => undefined,
        botToken: async () => BOT_TOKEN_FAKE,
      },
    );
    expect(users).toEqual([job.context.user]);
  });
});

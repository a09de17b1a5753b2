import type { WebClient } from "@slack/web-api";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SlackMessage } from "../../src/render/blocks.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";
import { StandIn } from "../../src/slack/stand-in.ts";

// The message that stands in for a slow answer: posted once, edited at most every 2 s, then
// replaced by the answer; never a reason to lose the answer.

const PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const context = { kind: "slash_command", command: "digest", channel: "C0INCIDENT" };
const inThread: UnsealedJob = {
  kind: "ecs-chatops.deferred-job",
  command: "digest",
  destination: { kind: "thread", channel: "C0INCIDENT", threadTs: "1763913700.000300" },
  context,
};
const privately: UnsealedJob = {
  ...inThread,
  destination: {
    kind: "response_url",
    url: `https://hooks.slack.com${PATH}`,
    responseType: "ephemeral",
    replaceOriginal: true,
  },
};
const line = (text: string): SlackMessage => ({ text, blocks: [] });

/** A WebClient that records chat.postMessage and chat.update; `fail` makes both throw. */
function fakeSlack(fail = false) {
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const record = (method: string) => async (args: Record<string, unknown>) => {
    calls.push({ method, args });
    if (fail) throw new Error("not_in_channel");
    return { ok: true, ts: "1763913701.000400" };
  };
  const client = { chat: { postMessage: record("post"), update: record("update") } };
  return { calls, client: async () => client as unknown as WebClient };
}

beforeEach(() => {
  vi.useFakeTimers();
  nock.disableNetConnect();
});
afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("StandIn", () => {
  it("posts the first progress into the thread, edits it with the latest, then puts the answer in its place", async () => {
    const slack = fakeSlack();
    const standIn = new StandIn(inThread, slack.client);

    standIn.report(line("clusters 1/8"));
    await vi.advanceTimersByTimeAsync(0);
    standIn.report(line("clusters 2/8"));
    standIn.report(line("clusters 3/8"));
    await vi.advanceTimersByTimeAsync(2_000);
    const replaced = await standIn.replaceWith(line("the digest"));

    expect(replaced).toBe(true);
    expect(slack.calls).toEqual([
      {
        method: "post",
        args: {
          channel: "C0INCIDENT",
          thread_ts: "1763913700.000300",
          text: "clusters 1/8",
          blocks: [],
        },
      },
      {
        method: "update",
        args: { channel: "C0INCIDENT", ts: "1763913701.000400", text: "clusters 3/8", blocks: [] },
      },
      {
        method: "update",
        args: { channel: "C0INCIDENT", ts: "1763913701.000400", text: "the digest", blocks: [] },
      },
    ]);
  });

  it("edits no more often than every 2 seconds", async () => {
    const slack = fakeSlack();
    const standIn = new StandIn(inThread, slack.client);

    standIn.report(line("1"));
    await vi.advanceTimersByTimeAsync(0);
    standIn.report(line("2"));
    await vi.advanceTimersByTimeAsync(1_999);

    expect(slack.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(slack.calls).toHaveLength(2);
  });

  it("leaves the answer to its caller when no progress was ever posted", async () => {
    const slack = fakeSlack();

    expect(await new StandIn(inThread, slack.client).replaceWith(line("answer"))).toBe(false);
    expect(slack.calls).toEqual([]);
  });

  it("drops progress after a failed post and leaves the answer to its caller", async () => {
    const slack = fakeSlack(true);
    const errors: unknown[] = [];
    const standIn = new StandIn(inThread, slack.client, (e) => errors.push(e));

    standIn.report(line("1"));
    await vi.advanceTimersByTimeAsync(0);
    standIn.report(line("2"));
    await vi.advanceTimersByTimeAsync(5_000);

    expect(await standIn.replaceWith(line("answer"))).toBe(false);
    expect(slack.calls.map((c) => c.method)).toEqual(["post"]);
    expect(errors).toHaveLength(1);
  });

  it("keeps two of Slack's five response_url posts for the answer and a note", async () => {
    const posted: unknown[] = [];
    nock("https://hooks.slack.com")
      .post(PATH)
      .times(5)
      .reply(200, (_uri, body) => {
        posted.push(body);
        return "ok";
      });
    const standIn = new StandIn(privately, fakeSlack().client);

    for (let i = 1; i <= 5; i++) {
      standIn.report(line(`step ${i}`));
      await vi.advanceTimersByTimeAsync(2_000);
      // Each post lands before the next report, as it would over 2 s of real time.
      await vi.waitFor(() => expect(posted).toHaveLength(Math.min(i, 3)));
    }
    vi.useRealTimers();
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(posted).toEqual(
      ["step 1", "step 2", "step 3"].map((text) => ({
        response_type: "ephemeral",
        replace_original: true,
        text,
        blocks: [],
      })),
    );
    expect(await standIn.replaceWith(line("answer"))).toBe(false);
  });
});

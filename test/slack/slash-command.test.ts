import { describe, expect, it } from "vitest";
import type { CommandOutput } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { HANDOVER_FAILED, type RunCommand } from "../../src/slack/budget.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";
import { readBotSettings } from "../../src/slack/settings.ts";
import { slashCommand } from "../../src/slack/slash-command.ts";
import { slashCommand as slashPayload } from "../support/slack-events.ts";

// The /ecs listener called as Bolt calls it, with Slack's own slash command payload
// (test/fixtures/slack): what the acknowledgement says, and what job is handed over when late.

type Args = Parameters<ReturnType<typeof slashCommand>>[0];

const doc: Doc = {
  summary: "nginx.service-connect → 2 of 2 endpoints healthy",
  sections: [{ lines: [[{ bold: "nginx.service-connect → 2 of 2 endpoints healthy" }]] }],
  notes: [],
};
const answer: CommandOutput = { command: "whois", doc };
const never = () => new Promise<CommandOutput>(() => undefined);

interface Setup {
  run?: RunCommand;
  defer?: (job: UnsealedJob, signal: AbortSignal) => Promise<void>;
  budgetMs?: number;
  /** Payload fields to replace (channel_name, …). */
  payload?: Record<string, string>;
}

/** Runs the listener once on `/ecs <text>`; returns every ack and what was run and handed over. */
async function slash(text: string, setup: Setup = {}) {
  const acks: unknown[] = [];
  const runs: { text: string; channel?: string; user?: string }[] = [];
  const jobs: UnsealedJob[] = [];
  const errors: unknown[] = [];
  const run: RunCommand = (t, call) => {
    runs.push({ text: t, channel: call?.channel, ...(call?.user ? { user: call.user } : {}) });
    return (setup.run ?? (async () => answer))(t, call);
  };
  const listener = slashCommand({
    run,
    defer:
      setup.defer &&
      (async (job, signal) => {
        jobs.push(job);
        await setup.defer?.(job, signal);
      }),
    budgetMs: setup.budgetMs ?? 1_000,
    settings: readBotSettings({}),
  });
  await listener({
    command: slashPayload(text, setup.payload),
    ack: async (response: unknown) => {
      acks.push(response);
    },
    logger: { error: (...args: unknown[]) => errors.push(args) },
    context: { receivedAt: Date.now() },
  } as unknown as Args);
  return { acks, runs, jobs, errors };
}

describe("the /ecs slash command listener", () => {
  it("answers in the acknowledgement when the lookup is quick, visible only to the asker", async () => {
    const { acks, runs, jobs } = await slash("whois nginx.service-connect", {
      defer: async () => undefined,
    });

    expect(runs).toEqual([
      { text: "whois nginx.service-connect", channel: "C2147483705", user: "U2147483697" },
    ]);
    expect(acks).toEqual([{ response_type: "ephemeral", ...renderBlocks(doc) }]);
    expect(jobs).toEqual([]);
  });

  it("tells the command who typed it, so a mute records who muted", async () => {
    const { runs } = await slash("alerts mute tutorial/api 1h", {
      payload: { user_id: "U0ONCALL" },
    });
    expect(runs.map((r) => r.user)).toEqual(["U0ONCALL"]);
  });

  it("answers for the whole channel in an incident channel, unless asked --private", async () => {
    const incident = { channel_name: "inc-2026-11-23-checkout" };

    const visible = await slash("whois nginx.service-connect", { payload: incident });
    const hidden = await slash("whois nginx.service-connect --private", { payload: incident });

    expect(visible.acks[0]).toMatchObject({ response_type: "in_channel" });
    expect(hidden.acks[0]).toMatchObject({ response_type: "ephemeral" });
    expect(hidden.runs[0]?.text).toBe("whois nginx.service-connect");
  });

  it("says it is looking when the lookup is slow, and hands the job over with Slack's response_url", async () => {
    const { acks, jobs } = await slash("health api.service-connect", {
      run: never,
      defer: async () => undefined,
      budgetMs: 20,
    });

    expect(acks).toEqual([
      {
        response_type: "ephemeral",
        text: "Looking up `health api.service-connect`… the answer follows in a few seconds.",
      },
    ]);
    expect(jobs).toEqual([
      {
        kind: "ecs-chatops.deferred-job",
        command: "health api.service-connect",
        destination: {
          kind: "response_url",
          url: "https://hooks.slack.com/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx",
          responseType: "ephemeral",
          replaceOriginal: true,
        },
        graph: undefined,
        context: {
          kind: "slash_command",
          command: "health api.service-connect",
          team: "T0001EXAMPLE",
          channel: "C2147483705",
          user: "U2147483697",
        },
      },
    ]);
  });

  it("posts a late visible answer as a new message: Slack cannot turn an ephemeral one visible", async () => {
    const { jobs } = await slash("health api.service-connect --public", {
      run: never,
      defer: async () => undefined,
      budgetMs: 20,
    });

    expect(jobs[0]?.destination).toMatchObject({
      responseType: "in_channel",
      replaceOriginal: false,
    });
  });

  it("always hands a graph to the asynchronous run, even when the answer is quick", async () => {
    const { acks, jobs } = await slash("traffic nginx.service-connect 1h --graph", {
      defer: async () => undefined,
    });

    expect(jobs[0]?.command).toBe("traffic nginx.service-connect 1h");
    expect(jobs[0]?.graph).toEqual({ channelId: "C2147483705" });
    expect(acks[0]).toMatchObject({ text: expect.stringMatching(/^Looking up /) });
  });

  it("quotes what is being looked up without letting it mention anyone or close the code span", async () => {
    const { acks } = await slash("whois <!channel> `x` & y", {
      run: never,
      defer: async () => undefined,
      budgetMs: 20,
    });

    expect(acks[0]).toMatchObject({
      text: "Looking up `whois &lt;!channel&gt; ˋxˋ &amp; y`… the answer follows in a few seconds.",
    });
  });

  it("waits for a slow answer where there is no asynchronous run (Socket Mode)", async () => {
    const slow: RunCommand = () => new Promise((resolve) => setTimeout(() => resolve(answer), 60));

    const { acks } = await slash("whois nginx.service-connect", { run: slow, budgetMs: 10 });

    expect(acks).toEqual([{ response_type: "ephemeral", ...renderBlocks(doc) }]);
  });

  it("tells the asker the lookup failed, in a fixed sentence, and logs the detail", async () => {
    const secret = new Error("arn:aws:iam::123456789012:role/x is not authorized");

    const { acks, errors } = await slash("whois nginx.service-connect", {
      run: async () => Promise.reject(secret),
      defer: async () => undefined,
    });

    expect(acks).toEqual([
      {
        response_type: "ephemeral",
        text: "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.",
      },
    ]);
    expect(errors).toEqual([["ecs command failed", secret]]);
  });

  it("says AWS is slow when the job cannot be handed over in time", async () => {
    const { acks } = await slash("health api.service-connect", {
      run: never,
      defer: async () => Promise.reject(new Error("Invoke timed out")),
      budgetMs: 20,
    });

    expect(acks).toEqual([{ response_type: "ephemeral", text: HANDOVER_FAILED }]);
  });

  it("acknowledges exactly once, whatever happens", async () => {
    const outcomes = await Promise.all([
      slash("whois a", { defer: async () => undefined }),
      slash("whois a", { run: never, defer: async () => undefined, budgetMs: 10 }),
      slash("whois a", { run: async () => Promise.reject(new Error("x")) }),
    ]);

    expect(outcomes.map((o) => o.acks.length)).toEqual([1, 1, 1]);
  });
});

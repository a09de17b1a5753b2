import { describe, expect, it } from "vitest";
import type { CommandOutput } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { HANDOVER_FAILED, type RunCommand } from "../../src/slack/budget.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";
import { appMention, commandOfMention } from "../../src/slack/mention.ts";
import { eventFixture } from "../support/slack-events.ts";

// The app_mention listener called as Bolt calls it, with the Events API payload Slack sends
// (test/fixtures/slack/event.app-mention.json): the answer goes into the mention's thread.

type Args = Parameters<ReturnType<typeof appMention>>[0];

const doc: Doc = {
  summary: "✔ HEALTHY nginx.service-connect",
  sections: [{ lines: [[{ bold: "✔ HEALTHY nginx.service-connect" }]] }],
  notes: [],
};
const answer: CommandOutput = { command: "health", doc };
const never = () => new Promise<CommandOutput>(() => undefined);

interface Setup {
  run?: RunCommand;
  defer?: (job: UnsealedJob) => Promise<void>;
  budgetMs?: number;
  /** Fields of the event to replace (text, thread_ts, …). */
  event?: Record<string, unknown>;
  /** chat.postMessage fails (the bot is not in the channel). */
  postFails?: boolean;
}

async function mention(setup: Setup = {}) {
  const posts: Record<string, unknown>[] = [];
  const runs: { text: string; channel?: string; user?: string }[] = [];
  const jobs: UnsealedJob[] = [];
  const errors: string[] = [];
  const payload = eventFixture("event.app-mention.json", (p) => {
    p.event = { ...(p.event as object), ...setup.event };
  });
  const listener = appMention({
    run: (text, call) => {
      runs.push({ text, channel: call?.channel, ...(call?.user ? { user: call.user } : {}) });
      return (setup.run ?? (async () => answer))(text, call);
    },
    defer:
      setup.defer &&
      (async (job) => {
        jobs.push(job);
        await setup.defer?.(job);
      }),
    budgetMs: setup.budgetMs ?? 1_000,
  });
  await listener({
    event: payload.event,
    body: payload,
    client: {
      chat: {
        postMessage: async (message: Record<string, unknown>) => {
          if (setup.postFails) throw new Error("not_in_channel");
          posts.push(message);
          return { ok: true, ts: "1763913701.000400" };
        },
      },
    },
    logger: { error: (message: string) => errors.push(message) },
    context: { receivedAt: Date.now(), teamId: "T0001EXAMPLE" },
  } as unknown as Args);
  return { posts, runs, jobs, errors };
}

describe("the app_mention listener", () => {
  it("runs what follows the mention as the user who mentioned, and answers in the mention's thread, visible to the channel", async () => {
    const { posts, runs } = await mention();

    expect(runs).toEqual([
      { text: "whois nginx.service-connect", channel: "C2147483705", user: "U2147483697" },
    ]);
    expect(posts).toEqual([
      { channel: "C2147483705", thread_ts: "1763913700.000300", ...renderBlocks(doc) },
    ]);
  });

  it("answers a mention inside a thread in that thread, not in a new one", async () => {
    const { posts } = await mention({ event: { thread_ts: "1763913000.000100" } });

    expect(posts[0]).toMatchObject({ thread_ts: "1763913000.000100" });
  });

  it("hands a slow lookup over to answer in the same thread, posting nothing meanwhile", async () => {
    const { posts, jobs } = await mention({
      run: never,
      defer: async () => undefined,
      budgetMs: 20,
    });

    expect(posts).toEqual([]);
    expect(jobs).toEqual([
      {
        kind: "ecs-chatops.deferred-job",
        command: "whois nginx.service-connect",
        destination: { kind: "thread", channel: "C2147483705", threadTs: "1763913700.000300" },
        graph: undefined,
        context: {
          kind: "app_mention",
          command: "whois nginx.service-connect",
          team: "T0001EXAMPLE",
          channel: "C2147483705",
          user: "U2147483697",
        },
      },
    ]);
  });

  it("uploads a graph asked for in a mention into its thread", async () => {
    const { jobs } = await mention({
      event: { text: "<@U0ECSBOT01> traffic api.service-connect 6h --graph" },
      defer: async () => undefined,
    });

    expect(jobs[0]?.command).toBe("traffic api.service-connect 6h");
    expect(jobs[0]?.graph).toEqual({ channelId: "C2147483705", threadTs: "1763913700.000300" });
  });

  it("tells the thread the lookup failed, never staying silent", async () => {
    const { posts, errors } = await mention({ run: async () => Promise.reject(new Error("boom")) });

    expect(posts).toEqual([
      {
        channel: "C2147483705",
        thread_ts: "1763913700.000300",
        text: "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.",
      },
    ]);
    expect(errors).toEqual(["mention failed"]);
  });

  it("tells the thread AWS is slow when the lookup cannot be handed over in time", async () => {
    const { posts } = await mention({
      run: never,
      defer: async () => Promise.reject(new Error("Invoke timed out")),
      budgetMs: 20,
    });

    expect(posts.map((p) => p.text)).toEqual([HANDOVER_FAILED]);
  });

  it("logs, and does not throw, when even the failure cannot be posted", async () => {
    const { errors } = await mention({
      run: async () => Promise.reject(new Error("boom")),
      postFails: true,
    });

    expect(errors).toEqual(["mention failed", "could not say the mention failed"]);
  });
});

describe("commandOfMention", () => {
  it("drops every mention, with or without its label, leaving the command", () => {
    expect(commandOfMention("<@U0ECSBOT01|ecsbot> health api.internal.local")).toBe(
      "health api.internal.local",
    );
    expect(commandOfMention("<@U0ECSBOT01> whois nginx <@U0ONCALL>")).toBe("whois nginx");
  });
});

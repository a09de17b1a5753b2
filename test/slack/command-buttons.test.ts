import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ACTION_IDS,
  DETAILS_ACTION_ID,
  FULL_ANSWER_ACTION_ID,
  GRAPH_ACTION_ID,
  REFRESH_ACTION_ID,
  SHARE_ACTION_ID,
} from "../../src/render/document.ts";
import { COMMAND_BUTTON, commandButton } from "../../src/slack/command-buttons.ts";
import type { UnsealedJob } from "../../src/slack/deferred-job.ts";
import { readBotSettings } from "../../src/slack/settings.ts";

// The button listener called as Bolt calls it, with Slack's block_actions payload
// (test/fixtures/slack/block-actions.health.json): acknowledged at once, the button's command
// handed to the asynchronous run with where and how its answer goes.

type Args = Parameters<ReturnType<typeof commandButton>>[0];
type Body = Args["body"];

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/slack/block-actions.health.json", import.meta.url), "utf8"),
) as Body;
const RESPONSE_URL =
  "https://hooks.slack.com/actions/T0001EXAMPLE/1234567890124/bcdefghijklmnopqrstuvwxy";

interface Click {
  actionId?: string;
  value?: string;
  /** The payload with fields replaced (channel, container, response_url). */
  body?: Partial<Body>;
  /** Without: no asynchronous run (Socket Mode). */
  defer?: "ok" | "fails" | "none";
}

async function click(c: Click = {}) {
  const events: string[] = [];
  const jobs: UnsealedJob[] = [];
  const responses: unknown[] = [];
  const body = { ...fixture, ...c.body } as Body;
  const action = {
    ...fixture.actions[0],
    action_id: c.actionId ?? ACTION_IDS.health,
    value: c.value ?? "health api.internal.local",
  };
  const defer =
    c.defer === "none"
      ? undefined
      : async (job: UnsealedJob) => {
          events.push("defer");
          jobs.push(job);
          if (c.defer === "fails") throw new Error("Invoke failed");
        };
  await commandButton(
    defer,
    readBotSettings({}),
  )({
    ack: async () => {
      events.push("ack");
    },
    body,
    action,
    respond: async (message: unknown) => {
      responses.push(message);
    },
    logger: { error: () => undefined },
    context: { receivedAt: Date.now() },
  } as unknown as Args);
  return { events, jobs, responses };
}

describe("the command button listener", () => {
  it("acknowledges the click first, then hands over the button's command for the same name", async () => {
    const { events, jobs } = await click();

    expect(events).toEqual(["ack", "defer"]);
    expect(jobs).toEqual([
      {
        kind: "ecs-chatops.deferred-job",
        command: "health api.internal.local",
        destination: {
          kind: "response_url",
          url: RESPONSE_URL,
          // The fixture's channel is an incident channel (inc-…): everyone sees the answer.
          responseType: "in_channel",
          replaceOriginal: false,
        },
        sharedBy: undefined,
        graph: undefined,
        fullText: undefined,
        context: {
          kind: "block_actions",
          command: "health api.internal.local",
          team: "T0001EXAMPLE",
          channel: "C2147483705",
          user: "U2147483697",
        },
      },
    ]);
  });

  it("keeps an answer private outside incident channels", async () => {
    const { jobs } = await click({ body: { channel: { id: "C0GENERAL", name: "general" } } });

    expect(jobs[0]?.destination).toMatchObject({ responseType: "ephemeral" });
  });

  it("replaces the answer clicked on Refresh", async () => {
    const { jobs } = await click({ actionId: REFRESH_ACTION_ID });

    expect(jobs[0]?.destination).toMatchObject({ replaceOriginal: true });
  });

  it("reposts for the whole channel on Share, naming who shared it", async () => {
    const { jobs } = await click({
      actionId: SHARE_ACTION_ID,
      body: { channel: { id: "C0GENERAL", name: "general" } },
    });

    expect(jobs[0]?.destination).toMatchObject({
      responseType: "in_channel",
      replaceOriginal: false,
    });
    expect(jobs[0]?.sharedBy).toBe("U2147483697");
  });

  it("uploads the graph into the clicked message's channel and thread", async () => {
    const { jobs } = await click({
      actionId: GRAPH_ACTION_ID,
      value: "traffic api.internal.local 1h --graph",
      body: { container: { ...fixture.container, thread_ts: "1763913000.000100" } },
    });

    expect(jobs[0]?.command).toBe("traffic api.internal.local 1h");
    expect(jobs[0]?.graph).toEqual({ channelId: "C2147483705", threadTs: "1763913000.000100" });
  });

  it("asks for the whole answer as a file on Full answer", async () => {
    const { jobs } = await click({ actionId: FULL_ANSWER_ACTION_ID });

    expect(jobs[0]?.fullText).toEqual({ channelId: "C2147483705", threadTs: undefined });
  });

  it("asks for the whole answer in place of an ephemeral first view on Details", async () => {
    const { jobs } = await click({ actionId: DETAILS_ACTION_ID });

    expect(jobs[0]?.view).toBe("full");
    expect(jobs[0]?.destination).toEqual({
      kind: "response_url",
      url: RESPONSE_URL,
      responseType: "ephemeral",
      replaceOriginal: true,
    });
  });

  it("asks for the whole answer in the thread of a visible first view on Details", async () => {
    const { jobs } = await click({
      actionId: DETAILS_ACTION_ID,
      body: {
        container: { ...fixture.container, is_ephemeral: false },
        message: { type: "message", ts: "1763913600.000200", blocks: [] },
      },
    });

    expect(jobs[0]?.view).toBe("full");
    expect(jobs[0]?.destination).toEqual({
      kind: "thread",
      channel: "C2147483705",
      threadTs: "1763913600.000200",
      fallbackUrl: RESPONSE_URL,
    });
  });

  it("says buttons need the deployed bot where there is no asynchronous run", async () => {
    const { events, responses } = await click({ defer: "none" });

    expect(events).toEqual(["ack"]);
    expect(responses).toEqual([
      { response_type: "ephemeral", text: "Buttons need the deployed bot (asynchronous answers)." },
    ]);
  });

  it("tells the clicker, under the message, when the command cannot be handed over", async () => {
    const { responses } = await click({ defer: "fails" });

    expect(responses).toEqual([
      {
        response_type: "ephemeral",
        replace_original: false,
        text: "Sorry, that lookup failed on my side.",
      },
    ]);
  });

  it("does nothing but acknowledge a button without a command", async () => {
    const { events, responses } = await click({ value: "  --graph " });

    expect(events).toEqual(["ack"]);
    expect(responses).toEqual([]);
  });
});

describe("COMMAND_BUTTON", () => {
  it("matches every button an answer carries, and nothing longer", () => {
    const ids = [
      ...Object.values(ACTION_IDS),
      GRAPH_ACTION_ID,
      FULL_ANSWER_ACTION_ID,
      REFRESH_ACTION_ID,
      SHARE_ACTION_ID,
      DETAILS_ACTION_ID,
    ];

    expect(ids.filter((id) => COMMAND_BUTTON.test(id))).toEqual(ids);
    expect(COMMAND_BUTTON.test("ecs_health_extra")).toBe(false);
    expect(COMMAND_BUTTON.test("x_ecs_health")).toBe(false);
  });
});

import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Invocation } from "../../../emulator/server.ts";
import { forgetLambdaClient } from "../../../src/aws/lambda.ts";
import { forgetContainerState } from "../../../src/entry/slack.ts";
import { HANDOVER_FAILED } from "../../../src/slack/budget.ts";
import { jobKey, sealJob } from "../../../src/slack/deferred-job.ts";
import { useDynalite } from "../../support/dynalite.ts";
import {
  eventFixture,
  SIGNING_SECRET,
  signedFormEvent,
  signedJsonEvent,
  signedRawEvent,
  slashCommand,
} from "../../support/slack-events.ts";
import { FUNCTION_NAME, useSlackLambda, waitFor } from "../../support/slack-lambda.ts";

// Never late, never silent, never twice: the Lambda handler as Slack and Lambda reach it, with
// the idempotency table on dynalite (DynamoDB's wire protocol) and AWS on the loopback emulator.

const TABLE = "ecs-chatops-test-idempotency";
const RESPONSE_PATH = "/commands/T0001EXAMPLE/1234567890123/abcdefghijklmnopqrstuvwx";
const ATTACKER = "ATTACKER-TEXT-7f3e";

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;
let dynamo: Awaited<ReturnType<typeof useDynalite>>;
let invocations: Invocation[] = [];
let logs: string[] = [];
/** A log line as the logger wrote it (src/aws/logger.ts: Powertools' JSON), or as is. */
const parsed = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return line;
  }
};

beforeAll(async () => {
  dynamo = await useDynalite(TABLE);
  lambda = await useSlackLambda({
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    IDEMPOTENCY_TABLE: TABLE,
  });
  forgetLambdaClient();
  forgetContainerState();
  lambda.emulator.setOnInvoke((invocation) => invocations.push(invocation));
});
afterAll(async () => {
  forgetLambdaClient();
  forgetContainerState();
  await lambda.stop();
  await dynamo.stop();
});
beforeEach(() => {
  invocations = [];
  logs = [];
  lambda.emulator.setLatency(0);
  lambda.emulator.setLatency(0, "Lambda.Invoke");
  lambda.emulator.resetStats();
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(" "));
    });
  }
});
afterEach(() => {
  nock.cleanAll();
  vi.restoreAllMocks();
});

describe("hostile or odd requests", () => {
  it.each([
    [
      "signed JSON that does not parse",
      400,
      () => signedRawEvent(`{"${ATTACKER}`, "application/json"),
    ],
    [
      "a signed payload= that is not JSON",
      400,
      () => signedRawEvent(`payload=${ATTACKER}`, "application/x-www-form-urlencoded"),
    ],
    ["a signed text/plain body", 400, () => signedRawEvent(ATTACKER, "text/plain")],
    [
      "an unsigned body",
      401,
      () => {
        const event = signedRawEvent(ATTACKER, "application/json");
        delete event.headers["x-slack-signature"];
        return event;
      },
    ],
    [
      "a timestamp six minutes in the future",
      401,
      () =>
        signedFormEvent(slashCommand(`whois ${ATTACKER}`), {
          timestamp: Math.floor(Date.now() / 1000) + 360,
        }),
    ],
  ])(
    "answers %s with %i, no AWS call and no sender text in the logs",
    async (_l, status, build) => {
      const result = await lambda.invoke(build());

      expect(result.statusCode).toBe(status);
      expect(lambda.emulator.stats().total).toBe(0);
      expect(logs.join("\n")).not.toContain(ATTACKER);
    },
  );

  it("answers a signed form post whose content type carries a charset", async () => {
    const body = new URLSearchParams(slashCommand("whois api.internal.local")).toString();

    const result = await lambda.invoke(
      signedRawEvent(body, "application/x-www-form-urlencoded; charset=utf-8"),
    );

    expect(result.statusCode).toBe(200);
    expect(result.body).toContain("10.0.3.103:8080");
  });
});

describe("deferred jobs", () => {
  const attackerJob = {
    kind: "ecs-chatops.deferred-job" as const,
    command: "whois nginx.service-connect",
    destination: {
      kind: "response_url" as const,
      url: "https://attacker.example/collect",
      responseType: "ephemeral" as const,
      replaceOriginal: true,
    },
    context: { kind: "slash_command", command: "whois nginx.service-connect" },
  };

  it("refuses a job the function did not seal: no AWS call, nothing posted", async () => {
    const forged = { ...attackerJob, id: "x", issuedAt: Date.now(), mac: "0".repeat(64) };

    await lambda.runJob(forged);

    expect(lambda.emulator.stats().total).toBe(0);
    expect(logs.map(parsed)).toContainEqual(
      expect.objectContaining({ message: "refused a deferred job", reason: "bad MAC" }),
    );
  });

  it("refuses a sealed job that would answer anywhere but Slack", async () => {
    const sealed = sealJob(attackerJob, jobKey(SIGNING_SECRET));

    await lambda.runJob(sealed);

    expect(lambda.emulator.stats().total).toBe(0);
    expect(logs.join("\n")).toContain("response_url is not Slack's");
  });

  it("runs a job Lambda delivers twice only once: one answer, not two", async () => {
    lambda.emulator.setLatency(3_000);
    lambda.emulator.setLatency(0, "Lambda.Invoke");
    const slack = nock("https://hooks.slack.com").post(RESPONSE_PATH).once().reply(200, "ok");
    await lambda.invoke(signedFormEvent(slashCommand("whois nginx.service-connect")));
    const invocation = await waitFor(() => invocations[0]);
    lambda.emulator.setLatency(0);

    await lambda.runJob(invocation.payload);
    await lambda.runJob(invocation.payload);

    expect(slack.isDone()).toBe(true);
    expect(logs.join("\n")).toContain('"outcome":"duplicate-dropped","reason":"done"');
  });

  it("tells the user the lookup could not start when Invoke misses Slack's deadline", async () => {
    lambda.emulator.setLatency(10_000);
    lambda.emulator.setLatency(6_000, "Lambda.Invoke");

    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect")),
    );

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: HANDOVER_FAILED,
    });
  });

  it("answers with what it read when AWS is slower than the time left, and says what it skipped", async () => {
    const posted: Record<string, unknown>[] = [];
    nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return "ok";
      });
    lambda.emulator.setLatency(3_000);
    await lambda.invoke(signedFormEvent(slashCommand("whois nginx.service-connect")));
    const invocation = await waitFor(() => invocations[0]);
    // Cloud Map and the ECS service answer at once; the tasks would take 8 s.
    lambda.emulator.setLatency(0);
    lambda.emulator.setLatency(8_000, "ECS.DescribeTasks");

    // 6.5 s left: the job stops 4 s before the timeout, its AWS reads 1 s before that.
    await lambda.runJob(invocation.payload, 6_500);

    lambda.emulator.setLatency(0, "ECS.DescribeTasks");
    const text = JSON.stringify(posted[0]);
    expect(text).toContain("nginx.service-connect");
    expect(text).toContain("could not read the tasks of tutorial/service-connect-nginx-service");
    expect(text).toContain("DescribeTasks did not answer in time");
  });

  it("still answers a job when the idempotency table cannot be read, rather than leave no answer", async () => {
    lambda.emulator.setLatency(3_000);
    const slack = nock("https://hooks.slack.com").post(RESPONSE_PATH).reply(200, "ok");
    await lambda.invoke(signedFormEvent(slashCommand("whois nginx.service-connect")));
    const invocation = await waitFor(() => invocations[0]);
    lambda.emulator.setLatency(0);
    process.env.IDEMPOTENCY_TABLE = "no-such-table";
    forgetContainerState();
    try {
      await lambda.runJob(invocation.payload);
    } finally {
      process.env.IDEMPOTENCY_TABLE = TABLE;
      forgetContainerState();
    }

    expect(slack.isDone()).toBe(true);
    expect(logs.join("\n")).toContain('"outcome":"store-unavailable"');
  });

  it("says so in the channel when the graph cannot be uploaded", async () => {
    const posted: Record<string, unknown>[] = [];
    nock("https://hooks.slack.com")
      .post(RESPONSE_PATH)
      .times(2)
      .reply(200, (_uri, body) => {
        posted.push(body as Record<string, unknown>);
        return "ok";
      });
    nock("https://slack.com")
      .post("/api/files.getUploadURLExternal")
      .reply(200, { ok: false, error: "not_in_channel" });
    await lambda.invoke(signedFormEvent(slashCommand("traffic nginx.service-connect --graph")));
    const invocation = await waitFor(() => invocations[0]);

    await lambda.runJob(invocation.payload);

    expect(posted).toHaveLength(2);
    expect(posted[1]?.text).toBe(
      "The graph could not be uploaded (not_in_channel); the answer above stands.",
    );
  });
});

describe("mentions", () => {
  it("tells the thread when the lookup could not start in time", async () => {
    lambda.emulator.setLatency(10_000);
    lambda.emulator.setLatency(6_000, "Lambda.Invoke");
    const said: Record<string, unknown>[] = [];
    nock("https://slack.com")
      .post("/api/chat.postMessage", (body: Record<string, unknown>) => {
        said.push(body);
        return true;
      })
      .reply(200, { ok: true });

    await lambda.invoke(
      signedJsonEvent(
        eventFixture("event.app-mention.json", (p) => {
          p.event_id = "Ev0SLOWHAND01";
        }),
      ),
    );

    expect(said).toEqual([
      expect.objectContaining({ thread_ts: "1763913700.000300", text: HANDOVER_FAILED }),
    ]);
  });
});

describe("Slack retries", () => {
  const mention = (eventId: string) =>
    eventFixture("event.app-mention.json", (p) => {
      p.event_id = eventId;
    });

  it("answers a retry whose first delivery never got through, and drops a retry of an answered event", async () => {
    const replies = nock("https://slack.com")
      .post("/api/chat.postMessage")
      .once()
      .reply(200, { ok: true });

    // The first delivery failed before the function ran (a cold start error): Slack retries.
    const retried = await lambda.invoke(
      signedJsonEvent(mention("Ev0RETRY0001"), {
        headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_error" },
      }),
    );
    const again = await lambda.invoke(
      signedJsonEvent(mention("Ev0RETRY0001"), {
        headers: { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" },
      }),
    );

    expect(retried.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(replies.isDone()).toBe(true);
    expect(logs.join("\n")).toContain('"reason":"already answered"');
  });
});

describe("secrets", () => {
  it("gives up on a hung secrets read before Slack's deadline and answers a short error", async () => {
    const saved = { secret: process.env.SLACK_SIGNING_SECRET, token: process.env.SLACK_BOT_TOKEN };
    delete process.env.SLACK_SIGNING_SECRET;
    delete process.env.SLACK_BOT_TOKEN;
    process.env.SLACK_SIGNING_SECRET_PARAM = "/ecs-chatops/test/slack-signing-secret";
    process.env.SLACK_BOT_TOKEN_PARAM = "/ecs-chatops/test/slack-bot-token";
    lambda.emulator.setLatency(10_000, "SSM.GetParameters");
    forgetContainerState();
    try {
      const result = await lambda.invoke(signedFormEvent(slashCommand("whois nginx")));

      expect(JSON.parse(result.body ?? "{}").text).toBe(
        "ECS ChatOps could not read its configuration just now. Try again in a minute.",
      );
    } finally {
      lambda.emulator.setLatency(0, "SSM.GetParameters");
      process.env.SLACK_SIGNING_SECRET = saved.secret;
      process.env.SLACK_BOT_TOKEN = saved.token;
      delete process.env.SLACK_SIGNING_SECRET_PARAM;
      delete process.env.SLACK_BOT_TOKEN_PARAM;
      forgetContainerState();
    }
  });

  it("answers Slack a short error within its 3 seconds when the secrets cannot be read", async () => {
    const saved = { secret: process.env.SLACK_SIGNING_SECRET, token: process.env.SLACK_BOT_TOKEN };
    delete process.env.SLACK_SIGNING_SECRET;
    delete process.env.SLACK_BOT_TOKEN;
    process.env.SLACK_SIGNING_SECRET_PARAM = "/ecs-chatops/test/slack-signing-secret";
    process.env.SLACK_BOT_TOKEN_PARAM = "/ecs-chatops/test/slack-bot-token";
    forgetContainerState();
    try {
      const result = await lambda.invoke(signedFormEvent(slashCommand("whois nginx")));

      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body ?? "{}").text).toBe(
        "ECS ChatOps could not read its configuration just now. Try again in a minute.",
      );
      expect(lambda.emulator.stats().calls["SSM.GetParameters"]).toBe(1);
    } finally {
      process.env.SLACK_SIGNING_SECRET = saved.secret;
      process.env.SLACK_BOT_TOKEN = saved.token;
      delete process.env.SLACK_SIGNING_SECRET_PARAM;
      delete process.env.SLACK_BOT_TOKEN_PARAM;
      forgetContainerState();
    }
  });
});

import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Invocation } from "../../../emulator/server.ts";
import { forgetLambdaClient } from "../../../src/aws/lambda.ts";
import { forgetOwnDynamo } from "../../../src/aws/own-dynamo.ts";
import { clearSharedCache } from "../../../src/commands/reads/aws-context.ts";
import type { PartEvent } from "../../../src/entry/digest/events.ts";
import { forgetDigestContainerState } from "../../../src/entry/digest/run.ts";
import { digest as digestEntry } from "../../../src/entry/digest.ts";
import { useDynalite } from "../../support/dynalite.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";
import { BOT_TOKEN as BOT_TOKEN_FAKE } from "../../support/slack-lambda.ts";

// A digest too large for one invocation fans out on Lambda itself: the scheduled invocation
// lists the scope and invokes the digest function once per part (Lambda Invoke "Event", played
// by the emulator); each part judges its services and keeps them in DynamoDB (dynalite); the last
// part to finish gathers them and posts one digest, the same one a single invocation would.

const TOKEN_PARAM = "/ecs-chatops/dev/slack-bot-token";
const TARGETS_PARAM = "/ecs-chatops/dev/digest-targets";
const BOT_TOKEN = BOT_TOKEN_FAKE;
const TABLE = "ecs-chatops-test-fanout-digests";
const FUNCTION = "ecs-chatops-dev-digest";
const context = { getRemainingTimeInMillis: () => 300_000 };

const TARGETS = `
targets:
  - name: everything
    channel: C0ONCALL01
    region: ap-northeast-1
    clusters: all
    schedule: cron(0 9 * * ? *)
`;

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
let db: Awaited<ReturnType<typeof useDynalite>>;
let invocations: Invocation[] = [];
const ENV = {
  SLACK_BOT_TOKEN_PARAM: TOKEN_PARAM,
  DIGEST_TARGETS_PARAM: TARGETS_PARAM,
  DIGEST_TABLE: TABLE,
  AWS_LAMBDA_FUNCTION_NAME: FUNCTION,
};

beforeAll(async () => {
  aws = await useEmulatedAws(undefined, 0, {
    parameters: { [TOKEN_PARAM]: BOT_TOKEN, [TARGETS_PARAM]: TARGETS },
  });
  aws.emulator.setOnInvoke((invocation) => invocations.push(invocation));
  db = await useDynalite(TABLE, "DigestHistoryTable");
  Object.assign(process.env, ENV);
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  for (const k of [...Object.keys(ENV), "DIGEST_PART_SERVICES"]) delete process.env[k];
  nock.enableNetConnect();
  forgetOwnDynamo();
  forgetLambdaClient();
  await db.stop();
  await aws.stop();
});
beforeEach(() => {
  invocations = [];
  forgetDigestContainerState();
  forgetOwnDynamo();
  forgetLambdaClient();
  clearSharedCache();
  aws.emulator.setDenied([]);
});
afterEach(() => {
  nock.cleanAll();
  delete process.env.DIGEST_PART_SERVICES;
});

function slackPosts() {
  const posted: Record<string, unknown>[] = [];
  nock("https://slack.com", { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } })
    .post("/api/chat.postMessage", (body: Record<string, unknown>) => {
      posted.push(body);
      return true;
    })
    .times(10)
    .reply(200, { ok: true, channel: "C0ONCALL01", ts: "1764147600.000100" });
  return posted;
}

/** What Slack shows of a post, without the time it was made. */
const seen = (post: Record<string, unknown> | undefined) =>
  `${String(post?.text)}\n${String(post?.blocks)}`.replace(/As of [^"\\]*/g, "");

/**
 * What Lambda sends an on-failure destination for an asynchronous invocation that failed for good
 * (the invocation record of the Lambda developer guide, "Capturing records of Lambda asynchronous
 * invocations").
 */
function failureRecord(payload: unknown, errorType: string, errorMessage: string) {
  return {
    version: "1.0",
    timestamp: "2026-12-06T09:04:12.345Z",
    requestContext: {
      requestId: "e4b46cbf-b738-4d5e-8880-a18cdf61200e",
      functionArn: `arn:aws:lambda:ap-northeast-1:123456789012:function:${FUNCTION}:$LATEST`,
      condition: "RetriesExhausted",
      approximateInvokeCount: 1,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    responsePayload: { errorType, errorMessage },
  };
}

/** The invocation that started part `index` (parts started together arrive in any order). */
function partInvocation(index: number): unknown {
  const found = invocations.find(
    (i) => (i.payload as { part?: { index?: number } }).part?.index === index,
  );
  if (!found) throw new Error(`part ${index} was not started`);
  return found.payload;
}

const sameAs = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Runs every part invocation, those the parts start included, as Lambda would. */
async function drain(from = 0) {
  const results = [];
  for (let i = from; i < invocations.length; i++) {
    results.push(...(await digestEntry(invocations[i]?.payload as never, context)));
  }
  return results;
}

/** Each offender's line as Slack shows it, without what changed ("· still failing since …"). */
function offenders(post: Record<string, unknown> | undefined): string[] {
  const blocks = JSON.parse(String(post?.blocks ?? "[]")) as { text?: { text?: string } }[];
  return blocks
    .map((b) => b.text?.text ?? "")
    .filter((t) => /^(✖|▲|~)/.test(t))
    .map((t) => t.split(" · ")[0] ?? "");
}

describe("a digest too large for one invocation", () => {
  it("fans out per cluster and posts, from the last part, the digest one invocation would", async () => {
    // One invocation, one day: the reference.
    const posted = slackPosts();
    await digestEntry({ time: "2026-12-01T09:00:00Z" }, context);
    expect(invocations).toHaveLength(0);
    const single = posted.splice(0);

    process.env.DIGEST_PART_SERVICES = "4";
    const fanned = posted;
    const outcomes = await digestEntry({ time: "2026-12-02T09:00:00Z" }, context);

    expect(outcomes.map((o) => o.outcome)).toEqual(["fanned-out"]);
    expect(fanned).toHaveLength(0);
    // 10 services over 3 clusters, 4 to a part: tutorial's 5 cut in two, ecs_service_discovery's
    // 3 beside tutorial's fifth, staging's 2: 3 parts, 2 started at once (the rest as each
    // finishes: parts share AWS's rate limits, so more at once only makes each one longer).
    expect(invocations).toHaveLength(2);
    expect(
      invocations.every((i) => i.functionName === FUNCTION && i.invocationType === "Event"),
    ).toBe(true);

    aws.emulator.resetStats();
    const results = await drain();
    expect(invocations).toHaveLength(3);
    // The namespaces' clients were read once by the invocation that fanned out: each part
    // describes its own services only, one DescribeServices per cluster (fewer than ten each).
    const clustersOfParts = invocations.reduce((n, i) => {
      const services = (i.payload as PartEvent).part.services;
      return n + new Set(services.map((s) => s.cluster)).size;
    }, 0);
    expect(aws.emulator.stats().calls["ECS.DescribeServices"]).toBe(clustersOfParts);

    expect(results.filter((r) => r.outcome === "posted")).toHaveLength(1);
    expect(results.at(-1)?.outcome).toBe("posted");
    expect(fanned).toHaveLength(1);
    expect(String(fanned[0]?.text)).toMatch(
      /^Digest everything \(every cluster\) at 09:00 UTC: 2 down, \d+ degraded/,
    );
    // The same headline and offenders with the same reasons; and what changed since the day before.
    expect(String(fanned[0]?.text)).toBe(String(single[0]?.text));
    expect(offenders(fanned[0])).toEqual(offenders(single[0]));
    expect(offenders(fanned[0]).length).toBeGreaterThanOrEqual(3);
    // A failure AWS gives no start for is dated by the digest that first saw it, labelled so.
    expect(seen(fanned[0])).toContain(
      "still failing, first seen by the digest on 2026-12-01 09:00 UTC",
    );
  });

  it("names the cluster it could not list in the fanned-out digest's headline, never all healthy over it", async () => {
    // staging could not be listed; the other two clusters still fan out, 4 services to a part.
    aws.emulator.setDenied(["ECS.ListServices:staging"]);
    process.env.DIGEST_PART_SERVICES = "4";
    const posted = slackPosts();

    await digestEntry({ time: "2026-11-20T09:00:00Z" }, context);
    await drain();

    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.text)).toMatch(
      /^Digest everything \(every cluster\) at 09:00 UTC: .*; cluster staging could not be read \(denied\)$/,
    );
  });

  it("judges a part once and posts once when Lambda delivers a part twice", async () => {
    process.env.DIGEST_PART_SERVICES = "4";
    const posted = slackPosts();
    await digestEntry({ time: "2026-12-03T09:00:00Z" }, context);
    const first = invocations[0];
    await digestEntry(first?.payload as never, context);
    const again = await digestEntry(first?.payload as never, context);
    await drain(1);

    expect(again.map((o) => o.outcome)).toEqual(["duplicate-dropped"]);
    expect(posted).toHaveLength(1);
  });

  it("counts the services of parts it could not start as unknown, with why, and still posts", async () => {
    process.env.DIGEST_PART_SERVICES = "4";
    aws.emulator.setDenied(["Lambda.Invoke"]);
    const posted = slackPosts();

    const outcomes = await digestEntry({ time: "2026-12-04T09:00:00Z" }, context);

    expect(outcomes.map((o) => o.outcome)).toEqual(["posted"]);
    expect(posted).toHaveLength(1);
    const text = seen(posted[0]);
    expect(String(posted[0]?.text)).toMatch(/10 unknown/);
    expect(text).not.toMatch(/DOWN|DEGRADED|\d+ healthy/);
    expect(text).toContain("its part of the digest could not be started");
  });

  it("counts the services of a part Lambda killed as unknown, with why, and still posts once", async () => {
    process.env.DIGEST_PART_SERVICES = "4";
    const posted = slackPosts();
    await digestEntry({ time: "2026-12-06T09:00:00Z" }, context);
    const [first, second] = [partInvocation(0), partInvocation(1)];

    // Part 1 dies out of memory: Lambda sends its record to the on-failure destination, the
    // digest function itself, which counts it and starts the part waiting in its place.
    const record = failureRecord(
      first,
      "Runtime.ExitError",
      "RequestId: 9b3f0e4e-1c2d-4d7a-9f00-5a1c2b3d4e5f Error: Runtime exited with error: signal: killed",
    );
    const counted = await digestEntry(record as never, context);
    expect(counted.map((o) => o.outcome)).toEqual(["part-kept"]);
    const third = partInvocation(2);
    await digestEntry(second as never, context);
    await digestEntry(third as never, context);
    // Lambda may deliver a record twice: nothing is counted or posted again.
    const again = await digestEntry(record as never, context);

    expect(again.map((o) => o.outcome)).toEqual(["part-kept"]);
    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.text)).toMatch(/4 unknown/);
    expect(seen(posted[0])).toContain(
      "not judged: its part of the digest failed: it was stopped (out of memory or a crash)",
    );
  });

  it("keeps what a part judged before it failed, and runs the next part once", async () => {
    process.env.DIGEST_PART_SERVICES = "4";
    const posted = slackPosts();
    await digestEntry({ time: "2026-12-07T09:00:00Z" }, context);
    const [first, second] = [partInvocation(0), partInvocation(1)];
    // Part 1 judges, keeps and counts itself, starts part 3, then times out.
    await digestEntry(first as never, context);
    const third = partInvocation(2);
    await digestEntry(
      failureRecord(
        first,
        "Sandbox.Timedout",
        "RequestId: 0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f Error: Task timed out after 300.00 seconds",
      ) as never,
      context,
    );
    // It may have died before part 3 was started: part 3 is started again, and runs once.
    expect(invocations.filter((i) => sameAs(i.payload, third))).toHaveLength(2);
    const runs = [
      ...(await digestEntry(second as never, context)),
      ...(await digestEntry(third as never, context)),
      ...(await digestEntry(third as never, context)),
    ];

    expect(runs.map((r) => r.outcome).sort()).toEqual(["duplicate-dropped", "part-kept", "posted"]);
    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.text)).not.toMatch(/unknown/);
  });

  it("tells the channel its digest is missing when a part cannot be kept, and fails loudly", async () => {
    process.env.DIGEST_PART_SERVICES = "4";
    const posted = slackPosts();
    await digestEntry({ time: "2026-12-05T09:00:00Z" }, context);
    process.env.DIGEST_TABLE = "ecs-chatops-test-no-such-table";
    try {
      await expect(digestEntry(invocations[0]?.payload as never, context)).rejects.toThrow();
    } finally {
      process.env.DIGEST_TABLE = TABLE;
    }

    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.text)).toBe(
      "The 09:00 UTC digest everything could not be made: a part of it could not be kept or gathered.",
    );
  });
});

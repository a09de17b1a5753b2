import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { callLog } from "../aws/call-log.ts";
import { claimOrAnyway, type OnceStore, onceStoreFromEnv } from "../aws/idempotency.ts";
import { invokeAsync } from "../aws/lambda.ts";
import { logger, logInvocation } from "../aws/logger.ts";
import { awsContext, dropPendingLoads } from "../commands/aws-context.ts";
import { misconfigured } from "../commands/help.ts";
import { runEcsCommand } from "../commands/router.ts";
import { graphOfOutput } from "../commands/traffic.ts";
import { placesFrom } from "../domain/places.ts";
import { createSlackApp, type SlackSecrets } from "../slack/app.ts";
import { arrivalOf, DEFAULT_BUDGET_MS, type Defer, type RunCommand } from "../slack/budget.ts";
import {
  type DeferredJob,
  isDeferredJob,
  jobKey,
  jobRefusal,
  sealJob,
} from "../slack/deferred-job.ts";
import { runDeferredJob } from "../slack/deferred-run.ts";
import { SecretsCache } from "../slack/secrets.ts";
import { readBotSettings } from "../slack/settings.ts";
import { verifySlackRequest } from "../slack/verify.ts";

type SlackHandler = NonNullable<ReturnType<typeof createSlackApp>["handler"]>;

// The accounts and regions inspected (BOT_TARGETS, else BOT_REGIONS), read once per container.
const places = placesFrom(process.env);
const aws = (reads?: AbortSignal) => () =>
  places.ok ? places.places.map((p) => awsContext(p, undefined, reads)) : [];
const runWith =
  (reads?: AbortSignal): RunCommand =>
  (text, place) =>
    places.ok
      ? runEcsCommand(text, aws(reads), undefined, place)
      : Promise.resolve(misconfigured(places.errors));
const graphOf = graphOfOutput(aws());

/** The secrets must be in hand this long after arrival, or Slack gets a short error instead. */
const SECRETS_DEADLINE_MS = 1_800;
/** A deferred job stops this long before the Lambda timeout, to say what it could not finish. */
const JOB_MARGIN_MS = 4_000;
/** A redelivered job is recognised this long (Lambda redelivers within minutes). */
const JOB_RECORD_SECONDS = 3_600;

// Built once per container; warm invocations reuse the app, its secrets and the AWS clients.
const secrets = new SecretsCache();
let slack: SlackHandler | undefined;
let once: OnceStore | undefined;

/** For the benchmark and tests: the container as a cold start finds it. */
export function forgetContainerState(): void {
  secrets.forget();
  slack = undefined;
  once = undefined;
}

/** Runs deferred jobs and answers Slack events at most once across containers. */
function onceStore(): OnceStore {
  once ??= onceStoreFromEnv({ expiresAfterSeconds: JOB_RECORD_SECONDS });
  return once;
}

/** The asynchronous twin of this very function, where Lambda runs one; jobs carry its MAC. */
function deferToSelf(key: Buffer): Defer | undefined {
  const self = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return self ? (job, signal) => invokeAsync(self, sealJob(job, key), signal) : undefined;
}

function slackHandler(keys: SlackSecrets): SlackHandler {
  if (!slack) {
    const budget = Number(process.env.ACK_BUDGET_MS ?? DEFAULT_BUDGET_MS);
    const { handler: built } = createSlackApp(keys, {
      run: runWith(),
      defer: deferToSelf(jobKey(keys.signingSecret)),
      budgetMs: budget,
      settings: readBotSettings(),
      once: onceStore(),
    });
    if (!built) throw new Error("the Slack app has no Lambda handler");
    slack = built;
  }
  return slack;
}

function log(entry: Record<string, unknown>): void {
  logger.info("ecs-chatops request", entry);
}

/**
 * Without its secrets the function cannot verify anything: a slash command gets a short,
 * content-free answer within Slack's 3 seconds; an Events API delivery gets 503 so Slack
 * retries it (a later container may read the secrets).
 */
function secretsUnavailable(event: APIGatewayProxyEventV2): APIGatewayProxyResultV2 {
  const json = /json/i.test(
    Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === "content-type")?.[1] ??
      "",
  );
  if (json) return { statusCode: 503, body: "" };
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      response_type: "ephemeral",
      text: "ECS ChatOps could not read its configuration just now. Try again in a minute.",
    }),
  };
}

/** A slow lookup this function handed to itself: verified, run once, answered before the timeout. */
async function runJob(event: DeferredJob, context: Context): Promise<undefined> {
  const remaining = context.getRemainingTimeInMillis?.() ?? 29_000;
  const deadline = Date.now() + remaining - JOB_MARGIN_MS;
  let keys: SlackSecrets;
  try {
    keys = await secrets.get(AbortSignal.timeout(5_000));
  } catch (error) {
    // Lambda does not retry (maximumRetryAttempts 0): the log is all that can be said here.
    log({
      kind: "deferred",
      outcome: "failed",
      reason: "secrets unavailable",
      error: String(error),
    });
    return undefined;
  }
  const refusal = jobRefusal(event, jobKey(keys.signingSecret));
  if (refusal) {
    logger.warn("refused a deferred job", { reason: refusal });
    return undefined;
  }
  // AWS reads stop a second before the deadline: the lookup then finishes with what it read and
  // says what it skipped, with time left to deliver it.
  const reads = AbortSignal.timeout(Math.max(1, deadline - Date.now() - 1_000));
  const job = () =>
    runDeferredJob(event, {
      run: runWith(reads),
      graphOf,
      botToken: async () => keys.botToken,
      deadline,
    });
  // The store could not be read: answer anyway. Lambda does not retry, so skipping would leave
  // "Looking up…" on screen for good; a duplicate is the lesser harm.
  const outcome = await claimOrAnyway(onceStore(), `job:${event.id}`, job, (error) => {
    log({ kind: "deferred", outcome: "store-unavailable", error: String(error) });
    return "run";
  });
  if (!outcome.ran) log({ kind: "deferred", outcome: "duplicate-dropped", reason: outcome.reason });
  return undefined;
}

function isHttpEvent(event: unknown): event is APIGatewayProxyEventV2 {
  return typeof event === "object" && event !== null && "requestContext" in event;
}

/**
 * Lambda entry: Slack's requests through the HTTP API (payload v2), and deferred jobs this function
 * handed to itself. A promise-returning handler, no callback (Node 24+ runtimes reject those).
 */
export async function handler(
  event: APIGatewayProxyEventV2 | DeferredJob,
  context: Context,
): Promise<APIGatewayProxyResultV2 | undefined> {
  const entered = Date.now();
  logInvocation(context);
  // A lookup abandoned by an earlier invocation may still hold cache loads on frozen sockets.
  dropPendingLoads();
  // One request at a time per container: the call log counts this request's AWS calls only.
  callLog.reset();
  if (isDeferredJob(event)) return runJob(event, context);
  if (!isHttpEvent(event)) {
    logger.warn("ignored an invocation that is neither Slack nor a job");
    return undefined;
  }
  // Slack's 3 seconds started when API Gateway took the request: a cold start counts.
  const arrivedAt = arrivalOf(event.requestContext?.timeEpoch, entered);
  let keys: SlackSecrets;
  try {
    keys = await secrets.get(
      AbortSignal.timeout(Math.max(1, arrivedAt + SECRETS_DEADLINE_MS - Date.now())),
    );
  } catch (error) {
    log({ kind: "http", outcome: "failed", reason: "secrets unavailable", error: String(error) });
    return secretsUnavailable(event);
  }
  const verdict = verifySlackRequest(event, keys.signingSecret, Math.floor(Date.now() / 1000));
  if (verdict.ok === "ssl_check") return { statusCode: 200, body: "" };
  if (!verdict.ok) {
    // The reason only: never the body, the signature or anything else the sender wrote.
    logger.warn("rejected a request", { status: verdict.status, reason: verdict.reason });
    return { statusCode: verdict.status, body: "" };
  }
  return slackHandler(keys)(verdict.event, context, () => undefined);
}

// Lambda entry of the scheduled digests. One EventBridge rule (serverless.yml) invokes it every
// quarter hour; each invocation reads the targets from SSM, posts the digest of every target whose
// schedule is due to its channel with chat.postMessage, and keeps it as the next one's "before".
// `{ "target": "NAME" }` (aws lambda invoke) posts one target now, due or not: before a release.
//
// Never twice: EventBridge delivers to Lambda asynchronously and, rarely, more than once; each
// target's digest of a tick is claimed in the idempotency table first. Never silently: a digest
// that cannot be made is replaced by a message saying so in its channel, and a tick that cannot
// post at all fails the invocation (the function's Errors metric) with the reason in the log.

import { WebClient } from "@slack/web-api";
import type { Context, ScheduledEvent } from "aws-lambda";
import { callLog } from "./aws/call-log.ts";
import { loadDigestConfig } from "./aws/digest-config.ts";
import {
  dynamoOnceStore,
  memoryOnceStore,
  type OnceOutcome,
  type OnceStore,
} from "./aws/idempotency.ts";
import type { IncidentEvent } from "./aws/scheduler.ts";
import { awsContext } from "./commands/reads/aws-context.ts";
import { digestWithHistory, incidentTargetName } from "./commands/reads/digest-of-scope.ts";
import {
  type FailureRecord,
  failureReason,
  fanOut,
  isFailureRecord,
  isPartEvent,
  type PartEvent,
  type PostDigest,
  partFailed,
  partSize,
  runPart,
} from "./digest-fanout.ts";
import { CHANNEL, DEFAULT_THRESHOLDS, type DigestTarget, REGION } from "./domain/digest-targets.ts";
import { isDue, parseSchedule, tickOf } from "./domain/schedule.ts";
import { renderBlocks } from "./render/blocks.ts";
import { digestFailedDocument, digestRunDocument } from "./render/digest-document.ts";
import type { Doc } from "./render/document.ts";

export type DigestEvent =
  | Pick<ScheduledEvent, "time">
  | { target: string }
  | IncidentEvent
  /** One part of a digest too large for one invocation (src/digest-fanout.ts). */
  | PartEvent
  /** Lambda's record of an invocation of this function that failed for good (its destination). */
  | FailureRecord;

/** AWS reads stop this long before the Lambda timeout, leaving time to post what was read. */
const POST_MARGIN_MS = 20_000;
/** A tick's record outlives any redelivery of its event (EventBridge retries for up to 24 h). */
const RECORD_SECONDS = 26 * 3_600;

let once: OnceStore | undefined;

/** For tests: the container as a cold start finds it. */
export function forgetDigestContainerState(): void {
  once = undefined;
}

function onceStore(timeoutMs: number): OnceStore {
  const table = process.env.IDEMPOTENCY_TABLE;
  const options = { expiresAfterSeconds: RECORD_SECONDS, inProgressExpiryMs: timeoutMs + 10_000 };
  once ??= table ? dynamoOnceStore({ tableName: table, ...options }) : memoryOnceStore(options);
  return once;
}

function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify({ msg: "ecs-chatops digest", ...entry }));
}

export interface DigestOutcome {
  target: string;
  channel: string;
  outcome:
    | "posted"
    | "failure-posted"
    | "duplicate-dropped"
    | "post-failed"
    /** Handed to parts; the last part to finish posts it. */
    | "fanned-out"
    /** A part judged and kept; another part posts. */
    | "part-kept";
  error?: string;
}

/**
 * An incident schedule's invocation as a one-off target with its own history; the last one of the
 * schedule says so. Our own schedule wrote the input, but it is checked all the same.
 */
function incidentTarget(
  event: IncidentEvent,
  tick: Date,
): { target: DigestTarget; last: boolean; until: Date } {
  const i = event.incident;
  const until = new Date(i.until);
  if (!CHANNEL.test(i.channel) || !REGION.test(i.region) || Number.isNaN(until.getTime())) {
    throw new Error(
      `an incident schedule's input is not one this bot writes: ${JSON.stringify(i)}`,
    );
  }
  return {
    target: {
      name: incidentTargetName(i.channel),
      channel: i.channel,
      region: i.region,
      clusters: i.clusters,
      namespaces: i.namespaces,
      schedule: `rate(${i.everyMinutes} minutes)`,
      thresholds: { ...DEFAULT_THRESHOLDS },
      quiet: false,
    },
    // EndDate is "the date before which the schedule can invoke its target" (Scheduler API).
    last: tick.getTime() + i.everyMinutes * 60_000 >= until.getTime(),
    until,
  };
}

/** The digests due at this tick, or the one target asked for by name. */
function chosen(
  targets: DigestTarget[],
  event: Exclude<DigestEvent, IncidentEvent>,
  tick: Date,
): DigestTarget[] {
  if ("target" in event) {
    const named = targets.filter((t) => t.name === event.target);
    if (named.length === 0) {
      throw new Error(
        `no digest target is named ${JSON.stringify(event.target)} (targets: ${targets.map((t) => t.name).join(", ") || "none"})`,
      );
    }
    return named;
  }
  // Validated when read: parseSchedule cannot fail here.
  return targets.filter((t) => {
    const schedule = parseSchedule(t.schedule);
    return typeof schedule !== "string" && isDue(schedule, tick);
  });
}

export async function digestHandler(
  event: DigestEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<DigestOutcome[]> {
  callLog.reset();
  const remaining = context.getRemainingTimeInMillis?.() ?? 300_000;
  const deadline = Date.now() + remaining;
  const config = await loadDigestConfig(process.env, AbortSignal.timeout(10_000));
  const slack = new WebClient(config.botToken, {
    timeout: 10_000,
    retryConfig: { retries: 2 },
  });
  const reads = AbortSignal.timeout(Math.max(1, deadline - Date.now() - POST_MARGIN_MS));
  const store = onceStore(remaining);
  const post = async (target: DigestTarget, doc: Doc) => {
    await slack.chat.postMessage({
      channel: target.channel,
      ...renderBlocks(doc),
      unfurl_links: false,
      unfurl_media: false,
    });
  };
  const postRun: PostDigest = (target, run, lastUntil) =>
    post(target, digestRunDocument(run, target.quiet, lastUntil));
  if (isPartEvent(event)) return [await partOf(event, store, reads, postRun, post)];
  if (isFailureRecord(event)) return failed(event, postRun, post);

  const incident = "incident" in event ? event : undefined;
  const targets = config.targets === "none" ? { ok: true as const, targets: [] } : config.targets;
  if (config.targets === "none" && !incident) {
    log({ outcome: "no-targets", reason: `no parameter ${process.env.DIGEST_TARGETS_PARAM}` });
  }
  if (!targets.ok && !incident) {
    // Nothing is posted from a configuration nobody can trust; the log names every bad field.
    log({ outcome: "targets-invalid", errors: targets.errors });
    throw new Error(`digest targets are invalid: ${targets.errors.join("; ")}`);
  }
  const tick = tickOf("target" in event ? new Date() : new Date(event.time));
  const once = incident ? incidentTarget(incident, tick) : undefined;
  const due = once
    ? [once.target]
    : chosen(targets.ok ? targets.targets : [], event as Exclude<DigestEvent, IncidentEvent>, tick);
  if (due.length === 0) return [];

  const digestOf = async (target: DigestTarget): Promise<DigestOutcome> => {
    const base = { target: target.name, channel: target.channel };
    let failed: string | undefined;
    let fannedOut = false;
    const work = async () => {
      let doc: Doc;
      try {
        const ctx = awsContext(target.region, undefined, reads, "fleet");
        const size = partSize();
        if (size !== undefined) {
          const lastUntil = once?.last ? once.until : undefined;
          const how = await fanOut(ctx, target, tick, size, postRun, lastUntil);
          if (how !== "small") {
            fannedOut = how !== "posted";
            return;
          }
        }
        const run = await digestWithHistory(
          ctx,
          {
            name: target.name,
            scope: { clusters: target.clusters, namespaces: target.namespaces },
            thresholds: target.thresholds,
          },
          tick,
        );
        doc = digestRunDocument(run, target.quiet, once?.last ? once.until : undefined);
      } catch (error) {
        failed = String(error);
        doc = digestFailedDocument(
          target.name,
          tick,
          "an unexpected error (see the function's log)",
        );
      }
      await post(target, doc);
    };
    try {
      let outcome: Awaited<ReturnType<OnceStore["once"]>>;
      let started = false;
      try {
        outcome = await store.once(`digest:${target.name}:${tick.toISOString()}`, () => {
          started = true;
          return work();
        });
      } catch (error) {
        if (started) throw error;
        // The store could not be read: post anyway, a duplicate is the lesser harm than none.
        log({ target: target.name, outcome: "store-unavailable", error: String(error) });
        await work();
        outcome = { ran: true, value: undefined };
      }
      if (!outcome.ran) return { ...base, outcome: "duplicate-dropped" };
      if (fannedOut) return { ...base, outcome: "fanned-out" };
      return failed
        ? { ...base, outcome: "failure-posted", error: failed }
        : { ...base, outcome: "posted" };
    } catch (error) {
      return { ...base, outcome: "post-failed", error: String(error) };
    }
  };

  // Targets run side by side: each has its own channel and scope, and AWS reads are bounded
  // per digest (commands/digest.ts).
  const outcomes = await Promise.all(due.map(digestOf));
  log({ tick: tick.toISOString(), outcomes, aws: callLog.stats().calls });
  const lost = outcomes.filter((o) => o.outcome === "post-failed");
  if (lost.length > 0) {
    throw new Error(
      `digests not posted: ${lost.map((o) => `${o.target} to ${o.channel} (${o.error})`).join("; ")}`,
    );
  }
  return outcomes;
}

/**
 * An invocation Lambda gave up on. A part's services are counted unknown and the digest goes on
 * (src/digest-fanout.ts, partFailed). Anything else already failed loudly (the function's Errors
 * metric, its log) and is only logged again here: never rethrown, or a failing record would
 * record a failure of its own.
 */
async function failed(
  record: FailureRecord,
  post: PostDigest,
  postDoc: (target: DigestTarget, doc: Doc) => Promise<void>,
): Promise<DigestOutcome[]> {
  const why = failureReason(record);
  const payload = record.requestPayload;
  if (!isPartEvent(payload)) {
    log({ outcome: "invocation-failed", why, condition: record.requestContext.condition });
    return [];
  }
  const { target, tick, index } = payload.part;
  const base = { target: target.name, channel: target.channel };
  try {
    const outcome = await partFailed({ ...record, requestPayload: payload }, post);
    log({ target: target.name, tick, part: index, outcome: "part-failed-counted", why });
    return [{ ...base, outcome: outcome === "posted" ? "posted" : "part-kept" }];
  } catch (error) {
    // As a part that cannot be kept (this invocation's own failure record is only logged).
    return partLost(payload.part, error, postDoc);
  }
}

/**
 * The parts could not be kept or gathered (the table, the post): the channel hears that its
 * digest is missing, and the invocation fails with the reason.
 */
async function partLost(
  part: PartEvent["part"],
  error: unknown,
  postDoc: (target: DigestTarget, doc: Doc) => Promise<void>,
): Promise<never> {
  const { target, tick, index } = part;
  log({ target: target.name, part: index, outcome: "part-failed", error: String(error) });
  const doc = digestFailedDocument(
    target.name,
    new Date(tick),
    "a part of it could not be kept or gathered",
  );
  await postDoc(target, doc).catch(() => undefined);
  throw error;
}

/** One part of a fanned-out digest, run once however often Lambda delivers it. */
async function partOf(
  event: PartEvent,
  store: OnceStore,
  reads: AbortSignal,
  post: PostDigest,
  postDoc: (target: DigestTarget, doc: Doc) => Promise<void>,
): Promise<DigestOutcome> {
  const { target, tick, index } = event.part;
  const base = { target: target.name, channel: target.channel };
  let outcome: OnceOutcome<Awaited<ReturnType<typeof runPart>>>;
  try {
    outcome = await store.once(`digest-part:${target.name}:${tick}:${index}`, () =>
      runPart(awsContext(target.region, undefined, reads, "fleet"), event.part, post),
    );
  } catch (error) {
    return partLost(event.part, error, postDoc);
  }
  log({ target: target.name, part: index, outcome, aws: callLog.stats().calls });
  if (!outcome.ran) return { ...base, outcome: "duplicate-dropped" };
  return { ...base, outcome: outcome.value === "posted" ? "posted" : "part-kept" };
}

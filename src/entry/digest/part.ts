// The invocations a fanned-out digest makes of this function: one part, and the failure record of
// an invocation Lambda gave up on (fanout.ts says how parts run and finish).
import { callLog } from "../../aws/call-log.ts";
import type { OnceOutcome, OnceStore } from "../../aws/idempotency.ts";
import { logger } from "../../aws/logger.ts";
import { awsContext } from "../../commands/aws-context.ts";
import {
  type DigestOutcome,
  type FailureRecord,
  failureReason,
  isPartEvent,
  type PartEvent,
} from "./events.ts";
import { partFailed, runPart } from "./fanout.ts";
import type { DigestPoster } from "./poster.ts";

function log(entry: Record<string, unknown>): void {
  logger.info("ecs-chatops digest", entry);
}

/**
 * The parts could not be kept or gathered (the table, the post): the channel hears that its
 * digest is missing, and the invocation fails with the reason.
 */
async function partLost(
  part: PartEvent["part"],
  error: unknown,
  poster: DigestPoster,
): Promise<never> {
  const { target, tick, index } = part;
  log({ target: target.name, part: index, outcome: "part-failed", error: String(error) });
  await poster
    .postFailure(target, new Date(tick), "a part of it could not be kept or gathered")
    .catch(() => undefined);
  throw error;
}

/** One part of a fanned-out digest, run once however often Lambda delivers it. */
export async function digestPart(
  event: PartEvent,
  store: OnceStore,
  reads: AbortSignal,
  poster: DigestPoster,
): Promise<DigestOutcome> {
  const { target, tick, index } = event.part;
  const base = { target: target.name, channel: target.channel };
  let outcome: OnceOutcome<Awaited<ReturnType<typeof runPart>>>;
  try {
    // No run without the claim: a part run twice would count itself finished twice.
    outcome = await store.once(`digest-part:${target.name}:${tick}:${index}`, () =>
      runPart(awsContext(target.region, undefined, reads, "fleet"), event.part, poster),
    );
  } catch (error) {
    return partLost(event.part, error, poster);
  }
  log({ target: target.name, part: index, outcome, aws: callLog.stats().calls });
  if (!outcome.ran) return { ...base, outcome: "duplicate-dropped" };
  return { ...base, outcome: outcome.value === "posted" ? "posted" : "part-kept" };
}

/**
 * An invocation Lambda gave up on. A part's services are counted unknown and the digest goes on
 * (fanout.ts, partFailed). Anything else already failed loudly (the function's Errors metric, its
 * log) and is only logged again here: never rethrown, or a failing record would record a failure
 * of its own.
 */
export async function failedInvocation(
  record: FailureRecord,
  poster: DigestPoster,
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
    const outcome = await partFailed({ ...record, requestPayload: payload }, poster);
    log({ target: target.name, tick, part: index, outcome: "part-failed-counted", why });
    return [{ ...base, outcome: outcome === "posted" ? "posted" : "part-kept" }];
  } catch (error) {
    // As a part that cannot be kept (this invocation's own failure record is only logged).
    return partLost(payload.part, error, poster);
  }
}

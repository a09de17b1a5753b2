// One invocation of the digest function: reads the bot token and targets from SSM, builds the
// poster and the once-store, and hands the event to what it is: a tick (schedule.ts), a part of a
// fanned-out digest or the failure record of one (part.ts).
import type { Context } from "aws-lambda";
import { callLog } from "../../aws/call-log.ts";
import { loadDigestConfig } from "../../aws/digest-config.ts";
import { type OnceStore, onceStoreFromEnv } from "../../aws/idempotency.ts";
import { type DigestEvent, type DigestOutcome, isFailureRecord, isPartEvent } from "./events.ts";
import { digestPart, failedInvocation } from "./part.ts";
import { DigestPoster } from "./poster.ts";
import { digestsOfTick } from "./schedule.ts";

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
  once ??= onceStoreFromEnv({
    expiresAfterSeconds: RECORD_SECONDS,
    inProgressExpiryMs: timeoutMs + 10_000,
  });
  return once;
}

export async function makeDigest(
  event: DigestEvent,
  context: Pick<Context, "getRemainingTimeInMillis">,
): Promise<DigestOutcome[]> {
  callLog.reset();
  const remaining = context.getRemainingTimeInMillis?.() ?? 300_000;
  const deadline = Date.now() + remaining;
  const config = await loadDigestConfig(process.env, AbortSignal.timeout(10_000));
  const poster = new DigestPoster(config.botToken);
  const reads = AbortSignal.timeout(Math.max(1, deadline - Date.now() - POST_MARGIN_MS));
  const store = onceStore(remaining);
  if (isPartEvent(event)) return [await digestPart(event, store, reads, poster)];
  if (isFailureRecord(event)) return failedInvocation(event, poster);
  return digestsOfTick(event, { config, store, reads, poster });
}

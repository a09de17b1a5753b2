// Lambda entry of the scheduled digests (serverless.yml: dist/handler.digest). One EventBridge rule
// invokes it every quarter hour; each invocation reads the targets from SSM, posts the digest of
// every target whose schedule is due to its channel with chat.postMessage, and keeps it as the
// next one's "before". `{ "target": "NAME" }` (aws lambda invoke) posts one target now, due or not.
//
// Never twice: EventBridge delivers to Lambda asynchronously and, rarely, more than once; each
// target's digest of a tick is claimed in the idempotency table first. Never silently: a digest
// that cannot be made is replaced by a message saying so in its channel, and a tick that cannot
// post at all fails the invocation (the function's Errors metric) with the reason in the log.
// The runtime is in digest/ (events, schedule, fanout, part, poster, run).
import type { Context } from "aws-lambda";
import { logInvocation } from "../aws/logger.ts";
import type { DigestEvent, DigestOutcome } from "./digest/events.ts";

export type { DigestEvent, DigestOutcome } from "./digest/events.ts";

/**
 * Loaded on first use: the digest's targets parser (yaml) and scheduler code stay off the Slack
 * function's cold start, which counts against Slack's 3 seconds.
 */
export async function digest(
  event: DigestEvent,
  context: Pick<Context, "getRemainingTimeInMillis"> & Partial<Context>,
): Promise<DigestOutcome[]> {
  logInvocation(context);
  const { makeDigest } = await import("./digest/run.ts");
  return makeDigest(event, context);
}

// What reaches the digest function, and what it answers: the schedule's tick, one target asked for
// by name, an incident schedule's tick, one part of a fanned-out digest, or Lambda's record of an
// invocation of this function that failed for good.
import type { ScheduledEvent } from "aws-lambda";
import type { IncidentEvent } from "../../aws/scheduler.ts";
import type { ScopeService } from "../../commands/digest.ts";
import type { DigestTarget } from "../../domain/digest-targets.ts";

export type DigestEvent =
  | Pick<ScheduledEvent, "time">
  | { target: string }
  | IncidentEvent
  /** One part of a digest too large for one invocation (fanout.ts). */
  | PartEvent
  /** Lambda's record of an invocation of this function that failed for good (its destination). */
  | FailureRecord;

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

/** One part of a fanned-out digest, as the digest function is invoked with it. */
export interface PartEvent {
  part: {
    target: DigestTarget;
    /** The tick (ISO 8601) the digest is of: every part judges at this instant. */
    tick: string;
    index: number;
    services: ScopeService[];
    /** An incident schedule's last digest says the schedule ends, at this time. */
    lastUntil?: string;
  };
}

export function isPartEvent(event: unknown): event is PartEvent {
  const part = (event as Partial<PartEvent> | null)?.part;
  return (
    typeof part === "object" &&
    part !== null &&
    typeof part.tick === "string" &&
    Number.isInteger(part.index) &&
    Array.isArray(part.services) &&
    typeof part.target?.name === "string"
  );
}

/**
 * What Lambda sends the function's on-failure destination (serverless.yml: the digest function
 * itself) when an asynchronous invocation failed for good: an invocation record, with the event
 * it was given. (AWS Lambda developer guide, "Capturing records of Lambda asynchronous
 * invocations": requestContext.condition RetriesExhausted or EventAgeExceeded, requestPayload,
 * responsePayload with the error.)
 */
export interface FailureRecord {
  requestContext: { condition?: string; functionArn?: string };
  requestPayload: unknown;
  responsePayload?: { errorType?: string; errorMessage?: string } | null;
}

export function isFailureRecord(event: unknown): event is FailureRecord {
  const record = event as Partial<FailureRecord> | null;
  return (
    typeof record === "object" &&
    record !== null &&
    typeof record.requestContext === "object" &&
    record.requestContext !== null &&
    "requestPayload" in record
  );
}

/** Why an invocation failed, in a few words, from what Lambda recorded. */
export function failureReason(record: FailureRecord): string {
  const condition = record.requestContext.condition;
  const message = `${record.responsePayload?.errorType ?? ""} ${record.responsePayload?.errorMessage ?? ""}`;
  if (condition === "EventAgeExceeded") return "it waited too long to start";
  if (/timed out/i.test(message)) return "it ran out of time";
  if (/signal: killed|out of memory|Runtime\.ExitError|exited before completing/i.test(message))
    return "it was stopped (out of memory or a crash)";
  return "it failed (see the digest function's log)";
}

import type { CommandCall } from "../commands/call.ts";
import type { CommandOutput } from "../commands/router.ts";
import { lookupFailedText } from "../render/failure.ts";
import type { UnsealedJob } from "./deferred-job.ts";

/** Runs `/ecs <text>`; `call` says where it was typed and who hears of its progress. */
export type RunCommand = (text: string, call?: CommandCall) => Promise<CommandOutput>;

/**
 * Hands a job to an asynchronous run; undefined where there is none. The signal aborts the
 * hand-over at Slack's deadline: a slow Invoke must not make the acknowledgement late.
 */
export type Defer = (job: UnsealedJob, signal: AbortSignal) => Promise<void>;

/** About 2 s from the request's arrival: an answer that comes later is deferred. */
export const DEFAULT_BUDGET_MS = 2_000;
/**
 * The acknowledgement must leave by then, counted from arrival at API Gateway: the way back to
 * Slack and Lambda's own overhead fit in the rest of Slack's 3 seconds.
 */
export const ACK_DEADLINE_MS = 2_600;

/** When the request reached AWS: API Gateway's receipt time, or now if there is none. */
export function arrivalOf(timeEpoch: number | undefined, now = Date.now()): number {
  // A clock skew or a replayed event must not give a budget below zero or above Slack's.
  if (timeEpoch === undefined || !Number.isFinite(timeEpoch)) return now;
  return Math.min(now, Math.max(timeEpoch, now - ACK_DEADLINE_MS));
}

/**
 * Runs a lookup for at most `budgetMs`. Without a way to defer, it waits for the answer (a
 * long-lived process, such as Socket Mode, may answer late).
 */
export async function withinBudget(
  run: RunCommand,
  text: string,
  budgetMs: number,
  canDefer: boolean,
): Promise<{ done: true; output: CommandOutput } | { done: false }> {
  const work = run(text);
  // An abandoned lookup must not surface later as an unhandled rejection.
  work.catch(() => undefined);
  if (!canDefer) return { done: true, output: await work };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, budgetMs));
  });
  return Promise.race([work.then((output) => ({ done: true as const, output })), late]).finally(
    () => clearTimeout(timer),
  );
}

export interface AnswerOrDeferOptions {
  run: RunCommand;
  defer?: Defer;
  /** Epoch milliseconds the request arrived (see arrivalOf). */
  arrivedAt: number;
  budgetMs: number;
  text: string;
  /** Work that must follow the answer (a graph upload) always takes the asynchronous path. */
  mustDefer: boolean;
  /** Delivers an answer that came in time. */
  inline: (output: CommandOutput) => Promise<void>;
  /** The job to hand over when it did not. */
  job: () => UnsealedJob;
}

/**
 * The one rule of every Slack entry point: answer inline within the budget (counted from the
 * request's arrival, so a cold start and the secrets read count), else hand the job to the
 * asynchronous run before the acknowledgement deadline. Returns which happened ("none": too
 * slow and nowhere to defer to; a failed or late hand-over throws, for the caller's message).
 */
export async function answerOrDefer(
  o: AnswerOrDeferOptions,
): Promise<"inline" | "deferred" | "none"> {
  if (!o.mustDefer || !o.defer) {
    const left = o.arrivedAt + o.budgetMs - Date.now();
    const outcome = await withinBudget(o.run, o.text, left, o.defer !== undefined);
    if (outcome.done) {
      await o.inline(outcome.output);
      return "inline";
    }
  }
  if (!o.defer) return "none";
  const signal = AbortSignal.timeout(Math.max(1, o.arrivedAt + ACK_DEADLINE_MS - Date.now()));
  try {
    await o.defer(o.job(), signal);
  } catch (error) {
    throw new HandoverError(error);
  }
  return "deferred";
}

/** The asynchronous run could not be started (Invoke failed or missed the deadline). */
export class HandoverError extends Error {
  constructor(cause: unknown) {
    super("could not hand the lookup to the asynchronous run", { cause });
    this.name = "HandoverError";
  }
}

/** What the user reads when the hand-over failed or could not finish before Slack's deadline. */
export const HANDOVER_FAILED =
  "AWS is answering slowly right now: I could not start your lookup in time. Try again in a minute.";

/** What the user reads when a lookup failed: the hand-over, or the lookup itself. */
export function failureText(error: unknown): string {
  return error instanceof HandoverError ? HANDOVER_FAILED : lookupFailedText();
}

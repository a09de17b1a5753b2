import type { CommandOutput } from "../commands/router.ts";
import type { DeferredJob } from "./deferred-job.ts";

export type RunCommand = (text: string) => Promise<CommandOutput>;
/** Hands a job to an asynchronous run; undefined where there is none. */
export type Defer = (job: DeferredJob) => Promise<void>;

/** About 2 s: room for a cold start and the network before Slack's 3-second limit. */
export const DEFAULT_BUDGET_MS = 2_000;

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
    timer = setTimeout(() => resolve({ done: false }), budgetMs);
  });
  return Promise.race([work.then((output) => ({ done: true as const, output })), late]).finally(
    () => clearTimeout(timer),
  );
}

export interface AnswerOrDeferOptions {
  run: RunCommand;
  defer?: Defer;
  budgetMs: number;
  text: string;
  /** Work that must follow the answer (a graph upload) always takes the asynchronous path. */
  mustDefer: boolean;
  /** Delivers an answer that came in time. */
  inline: (output: CommandOutput) => Promise<void>;
  /** The job to hand over when it did not. */
  job: () => DeferredJob;
}

/**
 * The one rule of every Slack entry point: answer inline within the budget, else hand the job to
 * the asynchronous run. Returns which happened ("none": too slow and nowhere to defer to).
 */
export async function answerOrDefer(
  o: AnswerOrDeferOptions,
): Promise<"inline" | "deferred" | "none"> {
  if (!o.mustDefer || !o.defer) {
    const outcome = await withinBudget(o.run, o.text, o.budgetMs, o.defer !== undefined);
    if (outcome.done) {
      await o.inline(outcome.output);
      return "inline";
    }
  }
  if (!o.defer) return "none";
  await o.defer(o.job());
  return "deferred";
}

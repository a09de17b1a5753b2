import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { CommandOutput } from "../commands/router.ts";
import { renderBlocks } from "../render/blocks.ts";
import { escapeMrkdwn } from "../render/escape.ts";
import type { DeferredJob } from "./deferred-job.ts";

export type RunCommand = (text: string) => Promise<CommandOutput>;
/** Hands a job to an asynchronous run; undefined where there is none (local runs). */
export type Defer = (job: DeferredJob) => Promise<void>;

export interface EcsCommandOptions {
  run: RunCommand;
  defer?: Defer;
  /** How long an answer may take and still go back inline (Slack drops answers after 3 s). */
  budgetMs: number;
}

const FAILURE = {
  response_type: "ephemeral" as const,
  text: "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.",
};

/** `--graph` asks for the traffic graph; it is uploaded after the answer, so it is always deferred. */
export function splitGraphFlag(text: string): { text: string; graph: boolean } {
  const words = text.trim().split(/\s+/);
  const graph = words.includes("--graph");
  return { text: words.filter((w) => w !== "--graph").join(" "), graph };
}

function within<T>(
  work: Promise<T>,
  ms: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  return Promise.race([work.then((value) => ({ done: true as const, value })), late]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * The `/ecs` slash command. Answers inline when the lookup finishes within the budget; otherwise
 * acknowledges at once with "Looking up…" and hands the job to an asynchronous run, which
 * replaces that message through response_url.
 */
export function ecsCommand({ run, defer, budgetMs }: EcsCommandOptions) {
  return async ({ command, ack, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const { text, graph } = splitGraphFlag(command.text ?? "");
    try {
      if (!graph || !defer) {
        const work = run(text);
        // An abandoned lookup must not surface as an unhandled rejection later.
        work.catch(() => undefined);
        const outcome = defer
          ? await within(work, budgetMs)
          : { done: true as const, value: await work };
        if (outcome.done) {
          await ack({ response_type: "ephemeral", ...renderBlocks(outcome.value.doc) });
          return;
        }
      }
      if (!defer) return;
      await defer({
        kind: "ecs-chatops.deferred-job",
        command: text,
        responseUrl: command.response_url,
        responseType: "ephemeral",
        replaceOriginal: true,
        graph: graph ? { channelId: command.channel_id } : undefined,
        requestedAt: Date.now(),
      });
      await ack({
        response_type: "ephemeral",
        text: `Looking up \`${escapeMrkdwn(text.slice(0, 200)).replace(/`/g, "ˋ")}\`… the answer replaces this message in a few seconds.`,
      });
    } catch (error) {
      // One catch per listener: the user gets a fixed message, the log gets the detail.
      logger.error("ecs command failed", error);
      await ack(FAILURE);
    }
  };
}

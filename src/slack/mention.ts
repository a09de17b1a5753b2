import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import { renderBlocks } from "../render/blocks.ts";
import { answerOrDefer, arrivalOf, type Defer, failureText, type RunCommand } from "./budget.ts";
import { parseFlags } from "./command-flags.ts";
import { logRequest, type RequestContext } from "./request-log.ts";
import { receivedAt } from "./slash-command.ts";

export interface MentionOptions {
  run: RunCommand;
  defer?: Defer;
  budgetMs: number;
}

/** "<@U0BOT> whois nginx.service-connect" → "whois nginx.service-connect". */
export function commandOfMention(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, " ").trim();
}

/**
 * `@bot whois nginx.service-connect` in a channel: the answer goes into the mention's thread,
 * visible to the channel, as an incident room wants.
 */
export function appMention({ run, defer, budgetMs }: MentionOptions) {
  return async ({
    event,
    client,
    logger,
    context: boltContext,
  }: SlackEventMiddlewareArgs<"app_mention"> & AllMiddlewareArgs) => {
    const started = performance.now();
    const arrivedAt = arrivalOf(receivedAt(boltContext));
    const flags = parseFlags(commandOfMention(event.text));
    const threadTs = event.thread_ts ?? event.ts;
    const context: RequestContext = {
      kind: "app_mention",
      command: flags.text,
      team: event.team ?? boltContext.teamId,
      channel: event.channel,
      user: event.user,
    };
    try {
      const how = await answerOrDefer({
        // Who asked: a mute made by mention records who muted, as the slash command's does.
        run: (text) =>
          run(text, { channel: event.channel, ...(event.user ? { user: event.user } : {}) }),
        defer,
        arrivedAt,
        budgetMs,
        text: flags.text,
        mustDefer: flags.graph,
        inline: async (output) => {
          await client.chat.postMessage({
            channel: event.channel,
            thread_ts: threadTs,
            ...renderBlocks(output.doc),
          });
        },
        job: () => ({
          kind: "ecs-chatops.deferred-job" as const,
          command: flags.text,
          destination: { kind: "thread", channel: event.channel, threadTs },
          graph: flags.graph ? { channelId: event.channel, threadTs } : undefined,
          context,
        }),
      });
      logRequest(context, started, how === "inline" ? "answered" : "deferred", { mode: how });
    } catch (error) {
      logger.error("mention failed", error);
      logRequest(context, started, "failed");
      // Never silent: the thread hears that the lookup failed (unless Slack cannot be reached).
      await client.chat
        .postMessage({
          channel: event.channel,
          thread_ts: threadTs,
          text: failureText(error),
        })
        .catch((postError: unknown) => logger.error("could not say the mention failed", postError));
    }
  };
}

import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { renderBlocks } from "../render/blocks.ts";
import { escapeMrkdwn } from "../render/escape.ts";
import { answerOrDefer, arrivalOf, type Defer, failureText, type RunCommand } from "./budget.ts";
import { parseFlags, responseTypeFor } from "./command-flags.ts";
import { logRequest, type RequestContext } from "./request-log.ts";
import type { BotSettings } from "./settings.ts";

export interface SlashCommandOptions {
  run: RunCommand;
  defer?: Defer;
  budgetMs: number;
  settings: BotSettings;
}

/** The receiver puts API Gateway's receipt time into Bolt's context (see app.ts). */
export function receivedAt(context: Record<string, unknown>): number | undefined {
  return typeof context.receivedAt === "number" ? context.receivedAt : undefined;
}

/**
 * The `/ecs` slash command. Answers inline when the lookup finishes within the budget; otherwise
 * acknowledges at once with "Looking up…" and hands the job to an asynchronous run, which replaces
 * that message through response_url. Incident channels see the answer; elsewhere only the asker.
 */
export function slashCommand({ run, defer, budgetMs, settings }: SlashCommandOptions) {
  return async ({
    command,
    ack,
    logger,
    context: boltContext,
  }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const started = performance.now();
    const arrivedAt = arrivalOf(receivedAt(boltContext));
    const flags = parseFlags(command.text ?? "");
    const responseType = responseTypeFor(
      settings,
      { id: command.channel_id, name: command.channel_name },
      flags.visibility,
    );
    const context: RequestContext = {
      kind: "slash_command",
      command: flags.text,
      team: command.team_id,
      channel: command.channel_id,
      user: command.user_id,
    };
    try {
      const how = await answerOrDefer({
        run: (text) => run(text, { channel: command.channel_id, user: command.user_id }),
        defer,
        arrivedAt,
        budgetMs,
        text: flags.text,
        mustDefer: flags.graph,
        inline: (output) => ack({ response_type: responseType, ...renderBlocks(output.doc) }),
        job: () => ({
          kind: "ecs-chatops.deferred-job" as const,
          command: flags.text,
          destination: {
            kind: "response_url",
            url: command.response_url,
            responseType,
            // An ephemeral "Looking up…" can be replaced by an ephemeral answer; a visible answer
            // is posted as a new message (Slack does not turn an ephemeral message visible).
            replaceOriginal: responseType === "ephemeral",
          },
          graph: flags.graph ? { channelId: command.channel_id } : undefined,
          context,
        }),
      });
      if (how === "deferred") {
        await ack({
          // "Looking up" is for the asker; the answer that follows takes the channel's visibility.
          response_type: "ephemeral",
          text: `Looking up \`${escapeMrkdwn(flags.text.slice(0, 200)).replace(/`/g, "ˋ")}\`… the answer follows in a few seconds.`,
        });
      }
      logRequest(context, started, how === "inline" ? "answered" : "deferred", { mode: how });
    } catch (error) {
      // One catch per listener: the user gets a fixed message, the log gets the detail.
      logger.error("ecs command failed", error);
      logRequest(context, started, "failed");
      await ack({
        response_type: "ephemeral",
        text: failureText(error),
      });
    }
  };
}

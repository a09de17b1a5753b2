import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import {
  ACTION_IDS,
  FULL_ANSWER_ACTION_ID,
  GRAPH_ACTION_ID,
  REFRESH_ACTION_ID,
  SHARE_ACTION_ID,
  SUGGESTION_ACTION_ID,
} from "../render/document.ts";
import { ACK_DEADLINE_MS, arrivalOf, type Defer } from "./budget.ts";
import { parseFlags, responseTypeFor } from "./command-flags.ts";
import { logRequest } from "./request-log.ts";
import type { BotSettings } from "./settings.ts";
import { receivedAt } from "./slash-command.ts";

/** Matches the buttons answers carry (Whois, Health, Traffic, Graph, each "did you mean"). */
export const COMMAND_BUTTON = new RegExp(
  `^(${[...Object.values(ACTION_IDS), GRAPH_ACTION_ID, FULL_ANSWER_ACTION_ID, REFRESH_ACTION_ID, SHARE_ACTION_ID, `${SUGGESTION_ACTION_ID}_\\d+`].join("|")})$`,
);

/**
 * A click runs the button's command for the same name. Slack wants the click acknowledged at
 * once, and an action's acknowledgement carries no message, so the answer always comes through
 * the asynchronous run, as a new message under the one clicked.
 */
export function commandButton(defer: Defer | undefined, settings: BotSettings) {
  return async ({
    ack,
    body,
    action,
    respond,
    logger,
    context: boltContext,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    const started = performance.now();
    await ack();
    const flags = parseFlags(action.value ?? "");
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const share = action.action_id === SHARE_ACTION_ID;
    const context = {
      kind: "block_actions",
      command: flags.text,
      team: body.team?.id,
      channel: channelId,
      user: body.user.id,
    };
    if (!flags.text || !body.response_url) return;
    try {
      if (!defer) {
        await respond({
          response_type: "ephemeral",
          text: "Buttons need the deployed bot (asynchronous answers).",
        });
        return;
      }
      const signal = AbortSignal.timeout(
        Math.max(1, arrivalOf(receivedAt(boltContext)) + ACK_DEADLINE_MS - Date.now()),
      );
      await defer(
        {
          kind: "ecs-chatops.deferred-job",
          command: flags.text,
          destination: {
            kind: "response_url",
            url: body.response_url,
            // Share reposts for everyone; the others keep the channel's visibility.
            responseType: share
              ? "in_channel"
              : responseTypeFor(settings, { id: channelId ?? "", name: body.channel?.name }),
            // Refresh replaces the answer clicked; the others add an answer under it.
            replaceOriginal: action.action_id === REFRESH_ACTION_ID,
          },
          sharedBy: share ? body.user.id : undefined,
          graph:
            flags.graph && channelId
              ? { channelId, threadTs: body.container?.thread_ts }
              : undefined,
          fullText:
            action.action_id === FULL_ANSWER_ACTION_ID && channelId
              ? { channelId, threadTs: body.container?.thread_ts }
              : undefined,
          context,
        },
        signal,
      );
      logRequest(context, started, "deferred", { mode: "deferred" });
    } catch (error) {
      logger.error("button failed", error);
      logRequest(context, started, "failed");
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: "Sorry, that lookup failed on my side.",
      });
    }
  };
}

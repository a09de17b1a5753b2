import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import { ACTION_IDS, GRAPH_ACTION_ID } from "../render/document.ts";
import { type Defer, splitGraphFlag } from "./ecs-command.ts";

/** Matches the cross-link buttons (Whois, Health, Traffic) every answer carries. */
export const COMMAND_BUTTON = new RegExp(
  `^(${[...Object.values(ACTION_IDS), GRAPH_ACTION_ID].join("|")})$`,
);

/**
 * A click runs the button's command for the same name. Slack wants the click acknowledged at
 * once, and an action's acknowledgement carries no message, so the answer always comes through
 * the asynchronous run, as a new ephemeral message under the one clicked.
 */
export function commandButton(defer: Defer | undefined) {
  return async ({
    ack,
    body,
    action,
    respond,
    logger,
  }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs) => {
    await ack();
    const { text: command, graph } = splitGraphFlag(action.value ?? "");
    if (!command || !body.response_url) return;
    const channelId = body.channel?.id ?? body.container?.channel_id;
    try {
      if (!defer) {
        await respond({
          response_type: "ephemeral",
          text: "Buttons need the deployed bot (asynchronous answers).",
        });
        return;
      }
      await defer({
        kind: "ecs-chatops.deferred-job",
        command,
        responseUrl: body.response_url,
        responseType: "ephemeral",
        replaceOriginal: false,
        graph: graph && channelId ? { channelId, threadTs: body.container?.thread_ts } : undefined,
        requestedAt: Date.now(),
      });
    } catch (error) {
      logger.error("button failed", error);
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: "Sorry, that lookup failed on my side.",
      });
    }
  };
}

import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import { ACTION_IDS } from "../render/document.ts";
import type { Defer } from "./ecs-command.ts";

/** Matches the cross-link buttons (Whois, Health, Traffic) every answer carries. */
export const COMMAND_BUTTON = new RegExp(`^(${Object.values(ACTION_IDS).join("|")})$`);

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
    const command = action.value ?? "";
    if (!command || !body.response_url) return;
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

import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import {
  ACTION_IDS,
  DETAILS_ACTION_ID,
  FULL_ANSWER_ACTION_ID,
  GRAPH_ACTION_ID,
  REFRESH_ACTION_ID,
  SHARE_ACTION_ID,
  SUGGESTION_ACTION_ID,
} from "../render/document.ts";
import { ACK_DEADLINE_MS, arrivalOf, type Defer } from "./budget.ts";
import { parseFlags, responseTypeFor } from "./command-flags.ts";
import type { Destination } from "./deferred-job.ts";
import { logRequest } from "./request-log.ts";
import type { BotSettings } from "./settings.ts";
import { receivedAt } from "./slash-command.ts";

/** Matches the buttons answers carry (Whois, Health, Traffic, Graph, Details, each "did you mean"). */
export const COMMAND_BUTTON = new RegExp(
  `^(${[...Object.values(ACTION_IDS), GRAPH_ACTION_ID, FULL_ANSWER_ACTION_ID, REFRESH_ACTION_ID, SHARE_ACTION_ID, DETAILS_ACTION_ID, `${SUGGESTION_ACTION_ID}_\\d+`].join("|")})$`,
);

type Body = BlockAction<ButtonAction>;

/** The clicked message as Slack describes it: `container` for every message, `message` for visible ones. */
interface Clicked {
  ephemeral: boolean;
  channel?: string;
  /** The thread the message is in, else the message itself: where a reply to it goes. */
  threadTs?: string;
  /** The message's own blocks (Slack sends none for an ephemeral message). */
  blocks?: unknown[];
}

function clickedOf(body: Body): Clicked {
  const container = (body.container ?? {}) as Record<string, unknown>;
  const message = body.message;
  const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  return {
    ephemeral: container.is_ephemeral === true,
    channel: body.channel?.id ?? str(container.channel_id),
    threadTs:
      str(container.thread_ts) ??
      str(message?.thread_ts) ??
      str(container.message_ts) ??
      str(message?.ts),
    blocks: Array.isArray(message?.blocks) ? message.blocks : undefined,
  };
}

/**
 * Details shows the whole answer where its first view is: in place of an ephemeral one (only
 * the asker sees either), else in the clicked message's thread, visible as the message is.
 */
function detailsDestination(clicked: Clicked, responseUrl: string): Destination {
  if (clicked.ephemeral || !clicked.channel || !clicked.threadTs) {
    return {
      kind: "response_url",
      url: responseUrl,
      responseType: "ephemeral",
      replaceOriginal: true,
    };
  }
  return {
    kind: "thread",
    channel: clicked.channel,
    threadTs: clicked.threadTs,
    fallbackUrl: responseUrl,
  };
}

/**
 * Refresh keeps the view it was clicked on: a visible message without a Details button is a
 * whole answer (Details' own, or an answer short enough to be its first view, which the full
 * view draws the same). Slack sends no blocks for an ephemeral message: it gets the first view.
 */
function showsWholeAnswer(clicked: Clicked): boolean {
  return (
    clicked.blocks !== undefined &&
    !JSON.stringify(clicked.blocks).includes(`"${DETAILS_ACTION_ID}"`)
  );
}

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
    const clicked = clickedOf(body);
    const channelId = clicked.channel;
    const share = action.action_id === SHARE_ACTION_ID;
    const details = action.action_id === DETAILS_ACTION_ID;
    const refresh = action.action_id === REFRESH_ACTION_ID;
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
          destination: details
            ? detailsDestination(clicked, body.response_url)
            : {
                kind: "response_url",
                url: body.response_url,
                // Share reposts for everyone; the others keep the channel's visibility.
                responseType: share
                  ? "in_channel"
                  : responseTypeFor(settings, { id: channelId ?? "", name: body.channel?.name }),
                // Refresh replaces the answer clicked; the others add an answer under it.
                replaceOriginal: refresh,
              },
          view: details || (refresh && showsWholeAnswer(clicked)) ? "full" : undefined,
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

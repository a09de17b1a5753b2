import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import { CONSOLE_ACTION_ID, COPY_FIX_ACTION_ID } from "../render/document.ts";
import { escapeMrkdwn } from "../render/escape.ts";
import { ACK_DEADLINE_MS, arrivalOf } from "./budget.ts";
import { logRequest } from "./request-log.ts";
import { postToResponseUrl } from "./respond.ts";
import { receivedAt } from "./slash-command.ts";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** "Copy fix" buttons, numbered as a block's action IDs must differ. */
export const COPY_FIX_BUTTON = new RegExp(`^${COPY_FIX_ACTION_ID}_\\d+$`);
/** Console link buttons: Slack opens the page and still sends the click. */
export const CONSOLE_BUTTON = new RegExp(`^${CONSOLE_ACTION_ID}_\\d+$`);

/** Slack's limit for a button's value: a longer one never came from an answer. */
const COPY_MAX = 2000;
/** A swap for the backtick, as the answers' code spans use. */
const BACKTICK_LOOKALIKE = "ˋ";

/**
 * The fix alone in a code block, for the user to copy whole (a long press on a phone), with one
 * line saying who runs it. Escaped for mrkdwn: Slack draws `&lt;` as `<`, so the copy is the
 * command itself. Three backticks would close the block early; only then are backticks swapped,
 * and the message says so, since the copy is then not the command as is.
 */
export function copyFixText(value: string): string {
  const command = value.replace(/^\s*\n|\n\s*$/g, "").trimEnd();
  if (!command.trim()) return "This button holds no command to copy.";
  if (command.length > COPY_MAX) {
    return `This fix is too long to send as a message to copy (${command.length} characters); the answer's Details show it in full.`;
  }
  const fenced = command.includes("```");
  const body = escapeMrkdwn(fenced ? command.replace(/`/g, BACKTICK_LOOKALIKE) : command);
  const note = fenced
    ? `\nIts backticks are shown as ${BACKTICK_LOOKALIKE} (Slack cannot show three in a block): put them back before you run it.`
    : "";
  return `For you to run: I only read, I never change anything.\n\`\`\`\n${body}\n\`\`\`${note}`;
}

/**
 * Copy fix: answered at once, to the clicker alone, under the message (never in its place). No
 * AWS call and nothing deferred: the command is in the button's value. On Lambda the click's
 * 200 leaves only when the listener returns, so the post gives up at Slack's deadline.
 */
export function copyFixButton() {
  return async ({ ack, body, action, logger, context: boltContext }: ButtonArgs) => {
    const started = performance.now();
    await ack();
    const context = {
      kind: "block_actions",
      command: "copy fix",
      team: body.team?.id,
      channel: body.channel?.id,
      user: body.user.id,
    };
    const deadline = arrivalOf(receivedAt(boltContext)) + ACK_DEADLINE_MS;
    try {
      await postToResponseUrl(
        body.response_url,
        { text: copyFixText(action.value ?? ""), blocks: [] },
        {
          responseType: "ephemeral",
          replaceOriginal: false,
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        },
      );
      logRequest(context, started, "answered", { mode: "copy" });
    } catch (error) {
      // The response_url is all a click has; nothing else can reach the clicker here.
      logger.error("copy fix could not be sent", error);
      logRequest(context, started, "failed", { mode: "copy" });
    }
  };
}

/** A console link: the browser opens the page; the bot only acknowledges the click. */
export function consoleLinkButton() {
  return async ({ ack }: ButtonArgs) => {
    await ack();
  };
}

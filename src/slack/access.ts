import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { BotSettings } from "./settings.ts";

export interface Requester {
  team?: string;
  channel?: string;
  user?: string;
}

/** Team, channel and user of any request Bolt hands over: commands, button clicks, events. */
export function requesterOf(body: AnyMiddlewareArgs["body"]): Requester {
  const b = body as Record<string, unknown> & {
    team?: { id?: string };
    channel?: { id?: string };
    container?: { channel_id?: string };
    user?: { id?: string };
    event?: { channel?: string; user?: string };
  };
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    team: str(b.team_id) ?? b.team?.id,
    channel: str(b.channel_id) ?? b.channel?.id ?? b.container?.channel_id ?? b.event?.channel,
    user: str(b.user_id) ?? b.user?.id ?? b.event?.user,
  };
}

export type GroupMembers = (groupId: string) => Promise<string[]>;

const allows = (list: string[], id: string | undefined) =>
  list.length === 0 || (id !== undefined && list.includes(id));

/** Is this requester served? Empty lists restrict nothing; users may be listed or in a listed group. */
export async function isAllowed(
  settings: BotSettings,
  who: Requester,
  members: GroupMembers,
): Promise<boolean> {
  if (!allows(settings.allowedTeams, who.team) || !allows(settings.allowedChannels, who.channel))
    return false;
  if (settings.allowedUsers.length === 0 && settings.allowedUserGroups.length === 0) return true;
  if (who.user && settings.allowedUsers.includes(who.user)) return true;
  for (const group of settings.allowedUserGroups) {
    if (who.user && (await members(group)).includes(who.user)) return true;
  }
  return false;
}

export const REFUSAL =
  "Sorry, I only answer in the workspaces, channels and teams I am set up for. Ask the bot's owners to add you if you need ECS lookups here.";

/**
 * Global middleware, before any listener: anyone the settings do not allow gets a polite
 * refusal, and the request goes no further (no AWS call is made).
 */
export function accessControl(
  settings: BotSettings,
  members: GroupMembers,
  onRefuse: (who: Requester) => void,
): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const who = requesterOf(args.body);
    if (await isAllowed(settings, who, members)) {
      await args.next();
      return;
    }
    onRefuse(who);
    const { body } = args;
    const ack =
      "ack" in args && typeof args.ack === "function"
        ? (args.ack as (r?: unknown) => Promise<void>)
        : undefined;
    if ("command" in body) {
      await ack?.({ response_type: "ephemeral", text: REFUSAL });
      return;
    }
    await ack?.();
    if ("respond" in args && typeof args.respond === "function") {
      await args.respond({ response_type: "ephemeral", replace_original: false, text: REFUSAL });
    } else if (who.channel && who.user) {
      await args.client.chat.postEphemeral({ channel: who.channel, user: who.user, text: REFUSAL });
    }
  };
}

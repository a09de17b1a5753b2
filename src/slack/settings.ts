// Who may use the bot and where its answers are visible, from the function's environment.
// Lists are comma-separated Slack IDs; an empty list means "no restriction".

export interface BotSettings {
  allowedTeams: string[];
  allowedChannels: string[];
  allowedUsers: string[];
  /** User group IDs (S…) whose members may use the bot; needs the usergroups:read scope. */
  allowedUserGroups: string[];
  /** Channels where answers are visible to everyone by default. */
  publicChannels: string[];
  /** Channel names starting with this get visible answers by default (incident channels). */
  incidentChannelPrefix: string;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

export function readBotSettings(env: NodeJS.ProcessEnv = process.env): BotSettings {
  return {
    allowedTeams: list(env.ALLOWED_TEAM_IDS),
    allowedChannels: list(env.ALLOWED_CHANNEL_IDS),
    allowedUsers: list(env.ALLOWED_USER_IDS),
    allowedUserGroups: list(env.ALLOWED_USERGROUP_IDS),
    publicChannels: list(env.PUBLIC_CHANNEL_IDS),
    incidentChannelPrefix: env.INCIDENT_CHANNEL_PREFIX ?? "inc-",
  };
}

// A lookup that could not answer within Slack's budget, handed to an asynchronous run of the same
// function, which answers through the command's response_url.

export interface DeferredJob {
  kind: "ecs-chatops.deferred-job";
  /** The /ecs command text, e.g. "whois nginx.service-connect". */
  command: string;
  responseUrl: string;
  responseType: "ephemeral" | "in_channel";
  /** Replace the "Looking up…" message rather than add a new one. */
  replaceOriginal: boolean;
  /** Post the traffic graph into this channel once the answer is out. */
  graph?: { channelId: string; threadTs?: string };
  /** When Slack's request arrived, epoch ms: for the request log. */
  requestedAt: number;
}

export function isDeferredJob(event: unknown): event is DeferredJob {
  return (
    typeof event === "object" &&
    event !== null &&
    (event as { kind?: unknown }).kind === "ecs-chatops.deferred-job" &&
    typeof (event as { command?: unknown }).command === "string" &&
    typeof (event as { responseUrl?: unknown }).responseUrl === "string"
  );
}

/**
 * Only Slack's own hooks host receives answers: a job names its response_url, and the bot must
 * never be made to post lookups of internal IPs anywhere else.
 */
export function isSlackResponseUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.hostname === "hooks.slack.com";
  } catch {
    return false;
  }
}

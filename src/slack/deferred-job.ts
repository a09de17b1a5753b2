// A lookup that could not answer within Slack's budget, handed to an asynchronous run of the same
// function, which answers through the command's response_url or in the mention's thread.

import type { ResponseType } from "./command-flags.ts";
import type { RequestContext } from "./request-log.ts";

export type Destination =
  /** A slash command or button: Slack's response_url (5 posts within 30 minutes). */
  | { kind: "response_url"; url: string; responseType: ResponseType; replaceOriginal: boolean }
  /** A mention: a reply in its thread, with the bot token. */
  | { kind: "thread"; channel: string; threadTs: string };

export interface DeferredJob {
  kind: "ecs-chatops.deferred-job";
  /** The /ecs command text, e.g. "whois nginx.service-connect". */
  command: string;
  destination: Destination;
  /** Post the traffic graph into this channel once the answer is out. */
  graph?: { channelId: string; threadTs?: string };
  /** Post the whole answer as a text file here (it was cut to fit a Slack message). */
  fullText?: { channelId: string; threadTs?: string };
  /** The Slack user ID who shared the answer into the channel ("Share in channel"). */
  sharedBy?: string;
  /** Who asked, for the request log. */
  context: RequestContext;
}

export function isDeferredJob(event: unknown): event is DeferredJob {
  if (typeof event !== "object" || event === null) return false;
  const job = event as Partial<DeferredJob>;
  return (
    job.kind === "ecs-chatops.deferred-job" &&
    typeof job.command === "string" &&
    typeof job.destination === "object" &&
    job.destination !== null
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

// The Slack side of incidents: one SlackAction of the state machine as one or two Web API calls
// (chat.postMessage, chat.update on the stored ts, a reply with thread_ts). A 429 is waited out
// as Slack's Retry-After says: the WebClient pauses its queue that long and tries again
// (rejectRateLimitedCalls is false, its default), within `retries`.
import { WebClient } from "@slack/web-api";
import type { SlackAction } from "../domain/incidents/machine.ts";
import { renderBlocks, type SlackMessage } from "../render/blocks.ts";
import { incidentDocument, incidentReplyDocument } from "../render/incident-document.ts";

/** Carries out one action; `ts` is the channel's message (for all but a post). Returns a post's ts. */
export interface IncidentSlack {
  carry(action: SlackAction, ts: string | undefined): Promise<string | undefined>;
}

export class MissingMessageError extends Error {
  constructor(readonly action: SlackAction) {
    super(`no message ts recorded for ${action.type} in ${action.channel}`);
    this.name = "MissingMessageError";
  }
}

/** The message of an action: the incident as it stands, or resolved. */
export function incidentMessage(action: SlackAction): SlackMessage {
  const view =
    action.type === "resolve"
      ? { incident: action.incident, subject: action.subject, resolved: action.text }
      : { incident: action.incident, subject: action.subject };
  return renderBlocks(incidentDocument(view), { view: "full" });
}

const QUIET = { unfurl_links: false, unfurl_media: false };

export class IncidentPoster implements IncidentSlack {
  readonly #slack: WebClient;

  constructor(botToken: string, options: { slackApiUrl?: string; retries?: number } = {}) {
    this.#slack = new WebClient(botToken, {
      timeout: 10_000,
      retryConfig: { retries: options.retries ?? 2, factor: 1, minTimeout: 200 },
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    });
  }

  async carry(action: SlackAction, ts: string | undefined): Promise<string | undefined> {
    if (action.type === "post") {
      const out = await this.#slack.chat.postMessage({
        channel: action.channel,
        ...incidentMessage(action),
        ...QUIET,
      });
      return out.ts;
    }
    if (!ts) throw new MissingMessageError(action);
    if (action.type === "thread") {
      await this.#reply(action.channel, ts, action.text);
      return undefined;
    }
    await this.#slack.chat.update({ channel: action.channel, ts, ...incidentMessage(action) });
    if (action.type === "resolve") await this.#reply(action.channel, ts, action.reply);
    return undefined;
  }

  async #reply(channel: string, ts: string, text: string): Promise<void> {
    await this.#slack.chat.postMessage({
      channel,
      thread_ts: ts,
      ...renderBlocks(incidentReplyDocument(text)),
      ...QUIET,
    });
  }
}

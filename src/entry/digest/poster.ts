import { WebClient } from "@slack/web-api";
import type { DigestResult } from "../../domain/digest.ts";
import type { DigestTarget } from "../../domain/digest-targets.ts";
import { renderBlocks } from "../../render/blocks.ts";
import { digestFailedDocument, digestResultDocument } from "../../render/digest-document.ts";
import type { Doc } from "../../render/document.ts";

/**
 * Posts to a digest target's channel with chat.postMessage: built once per invocation with the bot
 * token, and handed to whatever finishes a digest (the schedule's invocation, or the last part).
 * Each post throws when Slack refuses it.
 */
export class DigestPoster {
  readonly #slack: WebClient;

  constructor(botToken: string) {
    this.#slack = new WebClient(botToken, { timeout: 10_000, retryConfig: { retries: 2 } });
  }

  /** A finished digest; an incident schedule's last one says the schedule ends at `lastUntil`. */
  post(target: DigestTarget, result: DigestResult, lastUntil?: Date): Promise<void> {
    return this.#postDocument(target, digestResultDocument(result, target.quiet, lastUntil));
  }

  /** Says in the channel that the digest of `tick` could not be made, and why in a few words. */
  postFailure(target: DigestTarget, tick: Date, why: string): Promise<void> {
    return this.#postDocument(target, digestFailedDocument(target.name, tick, why));
  }

  async #postDocument(target: DigestTarget, doc: Doc): Promise<void> {
    await this.#slack.chat.postMessage({
      channel: target.channel,
      // No command to run again: a scheduled digest has no Details click, so it is posted whole.
      ...renderBlocks(doc, { view: "full" }),
      unfurl_links: false,
      unfurl_media: false,
    });
  }
}

import type { WebClient } from "@slack/web-api";
import type { SlackMessage } from "../render/blocks.ts";
import type { UnsealedJob } from "./deferred-job.ts";
import { postToResponseUrl } from "./respond.ts";

/** At most one progress edit per this long: chat.update is Tier 3 (about 50 a minute). */
const EDIT_EVERY_MS = 2_000;
/**
 * An ephemeral answer can only be replaced through response_url, which takes 5 posts in 30
 * minutes: progress takes three, leaving the answer and one note (a graph's, a failure's).
 */
const RESPONSE_URL_PROGRESS_POSTS = 3;
/** How long the answer waits for a progress post still in flight before going its own way. */
const SETTLE_MS = 2_000;

type Where =
  | { kind: "web"; channel: string; threadTs?: string }
  | { kind: "response_url"; url: string };

/**
 * The message that stands in for a slow answer: posted at the first progress report, edited
 * as the work advances (never more than one edit in flight, never more often than every 2 s),
 * and replaced by the answer. A visible answer (a channel, a mention's thread) is a message the
 * bot posts and edits with chat.update; an ephemeral one is the "Looking up…" note, replaced
 * through response_url. If the bot cannot post (not in the channel), progress is dropped and
 * the answer goes its usual way: progress is a courtesy, never a reason to lose the answer.
 */
export class StandIn {
  private readonly where: Where | undefined;
  private ts: string | undefined;
  private sent = 0;
  private lastSentAt = 0;
  private pending: SlackMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    job: UnsealedJob,
    private readonly client: () => Promise<WebClient>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    const to = job.destination;
    if (to.kind === "thread")
      this.where = { kind: "web", channel: to.channel, threadTs: to.threadTs };
    else if (to.responseType === "ephemeral") this.where = { kind: "response_url", url: to.url };
    else if (job.context.channel) this.where = { kind: "web", channel: job.context.channel };
  }

  /** The latest progress; sent now or at the next allowed moment, older ones dropped. */
  report(message: SlackMessage): void {
    if (!this.where || this.finished) return;
    this.pending = message;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + EDIT_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const message = this.pending;
    const where = this.where;
    this.pending = undefined;
    if (!message || !where || this.finished) return;
    if (where.kind === "response_url" && this.sent >= RESPONSE_URL_PROGRESS_POSTS) return;
    this.lastSentAt = Date.now();
    this.sent += 1;
    this.chain = this.chain
      .then(() => this.send(where, message))
      .catch((error: unknown) => {
        // One failed post or edit ends progress; the answer still goes its own way.
        this.finished = true;
        this.onError(error);
      });
  }

  private async send(where: Where, message: SlackMessage): Promise<void> {
    if (this.finished) return;
    if (where.kind === "response_url") {
      await postToResponseUrl(where.url, message, {
        responseType: "ephemeral",
        replaceOriginal: true,
      });
      return;
    }
    const web = await this.client();
    if (this.ts) {
      await web.chat.update({ channel: where.channel, ts: this.ts, ...message });
      return;
    }
    const posted = await web.chat.postMessage({
      channel: where.channel,
      thread_ts: where.threadTs,
      ...message,
    });
    this.ts = posted.ts;
  }

  /**
   * Stops progress and puts `message` in the stand-in's place. True when it did; false when
   * there is no message to replace (never posted, or ephemeral: the caller's own delivery
   * replaces the "Looking up…" note), and the caller must deliver the answer itself.
   */
  async replaceWith(message: SlackMessage): Promise<boolean> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.finished = true;
    // A progress post stuck on a slow Slack must not make the answer miss the Lambda deadline.
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.chain.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), SETTLE_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const where = this.where;
    if (!settled || where?.kind !== "web" || !this.ts) return false;
    try {
      await (await this.client()).chat.update({
        channel: where.channel,
        ts: this.ts,
        text: message.text,
        // Always sent: chat.update keeps the old blocks when none are given, and an empty list
        // clears them (Slack API, chat.update), so a text-only answer leaves no progress line.
        blocks: message.blocks,
      });
      return true;
    } catch (error) {
      this.onError(error);
      return false;
    }
  }
}

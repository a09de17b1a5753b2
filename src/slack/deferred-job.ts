// A lookup that could not answer within Slack's budget, handed to an asynchronous run of the same
// function, which answers through the command's response_url or in the mention's thread.

import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { ResponseType } from "./command-flags.ts";
import type { RequestContext } from "./request-log.ts";

export type Destination =
  /** A slash command or button: Slack's response_url (5 posts within 30 minutes). */
  | { kind: "response_url"; url: string; responseType: ResponseType; replaceOriginal: boolean }
  /**
   * A mention, or Details on a visible answer: a reply in its thread, with the bot token. When
   * the thread refuses the post (the bot is not in the channel), the clicker's response_url, if
   * any, still gets the answer, as an ephemeral message saying why.
   */
  | { kind: "thread"; channel: string; threadTs: string; fallbackUrl?: string };

export interface DeferredJob {
  kind: "ecs-chatops.deferred-job";
  /** Unique per hand-over: a redelivered event carries the same ID and is run once. */
  id: string;
  /** When it was handed over, epoch milliseconds. */
  issuedAt: number;
  /** HMAC-SHA256 over the rest of the job, with a key only this function holds. */
  mac: string;
  /** The /ecs command text, e.g. "whois nginx.service-connect". */
  command: string;
  destination: Destination;
  /** Post the traffic graph into this channel once the answer is out. */
  graph?: { channelId: string; threadTs?: string };
  /** Post the whole answer as a text file here (it was cut to fit a Slack message). */
  fullText?: { channelId: string; threadTs?: string };
  /**
   * "full": the whole answer (Details), not its first view. Part of the MAC, as every field is:
   * nothing but this function can turn a first view into a full one or back.
   */
  view?: "full";
  /** The Slack user ID who shared the answer into the channel ("Share in channel"). */
  sharedBy?: string;
  /** Who asked, for the request log. */
  context: RequestContext;
}

/** A job as the listeners build it; sealJob adds its ID, time and MAC. */
export type UnsealedJob = Omit<DeferredJob, "id" | "issuedAt" | "mac">;

/** How long a job stays valid: Lambda runs an Event invocation within seconds, retries aside. */
export const JOB_MAX_AGE_MS = 15 * 60_000;

/**
 * The job key, derived from the Slack signing secret (which only this function and Slack hold):
 * anything else allowed to invoke the function cannot forge a job, so cannot make the bot post
 * chosen text to a URL or upload files into a channel.
 */
export function jobKey(signingSecret: string): Buffer {
  return createHmac("sha256", signingSecret).update("ecs-chatops deferred job v1").digest();
}

/** The job's fields in one fixed order (keys sorted at every level), for the MAC. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function macOf(job: Omit<DeferredJob, "mac">, key: Buffer): string {
  return createHmac("sha256", key).update(canonical(job)).digest("hex");
}

export function sealJob(job: UnsealedJob, key: Buffer, now = Date.now()): DeferredJob {
  const unsigned = { ...job, id: randomUUID(), issuedAt: now };
  return { ...unsigned, mac: macOf(unsigned, key) };
}

/** Why a job is refused, or undefined when it is genuine, recent and answers only to Slack. */
export function jobRefusal(job: DeferredJob, key: Buffer, now = Date.now()): string | undefined {
  const { mac, ...unsigned } = job;
  const expected = Buffer.from(macOf(unsigned, key), "hex");
  const given = Buffer.from(
    typeof mac === "string" && /^[0-9a-f]{64}$/.test(mac) ? mac : "",
    "hex",
  );
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "bad MAC";
  if (typeof job.issuedAt !== "number" || now - job.issuedAt > JOB_MAX_AGE_MS) return "expired";
  if (job.issuedAt - now > 60_000) return "issued in the future";
  if (job.destination.kind === "response_url" && !isSlackResponseUrl(job.destination.url)) {
    return "response_url is not Slack's";
  }
  if (
    job.destination.kind === "thread" &&
    job.destination.fallbackUrl !== undefined &&
    !isSlackResponseUrl(job.destination.fallbackUrl)
  ) {
    return "response_url is not Slack's";
  }
  return undefined;
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

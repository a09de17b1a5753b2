import type { SlackMessage } from "../render/blocks.ts";
import type { ResponseType } from "./command-flags.ts";
import { isSlackResponseUrl } from "./deferred-job.ts";

export interface ResponseOptions {
  responseType: ResponseType;
  replaceOriginal: boolean;
  /** Gives up sooner than the 5 s timeout (an answer that must leave before Slack's 3 s). */
  signal?: AbortSignal;
}

/** Posts an answer to a command's response_url (up to 5 posts within 30 minutes, per Slack). */
export async function postToResponseUrl(
  url: string,
  message: SlackMessage,
  options: ResponseOptions,
): Promise<void> {
  if (!isSlackResponseUrl(url)) throw new Error("response_url is not a Slack hooks URL");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      response_type: options.responseType,
      replace_original: options.replaceOriginal,
      ...message,
    }),
    signal: options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(5_000)])
      : AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`response_url answered ${response.status}`);
}

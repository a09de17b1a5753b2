import nock from "nock";
import { BOT_TOKEN } from "./slack-lambda.ts";

/** One chat.postMessage or chat.update call, with its form fields (blocks as JSON text). */
export interface SlackCall {
  method: string;
  channel: string;
  text: string;
  ts?: string;
  thread_ts?: string;
  blocks?: string;
}

/**
 * Slack's Web API on nock: every chat call with the bot token is pushed to `calls`; a post
 * answers a new ts (1700000000.000001, …), an edit its own; `delayMs` makes each answer that late.
 */
export function recordSlackChat(
  calls: SlackCall[],
  options: { delayMs?: number } = {},
): nock.Scope {
  let next = 1;
  return nock("https://slack.com", { reqheaders: { authorization: `Bearer ${BOT_TOKEN}` } })
    .persist()
    .post(/\/api\/chat\.(postMessage|update)/)
    .delay(options.delayMs ?? 0)
    .reply(200, (uri, body) => {
      const b =
        typeof body === "string"
          ? Object.fromEntries(new URLSearchParams(body))
          : (body as Record<string, string>);
      const method = uri.replace("/api/", "");
      calls.push({ method, ...b } as SlackCall);
      const ts = method === "chat.update" ? b.ts : `1700000000.${String(next++).padStart(6, "0")}`;
      return { ok: true, channel: b.channel, ts };
    });
}

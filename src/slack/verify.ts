// The gate in front of Bolt: Slack's v0 signature over the raw bytes and a 5-minute window
// either way (Bolt's receiver rejects only old timestamps, and parses the body before it checks
// anything, so a hostile body made it throw: HTTP 500). Nothing here parses before the signature
// is verified, and nothing the sender wrote reaches a log.
//
// Slack: "Verifying requests from Slack" (v0 = HMAC-SHA256 of "v0:{timestamp}:{body}", reject
// timestamps more than five minutes from local time).

import { createHmac, timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

export const WINDOW_SECONDS = 300;

export type Verdict =
  /** Signed by Slack, in the window, a body Bolt can read: handed on, normalised. */
  | { ok: true; event: APIGatewayProxyEventV2 }
  /** Slack's SSL check of a slash command URL: answered 200, nothing done. */
  | { ok: "ssl_check" }
  | { ok: false; status: 400 | 401; reason: string };

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const key = Object.keys(event.headers ?? {}).find((k) => k.toLowerCase() === name);
  return key ? event.headers[key] : undefined;
}

function rawBytes(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded
    ? Buffer.from(event.body, "base64")
    : Buffer.from(event.body, "utf8");
}

/** v0=<64 hex>, compared in constant time over the raw bytes Slack signed. */
function signatureMatches(secret: string, timestamp: string, body: Buffer, signature: string) {
  const match = /^v0=([0-9a-f]{64})$/.exec(signature);
  if (!match?.[1]) return false;
  const expected = createHmac("sha256", secret).update(`v0:${timestamp}:`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], "hex"));
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** "application/x-www-form-urlencoded; charset=utf-8" → its media type, if the charset is UTF-8. */
function mediaType(contentType: string | undefined): string | undefined {
  const [type = "", ...params] = (contentType ?? "").split(";").map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  if (charset && charset.replace(/"/g, "") !== "utf-8") return undefined;
  return type;
}

/** Does the (already authenticated) body parse as Bolt will parse it? */
function readable(type: string, text: string): boolean {
  try {
    if (type === JSON_TYPE) {
      const value: unknown = JSON.parse(text);
      return typeof value === "object" && value !== null && !Array.isArray(value);
    }
    const form = new URLSearchParams(text);
    const payload = form.get("payload");
    if (payload === null) return true;
    const value: unknown = JSON.parse(payload);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export function verifySlackRequest(
  event: APIGatewayProxyEventV2,
  signingSecret: string,
  nowSeconds: number,
): Verdict {
  const body = rawBytes(event);
  const signature = header(event, "x-slack-signature");
  const timestamp = header(event, "x-slack-request-timestamp");
  if (!signature || !timestamp) {
    // Slack checks a slash command URL's certificate with an unsigned ssl_check=1 post.
    if (body.length < 200 && new URLSearchParams(body.toString("utf8")).get("ssl_check") === "1") {
      return { ok: "ssl_check" };
    }
    return { ok: false, status: 401, reason: "unsigned" };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, status: 401, reason: "bad timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) {
    return { ok: false, status: 401, reason: "timestamp outside the 5-minute window" };
  }
  if (!signatureMatches(signingSecret, timestamp, body, signature)) {
    return { ok: false, status: 401, reason: "bad signature" };
  }
  // Authenticated from here on; what follows only makes sure Bolt can read it.
  const type = mediaType(header(event, "content-type"));
  if (type !== FORM && type !== JSON_TYPE) {
    return { ok: false, status: 400, reason: "unsupported content type" };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return { ok: false, status: 400, reason: "body is not UTF-8" };
  }
  if (!readable(type, text)) return { ok: false, status: 400, reason: "unreadable body" };
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).filter(([k]) => k.toLowerCase() !== "content-type"),
  );
  return {
    ok: true,
    // Bolt decodes base64 bodies as ASCII and compares content types exactly: hand it UTF-8 text
    // and the bare media type. Its own signature check is off: this one ran, on the bytes.
    event: {
      ...event,
      headers: { ...headers, "content-type": type },
      body: text,
      isBase64Encoded: false,
    },
  };
}

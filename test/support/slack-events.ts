import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

const dir = fileURLToPath(new URL("../fixtures/slack/", import.meta.url));

/** The slash command payload Slack sends, with `text` replaced. */
export function slashCommand(
  text: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const base = JSON.parse(readFileSync(`${dir}slash-command.whois.json`, "utf8")) as Record<
    string,
    string
  >;
  return { ...base, ...overrides, text };
}

/** An interaction payload as Slack posts it: a form with one `payload` field holding JSON. */
export function blockActions(fixture: string): Record<string, string> {
  return { payload: readFileSync(`${dir}${fixture}`, "utf8") };
}

/** Slack's v0 signature: HMAC-SHA256 of "v0:{timestamp}:{raw body}" with the signing secret. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SignedEventOptions {
  timestamp?: number;
  /** API Gateway's receipt time, epoch milliseconds; default now. */
  timeEpoch?: number;
  secret?: string;
  signature?: string;
  headers?: Record<string, string>;
}

/** An API Gateway HTTP API (payload v2) event carrying a form-encoded Slack request. */
export function signedFormEvent(
  fields: Record<string, string>,
  options: SignedEventOptions = {},
): APIGatewayProxyEventV2 {
  return signedEvent(
    new URLSearchParams(fields).toString(),
    "application/x-www-form-urlencoded",
    options,
  );
}

/** The same for the Events API, which posts JSON. */
export function signedJsonEvent(
  payload: object,
  options: SignedEventOptions = {},
): APIGatewayProxyEventV2 {
  return signedEvent(JSON.stringify(payload), "application/json", options);
}

/** An Events API payload from test/fixtures/slack, with fields replaced. */
export function eventFixture(
  name: string,
  patch: (payload: Record<string, unknown>) => void = () => undefined,
): Record<string, unknown> {
  const payload = JSON.parse(readFileSync(`${dir}${name}`, "utf8")) as Record<string, unknown>;
  patch(payload);
  return payload;
}

function signedEvent(
  body: string,
  contentType: string,
  options: SignedEventOptions,
): APIGatewayProxyEventV2 {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = options.signature ?? sign(body, timestamp, options.secret);
  return {
    version: "2.0",
    routeKey: "POST /slack/events",
    rawPath: "/slack/events",
    rawQueryString: "",
    headers: {
      "content-type": contentType,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
      ...options.headers,
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      domainName: "a1b2c3d4e5.execute-api.ap-northeast-1.amazonaws.com",
      domainPrefix: "a1b2c3d4e5",
      http: {
        method: "POST",
        path: "/slack/events",
        protocol: "HTTP/1.1",
        sourceIp: "54.209.1.1",
        userAgent: "Slackbot 1.0",
      },
      requestId: "Kx1lUi6KtjMEJ1w=",
      routeKey: "POST /slack/events",
      stage: "$default",
      time: "23/Nov/2026:16:00:00 +0000",
      // When API Gateway took the request: now (the Slack timestamp may be set to test the window).
      timeEpoch: options.timeEpoch ?? Date.now(),
    },
    // HTTP APIs hand form bodies to Lambda base64-encoded.
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

/** A signed API Gateway event carrying any raw body under any content type. */
export function signedRawEvent(
  body: string,
  contentType: string,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const event = signedFormEvent({}, { timestamp, signature: sign(body, timestamp) });
  return {
    ...event,
    headers: { ...event.headers, "content-type": contentType } as Record<string, string>,
    body: Buffer.from(body).toString("base64"),
  };
}

// What every wire protocol does with node:http: read the body, send a JSON or XML answer with a
// request ID, and the AWS JSON error shape (`__type`, `x-amzn-errortype`).

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AwsError } from "../wire.ts";

export const JSON_1_1 = "application/x-amz-json-1.1";
export const JSON_1_0 = "application/x-amz-json-1.0";
export const FORM = "application/x-www-form-urlencoded";

/** How one AWS JSON service spells its errors. */
export interface JsonErrorStyle {
  /** AWS JSON 1.1 (ECS, Cloud Map) or 1.0 (CloudWatch). */
  contentType: string;
  /**
   * CloudWatch keeps its Query-protocol error codes: JSON errors carry them in `x-amzn-query-error`
   * (`<Code>;Sender`), the header the SDK reads first.
   */
  queryCompatible: boolean;
  /** Cloud Map's error shapes use `Message`, ECS's and CloudWatch's `message`. */
  messageKey: "message" | "Message";
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: string,
  contentType = JSON_1_1,
  errorHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": randomUUID(),
    ...errorHeaders,
  });
  res.end(payload);
}

export function sendJsonError(res: ServerResponse, error: AwsError, style?: JsonErrorStyle): void {
  const type = error.type ?? error.code;
  const messageKey = error.status === 500 ? "message" : (style?.messageKey ?? "message");
  const headers: Record<string, string> = { "x-amzn-errortype": type.split("#").pop() ?? type };
  if (style?.queryCompatible) {
    headers["x-amzn-query-error"] = `${error.code};${error.status >= 500 ? "Receiver" : "Sender"}`;
  }
  sendJson(
    res,
    error.status,
    JSON.stringify({ __type: type, [messageKey]: error.message }),
    style?.contentType,
    headers,
  );
}

export function sendXml(
  res: ServerResponse,
  status: number,
  payload: string,
  requestId: string,
): void {
  res.writeHead(status, {
    "content-type": "text/xml",
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": requestId,
  });
  res.end(payload);
}

/** Sends an XML document built around a fresh request ID. */
export function sendXmlWithId(
  res: ServerResponse,
  status: number,
  document: (requestId: string) => string,
): void {
  const requestId = randomUUID();
  sendXml(res, status, document(requestId), requestId);
}

import type { Context } from "aws-lambda";
import { logger, logInvocation } from "../aws/logger.ts";

/**
 * Lambda entry of ECS's task state change events (serverless.yml: dist/handler.addresses, an
 * EventBridge rule on aws.ecs "ECS Task State Change"): keeps the address book `whois <IP>` reads
 * first (src/aws/address-book.ts). A failed write throws, so Lambda retries the event and its
 * Errors metric shows it; writes are idempotent (same item, same version). The book's code loads
 * on first use: it stays off the Slack function's cold start.
 */
export async function addresses(event: unknown, context: Partial<Context> = {}): Promise<void> {
  logInvocation(context);
  const { addressBook } = await import("../aws/address-book.ts");
  const book = addressBook();
  if (!book) {
    logger.warn("no ADDRESS_TABLE: a task event was not kept");
    return;
  }
  const outcome = await book.record(event);
  if (outcome === "ignored") {
    logger.warn("ignored an event that is no task state change with an address");
  }
}

// The one file bundled as dist/handler.mjs (scripts/bundle.mjs): every Lambda entry of
// serverless.yml, by the name it gives them (dist/handler.handler, .addresses, .digest, .notify).
// Each entry imports what only it needs on first use, so the Slack function's cold start loads no
// digest, address-book or notification code (test/entry/lambda-cold-start.test.ts).
import type { Context } from "aws-lambda";

export { addresses } from "./addresses.ts";
export { digest } from "./digest.ts";
export { handler } from "./slack.ts";

/** ECS and CloudWatch events, and the flush timer (src/entry/notify.ts), loaded on first use. */
export async function notify(event: unknown, context: Partial<Context> = {}): Promise<void> {
  const entry = await import("./notify.ts");
  return entry.notify(event, context);
}

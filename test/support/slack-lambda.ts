import type { APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import nock from "nock";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { handler } from "../../src/entry/slack.ts";
import type { DeferredJob } from "../../src/slack/deferred-job.ts";
import { useEmulatedAws } from "./emulated-aws.ts";
import { SIGNING_SECRET, type signedFormEvent } from "./slack-events.ts";

/** Obviously fake; short enough not to look like a real token to secret scanners. */
export const BOT_TOKEN = "xoxb-test";
export const FUNCTION_NAME = "ecs-chatops-dev-slack";
const context = { functionName: FUNCTION_NAME, awsRequestId: "test-request" } as Context;

/**
 * The Lambda handler as Slack reaches it: signing secret and bot token in the environment (plus
 * `env`), AWS behind the loopback emulator, the network closed but for loopback and nock.
 */
export async function useSlackLambda(env: Record<string, string> = {}, fleet?: Fleet) {
  const settings = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, ...env };
  Object.assign(process.env, settings);
  const aws = await useEmulatedAws(fleet);
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  return {
    aws,
    emulator: aws.emulator,
    /** Slack's request through API Gateway. */
    async invoke(event: ReturnType<typeof signedFormEvent>) {
      return (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    },
    /** Lambda running a job the function handed itself (with this much time left, if given). */
    async runJob(job: unknown, remainingMs?: number) {
      const withTime =
        remainingMs === undefined
          ? context
          : { ...context, getRemainingTimeInMillis: () => remainingMs };
      return handler(job as DeferredJob, withTime);
    },
    async stop() {
      nock.cleanAll();
      nock.enableNetConnect();
      for (const name of Object.keys(settings)) delete process.env[name];
      await aws.stop();
    },
  };
}

/** Polls until `probe` returns a value (an asynchronous invocation arriving, say). */
export async function waitFor<T>(probe: () => T | undefined, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

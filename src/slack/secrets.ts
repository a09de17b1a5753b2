import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { SlackSecrets } from "./app.ts";

/**
 * The signing secret and bot token live in SSM Parameter Store as SecureStrings; the function's
 * environment holds only their names. Read once per cold start, never logged.
 */
export async function loadSlackSecrets(
  env: NodeJS.ProcessEnv = process.env,
  /** Aborts the read at the caller's deadline (Slack's 3 seconds include it on a cold start). */
  signal?: AbortSignal,
): Promise<SlackSecrets> {
  // Local runs (tests, Socket Mode) may pass the values directly.
  if (env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN) {
    return { signingSecret: env.SLACK_SIGNING_SECRET, botToken: env.SLACK_BOT_TOKEN };
  }
  const secretName = env.SLACK_SIGNING_SECRET_PARAM;
  const tokenName = env.SLACK_BOT_TOKEN_PARAM;
  if (!secretName || !tokenName) {
    throw new Error(
      "SLACK_SIGNING_SECRET_PARAM and SLACK_BOT_TOKEN_PARAM must name SSM parameters",
    );
  }
  const ssm = new SSMClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_200, throwOnRequestTimeout: true },
  });
  try {
    const out = await ssm.send(
      new GetParametersCommand({ Names: [secretName, tokenName], WithDecryption: true }),
      { abortSignal: signal },
    );
    const value = (name: string) => out.Parameters?.find((p) => p.Name === name)?.Value;
    const signingSecret = value(secretName);
    const botToken = value(tokenName);
    if (!signingSecret || !botToken) {
      throw new Error(`SSM parameters not found: ${(out.InvalidParameters ?? []).join(", ")}`);
    }
    return { signingSecret, botToken };
  } finally {
    ssm.destroy();
  }
}

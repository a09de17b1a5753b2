import { readParameters } from "../aws/parameters.ts";
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
  // In front of Slack's 3 seconds: fail fast rather than retry long.
  const { values, invalid } = await readParameters([secretName, tokenName], {
    signal,
    maxAttempts: 2,
    connectionTimeoutMs: 500,
    requestTimeoutMs: 1_200,
  });
  const signingSecret = values.get(secretName);
  const botToken = values.get(tokenName);
  if (!signingSecret || !botToken) {
    throw new Error(`SSM parameters not found: ${invalid.join(", ")}`);
  }
  return { signingSecret, botToken };
}

/**
 * The secrets of this container, read on first use and kept; a failed read does not stick, so the
 * next invocation tries again.
 */
export class SecretsCache {
  #loading: Promise<SlackSecrets> | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get(signal: AbortSignal): Promise<SlackSecrets> {
    const loading = this.#loading ?? loadSlackSecrets(this.env, signal);
    this.#loading = loading;
    loading.catch(() => {
      if (this.#loading === loading) this.#loading = undefined;
    });
    return loading;
  }

  /** For the benchmark and tests: the container as a cold start finds it. */
  forget(): void {
    this.#loading = undefined;
  }
}

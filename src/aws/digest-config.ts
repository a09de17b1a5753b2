// What the scheduled digest needs at each tick, in one GetParameters call: the Slack bot token
// (SecureString) and the digest targets (a String parameter holding JSON or YAML, so operators
// change them without a redeploy). Targets are re-read at every tick: a change applies at the
// next quarter hour.
import { parse } from "yaml";
import { type TargetsResult, validateTargets } from "../domain/digest-targets.ts";
import { readParameters } from "./parameters.ts";

export interface DigestConfig {
  botToken: string;
  /** No targets parameter: scheduled digests are off (incident digests need none). */
  targets: TargetsResult | "none";
}

/** Parses JSON or YAML (YAML 1.2 reads JSON as well) and validates it; never throws. */
export function targetsFrom(parameter: string, text: string): TargetsResult {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { ok: false, errors: [`${parameter}: not JSON or YAML: ${reason}`] };
  }
  return validateTargets(document);
}

/** Throws when the parameters cannot be read (denied, throttled, missing): nothing to post then. */
export async function loadDigestConfig(
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<DigestConfig> {
  const tokenName = env.SLACK_BOT_TOKEN_PARAM;
  const targetsName = env.DIGEST_TARGETS_PARAM;
  if (!tokenName || !targetsName) {
    throw new Error("SLACK_BOT_TOKEN_PARAM and DIGEST_TARGETS_PARAM must name SSM parameters");
  }
  const { values } = await readParameters([tokenName, targetsName], {
    signal,
    maxAttempts: 3,
    connectionTimeoutMs: 1_000,
    requestTimeoutMs: 3_000,
  });
  const botToken = values.get(tokenName);
  const targets = values.get(targetsName);
  if (!botToken) throw new Error(`SSM parameter not found: ${tokenName}`);
  // A deployment without scheduled digests has no targets parameter: that is "off", not an
  // error every quarter hour. A parameter that exists but cannot be read is an error (above).
  return {
    botToken,
    targets: targets === undefined ? "none" : targetsFrom(targetsName, targets),
  };
}

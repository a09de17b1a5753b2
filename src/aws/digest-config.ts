// What the scheduled digest needs at each tick, in one GetParameters call: the Slack bot token
// (SecureString) and the digest targets (a String parameter holding JSON or YAML, so operators
// change them without a redeploy). Targets are re-read at every tick: a change applies at the
// next quarter hour.
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parse } from "yaml";
import { type TargetsResult, validateTargets } from "../domain/digest-targets.ts";

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
  const ssm = new SSMClient({
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      throwOnRequestTimeout: true,
    },
  });
  try {
    const out = await ssm.send(
      new GetParametersCommand({ Names: [tokenName, targetsName], WithDecryption: true }),
      { abortSignal: signal },
    );
    const value = (name: string) => out.Parameters?.find((p) => p.Name === name)?.Value;
    const botToken = value(tokenName);
    const targets = value(targetsName);
    if (!botToken) throw new Error(`SSM parameter not found: ${tokenName}`);
    // A deployment without scheduled digests has no targets parameter: that is "off", not an
    // error every quarter hour. A parameter that exists but cannot be read is an error (above).
    return {
      botToken,
      targets: targets === undefined ? "none" : targetsFrom(targetsName, targets),
    };
  } finally {
    ssm.destroy();
  }
}

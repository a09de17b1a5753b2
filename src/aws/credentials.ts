// The process's own credentials, and those of a place reached through a role in another account
// (STS AssumeRole), through the SDK's own providers (@aws-sdk/credential-providers): each shared by
// every client that uses it and kept until shortly before it expires. A role that cannot be
// assumed becomes an AwsReadError naming the role, so the answer says "could not assume role …"
// once for that place instead of failing.
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { AwsReadError, classify } from "./errors.ts";

type Provider = ReturnType<typeof fromTemporaryCredentials>;
type Identity = Awaited<ReturnType<Provider>>;

/** Credentials are renewed this long before they expire (the SDK's own window is 5 minutes). */
export const RENEW_BEFORE_MS = 5 * 60_000;
/** How long a refused AssumeRole is believed before STS is asked again. */
export const REFUSAL_KEPT_MS = 60_000;
/** An hour: AssumeRole's default, and the most a role-chained session may ask for. */
const SESSION_SECONDS = 3_600;

/**
 * One provider's result shared by all its callers until `renewBeforeMs` before it expires.
 * Concurrent callers share one request; a failure is not kept, so the next read asks again.
 */
export function sharedUntilExpiry(
  provider: () => Promise<Identity>,
  now: () => number = Date.now,
  renewBeforeMs = RENEW_BEFORE_MS,
): () => Promise<Identity> {
  let current: Promise<Identity> | undefined;
  let expires = Number.POSITIVE_INFINITY;
  return () => {
    if (current && now() < expires - renewBeforeMs) return current;
    const loading = provider().then((identity) => {
      expires = identity.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
      return identity;
    });
    current = loading;
    expires = Number.POSITIVE_INFINITY;
    loading.catch(() => {
      if (current === loading) current = undefined;
    });
    return loading;
  };
}

let own: (() => Promise<Identity>) | undefined;

/**
 * The process's own credentials, from the SDK's default chain (in Lambda, the function's role; in
 * a terminal, the AWS CLI's choice: see cli-credentials.ts), one provider for every client. Left
 * to themselves, each SDK client runs the chain on its own: a profile's credential_process or SSO
 * token exchange would run once per client.
 */
export function ownCredentials(): () => Promise<Identity> {
  own ??= sharedUntilExpiry(fromNodeProviderChain());
  return own;
}

/** The next ownCredentials() runs the chain again (the environment or profile changed). */
export function forgetOwnCredentials(): void {
  own = undefined;
}

function codeOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "Error" ? name : "UnknownError";
}

/** The role's credentials, as the SDK clients of that place ask for them. */
export function assumedRole(
  roleArn: string,
  /** Where STS is asked: the bot's own region (credentials are valid in every region). */
  stsRegion: string,
  clientConfig: Record<string, unknown>,
): Provider {
  const provider = fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: "ecs-chatops", DurationSeconds: SESSION_SECONDS },
    masterCredentials: ownCredentials(),
    clientConfig: { ...clientConfig, region: stsRegion },
  });
  // A refusal (the role does not trust the bot, or the bot may not assume it) is remembered for a
  // minute: every read of the place would otherwise ask STS again, one refusal per round trip.
  // Throttling and timeouts are not remembered: the next read may well succeed.
  let refused: { error: AwsReadError; until: number } | undefined;
  const shared = sharedUntilExpiry(async () => {
    try {
      return await provider();
    } catch (error) {
      const code = codeOf(error);
      const failure = new AwsReadError(
        `assume role ${roleArn}`,
        `sts:AssumeRole on ${roleArn}`,
        classify(code),
        code,
        { cause: error },
      );
      if (failure.kind === "access-denied") {
        refused = { error: failure, until: Date.now() + REFUSAL_KEPT_MS };
      }
      throw failure;
    }
  });
  return async () => {
    if (refused && Date.now() < refused.until) throw refused.error;
    return shared();
  };
}

// The terminal's AWS settings, found as the AWS CLI finds them, through the SDK's own loaders:
// the profile (--profile, then AWS_PROFILE, else "default"), its region (--region, then AWS_REGION,
// then AWS_DEFAULT_REGION, then the profile's `region`, then the instance's), and whether its
// credentials can be had. What is wrong becomes one line naming the fix, never a stack or a verdict.
import {
  loadConfig,
  loadSharedConfigFiles,
  NODE_REGION_CONFIG_FILE_OPTIONS,
  NODE_REGION_CONFIG_OPTIONS,
  type Profile,
} from "@smithy/core/config";
import { ownCredentials } from "./credentials.ts";

type Env = Record<string, string | undefined>;

export interface AwsProfile {
  name: string;
  /** Where the name came from. */
  from: "--profile" | "AWS_PROFILE" | "default";
  /** Whether ~/.aws/config or ~/.aws/credentials has a section of that name. */
  exists: boolean;
  /** Its settings, both files merged (the credentials file's win, as the SDK has it). */
  settings: Profile;
  /** The profile `aws sso login` renews: this one, or the source profile its role is assumed with. */
  ssoProfile?: string;
  /** The same for `aws login` (console credentials). */
  loginProfile?: string;
  /**
   * The credentials are AWS_ACCESS_KEY_ID and its siblings: they are set and no --profile is
   * given (the AWS CLI takes them over AWS_PROFILE, whose profile still gives the region).
   */
  envKeys: boolean;
}

export async function awsProfile(flag: string | undefined, env: Env = process.env) {
  const named = flag ?? env.AWS_PROFILE;
  const name = named || "default";
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  const merged = (n: string): Profile | undefined =>
    configFile[n] || credentialsFile[n] ? { ...configFile[n], ...credentialsFile[n] } : undefined;
  const settings = merged(name);
  // A role profile's credentials come from its source profile: follow the chain a few steps.
  const withKey = (key: string): string | undefined => {
    let current: string | undefined = name;
    for (let hop = 0; current && hop < 5; hop++) {
      const s = merged(current);
      if (s?.[key]) return current;
      current = s?.source_profile;
    }
    return undefined;
  };
  const ssoProfile = withKey("sso_session") ?? withKey("sso_start_url");
  const loginProfile = withKey("login_session");
  const profile: AwsProfile = {
    name,
    from: flag ? "--profile" : env.AWS_PROFILE ? "AWS_PROFILE" : "default",
    exists: settings !== undefined,
    settings: settings ?? {},
    envKeys: !flag && Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY),
    ...(ssoProfile ? { ssoProfile } : {}),
    ...(loginProfile ? { loginProfile } : {}),
  };
  return profile;
}

export interface FoundRegion {
  region: string;
  /** "AWS_REGION", "AWS_DEFAULT_REGION", "profile eu", "instance metadata". */
  from: string;
}

const REGION_VARIABLES = ["AWS_REGION", "AWS_DEFAULT_REGION"] as const;

/**
 * The profile's region by the SDK's own loader, except that AWS_DEFAULT_REGION counts as the
 * AWS CLI has it (the SDK reads AWS_REGION only). Undefined when none is configured anywhere.
 */
export async function awsRegion(profile: AwsProfile, env: Env = process.env) {
  const variable = REGION_VARIABLES.find((name) => env[name]?.trim());
  const region = await loadConfig(
    {
      ...NODE_REGION_CONFIG_OPTIONS,
      environmentVariableSelector: () => (variable ? env[variable]?.trim() : undefined),
    },
    { ...NODE_REGION_CONFIG_FILE_OPTIONS, profile: profile.name },
  )().catch(() => undefined);
  if (!region) return undefined;
  const from = variable
    ? variable
    : profile.settings.region === region
      ? `profile ${profile.name}`
      : "instance metadata";
  const found: FoundRegion = { region, from };
  return found;
}

/**
 * Makes every SDK client of this process take the credentials the AWS CLI would: --profile over
 * keys in the environment, those keys over AWS_PROFILE. The SDK alone takes AWS_PROFILE over the
 * keys, with a 9-line warning on the terminal.
 */
export function useCredentialsOf(flag: string | undefined, env: Env = process.env): void {
  if (flag) {
    env.AWS_PROFILE = flag;
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
      delete env[name];
    }
  } else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    delete env.AWS_PROFILE;
  }
}

/** Why AWS cannot be asked with these credentials, or undefined if they can be had. */
export async function credentialsProblem(
  now: () => number = Date.now,
): Promise<CredentialsProblem | undefined> {
  try {
    // The very provider the SDK clients will use (see useCredentialsOf): AWS_PROFILE names the
    // profile; without one, keys in the environment come first. What it loads here is kept for
    // them, so a credential_process or SSO exchange runs once in a run.
    const identity = await ownCredentials()();
    if (identity.expiration && identity.expiration.getTime() <= now()) {
      return { kind: "expired", code: "expired" };
    }
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The chain's last word when no provider had anything; any other is a provider's own failure
    // (an SSO token not found, a credential_process that failed).
    if (/could not load credentials from any providers/i.test(message)) {
      return { kind: "missing", code: "none" };
    }
    return { kind: "unusable", code: firstSentence(message) };
  }
}

export interface CredentialsProblem {
  kind: "missing" | "expired" | "rejected" | "unusable";
  /** The AWS error code, or the provider's own words. */
  code: string;
}

const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException"]);
const REJECTED = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "AuthFailure",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
]);
const UNAVAILABLE = new Set(["CredentialsProviderError", "TokenProviderError"]);

/** Whether an AWS call's failure code says the credentials are the problem, and how. */
export function credentialsFailure(code: string): CredentialsProblem | undefined {
  if (EXPIRED.has(code)) return { kind: "expired", code };
  if (REJECTED.has(code)) return { kind: "rejected", code };
  if (UNAVAILABLE.has(code)) return { kind: "unusable", code };
  return undefined;
}

function firstSentence(text: string): string {
  const line = text.split("\n")[0] ?? "";
  const end = line.search(/\.(\s|$)/);
  return (end > 0 ? line.slice(0, end) : line).trim().slice(0, 160);
}

const profileFlag = (name: string) => (name === "default" ? "" : ` --profile ${name}`);

/** One line: what is wrong with the credentials, where, and the command that fixes it. */
export function credentialsHint(
  profile: AwsProfile,
  problem: CredentialsProblem,
  where: string,
): string {
  const whose = profile.envKeys
    ? "the credentials in AWS_ACCESS_KEY_ID"
    : `the credentials of profile ${profile.name}`;
  const sso = profile.ssoProfile;
  const what =
    sso && problem.kind !== "rejected"
      ? `the SSO session of profile ${sso}${sso === profile.name ? "" : ` (the source of profile ${profile.name})`} has expired or was never logged in`
      : problem.kind === "missing"
        ? `no AWS credentials for profile ${profile.name}`
        : problem.kind === "expired"
          ? `${whose} have expired${problem.code === "expired" ? "" : ` (${problem.code})`}`
          : problem.kind === "rejected"
            ? `AWS does not accept ${whose} (${problem.code})`
            : `${whose} cannot be loaded (${problem.code})`;
  const fix = profile.ssoProfile
    ? `run \`aws sso login${profileFlag(profile.ssoProfile)}\``
    : profile.loginProfile
      ? `run \`aws login${profileFlag(profile.loginProfile)}\``
      : profile.envKeys
        ? "export fresh ones, or unset AWS_ACCESS_KEY_ID and name a profile with --profile"
        : `run \`aws configure${profileFlag(profile.name)}\`, or name another profile with --profile or AWS_PROFILE`;
  return `ecs-chatops: cannot read AWS in ${where}: ${what}; ${fix}`;
}

// A terminal for the CLI's tests: a temporary HOME holding ~/.aws/config, the AWS environment
// variables an operator's shell may carry cleared (vi.stubEnv, restored after each test), and AWS
// behind a loopback address where nothing answers, or where every call is refused.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";

/** Every variable that changes which region, profile or credentials the CLI uses. */
export const AWS_SETTINGS = [
  "HOME",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_ENDPOINT_URL",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "BOT_TARGETS",
  "BOT_REGIONS",
  "ECS_CHATOPS_DEBUG",
] as const;

/** The operator's ~/.aws/config: a default profile, a profile in Frankfurt, two SSO profiles. */
export const AWS_CONFIG = `[default]
region = us-west-2

[profile eu]
region = eu-central-1

[profile oncall]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-east-2

[profile oncall-admin]
role_arn = arn:aws:iam::111111111111:role/Admin
source_profile = oncall
region = us-east-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`;

/** A fresh HOME (the SDK caches what it read per file path, so never reuse one). */
export function homeWith(config: string | undefined): string {
  const home = mkdtempSync(join(tmpdir(), "ecs-chatops-cli-"));
  if (config !== undefined) {
    mkdirSync(join(home, ".aws"));
    writeFileSync(join(home, ".aws", "config"), config);
  }
  return home;
}

/** A loopback port nothing listens on: every connection is refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An AWS JSON endpoint that refuses every call with this error code (ExpiredTokenException…). */
export async function refusingAws(code: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(400, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-errortype": code,
      });
      response.end(JSON.stringify({ __type: code, message: "The security token is expired" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The CLI's environment for one test: everything of AWS_SETTINGS cleared, then `env` set; the
 * instance metadata service off (nothing to wait for on a developer's machine or in CI).
 */
export function terminalEnv(env: Record<string, string | undefined>): void {
  for (const name of AWS_SETTINGS) vi.stubEnv(name, undefined);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
}

/** A child process's environment: PATH and `env`, nothing of the test runner's. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", ...env };
}

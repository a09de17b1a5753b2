import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetAwsClients } from "../../src/aws/clients.ts";
import { logger } from "../../src/aws/logger.ts";
import { clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { main } from "../../src/entry/cli.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { AWS_CONFIG, closedPort, homeWith, refusingAws, terminalEnv } from "./support/terminal.ts";

beforeEach(() => {
  forgetAwsClients();
  clearSharedCache();
});

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel("INFO");
  forgetAwsClients();
  clearSharedCache();
});

/** Runs the CLI in this process; what it printed on stdout and stderr, and its exit code. */
async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("the terminal", () => {
  it("shows the answer and no JSON log line", async () => {
    // Prepare
    const printed: string[] = [];
    const consoleLines = vi.fn();
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation(consoleLines);
    }
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);

    // Act
    const code = await main(["--help"], {
      out: (t) => printed.push(t),
      err: (t) => printed.push(t),
    });
    logger.warn("a line the terminal must not show");

    // Assess
    expect(code).toBe(0);
    expect(printed.join("")).toContain("usage: ecs-chatops");
    expect(consoleLines).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
  });

  it("documents --profile, --region and every exit code in --help", async () => {
    const { code, out } = await run(["--help"]);

    expect(code).toBe(0);
    for (const text of ["--profile", "--region", " 0 ", " 2 ", " 253 ", " 254 ", " 255 "]) {
      expect(out).toContain(text);
    }
  });
});

describe("the terminal's region, found as the AWS CLI finds it", () => {
  const noCredentials = async (argv: string[], env: Record<string, string | undefined>) => {
    terminalEnv({ HOME: homeWith(AWS_CONFIG), ...env });
    return run(argv);
  };

  it("reads the default profile's region in ~/.aws/config", async () => {
    const { err } = await noCredentials(["whois", "nginx"], {});

    expect(err).toContain("us-west-2");
    expect(err).not.toContain("ap-northeast-1");
  });

  it("reads the region of the profile AWS_PROFILE names", async () => {
    const { err } = await noCredentials(["whois", "nginx"], { AWS_PROFILE: "eu" });

    expect(err).toContain("eu-central-1");
    expect(err).toContain("profile eu");
  });

  it("takes --profile over AWS_PROFILE", async () => {
    const { err } = await noCredentials(["whois", "nginx", "--profile", "eu"], {
      AWS_PROFILE: "default",
    });

    expect(err).toContain("eu-central-1");
  });

  it("takes AWS_REGION, then AWS_DEFAULT_REGION, over the profile's region", async () => {
    const both = await noCredentials(["whois", "nginx"], {
      AWS_REGION: "ca-central-1",
      AWS_DEFAULT_REGION: "sa-east-1",
    });
    const legacy = await noCredentials(["whois", "nginx"], { AWS_DEFAULT_REGION: "sa-east-1" });

    expect(both.err).toContain("ca-central-1");
    expect(legacy.err).toContain("sa-east-1");
  });

  it("takes --region over everything else", async () => {
    const { err } = await noCredentials(["whois", "nginx", "--region", "ap-south-1"], {
      AWS_PROFILE: "eu",
      AWS_REGION: "ca-central-1",
    });

    expect(err).toContain("ap-south-1");
  });

  it("says there is no region, and how to give one, instead of guessing ap-northeast-1", async () => {
    terminalEnv({
      HOME: homeWith(undefined),
      AWS_ACCESS_KEY_ID: "AKID",
      AWS_SECRET_ACCESS_KEY: "s",
    });

    const { code, out, err } = await run(["whois", "nginx"]);

    expect(code).toBe(253);
    expect(out).toBe("");
    expect(lines(err)).toHaveLength(1);
    expect(err).toMatch(/no AWS region.*--region.*aws configure/);
  });

  it("names a profile that does not exist instead of reading anything", async () => {
    const { code, err } = await noCredentials(["whois", "nginx", "--profile", "nope"], {});

    expect(code).toBe(253);
    expect(lines(err)).toHaveLength(1);
    expect(err).toContain("profile nope");
  });
});

describe("the terminal without usable credentials: one line naming the fix", () => {
  it("without any credentials, says to run aws configure, never 'Not found'", async () => {
    terminalEnv({ HOME: homeWith(AWS_CONFIG), AWS_PROFILE: "eu" });

    const { code, out, err } = await run(["whois", "nginx"]);

    expect(code).toBe(253);
    expect(out).toBe("");
    expect(lines(err)).toEqual([
      expect.stringMatching(/no AWS credentials.*aws configure --profile eu/),
    ]);
    expect(err).not.toMatch(/Not found|CredentialsProviderError|\n\s+at /);
  });

  it("for an SSO profile that is not logged in, says to run aws sso login with the profile", async () => {
    terminalEnv({ HOME: homeWith(AWS_CONFIG) });

    const { code, err } = await run(["health", "nginx", "--profile", "oncall"]);

    expect(code).toBe(253);
    expect(lines(err)).toEqual([expect.stringContaining("aws sso login --profile oncall")]);
    expect(err).toContain("us-east-2");
  });

  it("for a role whose source profile is SSO, says to log that source profile in", async () => {
    terminalEnv({ HOME: homeWith(AWS_CONFIG), AWS_PROFILE: "oncall-admin" });

    const { code, err } = await run(["whois", "nginx"]);

    expect(code).toBe(253);
    expect(lines(err)).toEqual([expect.stringContaining("aws sso login --profile oncall")]);
  });

  it("for credentials AWS says have expired, says so and how to renew them", async () => {
    const aws = await refusingAws("ExpiredTokenException");
    terminalEnv({
      HOME: homeWith(AWS_CONFIG),
      AWS_ACCESS_KEY_ID: "ASIAEXPIRED",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "t",
      AWS_ENDPOINT_URL: aws.url,
    });
    try {
      const { code, out, err } = await run(["whois", "nginx"]);

      expect(code).toBe(253);
      expect(out).toBe("");
      expect(lines(err)).toEqual([
        expect.stringMatching(/expired \(ExpiredTokenException\).*AWS_ACCESS_KEY_ID/),
      ]);
      expect(err).toContain("us-west-2");
    } finally {
      await aws.close();
    }
  });

  it("takes keys in the environment over AWS_PROFILE, and --profile over those keys, silently", async () => {
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const keys = { AWS_ACCESS_KEY_ID: "ASIAEXPIRED", AWS_SECRET_ACCESS_KEY: "s" };
    const aws = await refusingAws("ExpiredTokenException");
    try {
      terminalEnv({
        HOME: homeWith(AWS_CONFIG),
        AWS_PROFILE: "eu",
        AWS_ENDPOINT_URL: aws.url,
        ...keys,
      });
      const envKeys = await run(["whois", "nginx"]);
      terminalEnv({ HOME: homeWith(AWS_CONFIG), AWS_ENDPOINT_URL: aws.url, ...keys });
      const flag = await run(["whois", "nginx", "--profile", "eu"]);

      // The keys, read in the region of the profile AWS_PROFILE names, as the AWS CLI does.
      expect(lines(envKeys.err)).toEqual([
        expect.stringMatching(/in eu-central-1: the credentials in AWS_ACCESS_KEY_ID have expired/),
      ]);
      expect(lines(flag.err)).toEqual([
        expect.stringContaining("no AWS credentials for profile eu"),
      ]);
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      await aws.close();
    }
  });

  it("for credentials whose expiry has passed, says so before asking AWS", async () => {
    terminalEnv({
      HOME: homeWith(AWS_CONFIG),
      AWS_ACCESS_KEY_ID: "ASIAEXPIRED",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_SESSION_TOKEN: "t",
      AWS_CREDENTIAL_EXPIRATION: "2020-01-01T00:00:00Z",
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
    });

    const { code, err } = await run(["whois", "nginx"]);

    expect(code).toBe(253);
    expect(lines(err)).toEqual([expect.stringMatching(/expired/)]);
  });
});

describe("the terminal's exit codes", () => {
  it("exits 2 on an unknown command, with one line and the usage", async () => {
    const { code, out, err } = await run(["frobnicate", "nginx"]);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(lines(err)[0]).toBe('ecs-chatops: unknown command "frobnicate"');
    expect(err).toContain("usage: ecs-chatops");
  });

  it("suggests the command a typo was meant to be", async () => {
    const { code, err } = await run(["helth", "nginx"]);

    expect(code).toBe(2);
    expect(lines(err)[0]).toBe('ecs-chatops: unknown command "helth" (did you mean health?)');
  });

  it("exits 2 on an unknown option, without Node's parser text", async () => {
    const { code, err } = await run(["whois", "nginx", "--frob"]);

    expect(code).toBe(2);
    expect(lines(err)[0]).toBe("ecs-chatops: unknown option --frob");
    expect(err).not.toContain("To specify a positional argument");
    expect(err).toContain("usage: ecs-chatops");
  });

  it("exits 2 on an option without its value, or a region that is not one", async () => {
    const missing = await run(["whois", "nginx", "--region"]);
    const bad = await run(["whois", "nginx", "--region", "tokyo"]);

    expect(missing.code).toBe(2);
    expect(lines(missing.err)[0]).toBe("ecs-chatops: --region needs a value");
    expect(bad.code).toBe(2);
    expect(lines(bad.err)[0]).toBe('ecs-chatops: --region: "tokyo" is not an AWS region');
  });

  it("exits 2 without a command, the usage on stderr", async () => {
    const { code, out, err } = await run([]);

    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("usage: ecs-chatops");
  });

  it("exits 254 when AWS could not be read at all, with one line naming the region", async () => {
    terminalEnv({
      HOME: homeWith(AWS_CONFIG),
      AWS_ACCESS_KEY_ID: "AKID",
      AWS_SECRET_ACCESS_KEY: "s",
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
    });

    const { code, out, err } = await run(["whois", "nginx"]);

    expect(code).toBe(254);
    expect(out).toBe("");
    expect(lines(err)).toEqual([
      expect.stringMatching(/could not read AWS in us-west-2: .*could not reach .*ECONNREFUSED/),
    ]);
    expect(err).not.toMatch(/Not found|\n\s+at /);
  }, 60_000);

  describe("against the loopback emulator", () => {
    let stop: () => Promise<void>;
    beforeEach(async () => {
      terminalEnv({
        HOME: homeWith(undefined),
        AWS_ACCESS_KEY_ID: "AKIDTESTONLY",
        AWS_SECRET_ACCESS_KEY: "test-secret",
        AWS_REGION: "ap-northeast-1",
      });
      ({ stop } = await useEmulatedAws());
    });
    afterEach(() => stop());

    it("exits 0 on an answer, found or not found", async () => {
      const found = await run(["whois", "nginx.service-connect"]);
      const absent = await run(["whois", "no-such-name"]);

      expect(found.code).toBe(0);
      expect(found.out).toContain("nginx.service-connect →");
      expect(absent.code).toBe(0);
      expect(absent.out).toContain("Not found");
      expect(absent.err).toBe("");
    });

    it("names the region and profile it read with --stats", async () => {
      const { code, err } = await run(["whois", "nginx.service-connect", "--stats"]);

      expect(code).toBe(0);
      expect(err).toContain(
        "Read ap-northeast-1 (region from AWS_REGION) with the credentials in AWS_ACCESS_KEY_ID",
      );
    });

    it("exits 2 on a command that lacks its name, with what to type", async () => {
      const { code, out, err } = await run(["whois"]);

      expect(code).toBe(2);
      expect(out).toContain("no name given");
      expect(err).toBe("");
    });
  });
});

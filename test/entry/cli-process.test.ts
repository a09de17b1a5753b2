// The installed binary as a shell runs it: its own process (so Node's warnings, which print once a
// process, show if they would), the exit code the shell sees, and nothing but the one line. The
// binary is bin/ecs-chatops.mjs copied beside a fresh build (`npm run build`, into a temporary
// directory with no node_modules anywhere above it): what it needs at run time is in the build.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";
import { AWS_CONFIG, childEnv, closedPort, homeWith, refusingAws } from "./support/terminal.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** bin/ecs-chatops.mjs alone in `dir`/bin, as in the repository; `dir`/dist-cli is its build. */
function installBin(dir: string): string {
  mkdirSync(join(dir, "bin"));
  const bin = join(dir, "bin", "ecs-chatops.mjs");
  copyFileSync(join(ROOT, "bin", "ecs-chatops.mjs"), bin);
  return bin;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const installed = mkdtempSync(join(tmpdir(), "ecs-chatops-bin-"));
const BIN = installBin(installed);

function shell(argv: string[], env: Record<string, string>) {
  return exec(process.execPath, [BIN, ...argv], childEnv(env));
}

beforeAll(async () => {
  // What `npm run build` runs, into the temporary install.
  const build = await exec(
    process.execPath,
    ["scripts/bundle.mjs", "--cli", "--outdir", join(installed, "dist-cli")],
    { PATH: process.env.PATH },
    ROOT,
  );
  expect(build.stderr).toBe("");
  expect(build.code).toBe(0);
}, 120_000);

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe("the ecs-chatops binary", () => {
  it("runs the compiled build, with no node_modules and no tsx beside it", () => {
    expect(readFileSync(BIN, "utf8")).not.toMatch(/tsx|\.ts["']/);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
  });

  it("prints one line naming the fix and exits 253 when AWS refuses the credentials: no SDK warning, no stack", async () => {
    const aws = await refusingAws("ExpiredTokenException");
    try {
      const { code, stdout, stderr } = await shell(["whois", "nginx"], {
        HOME: homeWith(AWS_CONFIG),
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: "ASIAEXPIRED",
        AWS_SECRET_ACCESS_KEY: "s",
        AWS_SESSION_TOKEN: "t",
      });

      expect(stdout).toBe("");
      expect(stderr).not.toMatch(/NodeVersionSupportWarning|Warning:|\n\s+at /);
      expect(lines(stderr)).toHaveLength(1);
      expect(code).toBe(253);
    } finally {
      await aws.close();
    }
  }, 60_000);

  it("exits 254 with one line naming the region when AWS is at a closed loopback port", async () => {
    const { code, stdout, stderr } = await shell(["whois", "nginx"], {
      HOME: homeWith(AWS_CONFIG),
      AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
      AWS_ACCESS_KEY_ID: "AKID",
      AWS_SECRET_ACCESS_KEY: "s",
    });

    expect(stdout).toBe("");
    expect(lines(stderr)).toEqual([
      expect.stringMatching(/^ecs-chatops: could not read AWS in us-west-2: .*ECONNREFUSED/),
    ]);
    expect(code).toBe(254);
  }, 60_000);

  it("exits 2 on an unknown command", async () => {
    const { code, stdout, stderr } = await shell(["frobnicate"], { HOME: homeWith(undefined) });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe('ecs-chatops: unknown command "frobnicate"');
  }, 60_000);

  it("says, in one line, to run npm run build when the build is missing", async () => {
    const bin = installBin(mkdtempSync(join(tmpdir(), "ecs-chatops-unbuilt-")));

    const { code, stdout, stderr } = await exec(
      process.execPath,
      [bin, "whois", "nginx"],
      childEnv({ HOME: homeWith(undefined) }),
    );

    expect(stdout).toBe("");
    expect(lines(stderr)).toEqual([expect.stringContaining("run `npm run build`")]);
    expect(code).toBe(253);
  }, 60_000);
});

describe("the binary's credentials", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ fleet: loadDemoFleet(), latencyMs: 0 });
  });
  afterAll(() => emulator.close());

  it("runs the profile's credential_process once for a command that reads several AWS services", async () => {
    const home = homeWith(undefined);
    const counter = join(home, "credential-process-runs");
    const script = join(home, "credentials.mjs");
    writeFileSync(
      script,
      `import { appendFileSync } from "node:fs";
appendFileSync(process.argv[2], "ran\\n");
console.log(JSON.stringify({
  Version: 1,
  AccessKeyId: "ASIAPROCESS",
  SecretAccessKey: "secret",
  SessionToken: "token",
  Expiration: new Date(Date.now() + 3_600_000).toISOString(),
}));
`,
    );
    mkdirSync(join(home, ".aws"));
    writeFileSync(
      join(home, ".aws", "config"),
      `[profile oncall]\nregion = ap-northeast-1\ncredential_process = "${process.execPath}" "${script}" "${counter}"\n`,
    );

    const { code, stdout, stderr } = await shell(
      ["whois", "nginx.service-connect", "--profile", "oncall", "--stats"],
      { HOME: home, AWS_ENDPOINT_URL: emulator.url },
    );

    expect(code).toBe(0);
    expect(stdout).toContain("nginx.service-connect →");
    // ECS and Cloud Map: two SDK clients, one credential_process.
    expect(stderr).toMatch(/DescribeServices=\d.*DiscoverInstances=\d/);
    expect(readFileSync(counter, "utf8")).toBe("ran\n");
  }, 60_000);
});

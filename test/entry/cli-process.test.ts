// The installed binary as a shell runs it: its own process (so Node's warnings, which print once a
// process, show if they would), the exit code the shell sees, and nothing but the one line.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AWS_CONFIG, childEnv, homeWith, refusingAws } from "./support/terminal.ts";

const BIN = fileURLToPath(new URL("../../bin/ecs-chatops.mjs", import.meta.url));

function shell(argv: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { env: childEnv(env), timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("the ecs-chatops binary", () => {
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
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(code).toBe(253);
    } finally {
      await aws.close();
    }
  }, 60_000);

  it("exits 2 on an unknown command", async () => {
    const { code, stdout, stderr } = await shell(["frobnicate"], { HOME: homeWith(undefined) });

    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe('ecs-chatops: unknown command "frobnicate"');
  }, 60_000);
});

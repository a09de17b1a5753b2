import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/entry/cli.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// The digest as the terminal user types it, end to end through the CLI on the demo fleet: the
// digest command's own answers reach the terminal, never Node's option parser's.

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
beforeAll(async () => {
  aws = await useEmulatedAws();
});
afterAll(async () => {
  await aws.stop();
});

async function terminal(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, "--region", "ap-northeast-1"], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join(""), err: err.join("") };
}

describe("ecs-chatops digest in a terminal", () => {
  it("answers --every and --for with what to run instead, not 'Unknown option'", async () => {
    const run = await terminal("digest", "staging", "--every", "15m", "--for", "2h");

    expect(run.out).toBe(
      "--every and --for schedule digests in a Slack channel; in the terminal, run digest staging again.\n",
    );
    expect(run.err).not.toContain("Unknown option");
  });

  it("answers a mistyped cluster with the one it resembles", async () => {
    const run = await terminal("digest", "tutorail");

    expect(run.out).toBe(
      "No cluster or namespace tutorail in ap-northeast-1. Did you mean tutorial?\n",
    );
  });
});

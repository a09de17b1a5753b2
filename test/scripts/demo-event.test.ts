import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { playEvents } from "../../scripts/demo-event.ts";

// `npm run demo -- event FILE`: AWS's published events through the notification path, one line
// per Slack call it would make.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FAILED = "test/fixtures/events/ecs-deployment-state-change-failed.json";
const SEQUENCE = "test/fixtures/event-sequences/failed-deployment-rollback.json";
const HEADLINE =
  "✖ servicetest (default): deployment failed: ECS deployment circuit breaker: task failed to start.";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "demo-event-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function demo(args: string[]): Promise<{ stdout: string; code: number }> {
  const tsx = join(ROOT, "node_modules/.bin/tsx");
  const env = { ...process.env, ECS_CHATOPS_DEMO_INCIDENTS: join(dir, "incidents.json") };
  return new Promise((resolve) => {
    execFile(tsx, ["scripts/demo.ts", ...args], { cwd: ROOT, env, timeout: 60_000 }, (e, stdout) =>
      resolve({ stdout, code: e ? Number(e.code ?? 1) : 0 }),
    );
  });
}

describe("npm run demo -- event FILE", () => {
  it("prints the post AWS's failed deployment makes in #ecs-alerts", async () => {
    const { stdout, code } = await demo(["event", FAILED]);
    expect(code).toBe(0);
    expect(stdout).toBe(`post #ecs-alerts ${HEADLINE}\n`);
  }, 60_000);

  it("plays an array in order: the post, a reply and an edit, the resolution; replayed, nothing", async () => {
    const lines: string[] = [];
    const options = {
      statePath: join(dir, "s.json"),
      out: (l: string) => lines.push(l),
      err: () => {},
    };
    expect(await playEvents([join(ROOT, SEQUENCE)], options)).toBe(0);
    expect(lines).toEqual([
      `post #ecs-alerts ${HEADLINE}`,
      "thread #ecs-alerts Also: rollback started: ECS deployment circuit breaker: rolling back to deploymentId deploymentID.",
      `update #ecs-alerts ${HEADLINE} (2 events, 2020-05-23 12:31 UTC)`,
      `update #ecs-alerts ✔ recovered after 12 min: ${HEADLINE}`,
      "thread #ecs-alerts ✔ recovered after 12 min: deployment ecs-svc/123 completed: ECS deployment deploymentID completed. (2 events)",
    ]);
    lines.length = 0;
    await playEvents([join(ROOT, SEQUENCE)], options); // EventBridge delivering them again
    expect(lines).toEqual([]);
  });
});

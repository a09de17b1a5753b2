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
const BILLING = "test/fixtures/event-sequences/billing-worker-out-of-memory.json";
const HEADLINE =
  "✖ servicetest (default): deployment failed: ECS deployment circuit breaker: task failed to start.";
// AWS's published events are of an account the demo fleet is not: not read, and said.
const NOT_READ =
  "  Not enriched: account 111122223333 in us-west-2 is not a place the bot reads (BOT_TARGETS)";

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
    expect(stdout).toBe(`post #ecs-alerts ${HEADLINE}\n${NOT_READ}\n`);
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
      NOT_READ,
      "thread #ecs-alerts Also: rollback started: ECS deployment circuit breaker: rolling back to deploymentId deploymentID.",
      `update #ecs-alerts ${HEADLINE} (2 events, 2020-05-23 12:31 UTC)`,
      `update #ecs-alerts ✔ recovered after 12 min: ${HEADLINE}`,
      "thread #ecs-alerts ✔ recovered after 12 min: deployment ecs-svc/123 completed: ECS deployment deploymentID completed. (2 events)",
    ]);
    lines.length = 0;
    await playEvents([join(ROOT, SEQUENCE)], options); // EventBridge delivering them again
    expect(lines).toEqual([]);
  });

  it("enriches a demo fleet service's incident: health's deciding cause, the next step, the deployment and the log stream", async () => {
    const lines: string[] = [];
    const options = {
      statePath: join(dir, "b.json"),
      out: (l: string) => lines.push(l),
      err: () => {},
    };
    expect(await playEvents([join(ROOT, BILLING)], options)).toBe(0);
    expect(lines.slice(0, 7)).toEqual([
      "post #ecs-alerts ✖ billing-worker (ecs_service_discovery): task stopped — DOWN: 0 of 2 tasks running; last stop: task stopped 2026-11-23 15:33 UTC: Essential container in task exited (worker exit 137: OutOfMemoryError: Container killed due to memory usage)",
      "  What happened: task stopped 2026-11-23 15:14 UTC: Essential container in task exited (worker exit 137: OutOfMemoryError: Container killed due to memory usage)",
      "  Next: App: the tasks do not stay up. Exit 137 with OutOfMemoryError means the container hit its memory limit: raise memory in the task definition of ecs_service_discovery/billing-worker or fix the leak, then watch the deployment.",
      "  Task definition billing-worker:12, deployment ecs-svc/6284107735519046792 started 2026-11-23 15:10 UTC, 4 min before, FAILED",
      "  0 of 2 tasks running when read in ap-northeast-1",
      "  Logs of stopped task 6f7a8b9c0d1e: https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fbilling-worker/log-events/worker$252Fworker$252F6f7a8b9c0d1e42f3a4b5c6d7e8f90a17",
      expect.stringMatching(
        /^update #ecs-alerts ✖ billing-worker \(ecs_service_discovery\): task stopped — DOWN/,
      ),
    ]);
  });
});

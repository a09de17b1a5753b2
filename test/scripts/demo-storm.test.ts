import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { playEvents } from "../../scripts/demo-event.ts";

// `npm run demo -- event --storm [N] [--services S]`: a generated storm of the demo fleet's task
// stops (emulator/fleet/storm-events.ts) through the notification path, one line per Slack call
// and a summary on stderr. The storm is the same every time, so its output is.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "demo-storm-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function storm(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const options = {
    statePath: join(dir, "s.json"),
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
  };
  const code = await playEvents(args, options);
  return { code, out, err };
}

// Each incident is read fresh against the demo fleet, where both services are still healthy.
const NGINX =
  "▲ service-connect-nginx-service (tutorial): task stopped — now HEALTHY: 2 of 2 endpoints healthy, 2 of 2 tasks running, deployment COMPLETED";
const NGINX_ERROR = NGINX.replace("▲", "✖");
const WEB =
  "▲ web-frontend (tutorial): task stopped — now HEALTHY: 1 of 1 tasks running, deployment COMPLETED";
const counts = (n: number) => `(${n} events, ${n} task stops, 2026-12-06 10:00 UTC)`;

it("plays 30 stops of two services as one message each, a few edits and the news in threads", async () => {
  const { code, out, err } = await storm(["--storm", "30", "--services", "2"]);

  expect(code).toBe(0);
  // After each post, indented, what the fresh read taught: first what happened.
  expect(out.filter((_line, i) => out[i - 1]?.startsWith("post ") ?? false)).toEqual([
    "  What happened: task stopped 2026-12-06 10:00 UTC: Essential container in task exited (webserver exit 1)",
    "  What happened: task stopped 2026-12-06 10:00 UTC: Essential container in task exited (frontend exit 1)",
  ]);
  expect(out.filter((l) => !l.startsWith("  "))).toEqual([
    `post #ecs-alerts ${NGINX}`,
    `post #ecs-alerts ${WEB}`,
    "thread #ecs-alerts New stop reason: OutOfMemoryError: Container killed due to memory usage · New exit code: webserver exit 137",
    `update #ecs-alerts ${NGINX} ${counts(2)}`,
    `update #ecs-alerts ${WEB} ${counts(4)}`,
    "thread #ecs-alerts New stop reason: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
    `update #ecs-alerts ${NGINX_ERROR} ${counts(4)}`,
    `update #ecs-alerts ${NGINX_ERROR} ${counts(7)}`,
    `update #ecs-alerts ${WEB} ${counts(8)}`,
    `update #ecs-alerts ${NGINX_ERROR} ${counts(9)}`,
  ]);
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(
    /^storm: 30 events over 2 services in one minute \(17 incident stops, 11 routine, 1 redelivered, 1 late earlier states\); 2 posts, 6 edits, 2 replies; 17 applied, 2 duplicates or older, 11 routine; \d+ AWS calls$/,
  );
});

it("plays the same storm again from the start: a storm never continues yesterday's state", async () => {
  const first = await storm(["--storm", "30", "--services", "2"]);
  const again = await storm(["--storm", "30", "--services", "2"]);

  expect(again.out).toEqual(first.out);
});

it("refuses a storm it cannot make, with the usage", async () => {
  const { code, out, err } = await storm(["--storm", "none"]);

  expect(code).toBe(2);
  expect(out).toEqual([]);
  expect(err.join("\n")).toContain("event --storm [N] [--services S]");
});

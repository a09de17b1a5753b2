// `npx tsx bench/throttle.ts [runs]`: how many answers come back complete and right when AWS
// throttles. Each question is asked `runs` times on a cold cache, unthrottled once for reference,
// then under 30 % random throttling and under a limit of 20 requests/s per operation, side by side.
// "complete": no gap (nothing unread); "wrong": a verdict that differs from the unthrottled one
// without saying it is partial (an unknown verdict with its gaps named is partial, not wrong).
import { generateFleet } from "../emulator/fleet.ts";
import { startEmulator } from "../emulator/server.ts";
import { BENCH_ENV } from "./env.ts";

Object.assign(process.env, BENCH_ENV);

const { useSdkDefaultRetries } = await import("../src/aws/clients.ts");
const { awsContext, clearSharedCache } = await import("../src/commands/aws-context.ts");
const { runEcsCommand } = await import("../src/commands/router.ts");

const RUNS = Number(process.argv[2] ?? 20);
const LATENCY_MS = 20;
const questions = [
  "whois nginx.service-connect",
  "whois api.internal.local",
  "health api.internal.local",
  "traffic nginx.service-connect",
  "why tutorial/web-frontend nginx.service-connect",
];

interface Outcome {
  key: string;
  gaps: number;
}

/** What must not change under throttling, per command, and how much was left unread. */
function outcome(answer: unknown): Outcome {
  const a = answer as {
    kind: string;
    gaps?: unknown[];
    resolutions?: { verdict: string }[];
    reports?: { level?: string; status?: string; verdict?: string }[];
    results?: { kind: string }[];
  };
  const gaps = a.gaps?.length ?? 0;
  const key =
    a.resolutions?.map((r) => r.verdict).join("|") ??
    a.reports?.map((r) => r.level ?? r.status).join("|") ??
    a.results?.map((r) => r.kind).join("|") ??
    a.kind;
  return { key: `${a.kind}:${key}`, gaps };
}

const emulator = await startEmulator({
  fleet: generateFleet({ services: 100 }),
  latencyMs: LATENCY_MS,
});
process.env.AWS_ENDPOINT_URL = emulator.url;

async function ask(question: string): Promise<{ outcome: Outcome; ms: number }> {
  clearSharedCache();
  const started = performance.now();
  const output = await runEcsCommand(question, () => awsContext("ap-northeast-1"));
  return { outcome: outcome(output.answer), ms: performance.now() - started };
}

const conditions = [
  { label: "30 % throttled", apply: () => emulator.setThrottleRate(0.3) },
  { label: "20 requests/s per operation", apply: () => emulator.setRateLimits({ "*": 20 }) },
];
// The bot's retries (src/aws/clients.ts) and, side by side, the SDK's defaults.
const retries = [
  { label: "bot (7 attempts, 100-800 ms)", sdkDefault: false },
  { label: "SDK default (3 attempts)", sdkDefault: true },
];

console.log(
  `${RUNS} cold runs per question, condition and retry setting, ${LATENCY_MS} ms per AWS call, fleet of 100 + demo\n`,
);
console.log(
  "| question | condition | retries | complete | wrong | partial, named | slowest ms | throttled calls |",
);
console.log("|---|---|---|---:|---:|---:|---:|---:|");
for (const question of questions) {
  useSdkDefaultRetries(false);
  emulator.setThrottleRate(0);
  emulator.setRateLimits({});
  const reference = (await ask(question)).outcome;
  if (reference.gaps > 0) throw new Error(`${question}: incomplete without throttling`);
  for (const condition of conditions) {
    for (const retry of retries) {
      useSdkDefaultRetries(retry.sdkDefault);
      emulator.setThrottleRate(0);
      emulator.setRateLimits({});
      condition.apply();
      emulator.resetStats();
      let complete = 0;
      let wrong = 0;
      let partial = 0;
      let slowest = 0;
      for (let i = 0; i < RUNS; i++) {
        const { outcome: o, ms } = await ask(question);
        slowest = Math.max(slowest, ms);
        if (o.gaps === 0) {
          if (o.key === reference.key) complete++;
          else wrong++;
        } else {
          partial++;
        }
      }
      console.log(
        `| ${question} | ${condition.label} | ${retry.label} | ${complete}/${RUNS} | ${wrong} | ${partial} | ${Math.round(slowest)} | ${emulator.stats().throttled} |`,
      );
    }
  }
}
await emulator.close();
useSdkDefaultRetries(false);

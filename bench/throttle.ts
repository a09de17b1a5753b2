// `npx tsx bench/throttle.ts [runs]`: how many answers come back complete and right when AWS
// throttles. Each question is asked `runs` times on a cold cache, unthrottled once for reference,
// then under 30 % random throttling and under a limit of 20 requests/s per operation, side by side.
// "complete": no gap (nothing unread); "wrong": a verdict that differs from the unthrottled one
// without saying it is partial (an unknown verdict with its gaps named is partial, not wrong).
import { generateFleet } from "../emulator/fleet/generate.ts";
import { startEmulator } from "../emulator/server.ts";
import { ask, Tally, useEmulator, useSdkDefaultRetries } from "./harness.ts";

const RUNS = Number(process.argv[2] ?? 20);
const LATENCY_MS = 20;
const questions = [
  "whois nginx.service-connect",
  "whois api.internal.local",
  "health api.internal.local",
  "traffic nginx.service-connect",
  "why tutorial/web-frontend nginx.service-connect",
];

const emulator = await startEmulator({
  fleet: generateFleet({ services: 100 }),
  latencyMs: LATENCY_MS,
});
useEmulator(emulator);

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
      const tally = new Tally(reference);
      for (let i = 0; i < RUNS; i++) tally.add(await ask(question));
      console.log(
        `| ${question} | ${condition.label} | ${retry.label} | ${tally.complete}/${RUNS} | ${tally.wrong} | ${tally.partial} | ${Math.round(tally.slowest)} | ${emulator.stats().throttled} |`,
      );
    }
  }
}
await emulator.close();
useSdkDefaultRetries(false);

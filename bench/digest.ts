// `npm run bench:digest [sizes]`: the digest of generated fleets spread over 20 clusters and 4
// Service Connect namespaces, every AWS call 50 ms and each operation limited to 20 requests/s
// (AWS throttles by rate; the emulator's token bucket does the same). Prints AWS calls by
// operation, throttled answers (the SDK retries them; each costs a backoff), services the digest
// could not judge, and whether the run fits the digest function's 300 s.
import { generateFleet } from "../emulator/fleet.ts";
import { startEmulator } from "../emulator/server.ts";
import { BENCH_ENV } from "./env.ts";

Object.assign(process.env, BENCH_ENV);
delete process.env.DIGEST_TABLE; // no history: the first digest of a scope

const { forgetAwsClients } = await import("../src/aws/clients.ts");
const { awsContext, clearSharedCache } = await import("../src/commands/aws-context.ts");
const { runDigest } = await import("../src/commands/digest.ts");

const LATENCY_MS = 50;
const RATE_PER_OPERATION = 20;
const CLUSTERS = 20;
const NAMESPACES = 4;
/** The digest function's timeout (serverless.yml). */
const TIMEOUT_S = 300;
const sizes = (process.argv[2] ?? "100,1000,5000").split(",").map(Number);
/** Above this, reading traffic service by service is known not to fit (181 s at 1,009). */
const PER_SERVICE_MAX = 1_000;

console.log(
  `digest of every cluster: ${CLUSTERS} clusters, ${NAMESPACES} namespaces, ${LATENCY_MS} ms per AWS call, ${RATE_PER_OPERATION} requests/s per operation\n`,
);
console.log(
  "| services | traffic read | heap MB after | wall s | fits 300 s | AWS calls | throttled answers | unknown services | calls by operation |",
);
console.log("|---:|---|---:|---:|---|---:|---:|---:|---|");
for (const size of sizes) {
  const fleet = generateFleet({
    services: size,
    clusters: CLUSTERS,
    namespaces: NAMESPACES,
    traffic: true,
  });
  // Side by side on the same fleet: traffic read ahead with SEARCH, then each service's own
  // GetMetricData as /ecs health reads it (skipped where it cannot fit the timeout anyway).
  for (const searchAhead of [true, false]) {
    if (!searchAhead && size > PER_SERVICE_MAX) {
      console.log(
        `| ${size} | per service | not run: over ${PER_SERVICE_MAX} services it cannot fit | | | | |`,
      );
      continue;
    }
    const emulator = await startEmulator({
      fleet,
      latencyMs: LATENCY_MS,
      rateLimits: { "*": RATE_PER_OPERATION },
    });
    process.env.AWS_ENDPOINT_URL = emulator.url;
    forgetAwsClients();
    clearSharedCache();
    const started = performance.now();
    const { digest } = await runDigest(
      // As the scheduled digest reads: adaptive retries (src/aws/clients.ts, Pace).
      awsContext("ap-northeast-1", undefined, undefined, "fleet"),
      { name: `bench-${size}`, scope: { clusters: "all", namespaces: [] } },
      undefined,
      undefined,
      { searchAhead },
    );
    const seconds = (performance.now() - started) / 1000;
    const stats = emulator.stats();
    const detail = Object.entries(stats.calls)
      .sort(([, a], [, b]) => b - a)
      .map(([op, n]) => `${op.split(".")[1]}×${n}`)
      .join(" ");
    const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
    console.log(
      `| ${digest.total} | ${searchAhead ? "SEARCH" : "per service"} | ${heapMb} | ${seconds.toFixed(1)} | ${seconds < TIMEOUT_S ? "yes" : "**no**"} | ${stats.total} | ${stats.throttled} | ${digest.counts.unknown} | ${detail} |`,
    );
    await emulator.close();
  }
}
forgetAwsClients();

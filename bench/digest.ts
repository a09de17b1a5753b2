// `npm run bench:digest [sizes]`: the digest of generated fleets spread over 20 clusters and 4
// Service Connect namespaces, every AWS call 50 ms and each operation limited to 20 requests/s
// (AWS throttles by rate; the emulator's token bucket does the same). Prints AWS calls by
// operation, throttled answers (the SDK retries them; each costs a backoff), services the digest
// could not judge, and whether the run fits the digest function's 300 s.
import { generateFleet } from "../emulator/fleet/generate.ts";
import { startEmulator } from "../emulator/server.ts";
// Before any bot module loads: the benchmark environment (no digest history: first digests).
import { callsByOperation, clearSharedCache, forgetAwsClients, useEmulator } from "./harness.ts";

const { awsContext, snapshotContext } = await import("../src/commands/reads/aws-context.ts");
const { judgeServices } = await import("../src/commands/reads/judge-scope.ts");
const { listScope } = await import("../src/commands/reads/scope.ts");
const { makeDigest } = await import("../src/commands/reads/digest-of-scope.ts");
const { readAllNamespaceClients, seedNamespaceClients } = await import(
  "../src/commands/reads/namespace-services.ts"
);
const { partsOf } = await import("../src/domain/digest-parts.ts");

const LATENCY_MS = 50;
const RATE_PER_OPERATION = 20;
const CLUSTERS = 20;
const NAMESPACES = 4;
/** The digest function's timeout (serverless.yml). */
const TIMEOUT_S = 300;
const sizes = (process.argv[2] ?? "100,1000,5000").split(",").map(Number);
/** Above this, reading traffic service by service is known not to fit (181 s at 1,009). */
const PER_SERVICE_MAX = 1_000;
/** Which reads to compare (BENCH_MODES="SEARCH;fan-out"); all by default. */
const modes = new Set(
  (process.env.BENCH_MODES ?? "SEARCH;per service;fan-out;fan-out, all at once")
    .split(";")
    .map((m) => m.trim()),
);
/** DIGEST_PART_SERVICES in serverless.yml. */
const PART_SERVICES = 1_000;
/** DIGEST_PART_CONCURRENCY's default (src/entry/digest/fanout.ts). */
const PART_CONCURRENCY = 2;

console.log(
  `digest of every cluster: ${CLUSTERS} clusters, ${NAMESPACES} namespaces, ${LATENCY_MS} ms per AWS call, ${RATE_PER_OPERATION} requests/s per operation\n`,
);
console.log(
  "| services | traffic read | heap MB after | wall s | fits 300 s | AWS calls | throttled answers | unknown services | calls by operation |",
);
console.log("|---:|---|---:|---:|---|---:|---:|---:|---|");
type Mode = "SEARCH" | "per service" | "fan-out" | "fan-out, all at once";

/** One digest of `fleet` read the `mode` way; its row of the table. */
async function measure(fleet: ReturnType<typeof generateFleet>, size: number, mode: Mode) {
  const emulator = await startEmulator({
    fleet,
    latencyMs: LATENCY_MS,
    rateLimits: { "*": RATE_PER_OPERATION },
  });
  useEmulator(emulator);
  clearSharedCache();
  // As the scheduled digest reads: adaptive retries (src/aws/clients.ts, Pace).
  const ctx = () => awsContext("ap-northeast-1", undefined, undefined, "fleet");
  const scope = { clusters: "all" as const, namespaces: [] };
  const started = performance.now();
  let judged = 0;
  let unknown = 0;
  let longest = 0;
  let parts = 1;
  let fanningSeconds = 0;
  if (mode.startsWith("fan-out")) {
    // As the parts run on Lambda: listed once, then each part judged side by side (each
    // invocation its own process there; here they share the clients and the emulator's rate).
    const fanning = snapshotContext(ctx());
    const listed = await listScope(fanning, scope);
    const split = partsOf(listed.services, PART_SERVICES);
    // As fanOut: the namespaces' clients read once, handed to every part (through DynamoDB there).
    const clients = await readAllNamespaceClients(fanning);
    // The invocation that fans out must fit the timeout too.
    longest = (performance.now() - started) / 1000;
    fanningSeconds = longest;
    parts = split.length;
    // At most PART_CONCURRENCY parts at a time, as the digest function starts them (each part
    // starts the next as it finishes), or every part at once, for comparison.
    const lanes = mode === "fan-out" ? PART_CONCURRENCY : split.length;
    const results: Awaited<ReturnType<typeof judgeServices>>[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < split.length) {
          const i = next++;
          const from = performance.now();
          // Each part its own SDK clients, as each part is its own Lambda invocation.
          const own = awsContext("ap-northeast-1", undefined, undefined, "fleet", `part-${i}`);
          const run = snapshotContext(own);
          for (const [namespace, list] of clients) seedNamespaceClients(run, namespace, list);
          results[i] = await judgeServices(run, split[i] ?? [], "all", new Date(), {
            scope: "every cluster",
          });
          longest = Math.max(longest, (performance.now() - from) / 1000);
        }
      }),
    );
    judged = results.flat().length;
    unknown = results.flat().filter((e) => e.level === "unknown").length;
  } else {
    const { digest } = await makeDigest(
      ctx(),
      { name: `bench-${size}`, scope },
      undefined,
      undefined,
      { searchAhead: mode === "SEARCH" },
    );
    judged = digest.total;
    unknown = digest.counts.unknown;
  }
  const seconds = (performance.now() - started) / 1000;
  // One invocation must hold the whole run; fanned out, each part its own.
  const limiting = mode.startsWith("fan-out") ? longest : seconds;
  const stats = emulator.stats();
  const detail = callsByOperation(stats);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
  const how =
    mode === "fan-out"
      ? `fan-out, ${parts} parts (fanning out ${fanningSeconds.toFixed(1)} s, longest invocation ${longest.toFixed(1)} s)`
      : mode;
  console.log(
    `| ${judged} | ${how} | ${heapMb} | ${seconds.toFixed(1)} | ${limiting < TIMEOUT_S ? "yes" : "**no**"} | ${stats.total} | ${stats.throttled} | ${unknown} | ${detail} |`,
  );
  await emulator.close();
}

for (const size of sizes) {
  const fleet = generateFleet({
    services: size,
    clusters: CLUSTERS,
    namespaces: NAMESPACES,
    traffic: true,
  });
  // Side by side on the same fleet: traffic read ahead with SEARCH, then each service's own
  // GetMetricData as /ecs health reads it (skipped where it cannot fit the timeout anyway), then
  // over the part size, the fan-out the digest function does.
  if (modes.has("SEARCH")) await measure(fleet, size, "SEARCH");
  if (modes.has("per service")) {
    if (size <= PER_SERVICE_MAX) await measure(fleet, size, "per service");
    else
      console.log(
        `| ${size} | per service | | | not run: over ${PER_SERVICE_MAX} services it cannot fit | | | | |`,
      );
  }
  if (size > PART_SERVICES) {
    if (modes.has("fan-out")) await measure(fleet, size, "fan-out");
    if (modes.has("fan-out, all at once")) await measure(fleet, size, "fan-out, all at once");
  }
}
forgetAwsClients();

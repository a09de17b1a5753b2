// Starts the loopback AWS emulator and prints the environment that points the SDK at it.
//
//   npx tsx emulator/cli.ts [--port N] [--latency MS] [--fleet demo|generated:N[:C[:M]]]
//                           [--throttle RATE] [--rate PER_S] [--seed N] [--deny OP,OP...]
//
// generated:N:C:M is N generated services over C clusters and M namespaces, with Service Connect
// traffic (each called by another); --rate limits every operation to PER_S requests a second.

import { parseArgs } from "node:util";
import { loadDemoFleet } from "./fleet/demo.ts";
import { generateFleet } from "./fleet/generate.ts";
import type { Fleet } from "./fleet/types.ts";
import { startEmulator } from "./server.ts";

const USAGE =
  "usage: npx tsx emulator/cli.ts [--port N] [--latency MS] [--fleet demo|generated:N[:C[:M]]] [--throttle RATE] [--rate PER_S] [--seed N] [--deny OP,OP...]";

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function number(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number`);
  return n;
}

function fleetFrom(spec: string): Fleet {
  if (spec === "demo") return loadDemoFleet();
  const generated = /^generated:(\d+)(?::(\d+))?(?::(\d+))?$/.exec(spec);
  if (generated?.[2]) {
    return generateFleet({
      services: Number(generated[1]),
      clusters: Number(generated[2]),
      namespaces: Number(generated[3] ?? 1),
      traffic: true,
    });
  }
  if (generated) return generateFleet({ services: Number(generated[1]) });
  return fail(`unknown fleet '${spec}'`);
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string", default: "4566" },
      latency: { type: "string" },
      fleet: { type: "string", default: "demo" },
      throttle: { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      deny: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const fleet = fleetFrom(String(values.fleet));
const emulator = await startEmulator({
  fleet,
  port: number(values.port as string | undefined, "port", 4566),
  latencyMs: number(values.latency as string | undefined, "latency", 0),
  throttleRate: number(values.throttle as string | undefined, "throttle", 0),
  ...(values.rate !== undefined
    ? { rateLimits: { "*": number(values.rate as string | undefined, "rate", 0) } }
    : {}),
  seed: number(values.seed as string | undefined, "seed", 1),
  denyOperations: String(values.deny ?? "")
    .split(",")
    .map((op) => op.trim())
    .filter((op) => op !== ""),
});

console.log(`export AWS_ENDPOINT_URL=${emulator.url}`);
console.log("export AWS_ACCESS_KEY_ID=demo");
console.log("export AWS_SECRET_ACCESS_KEY=demo");
console.log(`export AWS_REGION=${fleet.region}`);
console.log(`export AWS_DEFAULT_REGION=${fleet.region}`);
console.error(
  `# AWS emulator on ${emulator.url}: ${fleet.services.length} ECS services, ${fleet.tasks.length} tasks, ` +
    `${fleet.cloudMapServices.length} Cloud Map services, CloudWatch Service Connect metrics. Ctrl-C to stop.`,
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  const { calls, total, throttled, denied, sequentialRoundTrips } = emulator.stats();
  console.error(
    `# ${total} calls (${throttled} throttled, ${denied} denied, ${sequentialRoundTrips} sequential round trips)`,
  );
  for (const [key, n] of Object.entries(calls).sort()) console.error(`#   ${key}: ${n}`);
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

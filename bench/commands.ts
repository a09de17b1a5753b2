// `npm run bench`: AWS calls and sequential round trips of /ecs commands, cold and warm, as the
// fleet grows. Counts, not seconds, are the figures that matter (the emulator's latency only
// makes overlap visible); the wall time is printed for orientation.
import { type EniTags, generateFleet } from "../emulator/fleet.ts";
import { startEmulator } from "../emulator/server.ts";
import { BENCH_ENV } from "./env.ts";

Object.assign(process.env, BENCH_ENV);

const { forgetAwsClients } = await import("../src/aws/clients.ts");
const { awsContext, clearSharedCache } = await import("../src/commands/aws-context.ts");
const { whois } = await import("../src/commands/whois.ts");
const { health } = await import("../src/commands/health.ts");
const { traffic } = await import("../src/commands/traffic.ts");
type Run = (aws: () => ReturnType<typeof awsContext>, text: string) => Promise<{ kind: string }>;
const commands: Record<string, Run> = { whois, health, traffic };

const LATENCY_MS = 50;
const sizes = (process.argv[2] ?? "10,100,1000").split(",").map(Number);
/**
 * Task IPs: a demo task's (cluster tutorial, 16 tasks), and the first and the last generated
 * task's, on the first and the last ListTasks page of a cluster of thousands (a search by cluster
 * reads the pages up to the task's).
 */
const LAST_TASK = "whois <the last generated task's IP>";
const ipQueries = ["whois 10.0.1.23", "whois 10.0.64.4", LAST_TASK];
const queries = [
  "whois nginx.service-connect",
  "whois api.internal.local",
  ...ipQueries,
  "health api.internal.local",
  "traffic nginx.service-connect",
];

interface Row {
  services: number;
  query: string;
  cache: "cold" | "warm";
  calls: number;
  roundTrips: number;
  ms: number;
  detail: string;
}

/**
 * The demo fleet's namespace holds one service with an old short-format ARN (legacy-report):
 * health and traffic then look its cluster up in every cluster. Side by side, the same fleet
 * without it, which is what most namespaces look like.
 */
function withoutShortArns(fleet: ReturnType<typeof generateFleet>) {
  const short = (arn: string) => arn.split(":").slice(5).join(":").split("/").length === 2;
  const gone = new Set(fleet.services.filter((s) => short(s.serviceArn)).map((s) => s.serviceName));
  fleet.services = fleet.services.filter((s) => !gone.has(s.serviceName));
  fleet.tasks = fleet.tasks.filter((t) => !gone.has(t.group?.replace("service:", "") ?? ""));
  return fleet;
}

/** Whether ECS tags task ENIs is unconfirmed: the same fleet with each kind of tag (EniTags). */
function withEniTags(eniTags: EniTags) {
  return (size: number) => ({ ...generateFleet({ services: size }), eniTags });
}

const variants = [
  { label: "", fleet: (size: number) => generateFleet({ services: size }), queries },
  { label: " (ENIs tagged with cluster)", fleet: withEniTags("cluster"), queries: ipQueries },
  {
    label: " (ENIs tagged with cluster and service)",
    fleet: withEniTags("cluster-and-service"),
    queries: ipQueries,
  },
  {
    label: " (no short-ARN service)",
    fleet: (size: number) => withoutShortArns(generateFleet({ services: size })),
    queries: queries.filter((q) => !q.startsWith("whois")),
  },
];

const rows: Row[] = [];
for (const size of sizes)
  for (const variant of variants) {
    const fleet = variant.fleet(size);
    const last = fleet.tasks
      .at(-1)
      ?.attachments?.find((a) => a.type === "ElasticNetworkInterface")
      ?.details?.find((d) => d.name === "privateIPv4Address")?.value;
    const emulator = await startEmulator({ fleet, latencyMs: LATENCY_MS });
    process.env.AWS_ENDPOINT_URL = emulator.url;
    forgetAwsClients();
    for (const query of variant.queries.map((q) => (q === LAST_TASK ? `whois ${last}` : q))) {
      clearSharedCache();
      for (const cache of ["cold", "warm"] as const) {
        emulator.resetStats();
        const started = performance.now();
        const [command = "whois", name = ""] = query.split(" ");
        const run = commands[command] ?? whois;
        const answer = await run(() => awsContext("ap-northeast-1"), name);
        const ms = performance.now() - started;
        if (answer.kind !== "found") throw new Error(`${query} not found in a fleet of ${size}`);
        const stats = emulator.stats();
        const detail = Object.entries(stats.calls)
          .map(([op, n]) => `${op.split(".")[1]}×${n}`)
          .join(" ");
        rows.push({
          services: size,
          query: `${query}${variant.label}`,
          cache,
          calls: stats.total,
          roundTrips: stats.sequentialRoundTrips,
          ms,
          detail,
        });
      }
    }
    await emulator.close();
  }
forgetAwsClients();

console.log(
  `whois, ${LATENCY_MS} ms injected per AWS call (loopback emulator, generated fleet + demo fleet)\n`,
);
console.log(
  "| services | query | cache | AWS calls | sequential round trips | wall ms | calls by operation |",
);
console.log("|---:|---|---|---:|---:|---:|---|");
for (const r of rows) {
  console.log(
    `| ${r.services} | ${r.query} | ${r.cache} | ${r.calls} | ${r.roundTrips} | ${Math.round(r.ms)} | ${r.detail} |`,
  );
}

// `npm run bench [-- SIZES] [--runs N] [--digest-max N] [--digest-conditions-max N] [--write]`:
// every question of issue 11, side by side, in one process and one run. For each fleet size
// (generated services over 20 clusters, one namespace of 1,000 from 1,000 services up), each
// question is asked cold and warm at 50 ms per AWS call (wall time, AWS calls by operation,
// sequential round trips, whether the answer is complete), then N times cold under a 20 requests/s
// limit per operation and N times under 30 % random throttling (complete, wrong), and the whois
// questions also the way an engineer types them by hand (bench/naive.ts), with the ratio. Ends
// with each target of the issue, met or not by how much. `--write` puts the result into
// docs/benchmarks.md (between its markers); without it the result is only printed.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { taskStateChangeEvents } from "../emulator/fleet/events.ts";
import { generateFleet } from "../emulator/fleet/generate.ts";
import { relocateFleet } from "../emulator/fleet/relocate.ts";
import type { EniTags, Fleet } from "../emulator/fleet/types.ts";
import { type EmulatorStats, type RunningEmulator, startEmulator } from "../emulator/server.ts";
import type { Place } from "../src/domain/places.ts";
import { addresses } from "../src/entry/addresses.ts";
import { useDynalite } from "../test/support/dynalite.ts";
import {
  type Asked,
  ask,
  callsByOperation,
  forgetAwsClients,
  REGION,
  Tally,
  useEmulator,
  usePlaces,
} from "./harness.ts";
import { naiveLookup } from "./naive.ts";
import { benchNotify, notifyLines, writeNotifyDoc } from "./notify.ts";
import {
  balancersMet,
  CONDITIONS,
  type Measured,
  n,
  type Question,
  type QuestionId,
  type Row,
  table,
  targets,
} from "./report.ts";

const LATENCY_MS = 50;
const CLUSTERS = 20;
/** The biggest namespace; from this many services up, one namespace holds exactly this many. */
const BIG_NAMESPACE = 1_000;
/** A namespace whose every name has 500 client services (the health and traffic target). */
const CLIENTS_NAMESPACE = 501;

// 3 accounts × 2 regions: the bot's own account and two member accounts (read through their
// ecs-chatops-read role), each in Tokyo and us-east-1, each place with its own fleet.
const ACCOUNTS = ["123456789012", "210987654321", "310987654321"];
const REGIONS = [REGION, "us-east-1"];
/** Generated services in each of the six places. */
const PER_PLACE = 200;

const started = performance.now();
const { sizes, runs, digestMax, digestConditionsMax, write, only } = options(process.argv.slice(2));

function options(argv: string[]) {
  const flag = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i < 0 ? fallback : Number(argv[i + 1]);
  };
  const valued = ["--runs", "--digest-max", "--digest-conditions-max", "--only"];
  const positional = argv.filter(
    (a, i) => !a.startsWith("--") && !valued.includes(argv[i - 1] ?? ""),
  );
  const parsed = {
    sizes: (positional[0] ?? "10,100,1000,5000").split(",").map(Number),
    /** Cold runs of each question under each condition. */
    runs: flag("--runs", 5),
    /** The digest reads the whole fleet: the biggest fleet it is asked of. */
    digestMax: flag("--digest-max", 5_000),
    /** …and under the two conditions, once (a digest under a limiter takes minutes). */
    digestConditionsMax: flag("--digest-conditions-max", 1_000),
    write: argv.includes("--write"),
    /** Only these questions (ids, e.g. health-500,traffic-500): a quick look, never written. */
    only: argv.includes("--only")
      ? new Set((argv[argv.indexOf("--only") + 1] ?? "").split(","))
      : undefined,
  };
  if (parsed.only && parsed.write) throw new Error("--only measures some questions: no --write");
  const bad = [...parsed.sizes, parsed.runs].some((n) => !Number.isInteger(n) || n < 1);
  if (bad)
    throw new Error(
      `usage: npm run bench -- [10,100,1000,5000] [${valued.join(" N] [")} N] [--write]`,
    );
  return parsed;
}

/** The namespaces of a fleet of `size` generated services (see BIG_NAMESPACE, CLIENTS_NAMESPACE). */
function namespaceSizes(size: number): { sizes: number[]; namespaces: number } {
  if (size <= BIG_NAMESPACE) return { sizes: [size], namespaces: 1 };
  const sizes = [BIG_NAMESPACE];
  if (size - BIG_NAMESPACE >= CLIENTS_NAMESPACE) sizes.push(CLIENTS_NAMESPACE);
  const rest = size - sizes.reduce((a, b) => a + b, 0);
  return { sizes, namespaces: sizes.length + Math.ceil(rest / BIG_NAMESPACE) };
}

/** The Service Connect services of each namespace (every one is a client of the others' names). */
function membersByNamespace(fleet: Fleet): Map<string, string[]> {
  const byArn = new Map<string, string[]>();
  for (const s of fleet.services) {
    const primary = s.deployments?.find((d) => d.status === "PRIMARY");
    const sc = primary?.serviceConnectConfiguration;
    if (!sc?.enabled || !sc.namespace) continue;
    byArn.set(sc.namespace, [...(byArn.get(sc.namespace) ?? []), s.serviceName]);
  }
  const byName = new Map<string, string[]>();
  for (const ns of fleet.namespaces) byName.set(ns.Name, byArn.get(ns.Arn) ?? []);
  return byName;
}

function questionsFor(fleet: Fleet, size: number): Question[] {
  const members = membersByNamespace(fleet);
  const mesh = members.get("mesh") ?? [];
  // The last service of the biggest namespace: the last page of every listing of it.
  const big = mesh.at(-1) ?? "";
  const demo = members.get("service-connect")?.length ?? 0;
  const ofMesh = `namespace of ${n(mesh.length)}`;
  const clients = (count: number) => `alias, ${n(count - 1)} client services`;
  const questions: Question[] = [
    { id: "alias", text: "whois nginx.service-connect", what: `alias, namespace of ${demo}` },
    { id: "alias-big", text: `whois ${big}.mesh`, what: `alias, ${ofMesh}` },
    { id: "dns", text: "whois api.internal.local", what: "DNS name (Cloud Map)" },
    { id: "bare", text: `whois ${big}`, what: `bare name, ${ofMesh}` },
    { id: "bare-listed", text: `whois ${big}`, what: "same, namespaces in BOT_TARGETS" },
    { id: "ip", text: "whois 10.0.1.23", what: "IP of a running task, ENI untagged" },
    ...ipQuestions(fleet),
    { id: "health", text: "health api.internal.local", what: "DNS name (Cloud Map)" },
    { id: "health-big", text: `health ${big}.mesh`, what: clients(mesh.length) },
    { id: "traffic", text: "traffic nginx.service-connect", what: `alias, namespace of ${demo}` },
    { id: "traffic-big", text: `traffic ${big}.mesh`, what: clients(mesh.length) },
    ...balancerQuestions,
  ];
  const five = members.get("mesh-2");
  if (five?.length === CLIENTS_NAMESPACE) {
    const name = `${five.at(-1)}.mesh-2`;
    questions.push(
      { id: "health-500", text: `health ${name}`, what: clients(five.length) },
      { id: "traffic-500", text: `traffic ${name}`, what: clients(five.length) },
    );
  }
  if (size <= digestMax) {
    const what = `every cluster (${n(fleet.services.length)} services)`;
    questions.push({ id: "digest", text: "digest", what });
  }
  return questions;
}

/**
 * Whois of a load balancer, and traffic of the service behind it (issue 24). Generated fleets add no balancer: these ask of the demo
 * fleet's internal ALB `shop-alb` (target group `checkout-tg`, Route 53 alias
 * `checkout.shop.internal`), which every generated fleet inherits.
 */
const balancerQuestions: Question[] = [
  {
    id: "lb-dns",
    text: "whois internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com",
    what: "balancer's DNS name (the demo's shop-alb)",
  },
  {
    id: "lb-dns-tagged",
    text: "whois internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com",
    what: "same, targets' ENIs ECS-tagged",
  },
  {
    id: "lb-dns-book",
    text: "whois internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com",
    what: "same, untagged, address book",
  },
  { id: "lb-name", text: "whois shop-alb", what: "balancer's name" },
  { id: "lb-target-group", text: "whois checkout-tg", what: "target group's name" },
  {
    id: "lb-alias",
    text: "whois checkout.shop.internal",
    what: "Route 53 alias to the balancer",
  },
  // The balancer found by SEARCH on its target group, not DescribeTargetGroups first.
  { id: "lb-traffic", text: "traffic checkout", what: "service behind the balancer, no SC" },
];

/**
 * `aws:ecs:clusterName` and `aws:ecs:serviceName` on a task's ENI are ECS-managed tags: `aws:` tags
 * are reserved to AWS, so no operator automation writes them; ECS does, on tasks started after
 * `enableECSManagedTags` is turned on for their service (aws-semantics.md, "ECS-managed tags on task
 * ENIs"; see src/domain/network-interface.ts). The IP lookup is measured without them, with each,
 * and with the address book. The last task of the fleet is the
 * worst case of a cluster search: its page of ListTasks comes last.
 */
const ENI_TAGS: Partial<Record<QuestionId, EniTags>> = {
  "ip-tagged": "cluster-and-service",
  "ip-last-cluster": "cluster",
  "ip-last-tagged": "cluster-and-service",
  "lb-dns-tagged": "cluster-and-service",
};

function ipQuestions(fleet: Fleet): Question[] {
  const last = fleet.tasks
    .at(-1)
    ?.attachments?.find((a) => a.type === "ElasticNetworkInterface")
    ?.details?.find((d) => d.name === "privateIPv4Address")?.value;
  const tagged = { id: "ip-tagged", text: "whois 10.0.1.23", what: "same, ENI tagged" } as const;
  if (!last) return [tagged];
  const text = `whois ${last}`;
  return [
    tagged,
    { id: "ip-last", text, what: "IP of the last task listed, ENI untagged" },
    { id: "ip-last-cluster", text, what: "same, ENI tagged with its cluster" },
    { id: "ip-last-tagged", text, what: "same, ENI tagged with cluster and service" },
    { id: "ip-last-book", text, what: "same, untagged, address book (+1 DynamoDB Query)" },
  ];
}

const ADDRESS_TABLE = "bench-addresses";

/**
 * The address book of `whois <IP>` as the addresses function keeps it in production: every task's
 * ECS task state change event, through the function's own entry, into DynamoDB (dynalite, on
 * loopback, the table as serverless.yml declares it). A new table per fleet.
 */
async function addressBookOf(fleet: Fleet) {
  const dynamo = await useDynalite(ADDRESS_TABLE, "AddressBookTable");
  process.env.ADDRESS_TABLE = ADDRESS_TABLE;
  const events = taskStateChangeEvents(fleet);
  for (let i = 0; i < events.length; i += 50) {
    await Promise.all(events.slice(i, i + 50).map((event) => addresses(event)));
  }
  delete process.env.ADDRESS_TABLE;
  return dynamo;
}

function measured(ms: number, stats: EmulatorStats, gaps: number): Measured {
  return {
    ms,
    calls: stats.total,
    roundTrips: stats.sequentialRoundTrips,
    byOperation: callsByOperation(stats),
    gaps,
  };
}

async function measure(emulator: RunningEmulator, question: Question, cache: "cold" | "warm") {
  emulator.resetStats();
  const asked = await ask(question.text, cache);
  return { asked, measured: measured(asked.ms, emulator.stats(), asked.outcome.gaps) };
}

/** The ECS services an answer names ("cluster/service"), to compare with the naive chain's. */
function servicesOf(asked: Asked): string[] {
  const a = asked.answer as { resolutions?: { publisher: { cluster: string; service: string } }[] };
  const names = (a.resolutions ?? []).map((r) => `${r.publisher.cluster}/${r.publisher.service}`);
  return [...new Set(names)].sort();
}

/** The same whois typed by hand, on the same emulator; whether it found the bot's services. */
async function byHand(emulator: RunningEmulator, question: Question, bot: Asked) {
  emulator.resetStats();
  const from = performance.now();
  const answer = await naiveLookup(REGION, question.text.replace(/^whois /, ""));
  const ms = performance.now() - from;
  const same = answer.services.length > 0 && answer.services.join() === servicesOf(bot).join();
  return { ...measured(ms, emulator.stats(), 0), same };
}

/**
 * How each condition is set before every answer: a fresh token bucket for each, so each answer
 * is measured against the whole rate, not against what the answer before it left.
 */
const apply: Record<(typeof CONDITIONS)[number]["key"], (e: RunningEmulator) => void> = {
  limited: (e) => e.setRateLimits({ "*": 20 }),
  throttled: (e) => e.setThrottleRate(0.3),
};

/** `times` cold answers under each condition, against the unthrottled `reference`. */
async function underConditions(
  emulator: RunningEmulator,
  row: Row,
  reference: Asked,
  times: number,
) {
  for (const { key } of CONDITIONS) {
    const tally = new Tally(reference.outcome);
    for (let i = 0; i < times; i++) {
      apply[key](emulator);
      tally.add(await ask(row.question.text, "cold"));
    }
    emulator.setRateLimits({});
    emulator.setThrottleRate(0);
    row[key] = tally;
  }
}

const rows: Row[] = [];
const fleets: string[] = [];
for (const size of sizes) {
  const shape = namespaceSizes(size);
  const fleet = generateFleet({
    services: size,
    clusters: CLUSTERS,
    namespaces: shape.namespaces,
    namespaceSizes: shape.sizes,
    traffic: true,
  });
  const namespaces = [...membersByNamespace(fleet)].map(
    ([name, list]) => `${name} ${n(list.length)}`,
  );
  fleets.push(
    `- ${n(size)}: ${n(fleet.services.length)} services (${n(size)} generated, ` +
      `${fleet.services.length - size} of the demo), ${fleet.clusters.length} clusters, ` +
      `${n(fleet.tasks.length)} tasks, ${fleet.namespaces.length} namespaces (Service Connect ` +
      `services in each: ${namespaces.join(", ")})`,
  );
  const emulator = await startEmulator({ fleet, latencyMs: LATENCY_MS });
  useEmulator(emulator);
  const asked = questionsFor(fleet, size).filter((q) => !only || only.has(q.id));
  const booked = (id: QuestionId) => id === "ip-last-book" || id === "lb-dns-book";
  const book = asked.some((q) => booked(q.id)) ? await addressBookOf(fleet) : undefined;
  for (const question of asked) {
    fleet.eniTags = ENI_TAGS[question.id] ?? "none";
    // The operator's BOT_TARGETS names the region's namespaces (every one: the answer is the same).
    const listed = fleet.namespaces.map((ns) => ns.Name ?? "");
    usePlaces(
      question.id === "bare-listed"
        ? [{ label: REGION, region: REGION, namespaces: listed }]
        : undefined,
    );
    // Only its own row reads the address book: the others measure the search without it.
    if (booked(question.id)) process.env.ADDRESS_TABLE = ADDRESS_TABLE;
    else delete process.env.ADDRESS_TABLE;
    const cold = await measure(emulator, question, "cold");
    const warm = await measure(emulator, question, "warm");
    const row: Row = { size, question, cold: cold.measured, warm: warm.measured };
    // By hand is a chain of Cloud Map and ECS reads: a balancer's is not one of them.
    if (question.text.startsWith("whois") && !question.id.startsWith("lb-"))
      row.naive = await byHand(emulator, question, cold.asked);
    const digest = question.id === "digest";
    if (!digest || size <= digestConditionsMax) {
      await underConditions(emulator, row, cold.asked, digest ? 1 : runs);
    }
    usePlaces(undefined);
    delete process.env.ADDRESS_TABLE;
    rows.push(row);
    process.stderr.write(`${n(size)} ${question.text}: ${Math.round(cold.measured.ms)} ms cold\n`);
  }
  await emulator.close();
  await book?.stop();
}
const accountsLine = await acrossAccounts();
forgetAwsClients();
// Issue 23's notification row: one event at a time, then a storm (bench/notify.ts).
const notifications = !only || only.has("notify") ? await benchNotify() : undefined;
const notified = notifications ? notifyLines(notifications) : [];
forgetAwsClients();

/**
 * The same questions across six places at once (BOT_TARGETS): each place a fleet of PER_PLACE
 * generated services over 4 clusters plus the demo's, the same names in each (found in six).
 */
async function acrossAccounts(): Promise<string> {
  const own = ACCOUNTS[0] ?? "";
  const base = generateFleet({ services: PER_PLACE, clusters: 4, traffic: true });
  const fleets = ACCOUNTS.flatMap((account) =>
    REGIONS.map((region) => relocateFleet(base, account, region)),
  );
  const [home, ...others] = fleets;
  if (!home) return "";
  const list: Place[] = ACCOUNTS.flatMap((account, a) =>
    REGIONS.map((region) =>
      account === own
        ? { label: region, region }
        : {
            label: `member-${a} (${account}) ${region}`,
            region,
            roleArn: `arn:aws:iam::${account}:role/ecs-chatops-read`,
            account,
          },
    ),
  );
  const size = fleets.reduce((sum, f) => sum + f.services.length, 0);
  const big = (membersByNamespace(home).get("mesh") ?? []).at(-1) ?? "";
  const questions: Question[] = [
    { id: "accounts-alias", text: "whois nginx.service-connect", what: "alias, in all 6 places" },
    { id: "accounts-missing", text: "whois nosuch.mesh", what: "alias that is nowhere" },
    { id: "accounts-bare", text: `whois ${big}`, what: "bare name, in all 6 places" },
    { id: "accounts-ip", text: "whois 10.0.1.23", what: "IP, in all 6 places" },
    { id: "accounts-health", text: "health api.internal.local", what: "DNS name, in all 6" },
    { id: "accounts-traffic", text: "traffic nginx.service-connect", what: "alias, in all 6" },
  ];
  const emulator = await startEmulator({ fleet: home, otherFleets: others, latencyMs: LATENCY_MS });
  useEmulator(emulator);
  usePlaces(list);
  for (const question of questions.filter((q) => !only || only.has(q.id))) {
    const cold = await measure(emulator, question, "cold");
    const warm = await measure(emulator, question, "warm");
    const row: Row = { size, question, cold: cold.measured, warm: warm.measured };
    await underConditions(emulator, row, cold.asked, runs);
    rows.push(row);
    process.stderr.write(`accounts ${question.text}: ${Math.round(cold.measured.ms)} ms cold\n`);
  }
  usePlaces(undefined);
  await emulator.close();
  return (
    `The last ${questions.length} rows (${n(size)} services): ${ACCOUNTS.length} accounts × ` +
    `${REGIONS.length} regions asked at once, ${n(PER_PLACE)} generated services per place over ` +
    "4 clusters plus the demo fleet; member accounts read through STS AssumeRole (cold: new " +
    "clients, so the role is assumed again); the limiter is per operation and account, as AWS's."
  );
}

const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}. ${LATENCY_MS} ms per AWS ` +
    `call; one account and region, then ${ACCOUNTS.length} accounts × ${REGIONS.length} regions ` +
    `(${REGIONS.join(", ")}; the last rows); ${runs} cold ` +
    `answers per question under each condition (the digest: 1, at up to ${n(digestConditionsMax)} ` +
    `services).`,
  "",
  `Fleets (generated services over ${CLUSTERS} clusters, plus the demo fleet):`,
  "",
  ...fleets,
  "",
  ...table(rows),
  "",
  "Targets (issue 11), checked against the figures above:",
  "",
  ...targets(rows, sizes, BIG_NAMESPACE + CLIENTS_NAMESPACE),
  ...(notifications
    ? [
        `- Notifications (issue 23): a storm of ${n(notifications.options.events)} stop events over ${notifications.options.services} services in one minute, ≤ ${notifications.options.services} messages and nothing lost: ` +
          `${notifications.ok ? "met" : "**NOT MET**"} (${n(notifications.storm.slack.posts)} messages, ${notifications.storm.lost.length} lost; the notifications section)`,
      ]
    : []),
  "",
  accountsLine,
  "",
  `Whole run: ${((performance.now() - started) / 60_000).toFixed(1)} minutes.`,
];
const text = lines.join("\n");
console.log(text);
if (notifications) console.log(["", "Notifications:", "", ...notified].join("\n"));
if (notifications && !notifications.ok) process.exitCode = 1;
if (!balancersMet(rows)) process.exitCode = 1;

if (write) {
  // Replaces what stands between the markers of docs/benchmarks.md with this run.
  const file = new URL("../docs/benchmarks.md", import.meta.url);
  const [begin, end] = ["<!-- bench:begin -->", "<!-- bench:end -->"];
  const doc = readFileSync(file, "utf8");
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${begin} … ${end}`);
  const command = ["npm run bench --", ...process.argv.slice(2)].join(" ");
  const run = `\n\n\`${command}\`\n\n${text}\n\n`;
  writeFileSync(file, `${doc.slice(0, from + begin.length)}${run}${doc.slice(to)}`);
  if (notifications) writeNotifyDoc(notified, command);
}

// `npm run bench:notify [-- --events N] [--services S] [--rounds R] [--write]`: the notification
// path of issue 23 (src/entry/notify.ts) measured end to end, with its production deps: the
// incidents table on dynalite, the routes and the bot token read from SSM (the emulator's
// GetParameters), Slack a local HTTP server recording chat.postMessage and chat.update. Every
// call costs LATENCY_MS: AWS through the emulator, DynamoDB and Slack delayed by this bench.
// 1. One event at a time: event → Slack call p50/p99, calls and round trips of one event.
// 2. A storm: N stop events over S services in one minute (emulator/fleet/storm-events.ts),
//    delivered at their moments to five containers at once (the function's reservedConcurrency):
//    Slack calls, messages (at most one per service), AWS and DynamoDB calls, nothing lost.
// Exits non-zero when the storm made more messages than services or lost an event. `npm run bench`
// runs it as its notification row (bench/all.ts).
import { execFileSync } from "node:child_process";
import dc from "node:diagnostics_channel";
import { readFileSync, writeFileSync } from "node:fs";
import {
  type ClientRequest,
  createServer,
  type IncomingMessage,
  request,
  type Server,
} from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Storm, steadyStateEvent, stormEvents } from "../emulator/fleet/storm-events.ts";
import { longestSequentialChain } from "../emulator/recorder.ts";
import { type RunningEmulator, startEmulator } from "../emulator/server.ts";
import { type RunningDynalite, useDynalite } from "../test/support/dynalite.ts";
import { type Played, playStorm, unaccounted } from "../test/support/storm-play.ts";
import { BENCH_ENV } from "./env.ts";

Object.assign(process.env, BENCH_ENV);
const { incidentsStore } = await import("../src/aws/incidents-store.ts");
const { logger } = await import("../src/aws/logger.ts");
const { forgetOwnDynamo } = await import("../src/aws/own-dynamo.ts");
const { forgetAwsClients } = await import("../src/aws/clients.ts");
const { notifyEvent, notifyDepsFrom } = await import("../src/entry/notify.ts");
type NotifyDeps = import("../src/entry/notify.ts").NotifyDeps;

const CHANNEL = "C0ALERTS001";
const TOKEN_PARAM = "/ecs-chatops/bench/slack-bot-token";
const ROUTES_PARAM = "/ecs-chatops/bench/targets";
const TABLE = "bench-incidents";
/** reservedConcurrency of the notify function (serverless.yml). */
const CONTAINERS = 5;

export interface NotifyBenchOptions {
  latencyMs: number;
  /** Stop events of the storm, and the services they stop. */
  events: number;
  services: number;
  /** One-at-a-time rounds: each an opening stop and its resolution per service. */
  rounds: number;
}

/** One outgoing HTTP call as the process made it (node:diagnostics_channel). */
interface Span {
  port: number;
  /** DynamoDB's X-Amz-Target operation, Slack's method. */
  operation: string;
  start: number;
  end: number;
  status?: number;
}

const spans: Span[] = [];
const open = new WeakMap<ClientRequest, Span>();
/** Only while this bench runs (bench/all.ts imports it among other benches). */
let recording = false;
dc.subscribe("http.client.request.start", (message) => {
  if (!recording) return;
  const req = (message as { request: ClientRequest }).request;
  const host = String(req.getHeader("host") ?? "");
  const target = String(req.getHeader("x-amz-target") ?? req.path);
  const span = {
    port: Number(host.split(":")[1] ?? 80),
    operation: target.split(/[./]/).at(-1) ?? target,
    start: performance.now(),
    end: Number.NaN,
  };
  open.set(req, span);
  spans.push(span);
});
dc.subscribe("http.client.response.finish", (message) => {
  const { request: req, response } = message as {
    request: ClientRequest;
    response: IncomingMessage;
  };
  const span = open.get(req);
  if (span) {
    span.end = performance.now();
    span.status = response.statusCode;
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on("end", () => resolve(text));
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );
}

interface SlackCall {
  method: string;
  channel: string;
  text: string;
  thread_ts?: string;
  /** When it arrived (performance.now()). */
  at: number;
}

/** Slack's Web API, chat.postMessage and chat.update, answering after `latencyMs`. */
async function slackServer(latencyMs: number) {
  const calls: SlackCall[] = [];
  let next = 1;
  const server = createServer(async (req, res) => {
    const at = performance.now();
    const body = Object.fromEntries(new URLSearchParams(await bodyOf(req)));
    const method = (req.url ?? "").replace(/^\/api\//, "");
    calls.push({
      method,
      channel: body.channel ?? "",
      text: body.text ?? "",
      thread_ts: body.thread_ts,
      at,
    });
    await sleep(latencyMs);
    const ts = method === "chat.update" ? body.ts : `1765000000.${String(next++).padStart(6, "0")}`;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ ok: true, channel: body.channel, ts }));
  });
  const url = await listen(server);
  return { url, calls, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** dynalite behind a proxy that holds every request `latencyMs`, as a DynamoDB call costs. */
async function delayedDynamo(latencyMs: number, target: string) {
  const to = new URL(target);
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    await sleep(latencyMs);
    const forward = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      },
    );
    forward.end(body);
  });
  const url = await listen(server);
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

// The Lambda's own deps (src/entry/notify.ts), enrichment included, with Slack at `slackApiUrl`.
const depsFor = notifyDepsFrom;

interface World {
  emulator: RunningEmulator;
  slack: Awaited<ReturnType<typeof slackServer>>;
  dynamo: RunningDynalite;
  proxy: Awaited<ReturnType<typeof delayedDynamo>>;
  ports: { aws: number; dynamo: number; slack: number };
}

/** The emulator serving the storm's fleet and the SSM parameters, a fresh table, Slack. */
async function world(storm: Storm, latencyMs: number, slackChannel = CHANNEL): Promise<World> {
  const emulator = await startEmulator({
    fleet: storm.fleet,
    latencyMs,
    parameters: {
      [TOKEN_PARAM]: "fake-bench-bot-token",
      [ROUTES_PARAM]: `routes:\n  - name: alerts\n    channel: ${slackChannel}\n`,
    },
  });
  const slack = await slackServer(latencyMs);
  const dynamo = await useDynalite(TABLE, "IncidentsTable");
  const proxy = await delayedDynamo(latencyMs, dynamo.url);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
    INCIDENTS_TABLE: TABLE,
    SLACK_BOT_TOKEN_PARAM: TOKEN_PARAM,
    DIGEST_TARGETS_PARAM: ROUTES_PARAM,
    // The storm's account is the bot's own: its services are read (enriched) without a role.
    BOT_ACCOUNT_ID: storm.fleet.accountId,
  });
  forgetOwnDynamo();
  // The enrichment's SDK clients point at this world's emulator, not the last one's (closed).
  forgetAwsClients();
  const port = (url: string) => Number(new URL(url).port);
  return {
    emulator,
    slack,
    dynamo,
    proxy,
    ports: { aws: port(emulator.url), dynamo: port(proxy.url), slack: port(slack.url) },
  };
}

async function close(w: World) {
  forgetOwnDynamo();
  await Promise.all([w.emulator.close(), w.slack.close(), w.proxy.close()]);
  await w.dynamo.stop();
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
};

/** "GetItem×2 PutItem×2 Query×1", most first. */
function byOperation(list: Span[]): string {
  const counts = new Map<string, number>();
  for (const s of list) counts.set(s.operation, (counts.get(s.operation) ?? 0) + 1);
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([op, n]) => `${op}×${n}`)
    .join(" ");
}

export interface OneEvent {
  kind: "opening stop" | "resolution";
  /** Event handed over → its first Slack call arriving at Slack. */
  toSlackMs: number;
  totalMs: number;
  roundTrips: number;
  calls: { aws: Span[]; dynamo: Span[]; slack: Span[] };
}

/** Each service's incident opened by a stop and resolved by a steady state, one event at a time. */
async function oneAtATime(storm: Storm, o: NotifyBenchOptions): Promise<OneEvent[]> {
  const w = await world(storm, o.latencyMs);
  const deps = await depsFor(process.env, { slackApiUrl: `${w.slack.url}/api/` });
  const stops = storm.events.filter((e) => e.delivery === "incident");
  const measured: OneEvent[] = [];
  let n = 0;
  for (let round = 0; round < o.rounds; round++) {
    for (const service of storm.services) {
      // Each round's stop is another task of the service (a task's version is applied once).
      const stop = stops.filter((e) => e.service === `${service.cluster}/${service.service}`)[
        round
      ];
      if (!stop) continue;
      const now = new Date().toISOString();
      // …stopping now, after the last resolution.
      const opening = { ...stop.event, id: `bench-${round}-${n++}`, time: now };
      const resolution = steadyStateEvent(service, new Date(Date.now() + 1), `bench-steady-${n++}`);
      for (const [kind, event] of [
        ["opening stop", opening],
        ["resolution", resolution],
      ] as const) {
        const from = performance.now();
        const before = spans.length;
        const calls = w.slack.calls.length;
        await notifyEvent(event, deps);
        const to = performance.now();
        const mine = spans.slice(before);
        const first = w.slack.calls[calls];
        measured.push({
          kind,
          toSlackMs: first ? first.at - from : Number.NaN,
          totalMs: to - from,
          roundTrips: longestSequentialChain(mine),
          calls: {
            aws: mine.filter((s) => s.port === w.ports.aws),
            dynamo: mine.filter((s) => s.port === w.ports.dynamo),
            slack: mine.filter((s) => s.port === w.ports.slack),
          },
        });
      }
    }
  }
  await close(w);
  return measured;
}

export interface StormResult {
  storm: Storm;
  played: Played[];
  ms: number;
  slack: { posts: number; edits: number; replies: number; askedFor: number };
  /** Top-level messages per service. */
  messagesByService: Map<string, number>;
  aws: { total: number; byOperation: string };
  dynamo: { total: number; byOperation: string; lostRaces: number };
  /** What went wrong (unaccounted deliveries, stops the table did not count). */
  lost: string[];
  given: { retried: number };
  toSlackMs: number[];
}

/** The storm delivered at its moments to CONTAINERS containers. */
async function stormRun(storm: Storm, o: NotifyBenchOptions): Promise<StormResult> {
  const w = await world(storm, o.latencyMs);
  const containers = await Promise.all(
    Array.from({ length: CONTAINERS }, () =>
      depsFor(process.env, { slackApiUrl: `${w.slack.url}/api/` }),
    ),
  );
  w.emulator.resetStats();
  const before = spans.length;
  const start = performance.now();
  const played = await playStorm(storm.events, {
    containers: CONTAINERS,
    deps: (i) => containers[i] as NotifyDeps,
    arrive: async ({ at }) => {
      const wait = start + at - performance.now();
      if (wait > 0) await sleep(wait);
    },
  });
  const ms = performance.now() - start;
  const mine = spans.slice(before);
  const dynamo = mine.filter((s) => s.port === w.ports.dynamo);
  const stats = w.emulator.stats();
  const calls = w.slack.calls;
  const posts = calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts);
  const messagesByService = new Map<string, number>();
  for (const p of played) {
    const made = p.actions.filter((a) => a.type === "post").length;
    if (made)
      messagesByService.set(p.storm.service, (messagesByService.get(p.storm.service) ?? 0) + made);
  }
  // Every incident stop in its service's count: what the table says, not what the path said.
  const store = incidentsStore(process.env);
  const lost = unaccounted(played);
  for (const s of storm.services) {
    const label = `${s.cluster}/${s.service}`;
    const stops = (await store?.get(s.key))?.state?.incident?.stops ?? 0;
    const sent = storm.incidentStops[label] ?? 0;
    if (stops !== sent) lost.push(`${label}: ${sent} incident stops sent, ${stops} counted`);
  }
  await close(w);
  return {
    storm,
    played,
    ms,
    slack: {
      posts: posts.length,
      edits: calls.filter((c) => c.method === "chat.update").length,
      replies: calls.filter((c) => c.thread_ts).length,
      // A resolution is an edit and a reply.
      askedFor: played.reduce(
        (sum, p) => sum + p.actions.reduce((k, a) => k + (a.type === "resolve" ? 2 : 1), 0),
        0,
      ),
    },
    messagesByService,
    aws: {
      total: stats.total,
      byOperation: Object.entries(stats.calls)
        .map(([op, n]) => `${op.split(".")[1]}×${n}`)
        .join(" "),
    },
    dynamo: {
      total: dynamo.length,
      byOperation: byOperation(dynamo),
      lostRaces: dynamo.filter((s) => s.operation === "PutItem" && s.status === 400).length,
    },
    lost,
    given: { retried: played.filter((p) => p.errors.length > 0).length },
    toSlackMs: played.flatMap((p) => (p.toSlackMs === undefined ? [] : [p.toSlackMs])),
  };
}

export interface NotifyBench {
  options: NotifyBenchOptions;
  one: OneEvent[];
  storm: StormResult;
  /** The storm's verdict: at most one message per service, nothing lost. */
  ok: boolean;
}

export async function benchNotify(options: Partial<NotifyBenchOptions> = {}): Promise<NotifyBench> {
  const o: NotifyBenchOptions = {
    latencyMs: 50,
    events: 1_000,
    services: 10,
    rounds: 5,
    ...options,
  };
  // Routine stops and lost races log a line each: the figures are the output here.
  logger.setLogLevel("ERROR");
  recording = true;
  const base = stormEvents({ events: o.events, services: o.services, seed: 23 });
  const one = await oneAtATime(base, o);
  // The storm starts now (its events' times are the clock the incidents read).
  const storm = stormEvents({
    events: o.events,
    services: o.services,
    seed: 23,
    start: new Date(Date.now() + 2_000),
  });
  const result = await stormRun(storm, o);
  recording = false;
  spans.length = 0;
  const ok = result.slack.posts <= o.services && result.lost.length === 0;
  return { options: o, one, storm: result, ok };
}

const n = (x: number) => x.toLocaleString("en-US");
const ms = (x: number) => `${n(Math.round(x))} ms`;

/** The figures as markdown: a table, then what went wrong, if anything. */
export function notifyLines(b: NotifyBench): string[] {
  const { one, storm: s, options: o } = b;
  const warm = one.slice(1);
  const of = (kind: OneEvent["kind"]) => warm.filter((e) => e.kind === kind);
  const typical = (list: OneEvent[]) => {
    const e = list[Math.floor(list.length / 2)];
    if (!e) return "none";
    return (
      `${e.calls.dynamo.length} DynamoDB (${byOperation(e.calls.dynamo)}), ` +
      `${e.calls.slack.length} Slack, ${e.calls.aws.length} AWS; ${e.roundTrips} round trips`
    );
  };
  const toSlack = warm.map((e) => e.toSlackMs).filter((x) => !Number.isNaN(x));
  const first = one[0];
  const applied = s.played.filter((p) => p.storm.delivery === "incident").length;
  const quiet = s.played.length - applied;
  const most = Math.max(0, ...s.messagesByService.values());
  const lines = [
    `${o.latencyMs} ms per call (AWS through the emulator, DynamoDB on dynalite, Slack on a local server); ` +
      `the notify function's path and deps; ${CONTAINERS} containers at once in the storm (reservedConcurrency).`,
    "",
    "| notifications (issue 23) | measured |",
    "| --- | --- |",
    `| event → Slack call, one at a time (${n(warm.length)} events: ${n(of("opening stop").length)} opening stops, ${n(of("resolution").length)} resolutions) | p50 ${ms(percentile(toSlack, 50))}, p99 ${ms(percentile(toSlack, 99))}; the first event (cold: SSM read) ${first ? ms(first.toSlackMs) : "none"} |`,
    `| calls of one opening stop | ${typical(of("opening stop"))} |`,
    `| calls of one resolution | ${typical(of("resolution"))} |`,
    `| storm: ${n(s.storm.events.length)} stop events over ${s.storm.services.length} services in one minute | ${n(s.storm.counts.incident)} incident stops, ${n(s.storm.counts.routine)} routine, ${n(s.storm.counts.duplicate)} redelivered, ${n(s.storm.counts.older)} late earlier states; played in ${(s.ms / 1000).toFixed(1)} s |`,
    `| Slack calls | ${n(s.slack.posts + s.slack.edits + s.slack.replies)}: ${n(s.slack.posts)} messages, ${n(s.slack.edits)} edits, ${n(s.slack.replies)} thread replies; ${n(Math.max(0, s.slack.askedFor - (s.slack.posts + s.slack.edits + s.slack.replies)))} more asked for were skipped (their message had no ts yet) |`,
    `| messages ≤ ${o.services} (one per service) | ${s.slack.posts <= o.services ? "met" : "**NOT MET**"}: ${n(s.slack.posts)}, at most ${most} for one service |`,
    `| AWS calls | ${n(s.aws.total)}${s.aws.total ? ` (${s.aws.byOperation})` : ""} |`,
    `| DynamoDB calls | ${n(s.dynamo.total)} (${s.dynamo.byOperation}); ${n(s.dynamo.lostRaces)} writes lost a race and were re-decided |`,
    `| nothing lost | ${s.lost.length === 0 ? "met" : "**NOT MET**"}: ${n(applied)} incident stops applied and counted, ${n(quiet)} redelivered, earlier or routine kept quiet; ${n(s.given.retried)} retried after a throw (Lambda's retries) |`,
    `| event → Slack call in the storm (waiting for a container included) | p50 ${ms(percentile(s.toSlackMs, 50))}, p99 ${ms(percentile(s.toSlackMs, 99))} over ${n(s.toSlackMs.length)} events that called Slack |`,
  ];
  if (s.lost.length > 0)
    lines.push("", "Lost or made twice:", "", ...s.lost.slice(0, 20).map((l) => `- ${l}`));
  return lines;
}

/** Replaces what stands between the notify markers of docs/benchmarks.md. */
export function writeNotifyDoc(lines: string[], command: string): void {
  const file = new URL("../docs/benchmarks.md", import.meta.url);
  const [begin, end] = ["<!-- notify:begin -->", "<!-- notify:end -->"];
  const doc = readFileSync(file, "utf8");
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${begin} … ${end}`);
  const when = new Date().toISOString().slice(0, 10);
  const run = `\n\n\`${command}\`, ${when}:\n\n${lines.join("\n")}\n\n`;
  writeFileSync(file, `${doc.slice(0, from + begin.length)}${run}${doc.slice(to)}`);
  // Aligned as the linter wants it, so a --write never fails CI's format check.
  execFileSync("npx", ["--no-install", "biome", "format", "--write", fileURLToPath(file)], {
    stdio: "ignore",
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i < 0 ? fallback : Number(argv[i + 1]);
  };
  const result = await benchNotify({
    events: flag("--events", 1_000),
    services: flag("--services", 10),
    rounds: flag("--rounds", 5),
    latencyMs: flag("--latency", 50),
  });
  const lines = notifyLines(result);
  console.log(lines.join("\n"));
  if (argv.includes("--write"))
    writeNotifyDoc(lines, ["npm run bench:notify --", ...argv].join(" "));
  process.exit(result.ok ? 0 : 1);
}

// `npm run demo -- event FILE`: plays one EventBridge event, or a JSON array of them in order,
// through the notification path (src/entry/notify.ts) with a built-in route to #ecs-alerts, and
// prints one line per Slack call it would make: post, update or thread, the channel, the text.
// No Slack workspace: the Slack client is a recorder. The incidents are kept in a file under
// .demo/ (`--fresh` starts over), so a second file continues the incidents of the first. Each
// incident is enriched against the demo fleet (the loopback AWS emulator, as `npm run demo`
// starts it): a post is followed by what the fresh read taught, indented.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadDemoFleet } from "../emulator/fleet/demo.ts";
import { type Storm, stormEvents } from "../emulator/fleet/storm-events.ts";
import { startEmulator } from "../emulator/server.ts";
import { forgetAwsClients } from "../src/aws/clients.ts";
import { applyOver, type IncidentsStore, type StoredIncident } from "../src/aws/incidents-store.ts";
import { quietLogsForTerminal } from "../src/aws/logger.ts";
import {
  type IncidentEnricher,
  incidentEnricher,
} from "../src/commands/reads/incident-enrichment.ts";
import type { IncidentState } from "../src/domain/incidents/machine.ts";
import { activeMutes, type Mute } from "../src/domain/incidents/mute.ts";
import type { Route } from "../src/domain/incidents/routes.ts";
import { actionLine, incidentHeadline } from "../src/domain/incidents/summary.ts";
import { notifyEvent } from "../src/entry/notify.ts";
import { plain } from "../src/render/document.ts";
import { freshLines } from "../src/render/incident-document.ts";
import type { IncidentSlack } from "../src/slack/incident-poster.ts";

export const DEMO_CHANNEL = "#ecs-alerts";
const DEMO_ROUTE: Route = {
  index: 0,
  name: "demo",
  channel: DEMO_CHANNEL,
  match: { severity: "warning" },
  quiet: [],
};

interface StateFile {
  incidents: Record<string, { state: IncidentState; revision: number }>;
  mutes: Mute[];
}

/** The incidents table as a JSON file: enough for one demo process at a time. */
export function fileIncidentsStore(path: string): IncidentsStore {
  const load = (): StateFile =>
    existsSync(path)
      ? (JSON.parse(readFileSync(path, "utf8")) as StateFile)
      : { incidents: {}, mutes: [] };
  const save = (file: StateFile) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(file, null, 1));
  };
  const store: IncidentsStore = {
    async get(key): Promise<StoredIncident> {
      const item = load().incidents[key];
      return item ? { state: item.state, revision: item.revision } : { revision: 0 };
    },
    async put(state, expected) {
      const file = load();
      if ((file.incidents[state.key]?.revision ?? 0) !== expected) return "conflict";
      file.incidents[state.key] = { state, revision: expected + 1 };
      save(file);
      return "written";
    },
    apply: (key, change, options) => applyOver(store, key, change, options),
    async openIncidents() {
      return Object.values(load().incidents)
        .map((i) => i.state)
        .filter((s) => s.incident && !s.incident.resolvedAt);
    },
    async mutes(now = new Date()) {
      return activeMutes(load().mutes, now);
    },
    async mute(mute) {
      const file = load();
      file.mutes = [
        ...file.mutes.filter((m) => m.key !== mute.key || m.channel !== mute.channel),
        mute,
      ];
      save(file);
    },
    async unmute(key, channel) {
      const file = load();
      file.mutes = file.mutes.filter((m) => m.key !== key || m.channel !== channel);
      save(file);
    },
  };
  return store;
}

/** Slack as a recorder: one line per call; a resolution is an edit and a reply. */
function recorder(print: (line: string) => void): IncidentSlack {
  let next = 0;
  return {
    async carry(action) {
      if (action.type === "resolve") {
        const headline = incidentHeadline(action.incident, action.subject);
        print(`update ${action.channel} ${action.text}: ${headline}`);
        print(`thread ${action.channel} ${action.reply}`);
        return undefined;
      }
      print(actionLine(action));
      if (action.type === "post") {
        for (const line of freshLines(action.incident)) print(`  ${plain(line)}`);
        const logs = action.incident.enrichment?.logs;
        if (logs) print(`  ${logs.label}: ${logs.url}`);
      }
      next += 1;
      return action.type === "post" ? `demo.${String(next).padStart(6, "0")}` : undefined;
    },
  };
}

/** When the event happened: each event is played at its own time, so folding reads as it would. */
function eventTime(event: unknown): Date {
  const time = (event as { time?: unknown } | null)?.time;
  const at = typeof time === "string" ? new Date(time) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : new Date();
}

export interface PlayOptions {
  /** The state file (default .demo/incidents.json). */
  statePath: string;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Reads the services; default: the demo fleet on the loopback emulator, started for the play. */
  enrichment?: IncidentEnricher;
  /** AWS calls made so far, when the path reads AWS (the storm's summary says them). */
  awsCalls?: () => number;
}

/**
 * The loopback AWS emulator with the demo fleet, the process's SDK clients pointed at it (as
 * scripts/demo.ts does), and an enricher reading its account and region. `close` puts the
 * environment back.
 */
export async function demoFleetEnricher(): Promise<{
  enrichment: IncidentEnricher;
  awsCalls: () => number;
  close: () => Promise<void>;
}> {
  const fleet = loadDemoFleet();
  const emulator = await startEmulator({ fleet, latencyMs: 0 });
  const names = [
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_PROFILE",
    "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
  ];
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.url,
    AWS_REGION: fleet.region,
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    AWS_EC2_METADATA_DISABLED: "true",
    // The lockfile pins SDK versions that support Node 20; the notice is about future releases.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  delete process.env.AWS_PROFILE;
  forgetAwsClients();
  const enrichment = incidentEnricher({
    places: [{ label: fleet.region, region: fleet.region }],
    ownAccount: fleet.accountId,
  });
  return {
    enrichment,
    awsCalls: () => emulator.stats().total,
    async close() {
      await emulator.close();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      forgetAwsClients();
    },
  };
}

const USAGE =
  "usage: npm run demo -- event FILE [--fresh]  (one event or a JSON array of them)\n" +
  "       npm run demo -- event --storm [N] [--services S]  (N task stops over S services, default 200 over 3)";

/**
 * `--storm [N] [--services S]`: a generated storm (emulator/fleet/storm-events.ts) of the demo
 * fleet's services, always on a fresh state (its events are the same every time: played on
 * yesterday's state they would all be redeliveries). Undefined: no --storm; a string: bad usage.
 */
function stormOf(args: string[]): Storm | string | undefined {
  const at = args.indexOf("--storm");
  if (at < 0) return undefined;
  const count = (flag: string, fallback: number) => {
    const i = flag === "--storm" ? at : args.indexOf(flag);
    const value = args[i + 1];
    return i < 0 || value === undefined || value.startsWith("--") ? fallback : Number(value);
  };
  const events = count("--storm", 200);
  const services = count("--services", 3);
  const rest = args.filter(
    (a, i) =>
      a.startsWith("--") === false && !["--storm", "--services"].includes(args[i - 1] ?? ""),
  );
  if (
    !Number.isInteger(events) ||
    events < 1 ||
    !Number.isInteger(services) ||
    services < 1 ||
    rest.length > 0
  ) {
    return USAGE;
  }
  return stormEvents({ events, services });
}

/** The storm's one line on stderr: what was played and what Slack was asked. */
function stormSummary(storm: Storm, lines: string[], notes: string[], aws?: number): string {
  const calls = (type: string, one: string, many: string) => {
    const n = lines.filter((l) => l.startsWith(`${type} `)).length;
    return `${n} ${n === 1 ? one : many}`;
  };
  const quiet = notes.filter((n) => n === "duplicate" || n === "older task version").length;
  const routine = notes.filter((n) => n.startsWith("routine")).length;
  return (
    `storm: ${storm.events.length} events over ${storm.services.length} services in one minute ` +
    `(${storm.counts.incident} incident stops, ${storm.counts.routine} routine, ` +
    `${storm.counts.duplicate} redelivered, ${storm.counts.older} late earlier states); ` +
    `${calls("post", "post", "posts")}, ${calls("update", "edit", "edits")}, ` +
    `${calls("thread", "reply", "replies")}; ` +
    `${notes.length - quiet - routine} applied, ${quiet} duplicates or older, ${routine} routine` +
    (aws === undefined ? "" : `; ${aws} AWS calls`)
  );
}

/** `event FILE [--fresh]` or `event --storm [N] [--services S]`; returns the exit code. */
export async function playEvents(args: string[], options: PlayOptions): Promise<number> {
  const storm = stormOf(args);
  if (typeof storm === "string") {
    options.err(storm);
    return 2;
  }
  const files = args.filter((a) => !a.startsWith("--"));
  if (!storm && (files.length !== 1 || !files[0])) {
    options.err(USAGE);
    return 2;
  }
  // A storm's hundreds of routine stops would each log a line among the Slack calls.
  if (storm) quietLogsForTerminal();
  if (storm || args.includes("--fresh")) rmSync(options.statePath, { force: true });
  let parsed: unknown;
  try {
    parsed = storm
      ? storm.events.map((e) => e.event)
      : JSON.parse(readFileSync(files[0] ?? "", "utf8"));
  } catch (error) {
    options.err(`${files[0]}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const store = fileIncidentsStore(options.statePath);
  const lines: string[] = [];
  const notes: string[] = [];
  const slack = recorder((line) => {
    lines.push(line);
    options.out(line);
  });
  const config = {
    get: async () => ({
      config: {
        botToken: "demo",
        routes: { configured: true, routes: [DEMO_ROUTE], errors: [] },
      },
      fresh: false,
    }),
  };
  const fleet = options.enrichment ? undefined : await demoFleetEnricher();
  const enrichment = options.enrichment ?? fleet?.enrichment;
  try {
    for (const event of events) {
      const { note } = await notifyEvent(event, {
        store,
        config,
        slack: () => slack,
        now: eventTime,
        ...(enrichment ? { enrichment } : {}),
      });
      const id = (event as { id?: unknown } | null)?.id;
      if (storm) notes.push(note);
      else options.err(`(${typeof id === "string" ? id : "event"}: ${note})`);
    }
    if (storm)
      options.err(stormSummary(storm, lines, notes, (options.awsCalls ?? fleet?.awsCalls)?.()));
  } finally {
    await fleet?.close();
  }
  return 0;
}

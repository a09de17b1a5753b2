// What the benchmarks share: the bot's own entry point against the loopback emulator, what an
// answer is judged on (complete, and the same verdict as unthrottled), and how AWS calls are
// printed. Imported first: it sets the benchmark environment before any bot module loads.
import type { EmulatorStats, RunningEmulator } from "../emulator/server.ts";
import type { Place } from "../src/domain/places.ts";
import { BENCH_ENV } from "./env.ts";

Object.assign(process.env, BENCH_ENV);
// No digest history: every digest is the first of its scope, and no table is ever written.
delete process.env.DIGEST_TABLE;

const clients = await import("../src/aws/clients.ts");
const context = await import("../src/commands/reads/aws-context.ts");
const { runEcsCommand } = await import("../src/commands/router.ts");

export const { forgetAwsClients, useSdkDefaultRetries } = clients;
export const { clearSharedCache } = context;
export const REGION = BENCH_ENV.AWS_REGION;

let places: Place[] | undefined;

/** The accounts and regions asked from now on (BOT_TARGETS); undefined: the bot's own region. */
export function usePlaces(list: Place[] | undefined): void {
  places = list;
}

/** Points the bot's (and the SDK's) clients at this emulator. */
export function useEmulator(emulator: RunningEmulator): void {
  process.env.AWS_ENDPOINT_URL = emulator.url;
  forgetAwsClients();
}

export interface Outcome {
  /** What must not change under throttling: the kind of answer and each verdict in it. */
  key: string;
  /** What was left unread (gaps named in the answer, services a digest could not judge). */
  gaps: number;
}

/** What must not change under throttling, per command, and how much was left unread. */
export function outcome(answer: unknown): Outcome {
  const a = answer as {
    kind: string;
    gaps?: unknown[];
    resolutions?: { verdict: string }[];
    reports?: { level?: string; status?: string; verdict?: string }[];
    results?: { kind: string }[];
    result?: { gaps: unknown[]; digest: { counts: Record<string, number> } };
  };
  if (a.result) {
    const { counts } = a.result.digest;
    const key = Object.entries(counts)
      .map(([level, n]) => `${level}=${n}`)
      .join(" ");
    return { key: `${a.kind}:${key}`, gaps: a.result.gaps.length + (counts.unknown ?? 0) };
  }
  const gaps = a.gaps?.length ?? 0;
  const key =
    a.resolutions?.map((r) => r.verdict).join("|") ??
    a.reports?.map((r) => r.level ?? r.status).join("|") ??
    a.results?.map((r) => r.kind).join("|") ??
    a.kind;
  return { key: `${a.kind}:${key}`, gaps };
}

export interface Asked {
  answer: unknown;
  outcome: Outcome;
  ms: number;
}

/**
 * One `/ecs` question through the bot's router, as Slack and the CLI ask it. "cold" as in a new
 * container: an empty cache and new SDK clients (new connections, a full retry quota, so one
 * answer's throttling does not drain the next one's retries); "warm" asks on whatever the
 * previous questions left cached, with the same clients.
 */
export async function ask(question: string, cache: "cold" | "warm" = "cold"): Promise<Asked> {
  if (cache === "cold") {
    clearSharedCache();
    forgetAwsClients();
  }
  const started = performance.now();
  const output = await runEcsCommand(question, () =>
    places ? places.map((p) => context.awsContext(p)) : context.awsContext(REGION),
  );
  return {
    answer: output.answer,
    outcome: outcome(output.answer),
    ms: performance.now() - started,
  };
}

/**
 * Answers to one question under a condition, against the unthrottled answer. "complete": no gap;
 * "wrong": a verdict other than the reference's without saying anything was unread; "partial":
 * gaps named (an unknown verdict that says why is partial, not wrong).
 */
export class Tally {
  complete = 0;
  wrong = 0;
  partial = 0;
  readonly ms: number[] = [];
  /** The keys of wrong answers, to say what they were. */
  readonly wrongKeys: string[] = [];

  constructor(readonly reference: Outcome) {}

  add(asked: Asked): void {
    this.ms.push(asked.ms);
    if (asked.outcome.gaps > 0) this.partial++;
    else if (asked.outcome.key === this.reference.key) this.complete++;
    else {
      this.wrong++;
      this.wrongKeys.push(asked.outcome.key);
    }
  }

  get runs(): number {
    return this.ms.length;
  }

  get slowest(): number {
    return Math.max(0, ...this.ms);
  }

  get median(): number {
    const sorted = [...this.ms].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  }
}

/** "DescribeServices×10 DiscoverInstances×1 …", most called first; Cloud Map's ListServices named. */
export function callsByOperation(stats: Pick<EmulatorStats, "calls">): string {
  return (
    Object.entries(stats.calls)
      .sort(([, a], [, b]) => b - a)
      // ECS and Cloud Map both have a ListServices: name the service where an operation is shared.
      .map(
        ([op, n]) =>
          `${op === "ServiceDiscovery.ListServices" ? "CloudMap " : ""}${op.split(".")[1]}×${n}`,
      )
      .join(" ")
  );
}

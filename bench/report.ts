// The result of `npm run bench` (bench/all.ts) as markdown: one table, every question side by side,
// then each target of issue 11 checked against the measured figures, met or by how much not.
import type { Tally } from "./harness.ts";

export type QuestionId =
  | "alias"
  | "alias-big"
  | "dns"
  | "bare"
  | "bare-listed"
  | "ip"
  | "ip-last"
  | "ip-tagged"
  | "ip-last-cluster"
  | "ip-last-tagged"
  | "ip-last-book"
  | "accounts-alias"
  | "accounts-missing"
  | "accounts-bare"
  | "accounts-ip"
  | "accounts-health"
  | "accounts-traffic"
  | "health"
  | "health-big"
  | "health-500"
  | "traffic"
  | "traffic-big"
  | "traffic-500"
  | "lb-dns"
  | "lb-dns-tagged"
  | "lb-dns-book"
  | "lb-name"
  | "lb-target-group"
  | "lb-alias"
  | "lb-traffic"
  | "digest";

export interface Question {
  id: QuestionId;
  /** As typed after `/ecs`. */
  text: string;
  /** What it asks about, for the reader: "alias, namespace of 1,000". */
  what: string;
}

/** One answer at 50 ms per call, as the emulator counted it. */
export interface Measured {
  ms: number;
  calls: number;
  roundTrips: number;
  byOperation: string;
  /** What the answer left unread; 0 is complete. */
  gaps: number;
}

export interface Row {
  size: number;
  question: Question;
  cold: Measured;
  warm: Measured;
  /** Cold answers under 20 requests/s per operation, and under 30 % throttling. */
  limited?: Tally;
  throttled?: Tally;
  /** The same question typed by hand (bench/naive.ts); `same`: it found the bot's services. */
  naive?: Measured & { same: boolean };
}

export const CONDITIONS = [
  { key: "limited", label: "20 requests/s per operation" },
  { key: "throttled", label: "30 % throttled" },
] as const;

export const n = (x: number) => x.toLocaleString("en-US");
const ms = (x: number) => n(Math.round(x));
const ratio = (bot: number, naive: number) => (naive > 0 ? `${(bot / naive).toPrecision(2)}×` : "");
const verdict = (ok: boolean) => (ok ? "met" : "**NOT MET**");

function tallied(t: Tally | undefined): string {
  return t ? `${t.complete}/${t.runs} / ${t.wrong} / ${ms(t.slowest)}` : "not run";
}

function cells(row: Row, cache: "cold" | "warm"): string[] {
  const m = row[cache];
  const cold = cache === "cold";
  const hand = cold ? row.naive : undefined;
  return [
    n(row.size),
    row.question.text,
    row.question.what,
    cache,
    ms(m.ms),
    n(m.calls),
    n(m.roundTrips),
    m.gaps === 0 ? "yes" : `**no** (${m.gaps} unread)`,
    cold ? tallied(row.limited) : "",
    cold ? tallied(row.throttled) : "",
    hand
      ? `${ms(hand.ms)} / ${n(hand.calls)} / ${n(hand.roundTrips)}${hand.same ? "" : " (**other services**)"}`
      : "",
    hand
      ? [
          ratio(m.ms, hand.ms),
          ratio(m.calls, hand.calls),
          ratio(m.roundTrips, hand.roundTrips),
        ].join(" / ")
      : "",
    hand ? `${m.byOperation}; by hand: ${hand.byOperation}` : m.byOperation,
  ];
}

export function table(rows: Row[]): string[] {
  return [
    "| services | question | asks about | cache | wall ms | AWS calls | round trips | complete | 20 req/s: complete / wrong / slowest ms | 30 % throttled: complete / wrong / slowest ms | by hand: wall ms / calls / round trips | bot ÷ by hand: wall / calls / round trips | calls by operation |",
    "|---:|---|---|---|---:|---:|---:|---|---|---|---|---|---|",
    ...rows.flatMap((row) =>
      (["cold", "warm"] as const).map((cache) => `| ${cells(row, cache).join(" | ")} |`),
    ),
  ];
}

/** The name lookups of the targets, as the summary names them. */
const NAME_LOOKUPS: Partial<Record<QuestionId, string>> = {
  alias: "alias (small namespace)",
  "alias-big": "alias (biggest namespace)",
  dns: "DNS name",
  bare: "bare name",
  "bare-listed": "bare name (namespaces in BOT_TARGETS)",
};

/** Each target of issue 11, met or by how much not, from the rows as measured. */
export function targets(rows: Row[], sizes: number[], clientsFleet: number): string[] {
  const lines: string[] = [];
  const names = rows.filter((r) => r.question.id in NAME_LOOKUPS);
  for (const [cache, limit] of [
    ["cold", 3],
    ["warm", 2],
  ] as const) {
    const over = names.filter((r) => r[cache].roundTrips > limit);
    const most = Math.max(...names.map((r) => r[cache].roundTrips));
    lines.push(
      `- Every name lookup (alias, DNS name, bare name, any namespace size) ≤ ${limit} round trips ${cache}: ` +
        (over.length === 0
          ? `met (at most ${most})`
          : `${verdict(false)}: ${over.map((r) => `${r.question.text} at ${n(r.size)}: ${r[cache].roundTrips}`).join("; ")}`),
    );
  }
  const spread = Object.entries(NAME_LOOKUPS).map(([id, what]) => {
    const calls = names.filter((r) => r.question.id === id).map((r) => r.cold.calls);
    return { what, min: Math.min(...calls), max: Math.max(...calls) };
  });
  lines.push(
    `- Calls of a name lookup independent of fleet size (cold, at ${sizes.map(n).join(" / ")} services): ` +
      (sizes.length < 2
        ? "not measured (one fleet size)"
        : verdict(spread.every((s) => s.min === s.max))) +
      `: ${spread.map((s) => `${s.what} ${s.min === s.max ? s.min : `${s.min} to ${s.max}`}`).join(", ")}`,
  );
  const largest = Math.max(
    ...rows.filter((r) => r.question.id.startsWith("ip")).map((r) => r.size),
  );
  const ips = rows.filter((r) => r.question.id.startsWith("ip") && r.size === largest);
  if (ips.length > 0) {
    const note = largest < 5_000 ? ` (not measured at 5,000: largest fleet ${n(largest)})` : "";
    const worst = Math.max(...ips.map((r) => r.cold.roundTrips));
    // The deployed bot keeps the address book; the rows without it are the search it falls back on.
    const book = ips.find((r) => r.question.id === "ip-last-book");
    const withBook = book
      ? `with the address book ${verdict(book.cold.roundTrips <= 4)} (${book.cold.roundTrips}); without it `
      : "";
    lines.push(
      `- whois <IP> ≤ 4 round trips cold at 5,000 services${note}: ${withBook}${verdict(worst <= 4)} in the worst case; ` +
        ips.map((r) => `${r.question.what}: ${r.cold.roundTrips}`).join("; "),
    );
  }
  lines.push(...balancerTargets(rows));
  for (const id of ["health-500", "traffic-500"] as const) {
    const row = rows.find((r) => r.question.id === id);
    const what = `${id.split("-")[0]} of a name with 500 client services ≤ 5 round trips, ≤ 20 calls (cold)`;
    if (!row) {
      lines.push(`- ${what}: not measured (the fleets from ${n(clientsFleet)} services have one)`);
      continue;
    }
    const { roundTrips, calls } = row.cold;
    const over = [
      roundTrips > 5 ? `${roundTrips - 5} round trips over` : "",
      calls > 20 ? `${calls - 20} calls over` : "",
    ].filter(Boolean);
    lines.push(
      `- ${what}: ${roundTrips} round trips, ${calls} calls at ${n(row.size)}: ` +
        `${verdict(over.length === 0)}${over.length ? `, ${over.join(", ")}` : ""}`,
    );
  }
  for (const condition of CONDITIONS) {
    const tallies = rows.flatMap((row) => {
      const t = row[condition.key];
      return t ? [{ row, t }] : [];
    });
    const total = tallies.reduce((s, { t }) => s + t.runs, 0);
    const complete = tallies.reduce((s, { t }) => s + t.complete, 0);
    const wrong = tallies.reduce((s, { t }) => s + t.wrong, 0);
    const share = total ? (100 * complete) / total : 0;
    const short = tallies.filter(({ t }) => t.complete < t.runs);
    lines.push(
      `- ${condition.label}: ≥ 99 % of answers complete, 0 wrong: ${complete}/${total} complete ` +
        `(${share.toFixed(1)} %), ${wrong} wrong: ${verdict(share >= 99 && wrong === 0)}` +
        (short.length
          ? `; short of complete: ${short.map(({ row, t }) => `${row.question.text} at ${n(row.size)} ${t.complete}/${t.runs}`).join(", ")}`
          : ""),
    );
    for (const { row, t } of tallies.filter(({ t }) => t.wrong > 0)) {
      lines.push(
        `  - wrong: ${row.question.text} at ${n(row.size)} answered ${t.wrongKeys.join("; ")}; unthrottled: ${t.reference.key}`,
      );
    }
  }
  return lines;
}

/**
 * The whois of a balancer (issue 24): its target health in 3 round trips, its ECS services named
 * from its targets in at most 3 more, the same calls at every size, where the targets' interfaces
 * carry ECS-managed tags or the address book knows them. Untagged and unbooked, the region's
 * services are listed (row lb-dns): exact, but its cost grows with the fleet, so it has no bound.
 */
const BOUNDED_BALANCER_ROWS: QuestionId[] = ["lb-dns-tagged", "lb-dns-book"];
const BALANCER_ROUND_TRIPS = 6;

function balancerRows(rows: Row[]) {
  const bounded = rows.filter((r) => BOUNDED_BALANCER_ROWS.includes(r.question.id));
  const over = bounded.filter((r) => r.cold.roundTrips > BALANCER_ROUND_TRIPS);
  const growing = BOUNDED_BALANCER_ROWS.filter((id) => {
    const calls = new Set(rows.filter((r) => r.question.id === id).map((r) => r.cold.calls));
    return calls.size > 1;
  });
  return { bounded, over, growing };
}

export function balancerTargets(rows: Row[]): string[] {
  const { bounded, over, growing } = balancerRows(rows);
  if (bounded.length === 0) return [];
  const most = Math.max(...bounded.map((r) => r.cold.roundTrips));
  const untagged = rows.filter((r) => r.question.id === "lb-dns");
  return [
    `- whois of a balancer's DNS name, targets' ENIs tagged or in the address book: ≤ ${BALANCER_ROUND_TRIPS} round trips cold and the same calls at every size (issue 24): ` +
      (over.length === 0 && growing.length === 0
        ? `met (at most ${most})`
        : `${verdict(false)}: ${[
            ...over.map((r) => `${r.question.id} at ${n(r.size)}: ${r.cold.roundTrips}`),
            ...growing.map((id) => `${id}: calls grow with the fleet`),
          ].join("; ")}`),
    ...(untagged.length > 0
      ? [
          `- same, untagged and unbooked (the region's services listed, no bound): ${untagged
            .map((r) => `${r.cold.roundTrips} at ${n(r.size)}`)
            .join(", ")}`,
        ]
      : []),
  ];
}

/** Whether every bounded balancer row is within its bound (the run exits non-zero if not). */
export function balancersMet(rows: Row[]): boolean {
  const { over, growing } = balancerRows(rows);
  return over.length === 0 && growing.length === 0;
}

import type { DigestAnswer, UnknownScope } from "../domain/answer.ts";
import type { DigestResult } from "../domain/digest.ts";
import {
  type Digest,
  type DigestLevel,
  digestKind,
  type Offender,
  unreadText,
} from "../domain/digest.ts";
import {
  ACTION_IDS,
  type Doc,
  GLANCE_HEADLINE_MAX,
  type Glance,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { clip, splitAt } from "./glance-text.ts";
import { gapLines, when } from "./whois-document.ts";

const MARK: Record<DigestLevel, string> = {
  down: "✖ DOWN",
  degraded: "▲ DEGRADED",
  noisy: "≈ NOISY",
  unknown: "? UNKNOWN",
  healthy: "✔ healthy",
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "09:00 UTC" on the digest's own day, the date too otherwise (an incident's end may be tomorrow). */
function at(date: Date, today: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return day(date) === day(today) ? `${date.toISOString().slice(11, 16)} UTC` : when(date);
}

/**
 * "failing since 2026-11-23 15:58 UTC" when AWS told the failure's start; otherwise the bot's
 * own sighting, labelled as such. Always with the day: a failure may be days old.
 */
function sinceText(s: { since: Date; sinceFromAws?: boolean }, failing?: string): string {
  const lead = failing ? `${failing}${s.sinceFromAws ? " " : ", "}` : "";
  return s.sinceFromAws
    ? `${lead}since ${when(s.since)}`
    : `${lead}first seen by the digest on ${when(s.since)}`;
}

/** "was down since 2026-11-23 15:58 UTC", "was down, first seen by the digest on …". */
function wasText(level: string, s: { since: Date; sinceFromAws?: boolean }): string {
  return sinceText(s, `was ${level}`);
}

function changeNote(o: Offender, d: Digest): string {
  // A failure the digest has only just seen has no start worth a line unless AWS told it.
  const since = o.change === "new" && !o.sinceFromAws ? "" : ` · ${sinceText(o, "failing")}`;
  if (!d.compared) return since;
  switch (o.change) {
    case "new":
      return ` · new since the last digest${since}`;
    case "worse":
      return ` · worse: was ${o.was}${since}`;
    case "better":
      return ` · better: was ${o.was}${since}`;
    default:
      return ` · ${sinceText(o, "still failing")}`;
  }
}

function offenderSection(o: Offender, d: Digest): Section {
  const key = `${o.entry.cluster}/${o.entry.service}`;
  return {
    lines: [[`${MARK[o.level]} `, { code: key }, `: ${o.reason}${changeNote(o, d)}`]],
    // Only buttons that can answer: no Service Connect name, no traffic metrics to show.
    links: [
      { actionId: ACTION_IDS.health, label: "Health", command: `health ${o.entry.subject}` },
      ...(o.entry.trafficSubject
        ? [
            {
              actionId: ACTION_IDS.traffic,
              label: "Traffic",
              command: `traffic ${o.entry.trafficSubject}`,
            },
          ]
        : []),
    ],
  };
}

/**
 * "; cluster staging could not be read (denied)": what the counts do not cover; and what the
 * judged services were judged without ("3 judged on partial reads: …").
 */
function unreadNote(d: Digest): string {
  const parts = d.unread.map(unreadText);
  const [first] = d.partial;
  if (first?.partial) {
    const n = d.partial.length;
    parts.push(
      `${plural(n, "service")} judged on partial reads (${first.partial} could not be read${n > 1 ? ", and more" : ""})`,
    );
  }
  return parts.length > 0 ? `; ${parts.join("; ")}` : "";
}

function countsLine(d: Digest): string {
  const c = d.counts;
  const parts = [
    c.down ? `${c.down} down` : "",
    c.degraded ? `${c.degraded} degraded` : "",
    c.noisy ? `${c.noisy} noisy` : "",
    // "0 healthy" beside unknowns would read as a finding; it is only what could not be read.
    c.healthy || !c.unknown ? `${c.healthy} healthy` : "",
    c.unknown ? `${c.unknown} unknown` : "",
  ].filter(Boolean);
  // Nothing read at all: what was not read is the whole line, not "0 healthy".
  if (d.total === 0 && d.unread.length > 0) return d.unread.map(unreadText).join("; ");
  return `${parts.join(", ")}${unreadNote(d)}`;
}

/**
 * The digest of one target: the counts, each offender worst first with health's own reason and
 * buttons, what changed since the last digest, the healthy rest in one line, and what could not
 * be read. Quiet and all healthy: one line.
 */
export function digestDocument(d: Digest, quiet: boolean): Doc {
  const time = at(d.at, d.at);
  const allHealthy = d.counts.healthy === d.total && d.total > 0;
  const quietLine =
    d.unread.length === 0 && d.partial.length === 0
      ? `All ${plural(d.total, "service")} healthy in ${d.scope} at ${time}`
      : // Never an all-clear over what could not be read: what was read, then what was not.
        `${plural(d.total, "service")} healthy in ${d.scope} at ${time}${unreadNote(d)}`;
  if (quiet && allHealthy && d.recovered.length === 0 && d.unreadFailing.length === 0) {
    // (an unread part or a partial judgement is in the quiet line itself)
    return { summary: quietLine, sections: [{ lines: [[quietLine]] }], notes: [] };
  }
  const kind = digestKind(d.target);
  const title =
    kind === "on-demand"
      ? "Digest"
      : kind === "incident"
        ? "Incident digest"
        : `Digest ${d.target}`;
  const head = `${title} (${d.scope}) at ${time}: ${countsLine(d)}`;
  const sections: Section[] = [{ lines: [[{ bold: head }]] }];
  for (const o of d.offenders) sections.push(offenderSection(o, d));
  if (d.recovered.length > 0) {
    sections.push({
      heading: "Recovered since the last digest",
      lines: d.recovered.map((r): Line => ["✔ ", { code: r.key }, ` ${wasText(r.was, r)}`]),
    });
  }
  const unreadFailing = d.unreadFailing.filter(
    (f) => !d.unknown.some((e) => `${e.cluster}/${e.service}` === f.key),
  );
  if (d.unknown.length > 0 || unreadFailing.length > 0) {
    const was = (key: string) => {
      const f = d.unreadFailing.find((u) => u.key === key);
      return f ? `; ${wasText(f.level, f)}` : "";
    };
    sections.push({
      heading: "Could not be judged (counted apart, neither healthy nor down)",
      lines: [
        ...d.unknown.map((e): Line => {
          const key = `${e.cluster}/${e.service}`;
          return ["? ", { code: key }, `: ${e.reason}${was(key)}`];
        }),
        // Failing in the last digest, in a part of the scope not read now: not recovered.
        ...unreadFailing.map(
          (f): Line => ["? ", { code: f.key }, `: not read this time${was(f.key)}`],
        ),
      ],
    });
  }
  const rest = d.counts.healthy;
  const restLine =
    d.total === 0
      ? d.unread.length > 0
        ? "No service could be read in this scope."
        : "No service found in this scope."
      : rest === d.total
        ? d.unread.length > 0
          ? `${plural(rest, "service")} healthy of those read.`
          : d.partial.length > 0
            ? `${plural(rest, "service")} healthy by what could be read.`
            : `All ${plural(rest, "service")} healthy.`
        : rest > 0
          ? `${plural(rest, "other service")} healthy.`
          : undefined;
  if (restLine) sections.push({ lines: [[restLine]] });
  if (!d.compared && d.total > 0) {
    sections.push({
      lines: [["First digest of this scope: the next one will say what changed."]],
    });
  }
  const glance = tooLong(sections) ? digestGlance(d, head, restLine) : undefined;
  return { summary: head, sections, notes: [], ...(glance ? { glance } : {}) };
}

/** A digest's whole answer a first view may be: issue 22's 1,500 less its buttons and small print. */
const DIGEST_BUDGET = 1200;
/** Offenders a whole digest lists before it needs a first view, and a first view lists at most. */
const OFFENDERS_SHOWN = 8;
const OFFENDER_MAX = 130;

/** Whether the whole digest is too long to be its own first view (about as Slack counts it). */
function tooLong(sections: Section[]): boolean {
  const offenders = sections.filter((s) => s.links?.length).length;
  const size = sections.reduce(
    (n, s) =>
      n +
      (s.heading?.length ?? 0) +
      s.lines.reduce((m, l) => m + plain(l).length + 1, 0) +
      (s.links ?? []).reduce((m, l) => m + l.label.length, 0),
    0,
  );
  return offenders > OFFENDERS_SHOWN || size > DIGEST_BUDGET;
}

/**
 * A big digest's first view: the counts, the worst offenders one line each while they fit,
 * "and N more", and what changed or could not be judged in one line; the rest is in Details.
 */
function digestGlance(d: Digest, head: string, restLine: string | undefined): Glance {
  const { head: headline, rest } = splitAt(head, GLANCE_HEADLINE_MAX);
  const facts: Line[] = rest ? [[`${rest[0]?.toUpperCase()}${rest.slice(1)}`]] : [];
  let room = DIGEST_BUDGET - headline.length - rest.length;
  let shown = 0;
  for (const o of d.offenders.slice(0, OFFENDERS_SHOWN)) {
    const change = d.compared && o.change !== "still" ? ` (${o.change})` : "";
    const line: Line = [
      `${MARK[o.level]} `,
      { code: `${o.entry.cluster}/${o.entry.service}` },
      `: ${clip(o.reason, OFFENDER_MAX)}${change}`,
    ];
    room -= plain(line).length + 1;
    // Room kept for the lines after the offenders.
    if (room < 250) break;
    facts.push(line);
    shown += 1;
  }
  const more = d.offenders.length - shown;
  const apart = [
    more > 0 ? `… and ${more} more failing` : "",
    d.recovered.length > 0 ? `${plural(d.recovered.length, "service")} recovered` : "",
    d.unknown.length > 0 ? `${plural(d.unknown.length, "service")} could not be judged` : "",
  ].filter(Boolean);
  if (apart.length > 0) facts.push([`${apart.join("; ")}: Details lists them.`]);
  if (restLine) facts.push([restLine]);
  const [worst] = d.offenders;
  return {
    headline: [headline],
    facts,
    links: worst
      ? [
          {
            actionId: ACTION_IDS.health,
            label: `Health of ${worst.entry.service}`,
            command: `health ${worst.entry.subject}`,
          },
        ]
      : [],
  };
}

/**
 * "No cluster or namespace tutorail in ap-northeast-1. Did you mean tutorial?"; with no name spelt
 * nearly so, the few there are.
 */
function unknownScopeLine(u: UnknownScope): string {
  const head = `No cluster or namespace ${u.names.join(" or ")} in ${u.region}.`;
  const or = (names: string[]) => names.join(" or ");
  const [only] = u.suggestions;
  if (only && u.names.length === 1) return `${head} Did you mean ${or(only.like)}?`;
  if (only) {
    const each = u.suggestions.map((s) => `${or(s.like)} (for ${s.name})`);
    return `${head} Did you mean ${each.join(" and ")}?`;
  }
  if (!u.known) return head;
  const list = (what: string, names: string[]) =>
    names.length > 0 ? `its ${what}: ${names.join(", ")}` : `no ${what}`;
  const known = `${list("clusters", u.known.clusters)}; ${list("namespaces", u.known.namespaces)}`;
  return `${head} ${known[0]?.toUpperCase()}${known.slice(1)}.`;
}

/** The answer to /ecs digest: the digest and what could not be listed, or why it was refused. */
export function digestAnswerDocument(answer: DigestAnswer): Doc {
  if (answer.kind === "invalid" && answer.askAgain !== undefined) {
    const line: Line = [
      "--every and --for schedule digests in a Slack channel; in the terminal, run ",
      { code: answer.askAgain },
      " again.",
    ];
    return { summary: plain(line), sections: [{ lines: [line] }], notes: [] };
  }
  if (answer.kind === "invalid" && answer.unknown) {
    const line = unknownScopeLine(answer.unknown);
    return { summary: line, sections: [{ lines: [[line]] }], notes: [] };
  }
  if (answer.kind === "invalid") {
    const line = `Cannot make that digest: ${answer.reason}.`;
    return {
      summary: line,
      sections: [
        { lines: [[{ bold: line }]] },
        {
          heading: "Usage",
          lines: [
            [{ code: "/ecs digest" }, " every cluster of the region"],
            [{ code: "/ecs digest <cluster> <namespace>" }, " these clusters and namespaces"],
            [{ code: "/ecs digest --quiet" }, " one line when all is healthy"],
            [
              { code: "/ecs digest <cluster> --every 15m --for 2h" },
              " in an incident channel: again every 15 minutes for 2 hours",
            ],
            [{ code: "/ecs digest stop" }, " stops this channel's incident digest"],
          ],
        },
      ],
      notes: [],
    };
  }
  if (answer.kind === "stopped") {
    const line =
      answer.outcome === "stopped"
        ? "Incident digest stopped: no more digests will be posted in this channel."
        : "No incident digest runs in this channel: nothing to stop.";
    return { summary: line, sections: [{ lines: [[line]] }], notes: [] };
  }
  const doc = digestResultDocument(answer.result, answer.quiet);
  const incident = answer.incident;
  if (!incident) return doc;
  const line: Line =
    incident.kind === "started"
      ? [
          `Incident digest: the next one in ${incident.everyMinutes} minutes, then every ${incident.everyMinutes} until ${at(incident.until, answer.result.digest.at)}. Stop it with `,
          { code: "/ecs digest stop" },
          ".",
        ]
      : incident.kind === "already-running"
        ? [
            "An incident digest already runs in this channel: ",
            { code: "/ecs digest stop" },
            " first to change it.",
          ]
        : [
            `The incident digest could not be scheduled: ${incident.reason}. This digest is the only one.`,
          ];
  return withLine(doc, line);
}

/** A line added under the digest, and to its first view when it has one: never left to Details. */
function withLine(doc: Doc, line: Line): Doc {
  const glance = doc.glance && { ...doc.glance, facts: [...doc.glance.facts, line] };
  return { ...doc, sections: [...doc.sections, { lines: [line] }], ...(glance ? { glance } : {}) };
}

/**
 * A digest and what could not be listed for it (a cluster, a namespace, the history); the last
 * digest of an incident schedule says when the schedule ends.
 */
export function digestResultDocument(result: DigestResult, quiet: boolean, lastUntil?: Date): Doc {
  const doc = { ...digestDocument(result.digest, quiet), notes: gapLines(result.gaps) };
  return lastUntil
    ? withLine(doc, [
        `Last incident digest: its schedule ends at ${at(lastUntil, result.digest.at)}. Ask again with --every … --for … to go on.`,
      ])
    : doc;
}

/** Said in the channel when a scheduled digest could not be made at all. */
export function digestFailedDocument(target: string, at: Date, reason: string): Doc {
  const line = `The ${at.toISOString().slice(11, 16)} UTC digest ${target} could not be made: ${reason}.`;
  return {
    summary: line,
    sections: [
      { lines: [[{ bold: line }]] },
      {
        lines: [
          [
            "Next: ",
            { code: "/ecs digest" },
            " asks for one now; the next scheduled one will try again.",
          ],
        ],
      },
    ],
    notes: [],
  };
}

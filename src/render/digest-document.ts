import type { DigestAnswer, DigestRun } from "../commands/digest.ts";
import type { Digest, DigestLevel, Offender } from "../domain/digest.ts";
import { ACTION_IDS, type Doc, type Line, type Section } from "./document.ts";
import { gapLines, when } from "./whois-document.ts";

const MARK: Record<DigestLevel, string> = {
  down: "✖ DOWN",
  degraded: "▲ DEGRADED",
  noisy: "≈ NOISY",
  unknown: "? UNKNOWN",
  healthy: "✔ healthy",
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "09:00 UTC" on the digest's own day, the date too otherwise. */
function at(date: Date, today: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return day(date) === day(today) ? `${date.toISOString().slice(11, 16)} UTC` : when(date);
}

function changeNote(o: Offender, d: Digest): string {
  if (!d.compared) return "";
  switch (o.change) {
    case "new":
      return " · new since the last digest";
    case "worse":
      return ` · worse: was ${o.was} · failing since ${at(o.since, d.at)}`;
    case "better":
      return ` · better: was ${o.was} · failing since ${at(o.since, d.at)}`;
    default:
      return ` · still failing since ${at(o.since, d.at)}`;
  }
}

function offenderSection(o: Offender, d: Digest): Section {
  const key = `${o.entry.cluster}/${o.entry.service}`;
  return {
    lines: [[`${MARK[o.level]} `, { code: key }, `: ${o.reason}${changeNote(o, d)}`]],
    links: [
      { actionId: ACTION_IDS.health, label: "Health", command: `health ${o.entry.subject}` },
      { actionId: ACTION_IDS.traffic, label: "Traffic", command: `traffic ${o.entry.subject}` },
    ],
  };
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
  return parts.join(", ");
}

/**
 * The digest of one target: the counts, each offender worst first with health's own reason and
 * buttons, what changed since the last digest, the healthy rest in one line, and what could not
 * be read. Quiet and all healthy: one line.
 */
export function digestDocument(d: Digest, quiet: boolean): Doc {
  const time = at(d.at, d.at);
  const allHealthy = d.counts.healthy === d.total && d.total > 0;
  if (quiet && allHealthy && d.recovered.length === 0) {
    const line = `All ${plural(d.total, "service")} healthy in ${d.scope} at ${time}`;
    return { summary: line, sections: [{ lines: [[line]] }], notes: [] };
  }
  const title = d.target.startsWith("on demand: ")
    ? "Digest"
    : d.target.startsWith("incident: ")
      ? "Incident digest"
      : `Digest ${d.target}`;
  const head = `${title} (${d.scope}) at ${time}: ${countsLine(d)}`;
  const sections: Section[] = [{ lines: [[{ bold: head }]] }];
  for (const o of d.offenders) sections.push(offenderSection(o, d));
  if (d.recovered.length > 0) {
    sections.push({
      heading: "Recovered since the last digest",
      lines: d.recovered.map(
        (r): Line => ["✔ ", { code: r.key }, ` was ${r.was} since ${at(r.since, d.at)}`],
      ),
    });
  }
  if (d.unknown.length > 0) {
    sections.push({
      heading: "Could not be judged (counted apart, neither healthy nor down)",
      lines: d.unknown.map(
        (e): Line => ["? ", { code: `${e.cluster}/${e.service}` }, `: ${e.reason}`],
      ),
    });
  }
  const rest = d.counts.healthy;
  const restLine =
    d.total === 0
      ? "No service found in this scope."
      : rest === d.total
        ? `All ${plural(rest, "service")} healthy.`
        : rest > 0
          ? `${plural(rest, "other service")} healthy.`
          : undefined;
  if (restLine) sections.push({ lines: [[restLine]] });
  if (!d.compared && d.total > 0) {
    sections.push({
      lines: [["First digest of this scope: the next one will say what changed."]],
    });
  }
  return { summary: head, sections, notes: [] };
}

/** The answer to /ecs digest: the digest and what could not be listed, or why it was refused. */
export function digestAnswerDocument(answer: DigestAnswer): Doc {
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
            [{ code: "/ecs digest tutorial service-connect" }, " these clusters and namespaces"],
            [{ code: "/ecs digest --quiet" }, " one line when all is healthy"],
            [
              { code: "/ecs digest payments --every 15m --for 2h" },
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
  const doc = digestRunDocument(answer.run, answer.quiet);
  const incident = answer.incident;
  if (!incident) return doc;
  const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;
  const line: Line =
    incident.kind === "started"
      ? [
          `Incident digest: the next one in ${incident.everyMinutes} minutes, then every ${incident.everyMinutes} until ${hhmm(incident.until)}. Stop it with `,
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
  return { ...doc, sections: [...doc.sections, { lines: [line] }] };
}

/**
 * A digest and what could not be listed for it (a cluster, a namespace, the history); the last
 * digest of an incident schedule says when the schedule ends.
 */
export function digestRunDocument(run: DigestRun, quiet: boolean, lastUntil?: Date): Doc {
  const doc = digestDocument(run.digest, quiet);
  const ending: Section[] = lastUntil
    ? [
        {
          lines: [
            [
              `Last incident digest: its schedule ends at ${lastUntil.toISOString().slice(11, 16)} UTC. Ask again with --every … --for … to go on.`,
            ],
          ],
        },
      ]
    : [];
  return { ...doc, sections: [...doc.sections, ...ending], notes: gapLines(run.gaps) };
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

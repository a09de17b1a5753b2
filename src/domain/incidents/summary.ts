// An incident in plain words, for the message a renderer draws and for the demo's one line per
// Slack call. Plain text only (no Slack markup): renderers escape it.

import { utcMinute } from "../time.ts";
import { clip } from "./enrichment.ts";
import { type Subject, subjectLabel } from "./event.ts";
import type { Incident, SlackAction } from "./machine.ts";

const MARK = { error: "✖", warning: "▲" } as const;

/** "deployment-failed" → "deployment failed". */
export const kindText = (kind: string) => kind.replace(/-/g, " ");

const HEADLINE_CAUSE_MAX = 220;

/**
 * What happened and the deciding cause: "✖ servicetest (default): deployment failed: ECS
 * deployment circuit breaker: …" from the event alone; with a fresh read, health's verdict and
 * deciding cause ("✖ billing-worker (c): task stopped — DOWN: 0 of 2 tasks running; last stop: …").
 * An unknown verdict decides nothing: the headline then says what the event says.
 */
export function incidentHeadline(incident: Incident, subject: Subject): string {
  const e = incident.enrichment;
  // The mark never reads milder than the verdict beside it: no ▲ above DOWN.
  const mark = e?.level === "down" ? MARK.error : MARK[incident.severity];
  const head = `${mark} ${subjectLabel(subject)}`;
  if (!e?.cause || !e.level || e.level === "unknown") return `${head}: ${incident.first.summary}`;
  const verdict = e.level === "healthy" ? "now HEALTHY" : e.level.toUpperCase();
  return `${head}: ${kindText(incident.kind)} — ${verdict}: ${clip(e.cause, HEADLINE_CAUSE_MAX)}`;
}

/** "3 events, 2 task stops, 2026-12-06 10:00 UTC to 10:04 UTC". */
export function incidentCounts(incident: Incident): string {
  const events = `${incident.events} event${incident.events === 1 ? "" : "s"}`;
  const stops = incident.stops
    ? `, ${incident.stops} task stop${incident.stops === 1 ? "" : "s"}`
    : "";
  const first = utcMinute(new Date(incident.openedAt));
  const last = utcMinute(new Date(incident.lastSeen));
  const span = last === first ? first : `${first} to ${last.slice(11)}`;
  return `${events}${stops}, ${span}`;
}

/** What a Slack call would say, in one line: "post C0OPS000001 ✖ servicetest (default): …". */
export function actionLine(action: SlackAction): string {
  const head = `${action.type} ${action.channel}`;
  switch (action.type) {
    case "post":
      return `${head} ${incidentHeadline(action.incident, action.subject)}`;
    case "update":
      return `${head} ${incidentHeadline(action.incident, action.subject)} (${incidentCounts(action.incident)})`;
    case "thread":
      return `${head} ${action.text.replace(/\n/g, " · ")}`;
    case "resolve":
      return `${head} ${action.reply}`;
  }
}

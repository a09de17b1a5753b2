// An incident in plain words, for the message a renderer draws and for the demo's one line per
// Slack call. Plain text only (no Slack markup): renderers escape it.

import { utcMinute } from "../time.ts";
import { type Subject, subjectLabel } from "./event.ts";
import type { Incident, SlackAction } from "./machine.ts";

const MARK = { error: "✖", warning: "▲" } as const;

/** "✖ servicetest (default): deployment failed: ECS deployment circuit breaker: …". */
export function incidentHeadline(incident: Incident, subject: Subject): string {
  return `${MARK[incident.severity]} ${subjectLabel(subject)}: ${incident.first.summary}`;
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

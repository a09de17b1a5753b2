// `/ecs alerts`: the routes (and their errors, by field), the open incidents and the mutes; and the
// answers of `/ecs alerts mute|unmute`. Without an incidents table the bot cannot know whether
// anything is open: it says so, never "no incidents".
import type { IncidentState } from "../domain/incidents/machine.ts";
import { durationText } from "../domain/incidents/machine.ts";
import type { Mute } from "../domain/incidents/mute.ts";
import { type RoutesResult, routeErrorText } from "../domain/incidents/routes.ts";
import { incidentHeadline } from "../domain/incidents/summary.ts";
import { utcMinute } from "../domain/time.ts";
import { type Doc, GLANCE_MAX, type Line, plain } from "./document.ts";
import { cutPlain } from "./escape.ts";

/** What `/ecs alerts mute|unmute` names: a service (cluster/service) or an alarm (alarm/NAME). */
export type AlertTarget = { cluster: string; service: string } | { alarm: string };

/** "api (tutorial)", "alarm api-5xx". */
function targetLabel(target: AlertTarget): string {
  return "alarm" in target
    ? `alarm ${cutPlain(target.alarm, 80, "…")}`
    : `${target.service} (${target.cluster})`;
}

/** The routes as read, or why they could not be. */
export type RoutesRead = RoutesResult | { unread: string };

export type AlertsAnswer =
  | { kind: "no-table" }
  | {
      kind: "list";
      routes: RoutesRead;
      incidents: IncidentState[];
      mutes: Mute[];
      now: Date;
    }
  | { kind: "muted"; target: AlertTarget; channel: string; until: string; count: number }
  | { kind: "unmuted"; target: AlertTarget; channel: string; count: number }
  /** Nothing of that service (or alarm) to mute, or unmute, in this channel. */
  | { kind: "none"; target: AlertTarget; action: "mute" | "unmute" }
  | { kind: "invalid"; query: string; reason: string };

export const ALERTS_USAGE =
  "/ecs alerts | /ecs alerts mute <cluster/service or alarm/NAME> <duration> | /ecs alerts unmute <cluster/service or alarm/NAME>";

/** So many lines in all before Slack first shows a glance and the rest behind Details. */
const LONG = 12;

/** A glance's incident line: three of them, the headline and the next step fit GLANCE_MAX. */
const FACT_MAX = Math.floor((GLANCE_MAX - 300) / 3);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "account/region/cluster/service" → "service (cluster)"; "…/alarm/NAME" → "alarm NAME". */
function muteLabel(key: string): string {
  const [, , cluster, ...rest] = key.split("/");
  const service = rest.join("/");
  if (cluster === undefined || !service) return key;
  return targetLabel(cluster === "alarm" ? { alarm: service } : { cluster, service });
}

function routeLines(routes: RoutesRead): { lines: Line[]; errors: number; count: number } {
  if ("unread" in routes) {
    return { lines: [[`The routes could not be read: ${routes.unread}`]], errors: 0, count: 0 };
  }
  if (!routes.configured) {
    return {
      lines: [["No routes configured: no incident is posted to any channel."]],
      errors: 0,
      count: 0,
    };
  }
  const lines: Line[] = routes.routes.map((r) => {
    const quiet = r.quiet.length ? `, quiet: ${r.quiet.join(", ")}` : "";
    return [
      "• ",
      { bold: r.name },
      " → ",
      { code: r.channel },
      ` (${r.match.severity} and up${quiet})`,
    ];
  });
  if (routes.routes.length === 0) lines.push(["No valid route: nothing is posted."]);
  for (const e of routes.errors) lines.push(["✖ skipped: ", { code: routeErrorText(e) }]);
  return { lines, errors: routes.errors.length, count: routes.routes.length };
}

function incidentLine(state: IncidentState, mutes: readonly Mute[], now: Date): Line {
  const incident = state.incident;
  if (!incident) return [state.key];
  const since = `since ${utcMinute(new Date(incident.openedAt))} (${durationText(now.getTime() - Date.parse(incident.openedAt))})`;
  const channels = Object.keys(incident.channels).map((c) =>
    mutes.some((m) => m.key === state.key && m.channel === c) ? `${c} (muted)` : c,
  );
  return [
    "• ",
    incidentHeadline(incident, state.subject),
    ` · ${since} · `,
    channels.length ? `in ${channels.join(", ")}` : "in no channel",
  ];
}

function listDocument(answer: Extract<AlertsAnswer, { kind: "list" }>): Doc {
  const routes = routeLines(answer.routes);
  const incidents = answer.incidents.map((s) => incidentLine(s, answer.mutes, answer.now));
  const mutes: Line[] = answer.mutes.map((m) => [
    "• ",
    muteLabel(m.key),
    " in ",
    { code: m.channel },
    ` until ${utcMinute(new Date(m.until))}`,
    ...(m.by ? [" (by ", { user: m.by }, ")"] : []),
  ]);
  const routeWord =
    "unread" in answer.routes
      ? "routes unread"
      : `${plural(routes.count, "route")}${routes.errors ? ` (${plural(routes.errors, "error")})` : ""}`;
  const summary = `Alerts: ${routeWord}, ${plural(answer.incidents.length, "open incident")}, ${plural(answer.mutes.length, "mute")}`;
  const doc: Doc = {
    summary,
    sections: [
      { heading: "Routes", lines: routes.lines },
      {
        heading: "Open incidents",
        lines: incidents.length ? incidents : [["No open incident."]],
      },
      { heading: "Mutes", lines: mutes.length ? mutes : [["No mute."]] },
    ],
    notes: [],
  };
  if (routes.lines.length + incidents.length + mutes.length <= LONG) return doc;
  const facts: Line[] = [
    ...(routes.errors
      ? [[`${plural(routes.errors, "route error")}: those routes are skipped.`] as Line]
      : []),
    // Each cut so that the first view stays within GLANCE_MAX whatever the incidents say.
    ...incidents.slice(0, 3).map((l): Line => [cutPlain(plain(l), FACT_MAX, "…")]),
  ];
  return {
    ...doc,
    glance: {
      headline: [summary],
      facts,
      next: ["Details lists every route, incident and mute."],
    },
  };
}

const sentence = (summary: string, ...lines: Line[]): Doc => ({
  summary,
  sections: [{ lines: lines.length ? lines : [[summary]] }],
  notes: [],
});

export function alertsDocument(answer: AlertsAnswer): Doc {
  switch (answer.kind) {
    case "no-table":
      return sentence(
        "Notifications are not set up here (no incidents table): open incidents and mutes are unknown.",
      );
    case "list":
      return listDocument(answer);
    case "muted":
      return sentence(
        `Muted ${targetLabel(answer.target)} in this channel until ${utcMinute(new Date(answer.until))}.`,
      );
    case "unmuted":
      return sentence(`Unmuted ${targetLabel(answer.target)} in this channel.`);
    case "none":
      return sentence(
        answer.action === "mute"
          ? `No open incident of ${targetLabel(answer.target)} in this channel to mute.`
          : `${targetLabel(answer.target)} is not muted in this channel.`,
      );
    case "invalid":
      return sentence(
        `Could not run /ecs alerts: ${answer.reason}`,
        [`Could not run /ecs alerts: ${answer.reason}`],
        ["Usage: ", { code: ALERTS_USAGE }],
      );
  }
}

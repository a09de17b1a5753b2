// An incident's Slack message as a document: the headline (what happened and the deciding cause),
// then, from a fresh read of the service, the next step, the task definition change and the
// deployment, and what could not be read; the stop's facts (reason, exit code, image), counts and
// last seen; the buttons: Health and Traffic of the service, Mute 1 h, and the console pages of
// the service, the stopped task and its log stream. The same document draws the resolved message
// ("✔ recovered after 12 min").

import { ecsServiceUrl, ecsTaskUrl, placeOfArn } from "../domain/console-links.ts";
import {
  deploymentText,
  taskDefinitionChange,
  taskDefinitionName,
} from "../domain/incidents/enrichment.ts";
import { incidentKey, type Subject } from "../domain/incidents/event.ts";
import type { Incident } from "../domain/incidents/machine.ts";
import { incidentCounts, incidentHeadline, kindText } from "../domain/incidents/summary.ts";
import { utcMinute } from "../domain/time.ts";
import {
  type CommandLink,
  crossLinks,
  DETAILS_ACTION_ID,
  type Doc,
  type Line,
  type UrlLink,
} from "./document.ts";

/** The Mute button's action; its value is `<cluster>/<service> 1h` (the listener stores the mute). */
export const MUTE_ACTION_ID = "ecs_mute";
export const MUTE_DURATION = "1h";

/** The deciding facts of the incident's first signal: what stopped, how, in which image. */
function causeLines(incident: Incident): Line[] {
  const first = incident.first;
  const stop = first.stop;
  const lines: Line[] = [];
  if (stop) {
    if (stop.stopCode) lines.push(["Stop code: ", { code: stop.stopCode }]);
    if (stop.stoppedReason) lines.push([`Stopped reason: ${stop.stoppedReason}`]);
    const c = stop.container;
    if (c) {
      const exit = c.exitCode !== undefined ? ` exit ${c.exitCode}` : "";
      lines.push([
        "Container ",
        { code: c.name },
        `${exit}${c.reason ? `: ${c.reason}` : ""}`,
        ...(c.image ? [", image ", { code: c.image }] : []),
      ]);
    }
    // The task definition the task ran; a fresh read says the change instead (freshLines).
    if (stop.taskDefinitionArn && !incident.enrichment?.taskDefinition) {
      lines.push(["Task definition ", { code: taskDefinitionName(stop.taskDefinitionArn) }]);
    }
  }
  if (first.deploymentId && first.deploymentId !== incident.enrichment?.deployment?.id) {
    lines.push(["Deployment ", { code: first.deploymentId }]);
  }
  if (first.reason && !stop) lines.push([`Reason: ${first.reason}`]);
  return lines;
}

/**
 * What the fresh read taught: what happened (the headline has the cause), the next step, the
 * task definition change and the deployment before it, the counts then, what was not read.
 */
export function freshLines(incident: Incident): Line[] {
  const e = incident.enrichment;
  if (!e) return [];
  const lines: Line[] = [];
  const decided = e.cause && e.level && e.level !== "unknown";
  if (decided) lines.push([`What happened: ${incident.first.summary}`]);
  else if (e.cause && e.level === "unknown") lines.push([`Health: ${e.cause}`]);
  if (e.next) lines.push([`Next: ${e.next}`]);
  const deployment = deploymentText(e, incident.openedAt);
  if (e.taskDefinition) {
    lines.push([
      "Task definition ",
      { code: taskDefinitionChange(e.taskDefinition) },
      ...(deployment ? [`, ${deployment}`] : []),
    ]);
  } else if (deployment) lines.push([deployment]);
  if (e.image && !incident.first.stop?.container?.image) lines.push(["Image ", { code: e.image }]);
  if (e.counts) {
    const where = e.place ? ` in ${e.place}` : "";
    lines.push([`${e.counts.running} of ${e.counts.desired} tasks running when read${where}`]);
  }
  for (const gap of e.gaps) lines.push([gap[0]?.toUpperCase() + gap.slice(1)]);
  return lines;
}

/** What was learned after the first event, in a line each (the thread has the detail). */
function learnedLines(incident: Incident): Line[] {
  const { kinds, exitCodes } = incident.learned;
  const lines: Line[] = [];
  if (kinds.length > 1) lines.push([`Seen: ${kinds.map(kindText).join(", ")}`]);
  if (exitCodes.length > 1) lines.push([`Exit codes: ${exitCodes.join(", ")}`]);
  return lines;
}

/** Health, Traffic, Details and Mute 1 h of the service; an alarm without a service gets none. */
function buttons(subject: Subject): CommandLink[] {
  if (!subject.service) return [];
  const mute: CommandLink = {
    actionId: MUTE_ACTION_ID,
    label: "Mute 1 h",
    // The incident's key (account/region/cluster/service): the mute reaches this incident only,
    // not the same service name in another account or region.
    command: `${incidentKey(subject)} ${MUTE_DURATION}`,
  };
  // Details: health's whole answer for this very service (cluster/service), in the thread.
  const target = subject.cluster ? `${subject.cluster}/${subject.service}` : subject.service;
  const details: CommandLink = {
    actionId: DETAILS_ACTION_ID,
    label: "Details",
    command: `health ${target}`,
  };
  return [...crossLinks("whois", subject.service), details, mute];
}

/** The service's console page, the stopped task's, and its log stream (from the fresh read). */
function consoleLinks(subject: Subject, incident: Incident): UrlLink[] {
  const taskArn = incident.latest.stop?.taskArn ?? incident.first.stop?.taskArn;
  const place = placeOfArn(taskArn) ?? {
    partition: "aws",
    region: subject.region,
    account: subject.account,
  };
  const links: UrlLink[] = [];
  const service =
    subject.service && subject.cluster
      ? ecsServiceUrl(place, subject.cluster, subject.service)
      : undefined;
  if (service) links.push({ label: "Service in console", url: service });
  const taskId = taskArn?.slice(taskArn.lastIndexOf("/") + 1);
  const task = taskId && subject.cluster ? ecsTaskUrl(place, subject.cluster, taskId) : undefined;
  if (task) links.push({ label: "Stopped task in console", url: task });
  const logs = incident.enrichment?.logs;
  if (logs) links.push(logs);
  return links;
}

export interface IncidentView {
  incident: Incident;
  subject: Subject;
  /** The resolved message's first line: "✔ recovered after 12 min". */
  resolved?: string;
}

/** The incident's message: open, or resolved (`resolved` then leads). */
export function incidentDocument({ incident, subject, resolved }: IncidentView): Doc {
  const headline = incidentHeadline(incident, subject);
  const lines: Line[] = [
    ...freshLines(incident),
    ...causeLines(incident),
    ...learnedLines(incident),
    [`${incidentCounts(incident)}, last seen ${utcMinute(new Date(incident.lastSeen))}`],
  ];
  if (resolved && incident.resolution) lines.push([`Resolved: ${incident.resolution}`]);
  const links = buttons(subject);
  return {
    summary: resolved ? `${resolved}: ${headline}` : headline,
    sections: [
      resolved
        ? { heading: resolved, lines: [[headline], ...lines] }
        : { heading: headline, lines },
    ],
    notes: [],
    ...(links.length > 0 ? { links } : {}),
    console: consoleLinks(subject, incident),
  };
}

/** A thread reply: plain lines, as the state machine wrote them. */
export function incidentReplyDocument(text: string): Doc {
  return {
    summary: text.split("\n")[0] ?? text,
    sections: [{ lines: text.split("\n").map((l) => [l]) }],
    notes: [],
  };
}

// What a fresh read of an incident's service adds to its message (issue 23): health's deciding
// cause and next step, the deployment that started before it, the task definition change, the
// image and the stopped task's log stream. Stored in the incident (DynamoDB), so it is kept
// small: short strings, no report. A read that failed is a gap the message says, never a finding.

import type { DeploymentRef } from "../facts.ts";
import type { Place } from "../places.ts";
import { utcMinute } from "../time.ts";
import { durationText, type IncidentState } from "./machine.ts";

/** The service's counts, as DescribeServices gave them (the grace rule reads them too). */
export interface Counts {
  running: number;
  desired: number;
}

export interface Enrichment {
  /** When the service was read (ISO). */
  readAt: string;
  /** The place read: "prod (111122223333) us-east-1". */
  place?: string;
  /** Health's verdict then: "down", "degraded", "healthy", "unknown". */
  level?: string;
  /** Health's deciding cause (its deciding finding, else its reason). */
  cause?: string;
  /** Health's next step for that cause. */
  next?: string;
  counts?: Counts;
  /** The deployment that started last before the incident opened. */
  deployment?: { id: string; startedAt?: string; rolloutState?: string };
  /** PRIMARY's task definition, and the previous deployment's when ECS still lists one. */
  taskDefinition?: { from?: string; to: string };
  /** The image of the container that stopped (the event's, else the task definition's). */
  image?: string;
  /** The stopped task's log stream (or log group) in the console. */
  logs?: { label: string; url: string };
  /** What could not be read, said in the message: "health not read: AWS denied DescribeServices". */
  gaps: string[];
}

const TEXT_MAX = 400;

/** A string cut to `max` characters with an ellipsis: the incident item stays small. */
export function clip(text: string, max = TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "arn:…:task-definition/billing-worker:12" → "billing-worker:12". */
export function taskDefinitionName(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** "billing-worker:11 → billing-worker:12", or the one revision when no earlier one is listed. */
export function taskDefinitionChange(td: NonNullable<Enrichment["taskDefinition"]>): string {
  return td.from && td.from !== td.to ? `${td.from} → ${td.to}` : td.to;
}

/**
 * The deployment that started last at or before `openedAt` (a deployment ECS began after the
 * incident did not cause it), and the task definition change it made: its task definition
 * against the one of the deployment before it, when ECS still lists that one.
 */
export function deploymentBefore(
  deployments: readonly DeploymentRef[],
  openedAt: Date,
): Pick<Enrichment, "deployment" | "taskDefinition"> {
  const dated = deployments
    .filter((d) => d.createdAt && d.status !== "INACTIVE")
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  const index = dated.findIndex((d) => (d.createdAt?.getTime() ?? 0) <= openedAt.getTime());
  const started = dated[index];
  if (!started) return {};
  const previous = dated[index + 1];
  return {
    deployment: {
      id: started.id,
      ...(started.createdAt ? { startedAt: started.createdAt.toISOString() } : {}),
      ...(started.rolloutState ? { rolloutState: started.rolloutState } : {}),
    },
    ...(started.taskDefinitionArn
      ? {
          taskDefinition: {
            to: taskDefinitionName(started.taskDefinitionArn),
            ...(previous?.taskDefinitionArn
              ? { from: taskDefinitionName(previous.taskDefinitionArn) }
              : {}),
          },
        }
      : {}),
  };
}

/** "deployment ecs-svc/123 started 2026-11-23 15:10 UTC, 4 min before, FAILED". */
export function deploymentText(e: Enrichment, openedAt: string): string | undefined {
  const d = e.deployment;
  if (!d) return undefined;
  const when = d.startedAt
    ? ` started ${utcMinute(new Date(d.startedAt))}, ${durationText(Date.parse(openedAt) - Date.parse(d.startedAt))} before`
    : "";
  return `deployment ${d.id}${when}${d.rolloutState ? `, ${d.rolloutState}` : ""}`;
}

/**
 * The place an event's service is read in: the BOT_TARGETS place of its account and region
 * (a member account, read through its role), else the bot's own account in that region. When
 * the bot's own account is not known, a place without a role stands for any account no member
 * place claims. Undefined: the bot is not configured to read that account (not enriched, said).
 */
export function placeOfEvent(
  places: readonly Place[],
  account: string,
  region: string,
  ownAccount?: string,
): Place | undefined {
  const member = places.find((p) => p.account === account && p.region === region);
  if (member) return member;
  const own = ownAccount ? account === ownAccount : !places.some((p) => p.account === account);
  if (!own) return undefined;
  return places.find((p) => !p.account && p.region === region) ?? { label: region, region };
}

/** The state with `enrichment` put into its incident `id` (kept if another read already did). */
export function withEnrichment(
  state: IncidentState,
  id: string,
  enrichment: Enrichment,
): IncidentState {
  const incident = state.incident;
  if (!incident || incident.id !== id || incident.enrichment) return state;
  return { ...state, incident: { ...incident, enrichment } };
}

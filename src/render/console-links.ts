// An answer's links into the AWS console, most useful first: the first is the first view's
// button, Details shows the rest. The console cannot switch accounts from a URL, so a link to
// another account's page says which account it opens.

import {
  type ConsolePlace,
  containerLogsUrl,
  ecsServiceUrl,
  ecsTaskUrl,
  placeOfArn,
  securityGroupUrl,
  targetGroupUrl,
} from "../domain/console-links.ts";
import type { HealthReport, StoppedTask } from "../domain/health.ts";
import type { Place } from "../domain/places.ts";
import type { Endpoint } from "../domain/resolution/endpoints.ts";
import type { Resolution } from "../domain/resolution.ts";
import type { WhyReport } from "../domain/why.ts";
import type { UrlLink } from "./document.ts";

/** Details shows this many; the first view one. */
export const CONSOLE_LINKS_MAX = 5;

interface Link {
  label: string;
  url: string | undefined;
  account?: string;
  /** The label when another page has the same one (two clusters' services of one name). */
  long?: string;
}

/** Unique pages in order, the account named on each when they span several accounts. */
function finish(links: Link[]): UrlLink[] | undefined {
  const seen = new Set<string>();
  const kept = links.filter((l): l is Link & { url: string } => {
    if (!l.url || seen.has(l.url)) return false;
    seen.add(l.url);
    return true;
  });
  const accounts = new Set(kept.flatMap((l) => (l.account ? [l.account] : [])));
  const labels = kept.map((l) => l.label);
  const out = kept.slice(0, CONSOLE_LINKS_MAX).map((l) => {
    const twice = labels.indexOf(l.label) !== labels.lastIndexOf(l.label);
    const label = twice ? (l.long ?? l.label) : l.label;
    return {
      label: accounts.size > 1 && l.account ? `${label} (account ${l.account})` : label,
      url: l.url,
    };
  });
  return out.length > 0 ? out : undefined;
}

const short = (taskId: string) => taskId.slice(0, 12);

/** The ECS service's place (partition, region, account), from its ARN; unread, none. */
function servicePlace(r: Resolution): ConsolePlace | undefined {
  return placeOfArn(r.publisher.ecs?.serviceArn);
}

function serviceLink(r: Resolution, place: ConsolePlace): Link {
  return serviceLinkOf(place, r.publisher.cluster, r.publisher.service);
}

function serviceLinkOf(place: ConsolePlace, cluster: string, service: string): Link {
  return {
    label: `Service ${service}`,
    long: `Service ${cluster}/${service}`,
    url: ecsServiceUrl(place, cluster, service),
    account: place.account,
  };
}

function taskLink(r: Resolution, place: ConsolePlace, taskId: string, what?: string): Link {
  return {
    label: `Task ${short(taskId)}${what ? ` (${what})` : ""}`,
    url: ecsTaskUrl(place, r.publisher.cluster, taskId),
    account: place.account,
  };
}

/** Tasks ECS described that do not serve as they should: their pages say why. */
function troubledTasks(r: Resolution, place: ConsolePlace): Link[] {
  const troubled = (e: Endpoint) =>
    e.taskId && e.lastStatus && (e.state === "unhealthy" || e.state === "stale");
  return r.endpoints
    .filter(troubled)
    .slice(0, 2)
    .map((e) => taskLink(r, place, e.taskId ?? "", e.state));
}

function askedTask(r: Resolution, place: ConsolePlace): Link[] {
  return r.subject.kind === "task" ? [taskLink(r, place, r.subject.taskId)] : [];
}

function networkLinks(r: Resolution, place: ConsolePlace): Link[] {
  const ecs = r.publisher.ecs;
  const groups = (ecs?.securityGroups ?? []).map(
    (id): Link => ({
      label: `Security group ${id}`,
      url: securityGroupUrl(place, id),
      account: place.account,
    }),
  );
  const targets = (ecs?.loadBalancers ?? []).flatMap((lb): Link[] => {
    const arn = lb.targetGroupArn;
    if (!arn) return [];
    const name = arn.split("/")[1] ?? arn;
    return [
      {
        label: `Target group ${name}`,
        url: targetGroupUrl(arn),
        account: placeOfArn(arn)?.account,
      },
    ];
  });
  return [...groups, ...targets];
}

/** whois: the asked task, the service, its troubled tasks, then its security and target groups. */
export function whoisConsole(resolutions: readonly Resolution[]): UrlLink[] | undefined {
  return finish(
    resolutions.flatMap((r) => {
      const place = servicePlace(r);
      if (!place) return [];
      return [
        ...askedTask(r, place),
        serviceLink(r, place),
        ...troubledTasks(r, place),
        ...networkLinks(r, place),
      ];
    }),
  );
}

/**
 * The logs of a stopped task: its failed container's stream (its group when the stream cannot
 * be named). Only when the task ran the task definition whose log settings were read: another
 * revision may log elsewhere.
 */
function stoppedLogs(r: Resolution, place: ConsolePlace, stopped: StoppedTask): Link[] {
  const logs = r.publisher.ecs?.taskLogs;
  if (!logs || !stopped.taskDefinitionArn || logs.taskDefinitionArn !== stopped.taskDefinitionArn)
    return [];
  const container = (stopped.containers ?? [])
    .map((name) => logs.containers.find((c) => c.name === name))
    .find((c) => c?.awslogs);
  if (!container?.awslogs) return [];
  const found = containerLogsUrl(place, container.awslogs, container.name, stopped.taskId);
  if (!found) return [];
  return [
    {
      label: found.stream
        ? `Logs of stopped task ${short(stopped.taskId)}`
        : `Log group ${container.awslogs.group}`,
      url: found.url,
      account: place.account,
    },
  ];
}

/**
 * health: when something is wrong, the last stopped task's logs first (why it stopped), its
 * troubled tasks, the stopped task, then the service; healthy, the service first.
 */
export function healthConsole(reports: readonly HealthReport[]): UrlLink[] | undefined {
  return finish(
    reports.flatMap((report) => {
      const r = report.resolution;
      const place = servicePlace(r);
      if (!place) return [];
      const last = report.stopped?.[0];
      const stopped = last
        ? [...stoppedLogs(r, place, last), taskLink(r, place, last.taskId, "stopped")]
        : [];
      const rest = networkLinks(r, place);
      if (report.level === "healthy")
        return [...askedTask(r, place), serviceLink(r, place), ...rest, ...stopped];
      return [
        ...askedTask(r, place),
        ...stopped.slice(0, 1),
        ...troubledTasks(r, place),
        ...stopped.slice(1),
        serviceLink(r, place),
        ...rest,
      ];
    }),
  );
}

const CLIENT_SERVICE = /^([^/\s:]+)\/([^/\s]+)$/;

/** why: the security groups a fix changes (the broken link's) first, then target and client services. */
export function whyConsole(reports: readonly WhyReport[]): UrlLink[] | undefined {
  return finish(
    reports.flatMap((report) => {
      const r = report.health?.resolution;
      if (!r) return [];
      const place = servicePlace(r);
      if (!place) return [];
      const groups = [
        ...new Set(report.fixes.flatMap((f) => f.resources).filter((id) => id.startsWith("sg-"))),
      ].map(
        (id): Link => ({
          label: `Security group ${id}`,
          url: securityGroupUrl(place, id),
          account: place.account,
        }),
      );
      // The client is read in the same place as the target (one place answers a why).
      const client = CLIENT_SERVICE.exec(report.client);
      const services = [
        serviceLink(r, place),
        ...(client?.[1] && client[2] ? [serviceLinkOf(place, client[1], client[2])] : []),
      ];
      // A service a fix changes (a redeploy) before one it does not.
      const named = new Set(report.fixes.flatMap((f) => f.resources));
      const fixed = (l: Link) => named.has((l.long ?? "").replace(/^Service /, ""));
      return [
        ...groups,
        ...services.filter(fixed),
        ...services.filter((l) => !fixed(l)),
        ...troubledTasks(r, place),
      ];
    }),
  );
}

/**
 * Links of an answer read in one of several places: another account's page says whose account it
 * opens; with answers from several places, the region too.
 */
export function consoleOfPlace(
  links: readonly UrlLink[] | undefined,
  place: Pick<Place, "account" | "region">,
  several: boolean,
): UrlLink[] | undefined {
  if (!links) return undefined;
  return links.map((l) => {
    const named = l.label.includes("(account ");
    const parts = [
      !named && place.account ? `account ${place.account}` : undefined,
      several ? place.region : undefined,
    ].filter(Boolean);
    return parts.length > 0 ? { ...l, label: `${l.label} (${parts.join(", ")})` } : l;
  });
}

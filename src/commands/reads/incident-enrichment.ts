// An incident's service read fresh, with health's rules (issue 23): first a light read for the
// decision (DescribeServices: the counts of the grace rule and the Cloud Map namespaces routes
// match, kept ~25 s per service so a deployment's routine stops do not each cost a read), then,
// when an event opens an incident, health's report of the service plus the deployment before it,
// the task definition change, the image and the stopped task's log stream. Bounded by a
// deadline; a read that fails is a gap the message says, and never holds the post back.

import { TtlCache } from "../../aws/cache.ts";
import { AwsReadError } from "../../aws/errors.ts";
import { awsLogsOf, containerLogsUrl, placeOfArn } from "../../domain/console-links.ts";
import type { EcsService, Gap } from "../../domain/facts.ts";
import type { HealthReport } from "../../domain/health.ts";
import {
  type Counts,
  clip,
  deploymentBefore,
  type Enrichment,
  placeOfEvent,
} from "../../domain/incidents/enrichment.ts";
import type { Subject } from "../../domain/incidents/event.ts";
import type { Incident } from "../../domain/incidents/machine.ts";
import type { Place } from "../../domain/places.ts";
import { type AwsContext, awsContext, Gaps } from "./aws-context.ts";
import { reportFor } from "./health-report.ts";

/** What the decision needs, from the light read; `gap` says why it is missing. */
export interface ServiceGlance {
  counts?: Counts;
  namespaces?: string[];
  gap?: string;
}

export interface IncidentEnricher {
  /** The light read (kept briefly per service). Never throws. */
  glance(subject: Subject): Promise<ServiceGlance>;
  /** The opening event's enrichment, within the deadline. Never throws. */
  enrich(subject: Subject, incident: Incident, now: Date): Promise<Enrichment>;
}

export interface EnricherOptions {
  /** BOT_TARGETS's places (placesFrom). */
  places: readonly Place[];
  /** The bot's own account (BOT_ACCOUNT_ID): an event of another unconfigured account is not read. */
  ownAccount?: string;
  /** The opening event's whole enrichment; default 10 s. */
  deadlineMs?: number;
  /** The light read before each decision; default 5 s. */
  glanceDeadlineMs?: number;
  /** How long a light read is kept per service; default 25 s. */
  glanceTtlMs?: number;
  /** The adapters of a place (tests may pass their own). */
  contextOf?: (place: Place, signal: AbortSignal) => AwsContext;
}

/** "AWS denied DescribeServices (AccessDeniedException)", "DescribeServices did not answer in time". */
export function readFailure(error: unknown): string {
  if (!(error instanceof AwsReadError)) {
    return error instanceof Error ? error.message : String(error);
  }
  switch (error.kind) {
    case "access-denied":
      return `AWS denied ${error.operation} (${error.code})`;
    case "throttled":
      return `AWS throttled ${error.operation} (${error.code})`;
    default:
      return error.reason;
  }
}

/** A failed read of the report, in a few words: "the stopped tasks of c/s (denied)". */
const gapText = (gap: Gap) => clip(`not read: ${gap.what} (${gap.cause ?? "failed"})`, 160);

/** The Cloud Map namespaces of a service, by name: Service Connect's and its registries'. */
async function namespacesOf(ctx: AwsContext, service: EcsService): Promise<string[]> {
  const refs: string[] = [];
  const sc = service.serviceConnect;
  if (sc?.enabled && sc.namespace) refs.push(sc.namespace);
  const registries = service.serviceRegistries.filter((r) => r.registryArn);
  if (refs.length === 0 && registries.length === 0) return [];
  const [all, registered] = await Promise.all([
    ctx.cloudMap.listNamespaces(),
    Promise.all(
      registries.map((r) =>
        ctx.cloudMap.getService(r.registryArn.slice(r.registryArn.lastIndexOf("/") + 1)),
      ),
    ),
  ]);
  refs.push(...registered.map((s) => s.namespaceId));
  const names = refs.map(
    (ref) => all.find((n) => n.arn === ref || n.id === ref || n.name === ref)?.name ?? ref,
  );
  return [...new Set(names)];
}

/** Runs `work` with an AbortSignal that fires after `ms`; the race is the backstop. */
async function withDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  late: () => T,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(late());
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

class GlanceGap extends Error {}

/** Health's deciding cause and next step; an unknown verdict says what was not read. */
function judged(report: HealthReport | undefined): Partial<Enrichment> {
  if (!report) return {};
  const deciding = report.deciding !== undefined ? report.findings[report.deciding] : undefined;
  const next = deciding?.next ?? report.nextCheck;
  return {
    level: report.level,
    cause: clip(report.reason),
    ...(next ? { next: clip(next) } : {}),
  };
}

/**
 * The log stream of the stopped task: the event's own task and container, else the last task
 * health saw stopped. Its task definition's awslogs settings say where (DescribeTaskDefinition,
 * kept: a revision never changes).
 */
async function stoppedLogs(
  ctx: AwsContext,
  incident: Incident,
  report: HealthReport | undefined,
): Promise<Enrichment["logs"]> {
  const stop = incident.first.stop;
  const last = report?.stopped?.[0];
  const taskArn = stop?.taskArn;
  const td = stop ? stop.taskDefinitionArn : last?.taskDefinitionArn;
  const taskId = taskArn ? taskArn.slice(taskArn.lastIndexOf("/") + 1) : last?.taskId;
  const names = stop ? (stop.container ? [stop.container.name] : []) : (last?.containers ?? []);
  if (!td || !taskId || names.length === 0) return undefined;
  const definition = await ctx.ecs.describeTaskDefinition(td);
  const container = names
    .map((name) => definition.containers.find((c) => c.name === name))
    .find((c) => awsLogsOf(c?.logConfiguration));
  const awslogs = awsLogsOf(container?.logConfiguration);
  const place = placeOfArn(taskArn) ?? placeOfArn(td);
  if (!container || !awslogs || !place) return undefined;
  const found = containerLogsUrl(place, awslogs, container.name, taskId);
  if (!found) return undefined;
  const label = found.stream
    ? `Logs of stopped task ${taskId.slice(0, 12)}`
    : `Log group ${awslogs.group}`;
  return { label, url: found.url };
}

export function incidentEnricher(options: EnricherOptions): IncidentEnricher {
  const deadlineMs = options.deadlineMs ?? 10_000;
  const glanceDeadlineMs = options.glanceDeadlineMs ?? 5_000;
  const ttl = options.glanceTtlMs ?? 25_000;
  const contextOf = options.contextOf ?? ((place, signal) => awsContext(place, undefined, signal));
  const kept = new TtlCache();

  const placeOf = (subject: Subject) =>
    placeOfEvent(options.places, subject.account, subject.region, options.ownAccount);
  const notConfigured = (subject: Subject) =>
    `account ${subject.account} in ${subject.region} is not a place the bot reads (BOT_TARGETS)`;

  /** The service as DescribeServices has it now; throws when it cannot be read or is not there. */
  async function describe(ctx: AwsContext, subject: Subject): Promise<EcsService> {
    const name = subject.service ?? "";
    if (!subject.cluster) throw new GlanceGap("the event names no cluster");
    const { services } = await ctx.ecs.describeServices(subject.cluster, [name]);
    const found = services.find((s) => s.name === name && s.status !== "INACTIVE");
    if (!found) {
      throw new GlanceGap(`service ${subject.cluster}/${name} not found in ${ctx.place.label}`);
    }
    return found;
  }

  function readGlance(subject: Subject, place: Place): Promise<ServiceGlance> {
    return withDeadline<ServiceGlance>(
      glanceDeadlineMs,
      async (signal) => {
        const ctx = contextOf(place, signal);
        const service = await describe(ctx, subject);
        const counts = { running: service.runningCount, desired: service.desiredCount };
        try {
          return { counts, namespaces: await namespacesOf(ctx, service) };
        } catch (error) {
          return { counts, gap: `namespaces not read: ${readFailure(error)}` };
        }
      },
      () => ({ gap: `DescribeServices did not answer within ${glanceDeadlineMs / 1000} s` }),
    );
  }

  async function glance(subject: Subject): Promise<ServiceGlance> {
    if (!subject.service || subject.alarm !== undefined) return {};
    const place = placeOf(subject);
    if (!place) return { gap: notConfigured(subject) };
    const key = `incident-glance:${place.label}:${subject.cluster}/${subject.service}`;
    try {
      // Kept only when it was read: a failed read is asked again by the next event.
      return await kept.getOrLoad(key, ttl, async () => {
        const read = await readGlance(subject, place);
        if (!read.counts) throw new GlanceGap(read.gap ?? "not read");
        return read;
      });
    } catch (error) {
      return { gap: readFailure(error) };
    }
  }

  async function readEnrichment(
    ctx: AwsContext,
    subject: Subject,
    incident: Incident,
    now: Date,
    counts: Counts,
  ): Promise<Enrichment> {
    const { cluster } = subject;
    const service = subject.service ?? "";
    const gaps = new Gaps();
    const target = {
      cluster,
      service,
      request: { query: `${cluster}/${service}`, subject: { kind: "service" as const } },
    };
    const [report, described] = await Promise.all([
      reportFor(ctx, gaps, target, now),
      describe(ctx, subject).catch(() => undefined),
    ]);
    const logs = await stoppedLogs(ctx, incident, report).catch(() => undefined);
    const image = incident.first.stop?.container?.image;
    return {
      readAt: now.toISOString(),
      place: ctx.place.label,
      counts,
      ...(described?.deployments
        ? deploymentBefore(described.deployments, new Date(incident.openedAt))
        : {}),
      ...(image ? { image: clip(image, 200) } : {}),
      ...(logs ? { logs } : {}),
      ...judged(report),
      // No report: why, in the headline's terms; a partial one: what it could not read.
      gaps: report
        ? gaps.list.slice(0, 2).map(gapText)
        : [`health not read: ${gaps.list[0]?.why ?? "the service was not found"}`],
    };
  }

  async function enrich(subject: Subject, incident: Incident, now: Date): Promise<Enrichment> {
    const readAt = now.toISOString();
    if (!subject.service || subject.alarm !== undefined) return { readAt, gaps: [] };
    const place = placeOf(subject);
    if (!place) return { readAt, gaps: [`not enriched: ${notConfigured(subject)}`] };
    const seen = await glance(subject);
    const counts = seen.counts;
    if (!counts) {
      return { readAt, place: place.label, gaps: [`health not read: ${seen.gap ?? "unknown"}`] };
    }
    try {
      return await withDeadline<Enrichment>(
        deadlineMs,
        (signal) => readEnrichment(contextOf(place, signal), subject, incident, now, counts),
        () => ({
          readAt,
          place: place.label,
          counts,
          gaps: [`health not read within ${deadlineMs / 1000} s: posted with what the event says`],
        }),
      );
    } catch (error) {
      // Not an AWS failure (those are gaps already): a bug, but the post still goes out.
      return {
        readAt,
        place: place.label,
        counts,
        gaps: [`health not read: ${readFailure(error)}`],
      };
    }
  }

  return { glance, enrich };
}

/** No read at all, and said (BOT_TARGETS that does not parse): the post goes out as the event says. */
export function unenriched(why: string): IncidentEnricher {
  return {
    glance: async () => ({ gap: why }),
    enrich: async (_subject, _incident, now) => ({
      readAt: now.toISOString(),
      gaps: [`not enriched: ${why}`],
    }),
  };
}

import type { Context } from "aws-lambda";
import type { IncidentConfigCache } from "../aws/incident-config.ts";
import type { IncidentsStore } from "../aws/incidents-store.ts";
import { logger, logInvocation } from "../aws/logger.ts";
import type { IncidentEnricher, ServiceGlance } from "../commands/reads/incident-enrichment.ts";
import { claimUnfinished, deferCalls, settlePosts } from "../domain/incidents/claims.ts";
import type { Classified } from "../domain/incidents/classify.ts";
import { classify } from "../domain/incidents/classify.ts";
import { decide } from "../domain/incidents/decide.ts";
import { withEnrichment } from "../domain/incidents/enrichment.ts";
import type { IncidentState, SlackAction } from "../domain/incidents/machine.ts";
import { routeErrorText } from "../domain/incidents/routes.ts";
import type { IncidentSlack } from "../slack/incident-poster.ts";

// The notification path (issue 23): one EventBridge event, decided inside the store's revision-
// checked apply (a lost race re-decides on the state that won), then the Slack calls it asks for,
// and Slack's ts of each post written back so later edits find the message. A failed call throws
// after the others were tried: Lambda's async retries and its on-failure destination take the
// event, never silent. A retry finds the event a duplicate and re-posts only what has no ts yet
// and no live claim (../domain/incidents/claims.ts). The flush timer's tick is notify-flush.ts.

export interface NotifyDeps {
  store: IncidentsStore;
  config: Pick<IncidentConfigCache, "get">;
  slack: (botToken: string) => IncidentSlack;
  /** The clock; the demo plays each event at its own time. */
  now?: (event: unknown) => Date;
  /** Reads the service fresh (counts, namespaces; health's report when an incident opens). */
  enrichment?: IncidentEnricher;
}

export interface NotifyOutcome {
  /** What the state machine said: "opened", "folded", "duplicate", "routine: …", "ignored: …". */
  note: string;
  /** The Slack calls made, in order. */
  actions: SlackAction[];
}

/** A redelivered event found its post claimed by an attempt that may still be making it. */
export class PostClaimedError extends Error {
  constructor(
    readonly channel: string,
    readonly claimedAt: string,
    now: Date,
  ) {
    const seconds = Math.round((now.getTime() - Date.parse(claimedAt)) / 1000);
    super(
      `the post to ${channel} was claimed ${seconds} s ago by another attempt: left to it, and this event to Lambda's retry`,
    );
    this.name = "PostClaimedError";
  }
}

/**
 * A duplicate's posts (its event already applied): those whose earlier attempt failed or is
 * surely dead, claimed in a revision-checked write; a live claim is an error to retry later,
 * since this may be the retry of an attempt that died within the lease.
 */
async function unfinishedPosts(
  key: string,
  deps: NotifyDeps,
  now: Date,
): Promise<{ actions: SlackAction[]; held: PostClaimedError[] }> {
  const { result } = await deps.store.apply(key, (state) => claimUnfinished(state, now), { now });
  const held = result.held.map((h) => new PostClaimedError(h.channel, h.claimedAt, now));
  for (const error of held)
    logger.warn("post claimed by another attempt", { key, error: error.message });
  return { actions: result.actions, held };
}

/** What became of the Slack calls: the posts' ts by channel, the channels whose post failed. */
export interface CarriedOut {
  posted: Map<string, string>;
  failedPosts: Set<string>;
  errors: unknown[];
  /** Edits and replies whose post had no ts yet (in flight in another attempt). */
  skipped: SlackAction[];
}

/**
 * Makes each call; a later call on a channel whose post failed is left (no message to edit).
 * Never throws: each failure is logged and returned (the flush timer makes its calls here too).
 */
export async function carryOut(actions: SlackAction[], slack: IncidentSlack): Promise<CarriedOut> {
  const posted = new Map<string, string>();
  const failed = new Set<string>();
  const errors: unknown[] = [];
  const skipped: SlackAction[] = [];
  for (const action of actions) {
    if (failed.has(action.channel)) continue;
    const ts = action.incident.channels[action.channel]?.ts ?? posted.get(action.channel);
    if (action.type !== "post" && !ts) {
      // Its post has no ts yet (in flight elsewhere, or failed and left to a retry): kept for
      // whoever records the ts (deferCalls), never made against no message.
      skipped.push(action);
      continue;
    }
    try {
      const made = await slack.carry(action, ts);
      if (action.type === "post" && made) posted.set(action.channel, made);
    } catch (error) {
      errors.push(error);
      if (action.type === "post") failed.add(action.channel);
      logger.error("slack call failed", {
        call: action.type,
        channel: action.channel,
        incident: action.incident.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { posted, failedPosts: failed, errors, skipped };
}

/** Lost races on the write-back of a post's ts: a lost ts means a second message after the lease. */
const SETTLE_ATTEMPTS = 12;

/** Task stops the grace rule counts; other routine events (a task starting) need no read. */
const ROUTINE_STOPS = new Set([
  "deployment-or-scale-in",
  "scheduler",
  "user-initiated",
  "spot-interruption",
  "clean-exit",
]);

/** The light read, for the events that can use it: incidents, and routine stops (grace rule). */
function glanceFor(classified: Classified, deps: NotifyDeps): Promise<ServiceGlance> {
  const subject = classified.outcome === "ignored" ? undefined : classified.subject;
  const wanted =
    classified.outcome === "incident" ||
    (classified.outcome === "routine" && ROUTINE_STOPS.has(classified.reason));
  if (!deps.enrichment || !subject || !wanted) return Promise.resolve({});
  return deps.enrichment.glance(subject);
}

/**
 * An incident just opened: its service read with health's rules, within the enricher's
 * deadline, and kept in the incident (later edits show it too). A gap is said, never a failure.
 */
async function enrichOpened(
  key: string,
  state: IncidentState | undefined,
  actions: SlackAction[],
  deps: NotifyDeps,
  now: Date,
): Promise<SlackAction[]> {
  const incident = state?.incident;
  if (!deps.enrichment || !state || !incident || !actions.some((a) => a.type === "post")) {
    return actions;
  }
  const enrichment = await deps.enrichment.enrich(state.subject, incident, now);
  // A read that failed (denied, throttled, timed out) is the operator's to fix: said in the log too.
  if (enrichment.gaps.length > 0) {
    const level = enrichment.place && !enrichment.cause ? "warn" : "debug";
    logger[level]("incident posted with what could not be read", { key, gaps: enrichment.gaps });
  }
  try {
    await deps.store.apply(
      key,
      (stored) => {
        const next = stored && withEnrichment(stored, incident.id, enrichment);
        return { state: next, changed: next !== stored };
      },
      { now },
    );
  } catch (error) {
    // The post still carries it; only later edits will lack it.
    logger.error("enrichment not kept in the incident", {
      key,
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return actions.map((a) =>
    a.incident.id === incident.id ? { ...a, incident: { ...a.incident, enrichment } } : a,
  );
}

/** One event through the notification path. Throws when a read, a write or a Slack call fails. */
export async function notifyEvent(event: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  const now = deps.now?.(event) ?? new Date();
  const classified = classify(event);
  if (classified.outcome === "ignored" || !classified.key) {
    const note =
      classified.outcome === "ignored"
        ? `ignored: ${classified.why}`
        : `routine: ${classified.outcome === "routine" ? classified.reason : "no service"}`;
    logger.debug("event not for an incident", { note, eventId: classified.eventId });
    return { note, actions: [] };
  }
  const key = classified.key;
  const [{ config, fresh }, glance] = await Promise.all([
    deps.config.get(now.getTime()),
    glanceFor(classified, deps),
  ]);
  if (fresh) {
    // Once per read: a route with an error is skipped, the valid ones are used.
    for (const error of config.routes.errors) {
      logger.warn("route skipped", { field: error.path, error: routeErrorText(error) });
    }
    if (!config.routes.configured) logger.info("no routes configured: notifications are off");
  }
  const mutes = await deps.store.mutes(now);
  const { result } = await deps.store.apply(
    key,
    (state) =>
      decide(state, event, {
        now,
        routes: config.routes.routes,
        mutes,
        ...(glance.counts ? { counts: glance.counts } : {}),
        ...(glance.namespaces ? { namespaces: glance.namespaces } : {}),
      }),
    { now },
  );
  const log = { key, eventId: classified.eventId, note: result.note };
  if (result.undecided.length > 0) {
    logger.warn("routes undecided: the service's namespaces were not read", {
      ...log,
      routes: result.undecided,
      ...(glance.gap ? { why: glance.gap } : {}),
    });
  }
  if (result.note.startsWith("routine")) logger.info("routine event kept quiet", log);
  else logger.debug("event decided", { ...log, calls: result.actions.length });

  const { actions: decided, held } =
    result.note === "duplicate"
      ? await unfinishedPosts(key, deps, now)
      : { actions: [...result.actions], held: [] };
  const actions =
    result.note === "opened" ? await enrichOpened(key, result.state, decided, deps, now) : decided;
  if (actions.length === 0 && held.length === 0) return { note: result.note, actions };
  const slack = deps.slack(config.botToken);
  const { posted, failedPosts, errors, skipped } = await carryOut(actions, slack);
  const incidentId = actions[0]?.incident.id ?? "";
  if (posted.size > 0 || failedPosts.size > 0) {
    // This attempt's posts were claimed at `now` (step's reach, or unfinishedPosts).
    const claimedAt = now.toISOString();
    const { result: settled } = await deps.store.apply(
      key,
      (state) => settlePosts(state, incidentId, posted, failedPosts, claimedAt),
      { now, maxAttempts: SETTLE_ATTEMPTS },
    );
    // Edits and replies other attempts asked for while these posts were in flight.
    if (settled.deferred.length > 0)
      errors.push(...(await carryOut(settled.deferred, slack)).errors);
  }
  if (skipped.length > 0) {
    const { result: deferred } = await deps.store.apply(
      key,
      (state) => deferCalls(state, incidentId, skipped),
      { now },
    );
    logger.info("calls kept for a post in flight", {
      ...log,
      kept: skipped.length - deferred.ready.length,
      made: deferred.ready.length,
    });
    // The post's ts was recorded meanwhile: made now.
    if (deferred.ready.length > 0) errors.push(...(await carryOut(deferred.ready, slack)).errors);
  }
  if (errors.length > 0 || held.length > 0) {
    logger.error("slack calls failed or held: the event is left to Lambda's retries", {
      ...log,
      failed: errors.length,
      held: held.length,
      calls: actions.length,
    });
    throw errors[0] ?? held[0];
  }
  return { note: result.note, actions };
}

let deps: Promise<NotifyDeps> | undefined;

/**
 * The production deps: the incidents table (INCIDENTS_TABLE), the bot token and routes from SSM,
 * Slack's Web API (or `slackApiUrl`, a benchmark's local fake), and the enrichment over the
 * places of BOT_TARGETS / BOT_REGIONS (an event of the bot's own account BOT_ACCOUNT_ID, or of a
 * member account read through its role).
 */
export async function notifyDepsFrom(
  env: NodeJS.ProcessEnv,
  options: { slackApiUrl?: string } = {},
): Promise<NotifyDeps> {
  const [
    { incidentsStore },
    { IncidentConfigCache, loadIncidentConfig },
    { IncidentPoster },
    { incidentEnricher, unenriched },
    { placesFrom },
  ] = await Promise.all([
    import("../aws/incidents-store.ts"),
    import("../aws/incident-config.ts"),
    import("../slack/incident-poster.ts"),
    import("../commands/reads/incident-enrichment.ts"),
    import("../domain/places.ts"),
  ]);
  const store = incidentsStore(env);
  if (!store) throw new Error("INCIDENTS_TABLE must name the incidents table");
  const places = placesFrom(env);
  // Places that do not parse are the slack function's error too; here the post still goes out,
  // unenriched, and says so.
  if (!places.ok) logger.error("BOT_TARGETS: places not read", { errors: places.errors });
  const posters = new Map<string, IncidentSlack>();
  return {
    store,
    config: new IncidentConfigCache(() => loadIncidentConfig(env)),
    slack: (token) => {
      const poster =
        posters.get(token) ??
        new IncidentPoster(
          token,
          options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : undefined,
        );
      posters.set(token, poster);
      return poster;
    },
    enrichment: places.ok
      ? incidentEnricher({
          places: places.places,
          ...(env.BOT_ACCOUNT_ID ? { ownAccount: env.BOT_ACCOUNT_ID } : {}),
        })
      : unenriched("BOT_TARGETS could not be read (see the log)"),
  };
}

/** EventBridge's tick of a schedule rule: the flush timer (serverless.yml), not an ECS event. */
function isFlushTick(event: unknown): boolean {
  const e = event as { source?: unknown; "detail-type"?: unknown } | null;
  return e?.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/** What reaches the notify function: an ECS or CloudWatch event, or the flush timer's tick. */
export async function onNotifyEvent(event: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  if (!isFlushTick(event)) return notifyEvent(event, deps);
  const { flushIncidents } = await import("./notify-flush.ts");
  return flushIncidents(deps, deps.now?.(event) ?? new Date());
}

/**
 * Lambda entry of ECS and CloudWatch events and of the flush timer (serverless.yml:
 * dist/handler.notify, EventBridge rules and a schedule, invoked asynchronously). Errors are
 * rethrown for Lambda's retries and on-failure destination.
 */
export async function notify(event: unknown, context: Partial<Context> = {}): Promise<void> {
  logInvocation(context);
  const loading = deps ?? notifyDepsFrom(process.env);
  deps = loading;
  loading.catch(() => {
    if (deps === loading) deps = undefined;
  });
  await onNotifyEvent(event, await loading);
}

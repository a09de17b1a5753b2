import type { Context } from "aws-lambda";
import type { IncidentConfigCache } from "../aws/incident-config.ts";
import type { IncidentsStore } from "../aws/incidents-store.ts";
import { logger, logInvocation } from "../aws/logger.ts";
import { claimUnfinished, settlePosts } from "../domain/incidents/claims.ts";
import { classify } from "../domain/incidents/classify.ts";
import { decide } from "../domain/incidents/decide.ts";
import type { SlackAction } from "../domain/incidents/machine.ts";
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
}

/**
 * Makes each call; a later call on a channel whose post failed is left (no message to edit).
 * Never throws: each failure is logged and returned (the flush timer makes its calls here too).
 */
export async function carryOut(actions: SlackAction[], slack: IncidentSlack): Promise<CarriedOut> {
  const posted = new Map<string, string>();
  const failed = new Set<string>();
  const errors: unknown[] = [];
  for (const action of actions) {
    if (failed.has(action.channel)) continue;
    const ts = action.incident.channels[action.channel]?.ts ?? posted.get(action.channel);
    if (action.type !== "post" && !ts) {
      // Its post has no ts yet (in flight elsewhere, or failed and left to a retry, which
      // posts the incident as it then stands): nothing to edit or reply to.
      logger.warn("no message to edit yet", { call: action.type, channel: action.channel });
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
  return { posted, failedPosts: failed, errors };
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
  const { config, fresh } = await deps.config.get(now.getTime());
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
    (state) => decide(state, event, { now, routes: config.routes.routes, mutes }),
    { now },
  );
  const log = { key, eventId: classified.eventId, note: result.note };
  if (result.undecided.length > 0) {
    logger.warn("routes undecided: the service's namespaces were not read", {
      ...log,
      routes: result.undecided,
    });
  }
  if (result.note.startsWith("routine")) logger.info("routine event kept quiet", log);
  else logger.debug("event decided", { ...log, calls: result.actions.length });

  const { actions, held } =
    result.note === "duplicate"
      ? await unfinishedPosts(key, deps, now)
      : { actions: [...result.actions], held: [] };
  if (actions.length === 0 && held.length === 0) return { note: result.note, actions };
  const { posted, failedPosts, errors } = await carryOut(actions, deps.slack(config.botToken));
  if (posted.size > 0 || failedPosts.size > 0) {
    // This attempt's posts were claimed at `now` (step's reach, or unfinishedPosts).
    const incidentId = actions[0]?.incident.id ?? "";
    const claimedAt = now.toISOString();
    await deps.store.apply(
      key,
      (state) => settlePosts(state, incidentId, posted, failedPosts, claimedAt),
      { now },
    );
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

async function lambdaDeps(env: NodeJS.ProcessEnv): Promise<NotifyDeps> {
  const [{ incidentsStore }, { IncidentConfigCache, loadIncidentConfig }, { IncidentPoster }] =
    await Promise.all([
      import("../aws/incidents-store.ts"),
      import("../aws/incident-config.ts"),
      import("../slack/incident-poster.ts"),
    ]);
  const store = incidentsStore(env);
  if (!store) throw new Error("INCIDENTS_TABLE must name the incidents table");
  const posters = new Map<string, IncidentSlack>();
  return {
    store,
    config: new IncidentConfigCache(() => loadIncidentConfig(env)),
    slack: (token) => {
      const poster = posters.get(token) ?? new IncidentPoster(token);
      posters.set(token, poster);
      return poster;
    },
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
  const loading = deps ?? lambdaDeps(process.env);
  deps = loading;
  loading.catch(() => {
    if (deps === loading) deps = undefined;
  });
  await onNotifyEvent(event, await loading);
}

// One service's incident, event by event: given what is stored (or nothing) and one classified
// event, the next state and the Slack calls to make. Pure: the clock, the channels the routes
// give and the mutes come in the context. The rules are in README.md beside this file.

import type { Classified, IncidentKind, Severity, Signal } from "./classify.ts";
import type { Enrichment } from "./enrichment.ts";
import type { Subject } from "./event.ts";
import { isMuted, type Mute } from "./mute.ts";

export interface MachineOptions {
  /** A message is edited at most this often; events in between fold into the next edit. */
  updateEverySeconds: number;
  /** Routine stops open an incident only after the service is below its desired count this long. */
  graceSeconds: number;
  /** Event IDs remembered for deduplication (EventBridge delivers at least once). */
  maxSeenIds: number;
  /** Tasks whose last detail.version is remembered, to drop older events of a task. */
  maxTasks: number;
  /** Thread replies per incident; what is learned past it shows in the message's counts. */
  maxThreads: number;
  /** Entries kept per list of what was learned (reasons, exit codes, deployments). */
  maxLearned: number;
  /**
   * How long a post's claim holds: a post with no ts claimed longer ago is presumed dead and
   * posted again. Above the notify function's timeout (60 s in serverless.yml), with a margin for
   * the clocks of two containers and the moment before the attempt read its clock.
   */
  postLeaseSeconds: number;
}

export const DEFAULT_MACHINE_OPTIONS: MachineOptions = {
  updateEverySeconds: 10,
  graceSeconds: 300,
  maxSeenIds: 300,
  maxTasks: 300,
  maxThreads: 20,
  maxLearned: 20,
  postLeaseSeconds: 90,
};

/** What an incident has taught so far: a thread reply is posted only when one of these grows. */
export interface Learned {
  kinds: IncidentKind[];
  /** Task stoppedReasons and container reasons, as ECS wrote them. */
  reasons: string[];
  /** "app exit 137". */
  exitCodes: string[];
  deployments: string[];
}

/** One channel's message of the incident. */
export interface ChannelMessage {
  /** False: the channel was muted when the incident reached it, so it stays silent for it. */
  posted: boolean;
  /** Slack's message timestamp, recorded by whoever made the post (recordPosted). */
  ts?: string;
  /**
   * When an attempt claimed the post (ISO), in the same revision-checked write that asked for it:
   * two deliveries racing on one incident never both post. Absent with no ts: nobody holds it.
   */
  claimedAt?: string;
  /**
   * Calls another attempt asked for while the post was in flight (no ts to edit or reply to
   * yet): made by whoever records the ts (claims.ts, settlePosts), so no news is lost.
   */
  deferred?: DeferredCall[];
}

/** A call kept for a message whose post is in flight: an edit, a thread reply, a resolution. */
export type DeferredCall =
  | { type: "update" }
  | { type: "thread"; text: string }
  | { type: "resolve"; text: string; reply: string };

export interface Incident {
  /** The opening event's ID (or key@time): an incident's identity across retries. */
  id: string;
  kind: IncidentKind;
  /** The highest severity seen. */
  severity: Severity;
  first: Signal;
  latest: Signal;
  openedAt: string;
  lastSeen: string;
  resolvedAt?: string;
  /** What resolved it: "the service reached a steady state". */
  resolution?: string;
  /** Events folded in, the opening one included; stops among them. */
  events: number;
  stops: number;
  learned: Learned;
  threads: number;
  lastUpdateAt: string;
  /** Something changed since the message was last edited. */
  updatePending: boolean;
  channels: Record<string, ChannelMessage>;
  /** What a fresh read of the service taught when the incident opened (enrichment.ts). */
  enrichment?: Enrichment;
}

export interface IncidentState {
  key: string;
  subject: Subject;
  /** The open incident, or the last one (resolved) until the record expires. */
  incident?: Incident;
  /** Recent event IDs, oldest first. */
  seenIds: string[];
  /** [task ARN, detail.version], oldest first. */
  taskVersions: [string, number][];
  /** The grace rule: since when routine stops left the service below its desired count. */
  belowDesiredSince?: string;
}

export interface StepContext {
  now: Date;
  /** The channels the routes give for this event (matchRoutes). */
  channels: readonly string[];
  mutes: readonly Mute[];
  /** Running and desired tasks of the service, when the event or an enrichment read them. */
  counts?: { running: number; desired: number };
  options?: Partial<MachineOptions>;
}

export type SlackAction =
  | { type: "post"; channel: string; incident: Incident; subject: Subject }
  | { type: "update"; channel: string; incident: Incident; subject: Subject }
  | { type: "thread"; channel: string; incident: Incident; subject: Subject; text: string }
  | {
      type: "resolve";
      channel: string;
      incident: Incident;
      subject: Subject;
      /** The message's new first line: "✔ recovered after 12 min". */
      text: string;
      /** The thread reply: what resolved it. */
      reply: string;
    };

export interface StepResult {
  /** Undefined only when there was no state and the event concerns no service. */
  state: IncidentState | undefined;
  actions: SlackAction[];
  /** Whether the state must be written back (false: the event changed nothing that matters). */
  changed: boolean;
  /** Why, in a few words, for the log: "duplicate", "opened", "folded", "resolved"… */
  note: string;
}

const RANK: Record<Severity, number> = { warning: 1, error: 2 };

/** "less than a minute", "12 min", "2 h 5 min", "3 d 4 h". */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export function emptyState(key: string, subject: Subject): IncidentState {
  return { key, subject, seenIds: [], taskVersions: [] };
}

function learnedFrom(signal: Signal): Learned {
  const stop = signal.stop;
  const container = stop?.container;
  return {
    kinds: [signal.kind],
    reasons: [stop?.stoppedReason, container?.reason].filter((r): r is string => Boolean(r)),
    exitCodes:
      container?.exitCode !== undefined ? [`${container.name} exit ${container.exitCode}`] : [],
    deployments: signal.deploymentId ? [signal.deploymentId] : [],
  };
}

const NEWS: Record<keyof Learned, string> = {
  kinds: "Also",
  reasons: "New stop reason",
  exitCodes: "New exit code",
  deployments: "New deployment",
};

/** Adds what `signal` teaches to `learned`; returns the thread lines for what was new. */
function learn(learned: Learned, signal: Signal, max: number): { next: Learned; news: string[] } {
  const seen = learnedFrom(signal);
  const next: Learned = { ...learned };
  const news: string[] = [];
  for (const field of Object.keys(NEWS) as (keyof Learned)[]) {
    for (const item of seen[field]) {
      if ((next[field] as string[]).includes(item) || next[field].length >= max) continue;
      next[field] = [...next[field], item] as never;
      news.push(
        field === "kinds" ? `${NEWS[field]}: ${signal.summary}` : `${NEWS[field]}: ${item}`,
      );
    }
  }
  return { next, news };
}

function remember<T>(list: readonly T[], item: T, max: number): T[] {
  return [...list, item].slice(-max);
}

function options(ctx: StepContext): MachineOptions {
  return { ...DEFAULT_MACHINE_OPTIONS, ...ctx.options };
}

/** The channels of `incident` that hear about it now: posted to, and not muted at `now`. */
function listening(state: IncidentState, incident: Incident, ctx: StepContext): string[] {
  return Object.entries(incident.channels)
    .filter(([channel, m]) => m.posted && !isMuted(ctx.mutes, state.key, channel, ctx.now))
    .map(([channel]) => channel);
}

/** Routed channels the incident has not reached yet: a post each, unless muted (then silent). */
function reach(
  state: IncidentState,
  incident: Incident,
  ctx: StepContext,
): { channels: Record<string, ChannelMessage>; posts: SlackAction[] } {
  const channels = { ...incident.channels };
  const posts: SlackAction[] = [];
  for (const channel of ctx.channels) {
    if (channels[channel]) continue;
    const muted = isMuted(ctx.mutes, state.key, channel, ctx.now);
    channels[channel] = muted
      ? { posted: false }
      : { posted: true, claimedAt: ctx.now.toISOString() };
    if (!muted) posts.push({ type: "post", channel, incident, subject: state.subject });
  }
  return { channels, posts };
}

function open(
  state: IncidentState,
  signal: Signal,
  at: Date,
  id: string,
  ctx: StepContext,
): StepResult {
  const now = ctx.now.toISOString();
  const draft: Incident = {
    id,
    kind: signal.kind,
    severity: signal.severity,
    first: signal,
    latest: signal,
    openedAt: at.toISOString(),
    lastSeen: at.toISOString(),
    events: 1,
    stops: signal.kind === "task-stopped" ? 1 : 0,
    learned: learnedFrom(signal),
    threads: 0,
    lastUpdateAt: now,
    updatePending: false,
    channels: {},
  };
  const { channels, posts } = reach(state, draft, ctx);
  const incident = { ...draft, channels };
  const next: IncidentState = { ...state, incident, belowDesiredSince: undefined };
  // The post carries the incident as it now stands (with its channels).
  const actions = posts.map((p) => ({ ...p, incident }));
  return { state: next, actions, changed: true, note: "opened" };
}

/** Edits the message when the interval has passed, else marks the edit as pending. */
function maybeUpdate(state: IncidentState, incident: Incident, ctx: StepContext): StepResult {
  const due =
    ctx.now.getTime() - Date.parse(incident.lastUpdateAt) >= options(ctx).updateEverySeconds * 1000;
  if (!due) {
    const pending = { ...incident, updatePending: true };
    return { state: { ...state, incident: pending }, actions: [], changed: true, note: "folded" };
  }
  const updated = { ...incident, updatePending: false, lastUpdateAt: ctx.now.toISOString() };
  const actions: SlackAction[] = listening(state, updated, ctx).map((channel) => ({
    type: "update",
    channel,
    incident: updated,
    subject: state.subject,
  }));
  return { state: { ...state, incident: updated }, actions, changed: true, note: "updated" };
}

function fold(
  state: IncidentState,
  open: Incident,
  signal: Signal,
  at: Date,
  ctx: StepContext,
): StepResult {
  const o = options(ctx);
  const { next: learned, news } = learn(open.learned, signal, o.maxLearned);
  const lastSeen = at.getTime() > Date.parse(open.lastSeen) ? at.toISOString() : open.lastSeen;
  let incident: Incident = {
    ...open,
    severity: RANK[signal.severity] > RANK[open.severity] ? signal.severity : open.severity,
    latest: signal,
    lastSeen,
    events: open.events + 1,
    stops: open.stops + (signal.kind === "task-stopped" ? 1 : 0),
    learned,
  };
  const { channels, posts } = reach(state, incident, ctx);
  incident = { ...incident, channels };
  const threads: SlackAction[] = [];
  const room = Math.max(0, o.maxThreads - incident.threads);
  const told = news.slice(0, room);
  if (told.length > 0) {
    incident = { ...incident, threads: incident.threads + 1 };
    for (const channel of listening(state, incident, ctx)) {
      if (posts.some((p) => p.channel === channel)) continue; // the new post shows it already
      threads.push({
        type: "thread",
        channel,
        incident,
        subject: state.subject,
        text: told.join("\n"),
      });
    }
  }
  const updated = maybeUpdate(state, incident, ctx);
  const final = updated.state?.incident ?? incident;
  const withFinal = (a: SlackAction): SlackAction => ({ ...a, incident: final });
  return {
    ...updated,
    // A channel posted to just now already shows the incident as it stands: no edit for it.
    actions: [
      ...posts.map(withFinal),
      ...threads.map(withFinal),
      ...updated.actions.filter((a) => !posts.some((p) => p.channel === a.channel)),
    ],
    note: told.length > 0 ? "learned" : updated.note,
  };
}

function resolve(
  state: IncidentState,
  open: Incident,
  at: Date,
  detail: string,
  ctx: StepContext,
): StepResult {
  const resolvedAt = at.getTime() < Date.parse(open.openedAt) ? open.openedAt : at.toISOString();
  const incident: Incident = {
    ...open,
    resolvedAt,
    resolution: detail,
    updatePending: false,
    lastUpdateAt: ctx.now.toISOString(),
  };
  const after = durationText(Date.parse(resolvedAt) - Date.parse(open.openedAt));
  const text = `✔ recovered after ${after}`;
  const reply = `${text}: ${detail} (${open.events} event${open.events === 1 ? "" : "s"})`;
  const actions: SlackAction[] = listening(state, incident, ctx).map((channel) => ({
    type: "resolve",
    channel,
    incident,
    subject: state.subject,
    text,
    reply,
  }));
  return {
    state: { ...state, incident, belowDesiredSince: undefined },
    actions,
    changed: true,
    note: "resolved",
  };
}

/** The grace rule, on a routine event that came with the service's counts. */
function grace(
  state: IncidentState,
  event: Classified & { outcome: "routine" },
  at: Date,
  ctx: StepContext,
): StepResult {
  const counts = ctx.counts;
  const unchanged: StepResult = {
    state,
    actions: [],
    changed: false,
    note: `routine: ${event.reason}`,
  };
  if (!counts) return unchanged;
  if (counts.running >= counts.desired) {
    return state.belowDesiredSince
      ? { ...unchanged, state: { ...state, belowDesiredSince: undefined }, changed: true }
      : unchanged;
  }
  const since = state.belowDesiredSince ?? at.toISOString();
  const below = at.getTime() - Date.parse(since);
  const isOpen = state.incident && !state.incident.resolvedAt;
  if (isOpen || below < options(ctx).graceSeconds * 1000) {
    return since === state.belowDesiredSince
      ? unchanged
      : { ...unchanged, state: { ...state, belowDesiredSince: since }, changed: true };
  }
  const signal: Signal = {
    kind: "below-desired-count",
    severity: "warning",
    summary: `${counts.running} of ${counts.desired} tasks running for ${durationText(below)} after routine stops (last: ${event.detail})`,
  };
  return open(state, signal, at, event.eventId ?? `${state.key}@${at.toISOString()}`, ctx);
}

/** One event applied to one service's state. Never throws; `changed` says whether to write. */
export function step(
  stored: IncidentState | undefined,
  event: Classified,
  ctx: StepContext,
): StepResult {
  if (event.outcome === "ignored" || !event.key || !event.subject) {
    return {
      state: stored,
      actions: [],
      changed: false,
      note: event.outcome === "ignored" ? `ignored: ${event.why}` : "no service",
    };
  }
  const o = options(ctx);
  const base = stored ?? emptyState(event.key, event.subject);
  if (event.eventId && base.seenIds.includes(event.eventId)) {
    return { state: stored, actions: [], changed: false, note: "duplicate" };
  }
  const task = event.outcome === "incident" || event.outcome === "routine" ? event.task : undefined;
  const known = task ? base.taskVersions.find(([arn]) => arn === task.arn)?.[1] : undefined;
  if (task && known !== undefined && known >= task.version) {
    return { state: stored, actions: [], changed: false, note: "older task version" };
  }
  const state: IncidentState = {
    ...base,
    seenIds: event.eventId ? remember(base.seenIds, event.eventId, o.maxSeenIds) : base.seenIds,
    taskVersions: task
      ? remember(
          base.taskVersions.filter(([arn]) => arn !== task.arn),
          [task.arn, task.version] as [string, number],
          o.maxTasks,
        )
      : base.taskVersions,
  };
  const at = event.at ?? ctx.now;
  const current = state.incident;
  const isOpen = current !== undefined && current.resolvedAt === undefined;

  if (event.outcome === "incident") {
    if (current && !isOpen && at.getTime() < Date.parse(current.resolvedAt ?? "")) {
      // A late event from before the resolution: counted, but it reopens nothing.
      const incident = { ...current, events: current.events + 1 };
      return {
        state: { ...state, incident },
        actions: [],
        changed: true,
        note: "older than the resolution",
      };
    }
    if (!isOpen)
      return open(
        state,
        event.signal,
        at,
        event.eventId ?? `${event.key}@${at.toISOString()}`,
        ctx,
      );
    return fold(state, current, event.signal, at, ctx);
  }
  if (event.outcome === "resolves") {
    if (!isOpen) {
      const cleared = state.belowDesiredSince !== undefined;
      return {
        state: cleared ? { ...state, belowDesiredSince: undefined } : stored,
        actions: [],
        changed: cleared,
        note: "nothing open",
      };
    }
    if (at.getTime() < Date.parse(current.lastSeen)) {
      return {
        state: stored,
        actions: [],
        changed: false,
        note: "resolution older than the incident's last event",
      };
    }
    return resolve(state, current, at, event.detail, ctx);
  }
  // Routine: quiet, but it may flush a pending edit, and the grace rule may open an incident.
  if (isOpen && current.updatePending) {
    const flushed = flush(state, ctx);
    if (flushed.changed) return { ...flushed, note: `routine: ${event.reason}` };
  }
  const result = grace(state, event, at, ctx);
  return result.changed ? result : { ...result, state: stored };
}

/** A pending edit that is now due (the wiring calls it when no further event came). */
export function flush(stored: IncidentState, ctx: StepContext): StepResult {
  const incident = stored.incident;
  if (!incident || incident.resolvedAt || !incident.updatePending) {
    return { state: stored, actions: [], changed: false, note: "nothing pending" };
  }
  const result = maybeUpdate(stored, incident, ctx);
  return result.actions.length || result.note === "updated"
    ? result
    : { state: stored, actions: [], changed: false, note: "not due" };
}

/** Records Slack's timestamp of a post, so later edits and replies find the message. */
export function recordPosted(state: IncidentState, channel: string, ts: string): IncidentState {
  const incident = state.incident;
  if (!incident?.channels[channel]) return state;
  const deferred = incident.channels[channel]?.deferred;
  const message: ChannelMessage = { posted: true, ts, ...(deferred ? { deferred } : {}) };
  return {
    ...state,
    incident: { ...incident, channels: { ...incident.channels, [channel]: message } },
  };
}

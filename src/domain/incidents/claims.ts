// Who makes a post, and what a failed call leaves behind: the notify entry and the flush timer
// run these inside the incidents store's revision-checked apply. A post is claimed in the same
// write that asks for it (step's reach); a redelivered event posts again only what no live claim
// holds (README.md, "Never twice").

import {
  type ChannelMessage,
  DEFAULT_MACHINE_OPTIONS,
  type DeferredCall,
  type IncidentState,
  type MachineOptions,
  recordPosted,
  type SlackAction,
} from "./machine.ts";

/**
 * An edit the flush asked for that Slack refused: pending again, so the next tick makes it. Only
 * on the incident it was for, and only when nothing newer already made an edit pending or resolved it.
 */
export function markPending(
  state: IncidentState | undefined,
  incidentId: string,
): { state: IncidentState | undefined; changed: boolean } {
  const incident = state?.incident;
  if (!state || !incident || incident.id !== incidentId || incident.resolvedAt) {
    return { state, changed: false };
  }
  if (incident.updatePending) return { state, changed: false };
  return { state: { ...state, incident: { ...incident, updatePending: true } }, changed: true };
}

export interface Claimed {
  state: IncidentState | undefined;
  changed: boolean;
  /** The posts claimed now: no attempt holds them any more. */
  actions: SlackAction[];
  /** Posts another attempt claimed within the lease: left to it, or to a later retry. */
  held: { channel: string; claimedAt: string }[];
}

/**
 * A redelivered event's posts (its event ID already applied): the open incident's channels whose
 * post has no ts and no live claim (failed and given back, or claimed longer ago than the lease),
 * claimed at `now`. Run inside the store's apply, so of two racing retries one claims them.
 */
export function claimUnfinished(
  state: IncidentState | undefined,
  now: Date,
  options: Partial<MachineOptions> = {},
): Claimed {
  const incident = state?.incident;
  if (!state || !incident || incident.resolvedAt) {
    return { state, changed: false, actions: [], held: [] };
  }
  const lease = { ...DEFAULT_MACHINE_OPTIONS, ...options }.postLeaseSeconds * 1000;
  const channels = { ...incident.channels };
  const claimed: string[] = [];
  const held: Claimed["held"] = [];
  for (const [channel, message] of Object.entries(incident.channels)) {
    if (!message.posted || message.ts) continue;
    const claimedAt = message.claimedAt;
    // An unreadable time holds nothing (NaN compares false).
    if (claimedAt && now.getTime() - Date.parse(claimedAt) < lease) {
      held.push({ channel, claimedAt });
      continue;
    }
    channels[channel] = { posted: true, claimedAt: now.toISOString() };
    claimed.push(channel);
  }
  if (claimed.length === 0) return { state, changed: false, actions: [], held };
  const next = { ...state, incident: { ...incident, channels } };
  const actions = claimed.map(
    (channel): SlackAction => ({
      type: "post",
      channel,
      incident: next.incident,
      subject: state.subject,
    }),
  );
  return { state: next, changed: true, actions, held };
}

/**
 * After an attempt's posts: each made post's ts recorded; each failed post's claim, if it is
 * still this attempt's (`claimedAt`), given back so that the retry posts at once.
 */
export function settlePosts(
  state: IncidentState | undefined,
  incidentId: string,
  posted: ReadonlyMap<string, string>,
  failed: Iterable<string>,
  claimedAt: string,
): { state: IncidentState | undefined; changed: boolean; deferred: SlackAction[] } {
  if (!state?.incident || state.incident.id !== incidentId) {
    return { state, changed: false, deferred: [] };
  }
  let next = state;
  for (const [channel, ts] of posted) next = recordPosted(next, channel, ts);
  for (const channel of failed) {
    const message = next.incident?.channels[channel];
    if (!next.incident || !message || message.ts || message.claimedAt !== claimedAt) continue;
    const kept: ChannelMessage = {
      posted: message.posted,
      ...(message.deferred ? { deferred: message.deferred } : {}),
    };
    next = {
      ...next,
      incident: { ...next.incident, channels: { ...next.incident.channels, [channel]: kept } },
    };
  }
  // What other attempts asked for while these posts were in flight: made now, taken out of the state.
  const taken = takeDeferred(next, [...posted.keys()]);
  return { state: taken.state, changed: taken.state !== state, deferred: taken.actions };
}

/** At most this many calls kept per message in flight; past it, the message's counts say it. */
const MAX_DEFERRED = 20;

/**
 * Calls skipped because their channel's post had no ts yet (in flight in another attempt): kept in
 * the channel's message so the attempt that records the ts makes them (settlePosts). A channel
 * whose ts was recorded meanwhile gives its calls back as `ready`, to be made now with that ts.
 */
export function deferCalls(
  state: IncidentState | undefined,
  incidentId: string,
  skipped: readonly SlackAction[],
): { state: IncidentState | undefined; changed: boolean; ready: SlackAction[] } {
  const incident = state?.incident;
  if (!state || !incident || incident.id !== incidentId || skipped.length === 0) {
    return { state, changed: false, ready: [] };
  }
  const channels = { ...incident.channels };
  const ready: SlackAction[] = [];
  for (const action of skipped) {
    const message = channels[action.channel];
    if (!message?.posted || action.type === "post") continue;
    if (message.ts) {
      ready.push({ ...action, incident: { ...action.incident, channels: incident.channels } });
      continue;
    }
    const call: DeferredCall =
      action.type === "thread"
        ? { type: "thread", text: action.text }
        : action.type === "resolve"
          ? { type: "resolve", text: action.text, reply: action.reply }
          : { type: "update" };
    const kept = [...(message.deferred ?? []), call].slice(0, MAX_DEFERRED);
    channels[action.channel] = { ...message, deferred: kept };
  }
  const next = { ...state, incident: { ...incident, channels } };
  return { state: next, changed: true, ready };
}

/** The deferred calls of `channels` (those with a ts) as actions, taken out of the state. */
function takeDeferred(
  state: IncidentState,
  channels: readonly string[],
): { state: IncidentState; actions: SlackAction[] } {
  const incident = state.incident;
  if (!incident) return { state, actions: [] };
  const messages = { ...incident.channels };
  const actions: SlackAction[] = [];
  for (const channel of channels) {
    const message = messages[channel];
    if (!message?.ts || !message.deferred?.length) continue;
    const { deferred, ...rest } = message;
    messages[channel] = rest;
    const resolved = deferred.find((c) => c.type === "resolve");
    // One edit shows the incident as it now stands (a resolution is that edit, after the replies).
    if (!resolved && deferred.some((c) => c.type === "update")) {
      actions.push({ type: "update", channel, incident, subject: state.subject });
    }
    for (const call of deferred) {
      if (call.type === "thread") {
        actions.push({
          type: "thread",
          channel,
          incident,
          subject: state.subject,
          text: call.text,
        });
      }
    }
    if (resolved?.type === "resolve") {
      const { text, reply } = resolved;
      actions.push({ type: "resolve", channel, incident, subject: state.subject, text, reply });
    }
  }
  if (actions.length === 0) return { state, actions };
  const next = { ...state, incident: { ...incident, channels: messages } };
  return {
    state: next,
    actions: actions.map((a) => ({ ...a, incident: next.incident ?? incident })),
  };
}

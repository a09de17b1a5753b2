// The flush timer (issue 23). An incident's message is edited at most every 10 s, so events folded
// in the last seconds of a storm leave an edit pending that only the service's next event would
// make. An EventBridge schedule (serverless.yml, rate(1 minute)) ticks the notify function; each
// tick lists the open incidents and, for each whose pending edit is due, flushes it inside the
// store's revision-checked apply (a lost race re-flushes on the state that won, or finds the edit
// made), then makes its chat.update calls. Never silent, as notify.ts: a refused edit is logged
// and marked pending again for the next tick, and the first error is rethrown once every incident
// was tried. A tick with nothing due reads no config and calls no Slack.
import { logger } from "../aws/logger.ts";
import { markPending } from "../domain/incidents/claims.ts";
import { flush, type IncidentState } from "../domain/incidents/machine.ts";
import type { Mute } from "../domain/incidents/mute.ts";
import type { IncidentSlack } from "../slack/incident-poster.ts";
import { carryOut, type NotifyDeps, type NotifyOutcome } from "./notify.ts";

/** Whether `state` has an edit pending whose interval is over at `now`. */
const due = (state: IncidentState, now: Date) =>
  flush(state, { now, channels: [], mutes: [] }).changed;

/** One incident's pending edit, made; its errors returned (already logged). */
async function flushOne(
  state: IncidentState,
  deps: NotifyDeps,
  slack: IncidentSlack,
  now: Date,
  mutes: readonly Mute[],
): Promise<NotifyOutcome & { errors: unknown[] }> {
  const { result } = await deps.store.apply(
    state.key,
    (current) =>
      current
        ? flush(current, { now, channels: [], mutes })
        : { state: current, actions: [], changed: false, note: "gone" },
    { now },
  );
  if (result.actions.length === 0) return { note: result.note, actions: [], errors: [] };
  const { errors } = await carryOut(result.actions, slack);
  if (errors.length > 0) {
    const id = result.actions[0]?.incident.id ?? "";
    await deps.store.apply(state.key, (current) => markPending(current, id), { now });
  }
  return { note: result.note, actions: result.actions, errors };
}

/** One tick: every open incident's due edit. Throws the first failure after trying them all. */
export async function flushIncidents(deps: NotifyDeps, now: Date): Promise<NotifyOutcome> {
  const open = await deps.store.openIncidents(now);
  const pending = open.filter((s) => due(s, now));
  if (pending.length === 0) {
    logger.debug("flush: nothing pending", { open: open.length });
    return { note: "flush: nothing pending", actions: [] };
  }
  const [{ config }, mutes] = await Promise.all([
    deps.config.get(now.getTime()),
    deps.store.mutes(now),
  ]);
  const slack = deps.slack(config.botToken);
  const actions: NotifyOutcome["actions"] = [];
  const errors: unknown[] = [];
  for (const state of pending) {
    try {
      const out = await flushOne(state, deps, slack, now, mutes);
      actions.push(...out.actions);
      errors.push(...out.errors);
    } catch (error) {
      // The table (a read, a write, a race lost too often): the next incident is still tried.
      errors.push(error);
      logger.error("flush failed", {
        key: state.key,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const note = `flush: ${pending.length} of ${open.length} open incidents had an edit due`;
  if (errors.length > 0) {
    logger.error("flush: some edits failed, pending again for the next tick", {
      due: pending.length,
      failed: errors.length,
    });
    throw errors[0];
  }
  logger.info(note, { calls: actions.length });
  return { note, actions };
}

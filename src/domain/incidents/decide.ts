// One event, from the wire to the Slack calls to make: classify it, route it, step the service's
// state. What the notification entry point runs inside the store's apply() (so a lost race
// re-decides on the state that won), then it carries out the actions.

import { type Classified, classify } from "./classify.ts";
import type { IncidentState } from "./machine.ts";
import { type MachineOptions, type StepResult, step } from "./machine.ts";
import type { Mute } from "./mute.ts";
import { incidentFacts, matchRoutes, type Route } from "./routes.ts";

export interface DecideContext {
  now: Date;
  routes: readonly Route[];
  mutes: readonly Mute[];
  /** The service's running and desired counts, when an enrichment read them (the grace rule). */
  counts?: { running: number; desired: number };
  /** The service's Cloud Map namespaces, when an enrichment read them (namespace routes). */
  namespaces?: string[];
  options?: Partial<MachineOptions>;
}

export interface Decision extends StepResult {
  classified: Classified;
  /** Routes that name namespaces when none were read: not delivered, said in the log. */
  undecided: string[];
}

/** The channels an event would reach; a routine one is routed as the incident the grace rule may open. */
function route(classified: Classified, ctx: DecideContext) {
  if (classified.outcome === "incident") {
    return matchRoutes(
      ctx.routes,
      incidentFacts(classified.subject, classified.signal, ctx.namespaces),
    );
  }
  if (classified.outcome === "routine" && classified.subject && ctx.counts) {
    const grace = { kind: "below-desired-count", severity: "warning" } as const;
    return matchRoutes(ctx.routes, incidentFacts(classified.subject, grace, ctx.namespaces));
  }
  // A resolution reaches the channels the incident reached; it needs no route of its own.
  return { channels: [], undecided: [] };
}

/** Classifies `event`, routes it and steps `stored` with it. Never throws. */
export function decide(
  stored: IncidentState | undefined,
  event: unknown,
  ctx: DecideContext,
): Decision {
  const classified = classify(event);
  const { channels, undecided } = route(classified, ctx);
  const result = step(stored, classified, {
    now: ctx.now,
    channels,
    mutes: ctx.mutes,
    ...(ctx.counts ? { counts: ctx.counts } : {}),
    ...(ctx.options ? { options: ctx.options } : {}),
  });
  return { ...result, classified, undecided };
}

// A storm played through the notification path as Lambda runs it: at most `containers` events at
// once (the notify function's reserved concurrency), each container with its own deps (its own
// config cache and Slack clients, as a container keeps them), an event that throws retried twice
// after the ones already queued (Lambda's asynchronous retries), then given up (the on-failure
// destination). Shared by the storm test and `npm run bench:notify`.
import type { StormEvent } from "../../emulator/fleet/storm-events.ts";
import type { SlackAction } from "../../src/domain/incidents/machine.ts";
import { type NotifyDeps, notifyEvent } from "../../src/entry/notify.ts";

export interface Played {
  storm: StormEvent;
  /** The note of its last attempt ("opened", "folded", "duplicate", "routine: …"), if one ended. */
  note?: string;
  /** The Slack calls its successful attempt asked for. */
  actions: SlackAction[];
  /** What each failed attempt threw. */
  errors: unknown[];
  /** ms from its arrival to the start of its first Slack call, when it made one. */
  toSlackMs?: number;
  /** ms from its arrival to the end of its handling. */
  handledMs?: number;
  /** When it was handed to a container (performance.now()). */
  arrived?: number;
}

export interface PlayOptions {
  containers: number;
  /** The deps of container `index` (made once per container). */
  deps: (index: number) => NotifyDeps;
  /** Resolves when the delivery arrives (the bench waits for its moment; tests don't). */
  arrive?: (storm: StormEvent) => Promise<void>;
  /** Lambda's retries of a failed asynchronous event (maximumRetryAttempts in serverless.yml). */
  retries?: number;
  /**
   * A redelivery waits until its original was handled, as one 0.5 s or more later does when
   * nothing is queued (tests that play everything at once; the race itself is tested apart).
   */
  redeliverAfterOriginal?: boolean;
}

/** Times the first Slack call an event makes. */
function timedDeps(deps: NotifyDeps, played: Played, from: number): NotifyDeps {
  return {
    ...deps,
    slack: (token) => {
      const inner = deps.slack(token);
      return {
        carry(action, ts) {
          played.toSlackMs ??= performance.now() - from;
          return inner.carry(action, ts);
        },
      };
    },
  };
}

/** Every delivery played; the result in delivery order. */
export async function playStorm(events: StormEvent[], options: PlayOptions): Promise<Played[]> {
  const played: Played[] = events.map((storm) => ({ storm, actions: [], errors: [] }));
  const queue: { played: Played; attempt: number }[] = played.map((p) => ({
    played: p,
    attempt: 0,
  }));
  const retries = options.retries ?? 2;
  const handled = new Map<string, Promise<void>>();
  const finish = new Map<string, () => void>();
  for (const p of played.filter((d) => d.storm.delivery !== "duplicate")) {
    handled.set(p.storm.event.id, new Promise((resolve) => finish.set(p.storm.event.id, resolve)));
  }
  async function container(index: number) {
    const deps = options.deps(index);
    for (let job = queue.shift(); job; job = queue.shift()) {
      const p = job.played;
      if (job.attempt === 0) {
        await options.arrive?.(p.storm);
        if (options.redeliverAfterOriginal && p.storm.delivery === "duplicate") {
          await handled.get(p.storm.event.id);
        }
        p.arrived = performance.now();
      }
      const from = p.arrived ?? performance.now();
      try {
        const outcome = await notifyEvent(p.storm.event, timedDeps(deps, p, from));
        p.note = outcome.note;
        p.actions = outcome.actions;
        p.handledMs = performance.now() - from;
      } catch (error) {
        p.errors.push(error);
        if (job.attempt < retries) queue.push({ played: p, attempt: job.attempt + 1 });
      } finally {
        if (p.storm.delivery !== "duplicate") finish.get(p.storm.event.id)?.();
      }
    }
  }
  await Promise.all(Array.from({ length: options.containers }, (_, i) => container(i)));
  return played;
}

/** Whether a note says the event was applied to its service's incident. */
export const APPLIED = new Set(["opened", "folded", "updated", "learned"]);

/**
 * What went wrong with the deliveries, in words (empty: every event accounted for): an incident
 * stop applied never or twice (a redelivery may win the race against its original: one of the
 * two is applied), a routine stop or an earlier state applied, an event given up after Lambda's
 * retries, a post made for a redelivery or an earlier state.
 */
export function unaccounted(played: Played[]): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Played[]>();
  for (const p of played) byId.set(p.storm.event.id, [...(byId.get(p.storm.event.id) ?? []), p]);
  for (const [id, deliveries] of byId) {
    const first = deliveries.find((p) => p.storm.delivery !== "duplicate") ?? deliveries[0];
    const what = `${first?.storm.delivery} ${id} (${first?.storm.service})`;
    for (const p of deliveries.filter((d) => d.note === undefined)) {
      problems.push(`${what}: given up after ${p.errors.length} attempts: ${String(p.errors[0])}`);
    }
    // A retry after a failed Slack call finds its event applied: its first attempt applied it.
    // (A redelivery that raced its original failed on the claimed post, then found it a
    // duplicate too: the original's apply is the one.)
    const plainly = deliveries.filter((p) => p.note && APPLIED.has(p.note)).length;
    const retried = deliveries.some((p) => p.errors.length > 0 && p.note === "duplicate");
    const applied = plainly > 0 ? plainly : retried ? 1 : 0;
    const incident = first?.storm.delivery === "incident";
    if (incident && applied !== 1) problems.push(`${what}: applied ${applied} times`);
    if (!incident && applied > 0) problems.push(`${what}: applied`);
    const posted = deliveries.filter((p) => p.actions.some((a) => a.type === "post"));
    if (posted.length > (incident ? 1 : 0)) problems.push(`${what}: posted ${posted.length} times`);
  }
  return problems;
}

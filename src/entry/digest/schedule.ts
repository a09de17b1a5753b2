// The digests a tick of the schedule is due for: each target whose schedule is due (or the one
// named, or an incident schedule's one-off target), claimed once per tick, judged, and posted to
// its channel; a digest that cannot be made is replaced by a message saying so.
import { callLog } from "../../aws/call-log.ts";
import type { DigestConfig } from "../../aws/digest-config.ts";
import { claimOrAnyway, type OnceStore } from "../../aws/idempotency.ts";
import { logger } from "../../aws/logger.ts";
import type { IncidentEvent } from "../../aws/scheduler.ts";
import { awsContext } from "../../commands/reads/aws-context.ts";
import { digestWithHistory } from "../../commands/reads/digest-of-scope.ts";
import { incidentDigestName } from "../../domain/digest.ts";
import {
  CHANNEL,
  DEFAULT_THRESHOLDS,
  type DigestTarget,
  REGION,
} from "../../domain/digest-targets.ts";
import { isDue, parseSchedule, tickOf } from "../../domain/schedule.ts";
import type { DigestEvent, DigestOutcome, FailureRecord, PartEvent } from "./events.ts";
import { fanOut, partSize } from "./fanout.ts";
import type { DigestPoster } from "./poster.ts";

/** The events of a tick: the schedule's, one target by name, or an incident schedule's. */
export type TickEvent = Exclude<DigestEvent, PartEvent | FailureRecord>;

function log(entry: Record<string, unknown>): void {
  logger.info("ecs-chatops digest", entry);
}

/**
 * An incident schedule's invocation as a one-off target with its own history; the last one of the
 * schedule says so. Our own schedule wrote the input, but it is checked all the same.
 */
function incidentTarget(
  event: IncidentEvent,
  tick: Date,
): { target: DigestTarget; last: boolean; until: Date } {
  const i = event.incident;
  const until = new Date(i.until);
  if (!CHANNEL.test(i.channel) || !REGION.test(i.region) || Number.isNaN(until.getTime())) {
    throw new Error(
      `an incident schedule's input is not one this bot writes: ${JSON.stringify(i)}`,
    );
  }
  return {
    target: {
      name: incidentDigestName(i.channel),
      channel: i.channel,
      region: i.region,
      clusters: i.clusters,
      namespaces: i.namespaces,
      schedule: `rate(${i.everyMinutes} minutes)`,
      thresholds: { ...DEFAULT_THRESHOLDS },
      quiet: false,
    },
    // EndDate is "the date before which the schedule can invoke its target" (Scheduler API).
    last: tick.getTime() + i.everyMinutes * 60_000 >= until.getTime(),
    until,
  };
}

/** The digests due at this tick, or the one target asked for by name. */
function chosen(
  targets: DigestTarget[],
  event: Exclude<TickEvent, IncidentEvent>,
  tick: Date,
): DigestTarget[] {
  if ("target" in event) {
    const named = targets.filter((t) => t.name === event.target);
    if (named.length === 0) {
      throw new Error(
        `no digest target is named ${JSON.stringify(event.target)} (targets: ${targets.map((t) => t.name).join(", ") || "none"})`,
      );
    }
    return named;
  }
  // Validated when read: parseSchedule cannot fail here.
  return targets.filter((t) => {
    const schedule = parseSchedule(t.schedule);
    return typeof schedule !== "string" && isDue(schedule, tick);
  });
}

export interface TickDeps {
  config: DigestConfig;
  store: OnceStore;
  /** Aborts AWS reads in time to post what was read. */
  reads: AbortSignal;
  poster: DigestPoster;
}

/** Posts every digest due at this tick; throws when one could not be posted at all. */
export async function digestsOfTick(
  event: TickEvent,
  { config, store, reads, poster }: TickDeps,
): Promise<DigestOutcome[]> {
  const incident = "incident" in event ? event : undefined;
  const targets = config.targets === "none" ? { ok: true as const, targets: [] } : config.targets;
  if (config.targets === "none" && !incident) {
    log({ outcome: "no-targets", reason: `no parameter ${process.env.DIGEST_TARGETS_PARAM}` });
  }
  if (!targets.ok && !incident) {
    // Nothing is posted from a configuration nobody can trust; the log names every bad field.
    log({ outcome: "targets-invalid", errors: targets.errors });
    throw new Error(`digest targets are invalid: ${targets.errors.join("; ")}`);
  }
  const tick = tickOf("target" in event ? new Date() : new Date(event.time));
  const once = incident ? incidentTarget(incident, tick) : undefined;
  const due = once
    ? [once.target]
    : chosen(targets.ok ? targets.targets : [], event as Exclude<TickEvent, IncidentEvent>, tick);
  if (due.length === 0) return [];
  const lastUntil = once?.last ? once.until : undefined;

  const digestOf = async (target: DigestTarget): Promise<DigestOutcome> => {
    const base = { target: target.name, channel: target.channel };
    let failed: string | undefined;
    let fannedOut = false;
    const work = async () => {
      let post: () => Promise<void>;
      try {
        const ctx = awsContext(target.region, undefined, reads, "fleet");
        const size = partSize();
        if (size !== undefined) {
          const how = await fanOut(ctx, target, tick, size, poster, lastUntil);
          if (how !== "small") {
            fannedOut = how !== "posted";
            return;
          }
        }
        const result = await digestWithHistory(
          ctx,
          {
            name: target.name,
            scope: { clusters: target.clusters, namespaces: target.namespaces },
            thresholds: target.thresholds,
          },
          tick,
        );
        post = () => poster.post(target, result, lastUntil);
      } catch (error) {
        failed = String(error);
        post = () =>
          poster.postFailure(target, tick, "an unexpected error (see the function's log)");
      }
      await post();
    };
    try {
      // The store could not be read: post anyway, a duplicate is the lesser harm than none.
      const outcome = await claimOrAnyway(
        store,
        `digest:${target.name}:${tick.toISOString()}`,
        work,
        (error) => {
          log({ target: target.name, outcome: "store-unavailable", error: String(error) });
          return "run";
        },
      );
      if (!outcome.ran) return { ...base, outcome: "duplicate-dropped" };
      if (fannedOut) return { ...base, outcome: "fanned-out" };
      return failed
        ? { ...base, outcome: "failure-posted", error: failed }
        : { ...base, outcome: "posted" };
    } catch (error) {
      return { ...base, outcome: "post-failed", error: String(error) };
    }
  };

  // Targets run side by side: each has its own channel and scope, and AWS reads are bounded
  // per digest (commands/reads/judge-scope.ts).
  const outcomes = await Promise.all(due.map(digestOf));
  log({ tick: tick.toISOString(), outcomes, aws: callLog.stats().calls });
  const lost = outcomes.filter((o) => o.outcome === "post-failed");
  if (lost.length > 0) {
    throw new Error(
      `digests not posted: ${lost.map((o) => `${o.target} to ${o.channel} (${o.error})`).join("; ")}`,
    );
  }
  return outcomes;
}

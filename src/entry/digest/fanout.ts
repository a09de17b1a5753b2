// A digest too large for one invocation, on Lambda itself: the invocation the schedule started
// lists the scope, records its parts (src/aws/digest-parts.ts), and invokes the digest function
// for the first few parts ("Event": queued, each with its own timeout and memory); each part, as
// it finishes, starts the next one waiting. At most DIGEST_PART_CONCURRENCY parts run at once:
// AWS throttles each operation per account, so parts running together share one rate and each
// takes as long as all of them would; a few at a time keeps each part well inside its timeout.
// Each part judges its services and keeps them; the part that finishes last gathers every part,
// compares with the previous digest and posts, once. Nothing is lost silently: a part that cannot
// be started or fails has its services counted as unknown, with why, and the digest still posted;
// a part Lambda gives up on (out of memory, timed out) comes back to the function as its
// on-failure destination's invocation record, and is counted the same way (partFailed).

import { type DigestParts, digestParts, type PartResult } from "../../aws/digest-parts.ts";
import { AwsReadError } from "../../aws/errors.ts";
import { invokeAsync } from "../../aws/lambda.ts";
import { type AwsContext, snapshotContext } from "../../commands/reads/aws-context.ts";
import { digestOfParts } from "../../commands/reads/digest-of-scope.ts";
import { judgeServices, unjudged } from "../../commands/reads/judge-scope.ts";
import {
  readAllNamespaceClients,
  seedNamespaceClients,
} from "../../commands/reads/namespace-services.ts";
import { listScope, type ScopeService, scopeLabel } from "../../commands/reads/scope.ts";
import { partsOf } from "../../domain/digest-parts.ts";
import type { DigestTarget } from "../../domain/digest-targets.ts";
import { type FailureRecord, failureReason, type PartEvent } from "./events.ts";
import type { DigestPoster } from "./poster.ts";

/** Services per part; fan-out is on only where it can work (a table, a function to invoke). */
export function partSize(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const size = Number(env.DIGEST_PART_SERVICES);
  if (!env.DIGEST_TABLE || !env.AWS_LAMBDA_FUNCTION_NAME || !Number.isInteger(size) || size < 1)
    return undefined;
  return size;
}

/** Parts running at once (DIGEST_PART_CONCURRENCY, default 2). */
export function partConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.DIGEST_PART_CONCURRENCY ?? 2);
  return Number.isInteger(n) && n >= 1 ? n : 2;
}

const reason = (error: unknown) =>
  error instanceof AwsReadError ? error.reason : "an unexpected error (see the function's log)";

/** Keeps a part and, if it was the last to finish, gathers every part and posts the digest. */
async function complete(
  store: DigestParts,
  event: PartEvent["part"],
  result: PartResult,
  poster: DigestPoster,
): Promise<"posted" | "part-kept"> {
  await store.save(event.target.name, event.tick, event.index, result);
  return counted(store, event, poster);
}

/**
 * Counts part `event.index` finished, then starts the part waiting longest in its place, or, if
 * it was the last to finish, gathers every part and posts the digest.
 */
async function counted(
  store: DigestParts,
  event: Omit<PartEvent["part"], "services">,
  poster: DigestPoster,
  /**
   * A part that failed after counting itself may have died before starting the next: start it
   * (again) then too. Parts are claimed, so one already running is not run twice.
   */
  duplicateStartsNext = false,
): Promise<"posted" | "part-kept"> {
  const { target, tick, index, lastUntil } = event;
  const finished = await store.finish(target.name, tick, index);
  if (finished === "duplicate" && !duplicateStartsNext) return "part-kept";
  if (finished !== "last") {
    // The part waiting longest starts in this one's place.
    const next = { target, tick, index: index + partConcurrency() };
    return startPart(store, lastUntil ? { ...next, lastUntil } : next, poster);
  }
  const all = await store.gather(target.name, tick);
  const scope = { clusters: target.clusters, namespaces: target.namespaces };
  const result = await digestOfParts(
    { name: target.name, scope, thresholds: target.thresholds },
    all.entries,
    all.gaps,
    new Date(tick),
  );
  await poster.post(target, result, event.lastUntil ? new Date(event.lastUntil) : undefined);
  return "posted";
}

/**
 * Fans the digest of `target` out when its scope has more services than one part holds. Returns
 * "small" when it does not (the caller digests it itself), else what became of it.
 */
export async function fanOut(
  ctx: AwsContext,
  target: DigestTarget,
  tick: Date,
  size: number,
  poster: DigestPoster,
  lastUntil?: Date,
): Promise<"small" | "fanned-out" | "posted" | "already-fanned-out"> {
  const store = digestParts();
  if (!store || !process.env.AWS_LAMBDA_FUNCTION_NAME) return "small";
  const scope = { clusters: target.clusters, namespaces: target.namespaces };
  const snapshot = snapshotContext(ctx);
  const listed = await listScope(snapshot, scope);
  if (listed.services.length <= size) return "small";
  const parts = partsOf(listed.services, size);
  const at = tick.toISOString();
  // Every publisher's judgement reads its namespace's clients, wherever they run: read once here
  // and handed to the parts, not read again by each part (N/10 DescribeServices, not N/10 each).
  const clients = await readAllNamespaceClients(snapshot);
  if (!(await store.begin(target.name, at, parts, listed.gaps, clients))) {
    return "already-fanned-out";
  }
  const first = parts.slice(0, partConcurrency()).map((services, index) =>
    startPart(
      store,
      {
        target,
        tick: at,
        index,
        services,
        ...(lastUntil ? { lastUntil: lastUntil.toISOString() } : {}),
      },
      poster,
    ),
  );
  const outcomes = await Promise.all(first);
  return outcomes.includes("posted") ? "posted" : "fanned-out";
}

/**
 * Starts part `event.index` (its services read from the recorded plan when not given), if there
 * is such a part. A part that cannot be started is counted unknown and completed here, which
 * starts the next one in its place, or gathers and posts if it was the last.
 */
async function startPart(
  store: DigestParts,
  event: Omit<PartEvent["part"], "services"> & { services?: ScopeService[] },
  poster: DigestPoster,
): Promise<"posted" | "part-kept"> {
  const services = event.services ?? (await store.plan(event.target.name, event.tick, event.index));
  if (!services) return "part-kept";
  const part: PartEvent["part"] = { ...event, services };
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  try {
    if (!functionName) throw new Error("AWS_LAMBDA_FUNCTION_NAME is not set");
    await invokeAsync(functionName, { part } satisfies PartEvent, AbortSignal.timeout(10_000));
    return "part-kept";
  } catch (error) {
    const why = `its part of the digest could not be started (${reason(error)})`;
    return complete(store, part, { entries: unjudged(services, why), gaps: [] }, poster);
  }
}

/** One part: judges its services at the digest's instant, keeps them, and maybe posts. */
export async function runPart(
  ctx: AwsContext,
  event: PartEvent["part"],
  poster: DigestPoster,
): Promise<"posted" | "part-kept"> {
  const store = digestParts();
  if (!store) throw new Error("a digest part needs DIGEST_TABLE");
  const { target } = event;
  let result: PartResult;
  try {
    const scoped = snapshotContext(ctx);
    // What the fanning-out invocation read of the namespaces; a part reads what is not there.
    const clients = await store.clients(target.name, event.tick).catch(() => new Map());
    for (const [namespace, list] of clients) seedNamespaceClients(scoped, namespace, list);
    const entries = await judgeServices(
      scoped,
      event.services,
      target.clusters,
      new Date(event.tick),
      { scope: scopeLabel({ clusters: target.clusters, namespaces: target.namespaces }) },
    );
    // A service the part was given but did not judge (gone since the listing) is simply gone.
    result = { entries, gaps: [] };
  } catch (error) {
    result = { entries: unjudged(event.services, reason(error)), gaps: [] };
  }
  return complete(store, event, result, poster);
}

/**
 * A part Lambda gave up on (killed out of memory, timed out, never started in time): its
 * services are counted unknown with why, unless it kept its judgements before it failed, and
 * the digest goes on as if the part had finished: the next part starts (a part already started
 * is not run twice: parts are claimed), or the last one gathers and posts. Without this, a part
 * that dies never counts itself finished and the digest is never posted.
 */
export async function partFailed(
  record: FailureRecord & { requestPayload: PartEvent },
  poster: DigestPoster,
): Promise<"posted" | "part-kept"> {
  const store = digestParts();
  if (!store) throw new Error("a digest part needs DIGEST_TABLE");
  const event = record.requestPayload.part;
  const why = `its part of the digest failed: ${failureReason(record)}`;
  await store.save(
    event.target.name,
    event.tick,
    event.index,
    { entries: unjudged(event.services, why), gaps: [] },
    true,
  );
  return counted(store, event, poster, true);
}

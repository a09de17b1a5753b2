// A digest too large for one invocation, on Lambda itself: the invocation the schedule started
// lists the scope, records how many parts it has (src/aws/digest-parts.ts), and invokes the digest
// function once per part ("Event": queued, each with its own timeout and memory). Each part
// judges its services and keeps them; the part that finishes last gathers every part, compares
// with the previous digest and posts, once. Nothing is lost silently: a part that cannot be
// started or fails has its services counted as unknown, with why, and the digest is still posted.

import { type DigestParts, digestParts, type PartResult } from "./aws/digest-parts.ts";
import { AwsReadError } from "./aws/errors.ts";
import { invokeAsync } from "./aws/lambda.ts";
import { type AwsContext, snapshotContext } from "./commands/aws-context.ts";
import {
  type DigestRun,
  digestOfParts,
  judgeServices,
  listScope,
  type ScopeService,
  scopeLabel,
  unjudged,
} from "./commands/digest.ts";
import { partsOf } from "./domain/digest-parts.ts";
import type { DigestTarget } from "./domain/digest-targets.ts";

/** One part of a fanned-out digest, as the digest function is invoked with it. */
export interface PartEvent {
  part: {
    target: DigestTarget;
    /** The tick (ISO 8601) the digest is of: every part judges at this instant. */
    tick: string;
    index: number;
    services: ScopeService[];
    /** An incident schedule's last digest says the schedule ends, at this time. */
    lastUntil?: string;
  };
}

export function isPartEvent(event: unknown): event is PartEvent {
  const part = (event as Partial<PartEvent> | null)?.part;
  return (
    typeof part === "object" &&
    part !== null &&
    typeof part.tick === "string" &&
    Number.isInteger(part.index) &&
    Array.isArray(part.services) &&
    typeof part.target?.name === "string"
  );
}

/** Services per part; fan-out is on only where it can work (a table, a function to invoke). */
export function partSize(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const size = Number(env.DIGEST_PART_SERVICES);
  if (!env.DIGEST_TABLE || !env.AWS_LAMBDA_FUNCTION_NAME || !Number.isInteger(size) || size < 1)
    return undefined;
  return size;
}

/** Posts a finished digest to the target's channel; throws when Slack refuses it. */
export type PostDigest = (target: DigestTarget, run: DigestRun, lastUntil?: Date) => Promise<void>;

const reason = (error: unknown) =>
  error instanceof AwsReadError ? error.reason : "an unexpected error (see the function's log)";

/** Keeps a part and, if it was the last to finish, gathers every part and posts the digest. */
async function complete(
  store: DigestParts,
  event: PartEvent["part"],
  result: PartResult,
  post: PostDigest,
): Promise<"posted" | "part-kept"> {
  const { target, tick, index } = event;
  await store.save(target.name, tick, index, result);
  if (!(await store.finish(target.name, tick, index))) return "part-kept";
  const all = await store.gather(target.name, tick);
  const scope = { clusters: target.clusters, namespaces: target.namespaces };
  const run = await digestOfParts(
    { name: target.name, scope, thresholds: target.thresholds },
    all.entries,
    all.gaps,
    new Date(tick),
  );
  await post(target, run, event.lastUntil ? new Date(event.lastUntil) : undefined);
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
  post: PostDigest,
  lastUntil?: Date,
): Promise<"small" | "fanned-out" | "posted" | "already-fanned-out"> {
  const store = digestParts();
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!store || !functionName) return "small";
  const scope = { clusters: target.clusters, namespaces: target.namespaces };
  const listed = await listScope(snapshotContext(ctx), scope);
  if (listed.services.length <= size) return "small";
  const parts = partsOf(listed.services, size);
  const at = tick.toISOString();
  if (!(await store.begin(target.name, at, parts.length, listed.gaps))) {
    return "already-fanned-out";
  }
  const outcomes = await Promise.all(
    parts.map(async (services, index) => {
      const part: PartEvent["part"] = {
        target,
        tick: at,
        index,
        services,
        ...(lastUntil ? { lastUntil: lastUntil.toISOString() } : {}),
      };
      try {
        await invokeAsync(functionName, { part } satisfies PartEvent, AbortSignal.timeout(10_000));
        return "fanned-out" as const;
      } catch (error) {
        // The part never runs: its services are counted unknown, and if it was the last one
        // outstanding, this invocation gathers and posts.
        const why = `its part of the digest could not be started (${reason(error)})`;
        return complete(store, part, { entries: unjudged(services, why), gaps: [] }, post);
      }
    }),
  );
  return outcomes.includes("posted") ? "posted" : "fanned-out";
}

/** One part: judges its services at the digest's instant, keeps them, and maybe posts. */
export async function runPart(
  ctx: AwsContext,
  event: PartEvent["part"],
  post: PostDigest,
): Promise<"posted" | "part-kept"> {
  const store = digestParts();
  if (!store) throw new Error("a digest part needs DIGEST_TABLE");
  const { target } = event;
  let result: PartResult;
  try {
    const entries = await judgeServices(
      snapshotContext(ctx),
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
  return complete(store, event, result, post);
}

// A digest of a scope: its services judged (or judgements made elsewhere, a fanned-out digest's
// parts) summed up against the previous digest of the same target, which it then replaces.
import { digestHistory } from "../../aws/digest-history.ts";
import type { CommandProgress } from "../../domain/answer.ts";
import {
  buildDigest,
  type DigestEntry,
  type DigestResult,
  type DigestSnapshot,
  type UnreadPart,
} from "../../domain/digest.ts";
import { DEFAULT_THRESHOLDS, type DigestThresholds } from "../../domain/digest-targets.ts";
import type { Gap } from "../../domain/facts.ts";
import { type AwsContext, Gaps, snapshotContext } from "./aws-context.ts";
import { type DigestOptions, judgeServices } from "./judge-scope.ts";
import { type DigestScope, listScope, scopeLabel } from "./scope.ts";

/**
 * Judges every service of the scope with /ecs health's own judgement and sums them up against
 * the previous digest of the same target.
 */
export async function makeDigest(
  outer: AwsContext,
  target: { name: string; scope: DigestScope; thresholds?: DigestThresholds },
  previous: DigestSnapshot | undefined,
  now = new Date(),
  options: DigestOptions = {},
): Promise<DigestResult> {
  const scope = scopeLabel(target.scope);
  options.onProgress?.({ scope });
  const scoped = snapshotContext(outer);
  const listed = await listScope(scoped, target.scope);
  const entries = await judgeServices(scoped, listed.services, target.scope.clusters, now, {
    ...options,
    scope,
  });
  const digest = buildDigest(
    {
      name: target.name,
      scope,
      thresholds: target.thresholds ?? DEFAULT_THRESHOLDS,
    },
    entries,
    previous,
    now,
    unreadOf(listed.gaps),
  );
  return { digest, gaps: listed.gaps };
}

/**
 * The digest of a target compared with its previous one, which it then replaces. A history that
 * cannot be read or written is a gap of the digest, not a failure: the digest is still posted.
 */
export async function digestWithHistory(
  ctx: AwsContext,
  target: { name: string; scope: DigestScope; thresholds?: DigestThresholds },
  now = new Date(),
  onProgress?: (progress: CommandProgress) => void,
  /** false: compare with the previous digest but keep this one out of the history (Details). */
  keep = true,
): Promise<DigestResult> {
  return withHistory(target.name, now, keep, (previous) =>
    makeDigest(ctx, target, previous, now, { onProgress }),
  );
}

/**
 * The digest of judgements made elsewhere (the parts of a fanned-out digest), compared with the
 * previous digest of the target, which it then replaces.
 */
export function digestOfParts(
  target: { name: string; scope: DigestScope; thresholds?: DigestThresholds },
  entries: DigestEntry[],
  gaps: Gap[],
  now: Date,
): Promise<DigestResult> {
  return withHistory(target.name, now, true, async (previous) => ({
    digest: buildDigest(
      {
        name: target.name,
        scope: scopeLabel(target.scope),
        thresholds: target.thresholds ?? DEFAULT_THRESHOLDS,
      },
      entries,
      previous,
      now,
      unreadOf(gaps),
    ),
    gaps,
  }));
}

/** The parts of the scope the listing's gaps leave unread (kept with them across parts). */
function unreadOf(gaps: Gap[]): UnreadPart[] {
  // A cluster AWS says does not exist was read: it is absent, not unread.
  return gaps.flatMap((g) =>
    g.scopePart && !g.absent ? [{ ...g.scopePart, cause: g.cause ?? "failed" }] : [],
  );
}

/** A history that cannot be read or written is a gap of the digest, which is still made. */
async function withHistory(
  name: string,
  /** The digest's own time (its tick): what "expired" is judged against. */
  now: Date,
  keep: boolean,
  make: (previous: DigestSnapshot | undefined) => Promise<DigestResult>,
): Promise<DigestResult> {
  const store = digestHistory();
  const kept = new Gaps();
  const previous = store
    ? await kept.soft("the last digest of this scope", store.load(name, now), undefined)
    : undefined;
  const made = await make(previous);
  if (store && keep)
    await kept.soft("where digests are kept", store.save(made.digest.snapshot), undefined);
  return { ...made, gaps: [...made.gaps, ...kept.list] };
}

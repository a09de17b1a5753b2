import { AwsReadError } from "../aws/errors.ts";
import { type IncidentScheduler, incidentScheduler } from "../aws/scheduler.ts";
import type { CommandCall, DigestAnswer, IncidentOutcome, UnknownScope } from "../domain/answer.ts";
import { incidentDigestName, onDemandDigestName } from "../domain/digest.ts";
import { closestNames } from "../domain/suggest.ts";
import type { AwsContext } from "./reads/aws-context.ts";
import { digestWithHistory } from "./reads/digest-of-scope.ts";
import { type DigestScope, scopeLabel } from "./reads/scope.ts";

/** "15m", "2h" → minutes; undefined when it is neither. */
function minutesOf(text: string | undefined): number | undefined {
  const m = /^(\d{1,3})(m|h)$/.exec(text ?? "");
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "h" ? 60 : 1);
}

const EVERY = { min: 5, max: 60 };
const FOR = { min: 15, max: 24 * 60 };

/** `--every 15m --for 2h`, removed from the words; an error message when they are wrong. */
function incidentFlags(words: string[]): {
  every?: number;
  span?: number;
  error?: string;
  rest: string[];
} {
  const rest: string[] = [];
  let every: number | undefined;
  let span: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === "--every" || word === "--for") {
      const value = minutesOf(words[i + 1]);
      i++;
      if (value === undefined) return { rest, error: `${word} takes a duration such as 15m or 2h` };
      if (word === "--every") every = value;
      else span = value;
    } else rest.push(word as string);
  }
  if (every === undefined && span === undefined) return { rest };
  if (every === undefined || span === undefined) {
    return { rest, error: "give both --every (how often) and --for (how long)" };
  }
  if (every < EVERY.min || every > EVERY.max) {
    return { rest, error: `--every is from ${EVERY.min}m to ${EVERY.max / 60}h` };
  }
  if (span < FOR.min || span > FOR.max || span < every) {
    return { rest, error: `--for is from ${FOR.min}m to ${FOR.max / 60}h, and at least --every` };
  }
  return { every, span, rest };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

const SCHEDULE_FLAGS = ["--every", "--for"];

/** The words without --every/--for and their values: the digest to ask again. */
const withoutSchedule = (words: string[]) =>
  words.filter(
    (w, i) => !SCHEDULE_FLAGS.includes(w) && !SCHEDULE_FLAGS.includes(words[i - 1] ?? ""),
  );

/** So many names at most are listed when a name is unknown and none is spelt nearly so. */
const KNOWN_LISTED = 12;

/**
 * Which of the names are clusters and which namespaces. A name absent from a list that was read
 * is not of that kind; one that could not be checked is tried (a cluster AWS says does not
 * exist is not one), and its failure is then reported. Unknown: neither.
 */
async function scopeOf(
  ctx: AwsContext,
  names: string[],
): Promise<{ scope: DigestScope; unknown?: UnknownScope }> {
  const [clusters, namespaces] = await Promise.all([
    ctx.ecs.listClusters().catch(unlisted),
    ctx.cloudMap
      .listNamespaces()
      .then((list) => list.map((ns) => ns.name))
      .catch(unlisted),
  ]);
  const isCluster = await Promise.all(
    names.map((n) =>
      clusters
        ? clusters.includes(n)
        : ctx.ecs.listServices(n).then(
            () => true,
            (error: unknown) => !(error instanceof AwsReadError && error.kind === "not-found"),
          ),
    ),
  );
  const isNamespace = names.map((n, i) => (namespaces ? namespaces.includes(n) : !isCluster[i]));
  const scope = {
    clusters: names.filter((_, i) => isCluster[i]),
    namespaces: names.filter((_, i) => isNamespace[i]),
  };
  const unknown = names.filter((_, i) => !isCluster[i] && !isNamespace[i]);
  if (unknown.length === 0) return { scope };
  const known = [...(clusters ?? []), ...(namespaces ?? [])];
  return {
    scope,
    unknown: {
      names: unknown,
      region: ctx.region,
      suggestions: unknown
        .map((name) => ({ name, like: closestNames(name, known) }))
        .filter((s) => s.like.length > 0),
      ...(clusters && namespaces && known.length <= KNOWN_LISTED
        ? { known: { clusters: [...clusters].sort(), namespaces: [...namespaces].sort() } }
        : {}),
    },
  };
}

/** A list that could not be read: undefined, so that nothing is judged absent from it. */
function unlisted(error: unknown): undefined {
  if (error instanceof AwsReadError) return undefined;
  throw error;
}

/**
 * `/ecs digest [cluster|namespace …] [--quiet]`: the digest, now, of these clusters and
 * namespaces (every cluster when none is named).
 */
export async function digest(
  aws: () => AwsContext,
  text: string,
  place: CommandCall = {},
  scheduler: IncidentScheduler | undefined = incidentScheduler(),
): Promise<DigestAnswer> {
  const all = text.trim().split(/\s+/).filter(Boolean);
  if (!place.channel && all.some((w) => SCHEDULE_FLAGS.includes(w))) {
    // No Slack channel (the terminal): nothing to post a schedule's digests to.
    const again = withoutSchedule(all);
    return {
      kind: "invalid",
      query: again.join(" "),
      reason: "--every and --for schedule digests in a Slack channel",
      askAgain: ["digest", ...again].join(" "),
    };
  }
  const flags = incidentFlags(all);
  const words = flags.rest;
  const incident = flags.every !== undefined || flags.error !== undefined || words[0] === "stop";
  if (incident) {
    const refusal = flags.error
      ? flags.error
      : !place.channel
        ? "incident digests are posted in a Slack channel: ask there"
        : !scheduler
          ? "incident digests need the deployed bot (no schedule group is configured here)"
          : undefined;
    if (refusal) return { kind: "invalid", query: all.join(" "), reason: refusal };
  }
  if (words[0] === "stop" && place.channel && scheduler) {
    if (words.length > 1)
      return { kind: "invalid", query: all.join(" "), reason: "stop takes nothing after it" };
    return { kind: "stopped", query: "stop", outcome: await scheduler.stop(place.channel) };
  }
  const quiet = words.includes("--quiet");
  const names = words.filter((w) => w !== "--quiet");
  const query = names.join(" ");
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined || names.length > 20) {
    return {
      kind: "invalid",
      query,
      reason: bad !== undefined ? "name clusters or Cloud Map namespaces" : "name at most 20",
    };
  }
  const ctx = aws();
  let scope: DigestScope = { clusters: "all", namespaces: [] };
  if (names.length > 0) {
    const found = await scopeOf(ctx, names);
    // Never a digest of the rest over a typo: the name meant may be the one that matters.
    if (found.unknown) {
      return {
        kind: "invalid",
        query,
        reason: `${found.unknown.names.join(", ")} is neither a cluster nor a Cloud Map namespace of ${ctx.region}`,
        unknown: found.unknown,
      };
    }
    scope = found.scope;
  }
  // Each scope asked on demand has its own history: the next digest of it says what changed.
  if (flags.every !== undefined && flags.span !== undefined && place.channel && scheduler) {
    // The first digest now, the next ones from the schedule, all with this channel's history.
    const everyMinutes = flags.every;
    const until = new Date(Date.now() + flags.span * 60_000);
    const [made, started] = await Promise.all([
      digestWithHistory(
        ctx,
        { name: incidentDigestName(place.channel), scope },
        undefined,
        place.onProgress,
      ),
      scheduler
        .start({
          channel: place.channel,
          region: ctx.region,
          clusters: scope.clusters,
          namespaces: scope.namespaces === "all" ? [] : scope.namespaces,
          everyMinutes,
          until,
        })
        .then(
          (kind): IncidentOutcome =>
            kind === "started"
              ? { kind, everyMinutes, until }
              : { kind: "already-running", everyMinutes, until },
          (error: unknown): IncidentOutcome => ({
            kind: "failed",
            reason:
              error instanceof AwsReadError ? error.reason : "the schedule could not be created",
          }),
        ),
    ]);
    return { kind: "found", query, result: made, quiet, incident: started };
  }
  const made = await digestWithHistory(
    ctx,
    { name: onDemandDigestName(scopeLabel(scope)), scope },
    undefined,
    place.onProgress,
    !place.rereading,
  );
  return { kind: "found", query, result: made, quiet };
}

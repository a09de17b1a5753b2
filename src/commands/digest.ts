import { digestHistory } from "../aws/digest-history.ts";
import { lastSegment } from "../aws/ecs-mapping.ts";
import { AwsReadError } from "../aws/errors.ts";
import { type IncidentScheduler, incidentScheduler } from "../aws/scheduler.ts";
import {
  buildDigest,
  type Digest,
  type DigestEntry,
  type DigestSnapshot,
  type UnreadPart,
} from "../domain/digest.ts";
import { DEFAULT_THRESHOLDS, type DigestThresholds } from "../domain/digest-targets.ts";
import type { EcsService, Gap, Namespace } from "../domain/facts.ts";
import type { HealthReport } from "../domain/health.ts";
import { hostOf } from "../domain/resolution/bindings.ts";
import { namespaceByRef } from "../domain/resolution/service-facts.ts";
import { trafficSearches } from "../domain/traffic/queries.ts";
import { type AwsContext, Gaps, snapshotContext } from "./aws-context.ts";
import type { CommandCall, CommandProgress } from "./call.ts";
import { HEALTH_WINDOW, reportFor } from "./health.ts";
import { namespaceCallers, readAheadNamespaceClients } from "./namespace-services.ts";
import { serviceGapWhat } from "./service-facts.ts";
import { windowRange } from "./traffic.ts";

/** What a digest covers: clusters and/or Cloud Map namespaces, by name, or every one. */
export interface DigestScope {
  clusters: string[] | "all";
  namespaces: string[] | "all";
}

/** How many services are judged at once: bounded, so a big scope does not flood AWS. */
const CONCURRENCY = 6;

export function scopeLabel(scope: DigestScope): string {
  const part = (list: string[] | "all", what: string) =>
    list === "all" ? `every ${what}` : list.join(", ");
  return [
    scope.clusters === "all" || scope.clusters.length ? part(scope.clusters, "cluster") : "",
    scope.namespaces === "all" || scope.namespaces.length
      ? part(scope.namespaces, "namespace")
      : "",
  ]
    .filter(Boolean)
    .join("; ");
}

/** The services of the scope, each once; what could not be listed becomes a gap. */
async function servicesOf(
  ctx: AwsContext,
  gaps: Gaps,
  scope: DigestScope,
): Promise<ScopeService[]> {
  // What cannot be listed is a part of the scope left unread: the digest's headline names it.
  const clusters =
    scope.clusters === "all"
      ? await gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[], {
          kind: "clusters",
        })
      : scope.clusters;
  const namespaces =
    scope.namespaces === "all" || scope.namespaces.length > 0
      ? await gaps.soft(
          "the Cloud Map namespaces",
          ctx.cloudMap.listNamespaces(),
          [] as Namespace[],
          { kind: "namespaces" },
        )
      : [];
  const chosen =
    scope.namespaces === "all"
      ? namespaces
      : namespaces.filter((n) => (scope.namespaces as string[]).includes(n.name));
  const [byCluster, byNamespace] = await Promise.all([
    Promise.all(
      clusters.map(async (cluster) =>
        (
          await gaps.soft(`the services of cluster ${cluster}`, ctx.ecs.listServices(cluster), [], {
            kind: "cluster",
            name: cluster,
          })
        ).map((arn) => ({ cluster, service: lastSegment(arn) })),
      ),
    ),
    Promise.all(
      chosen.map(async (ns) => {
        const own = new Gaps();
        const callers = await namespaceCallers(ctx, own, ns, undefined);
        if (!callers)
          for (const gap of own.list) gap.scopePart = { kind: "namespace", name: ns.name };
        gaps.merge(own);
        return (callers ?? []).map((c) => ({ cluster: c.cluster, service: c.service }));
      }),
    ),
  ]);
  const all = [...byCluster.flat(), ...byNamespace.flat()];
  const seen = new Set<string>();
  return all
    .filter((s) => {
      const key = `${s.cluster}/${s.service}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.service.localeCompare(b.service));
}

/** The gap of the ECS service itself (DescribeServices). */
const serviceGap = (gaps: Gap[], cluster: string, service: string) =>
  gaps.find((g) => !g.absent && g.what === serviceGapWhat(cluster, service));

/** A health report as a digest line: health's level and reason, and its traffic. */
function entryOf(report: HealthReport, cluster: string, service: string): DigestEntry {
  const focus = report.resolution.bindings[0];
  const t = report.traffic;
  const unread = serviceGap(report.gaps, cluster, service);
  return {
    cluster,
    service,
    subject: focus ? hostOf(focus) : `${cluster}/${service}`,
    level: report.level,
    reason: report.reason,
    ...(report.since && report.level !== "healthy" ? { since: report.since } : {}),
    ...(unread ? { cause: unread.cause ?? "failed" } : {}),
    // Down cannot get worse; anything else judged without part of its facts says so.
    ...(report.level !== "down" && report.unknown[0] ? { partial: report.unknown[0] } : {}),
    traffic:
      t && t.status === "ok" && t.protocol !== "tcp"
        ? {
            requests: t.requests.current ?? 0,
            errorRate: t.errorRate.current,
            p99: t.latency.p99.current,
          }
        : undefined,
  };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * The Service Connect traffic of the whole region read ahead with SEARCH expressions, one per
 * metric: each judgement then finds its figures there instead of asking for its own (which asks
 * for every possible caller of every service, a cost that grows with the namespace squared). A
 * search that may have left series out (500 returned) is made again per cluster; what is still
 * not covered, or what fails, is asked by each judgement as before.
 */
async function searchTraffic(run: AwsContext, clusters: string[], now: Date): Promise<void> {
  const { start, end } = windowRange(HEALTH_WINDOW, now);
  const region = trafficSearches(HEALTH_WINDOW);
  // One region-wide search per call, all in parallel: each may return up to 500 series, and a
  // call retrieves at most 500 metrics, the series its searches find included.
  const complete = await run.cloudWatch.searchAhead(region, start, end, 1);
  const retry = region.filter((s) => complete.get(s.id) === false);
  if (retry.length === 0) return;
  // Every cluster of the region, not only the scope's: a service's callers may run anywhere (a
  // part of a fanned-out digest holds a few clusters; its services' callers are in the others).
  const everywhere = await run.ecs.listClusters().catch(() => clusters);
  const all = [...new Set([...clusters, ...everywhere])];
  const perCluster = all.flatMap((cluster, c) =>
    trafficSearches(HEALTH_WINDOW, cluster)
      .filter((s) => retry.some((r) => r.id === s.id))
      .map((s) => ({ ...s, id: `${s.id}k${c}` })),
  );
  await run.cloudWatch.searchAhead(perCluster, start, end);
}

/**
 * Reads ahead the Service Connect clients of the namespaces that described services publish in,
 * each namespace once. A failure is not a gap here: the judgement asks again and says what it
 * could not read.
 */
class NamespaceReads {
  private readonly reads = new Map<string, Promise<unknown>>();
  private namespaces: Promise<Namespace[] | undefined> | undefined;

  constructor(private readonly run: AwsContext) {}

  async readFor(services: EcsService[]): Promise<void> {
    const refs = services
      .filter((s) => s.serviceConnect?.enabled && s.serviceConnect.services.length > 0)
      .map((s) => s.serviceConnect?.namespace ?? "");
    for (const ref of new Set(refs)) {
      if (this.reads.has(ref)) continue;
      this.namespaces ??= this.run.cloudMap.listNamespaces().catch(() => undefined);
      this.reads.set(
        ref,
        this.namespaces
          .then((all) => {
            const namespace = namespaceByRef(all ?? [], ref);
            return namespace && readAheadNamespaceClients(this.run, namespace);
          })
          // Whatever failed here, the judgement reads again and reports (or rethrows) itself.
          .catch(() => undefined),
      );
    }
  }

  async done(): Promise<void> {
    await Promise.all(this.reads.values());
  }
}

export interface DigestOptions {
  onProgress?: (progress: CommandProgress) => void;
  /**
   * Read the region's Service Connect traffic ahead with SEARCH (default); false leaves each
   * judgement to ask for its own, as /ecs health does (the benchmark compares the two).
   */
  searchAhead?: boolean;
}

export interface DigestRun {
  digest: Digest;
  /** What could not be listed (a cluster, a namespace): the digest reports the rest. */
  gaps: Gap[];
}

/** The services a digest covers, each once; what could not be listed is a gap. */
export async function listScope(
  ctx: AwsContext,
  scope: DigestScope,
): Promise<{ services: ScopeService[]; gaps: Gap[] }> {
  const gaps = new Gaps();
  const services = await servicesOf(ctx, gaps, scope);
  return { services, gaps: gaps.list };
}

export interface ScopeService {
  cluster: string;
  service: string;
}

/**
 * Judges `services` with /ecs health's own judgement. `run` is a snapshot (snapshotContext):
 * one instant, each read once, the judgements sharing what it has read. Clusters named in
 * `wholeClusters` (every one for "all") have their tasks read cluster-wide.
 */
export async function judgeServices(
  run: AwsContext,
  services: ScopeService[],
  wholeClusters: string[] | "all",
  now: Date,
  options: DigestOptions & { scope: string },
): Promise<DigestEntry[]> {
  const { onProgress, searchAhead = true, scope } = options;
  // Each cluster's services described ten at a time up front: every judgement reads from these.
  const byCluster = new Map<string, string[]>();
  for (const s of services)
    byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s.service]);
  // Whole clusters in scope also have their tasks listed and described 100 at a time, running
  // and recently stopped, filed by service. A failure here is not a gap yet: each judgement
  // asks again for its own service and says what it could not read.
  const whole = (cluster: string) => wholeClusters === "all" || wholeClusters.includes(cluster);
  const clusters = { done: 0, total: byCluster.size };
  onProgress?.({ scope, clusters: { ...clusters } });
  // The namespaces' clients (every judgement of a publisher reads its namespace's) are read as
  // soon as a cluster's services name their namespace, and the traffic searched meanwhile: the
  // first judgement then waits for the slowest of the three, not for their sum.
  const namespaces = new NamespaceReads(run);
  await Promise.all([
    ...[...byCluster].map(async ([cluster, names]) => {
      await Promise.all([
        run.ecs
          .describeServices(cluster, names)
          .then((d) => namespaces.readFor(d.services))
          .catch(() => undefined),
        ...(whole(cluster)
          ? (["RUNNING", "STOPPED"] as const).map((status) =>
              run.ecs.readClusterTasks(cluster, names, status).catch(() => undefined),
            )
          : []),
      ]);
      clusters.done += 1;
      onProgress?.({ scope, clusters: { ...clusters } });
    }),
    searchAhead ? searchTraffic(run, [...byCluster.keys()], now) : undefined,
  ]);
  await namespaces.done();
  let done = 0;
  const entries = await bounded(services, CONCURRENCY, async ({ cluster, service }) => {
    // Each service is judged on its own gaps, which its reason (or "unknown") already states.
    const gaps = new Gaps();
    const report = await reportFor(
      run,
      gaps,
      {
        cluster,
        service,
        request: { query: `${cluster}/${service}`, subject: { kind: "service" } },
      },
      now,
    );
    done += 1;
    onProgress?.({ scope, clusters, services: { done, total: services.length } });
    if (report) return entryOf(report, cluster, service);
    // Listed a moment ago and gone now (deleted between the two reads), or not readable: then
    // unknown, never dropped as gone.
    const unread = serviceGap(gaps.list, cluster, service);
    return unread
      ? {
          cluster,
          service,
          subject: `${cluster}/${service}`,
          level: "unknown" as const,
          reason: `could not be read: ${unread.why}`,
          cause: unread.cause ?? "failed",
        }
      : undefined;
  });
  return entries.filter((e): e is DigestEntry => e !== undefined);
}

/**
 * Judges every service of the scope with /ecs health's own judgement and sums them up against
 * the previous digest of the same target.
 */
export async function runDigest(
  outer: AwsContext,
  target: { name: string; scope: DigestScope; thresholds?: DigestThresholds },
  previous: DigestSnapshot | undefined,
  now = new Date(),
  options: DigestOptions = {},
): Promise<DigestRun> {
  const scope = scopeLabel(target.scope);
  options.onProgress?.({ scope });
  const run = snapshotContext(outer);
  const listed = await listScope(run, target.scope);
  const entries = await judgeServices(run, listed.services, target.scope.clusters, now, {
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
): Promise<DigestRun> {
  return withHistory(target.name, now, (previous) =>
    runDigest(ctx, target, previous, now, { onProgress }),
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
): Promise<DigestRun> {
  return withHistory(target.name, now, async (previous) => ({
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

/** Services that were listed but not judged: unknown, with why, never healthy or down. */
export function unjudged(services: ScopeService[], why: string): DigestEntry[] {
  return services.map(({ cluster, service }) => ({
    cluster,
    service,
    subject: `${cluster}/${service}`,
    level: "unknown",
    reason: `not judged: ${why}`,
  }));
}

/** A history that cannot be read or written is a gap of the digest, which is still made. */
async function withHistory(
  name: string,
  /** The digest's own time (its tick): what "expired" is judged against. */
  now: Date,
  make: (previous: DigestSnapshot | undefined) => Promise<DigestRun>,
): Promise<DigestRun> {
  const store = digestHistory();
  const kept = new Gaps();
  const previous = store
    ? await kept.soft("the last digest of this scope", store.load(name, now), undefined)
    : undefined;
  const run = await make(previous);
  if (store) await kept.soft("where digests are kept", store.save(run.digest.snapshot), undefined);
  return { ...run, gaps: [...run.gaps, ...kept.list] };
}

export type DigestAnswer =
  | { kind: "found"; query: string; run: DigestRun; quiet: boolean; incident?: IncidentOutcome }
  | { kind: "stopped"; query: string; outcome: "stopped" | "not-running" }
  | { kind: "invalid"; query: string; reason: string };

/** What became of `--every … --for …`: the first digest is posted either way. */
export type IncidentOutcome =
  | { kind: "started"; everyMinutes: number; until: Date }
  | { kind: "already-running"; everyMinutes: number; until: Date }
  | { kind: "failed"; reason: string };

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
    const lookups = new Gaps();
    const [clusters, namespaces] = await Promise.all([
      lookups.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[]),
      lookups.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
    ]);
    const unknown = names.filter(
      (n) => !clusters.includes(n) && !namespaces.some((ns) => ns.name === n),
    );
    if (unknown.length > 0 && lookups.list.length === 0) {
      return {
        kind: "invalid",
        query,
        reason: `${unknown.join(", ")} is neither a cluster nor a Cloud Map namespace of ${ctx.region}`,
      };
    }
    scope = {
      // A name that could not be checked is tried as a cluster: its failure is then reported.
      clusters: names.filter((n) => clusters.includes(n) || unknown.includes(n)),
      namespaces: names.filter((n) => namespaces.some((ns) => ns.name === n)),
    };
  }
  // Each scope asked on demand has its own history: the next digest of it says what changed.
  if (flags.every !== undefined && flags.span !== undefined && place.channel && scheduler) {
    // The first digest now, the next ones from the schedule, all with this channel's history.
    const everyMinutes = flags.every;
    const until = new Date(Date.now() + flags.span * 60_000);
    const [run, started] = await Promise.all([
      digestWithHistory(
        ctx,
        { name: incidentTargetName(place.channel), scope },
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
    return { kind: "found", query, run, quiet, incident: started };
  }
  const run = await digestWithHistory(
    ctx,
    { name: `on demand: ${scopeLabel(scope)}`, scope },
    undefined,
    place.onProgress,
  );
  return { kind: "found", query, run, quiet };
}

/** The history key of a channel's incident digests: each says what changed since the last. */
export function incidentTargetName(channel: string): string {
  return `incident: ${channel}`;
}

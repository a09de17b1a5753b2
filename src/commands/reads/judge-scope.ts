// The digest's judgement of a scope's services: read ahead what every judgement needs (services,
// tasks, namespaces' clients, the region's traffic, target groups), then /ecs health's own
// report per service (its target health read per target group, CONCURRENCY judgements at once).
import type { CommandProgress } from "../../domain/answer.ts";
import type { DigestEntry } from "../../domain/digest.ts";
import type { EcsService, Gap, Namespace } from "../../domain/facts.ts";
import type { HealthReport } from "../../domain/health.ts";
import { parseQuery } from "../../domain/query.ts";
import { hostOf, type NameBinding } from "../../domain/resolution/bindings.ts";
import { namespaceByRef } from "../../domain/resolution/service-facts.ts";
import { trafficSearches } from "../../domain/traffic/queries.ts";

import { type AwsContext, Gaps } from "./aws-context.ts";
import { HEALTH_WINDOW, reportFor } from "./health-report.ts";
import { readAheadNamespaceClients } from "./namespace-services.ts";
import type { ScopeService } from "./scope.ts";
import { serviceGapWhat } from "./service-facts.ts";
import { readAheadTargetGroups } from "./target-health.ts";
import { windowRange } from "./traffic-reads.ts";

/** How many services are judged at once: bounded, so a big scope does not flood AWS. */
const CONCURRENCY = 6;

export interface DigestOptions {
  onProgress?: (progress: CommandProgress) => void;
  /**
   * Read the region's Service Connect traffic ahead with SEARCH (default); false leaves each
   * judgement to ask for its own, as /ecs health does (the benchmark compares the two).
   */
  searchAhead?: boolean;
}

/** The gap of the ECS service itself (DescribeServices). */
const serviceGap = (gaps: Gap[], cluster: string, service: string) =>
  gaps.find((g) => !g.absent && g.what === serviceGapWhat(cluster, service));

/** A name a button can ask about: not one whose namespace could not be read ("api.(namespace unread)"). */
const askable = (b: NameBinding) => parseQuery(hostOf(b)).kind !== "invalid";

/** A health report as a digest line: health's level and reason, and its traffic. */
function entryOf(report: HealthReport, cluster: string, service: string): DigestEntry {
  const bindings = report.resolution.bindings.filter(askable);
  const focus = bindings[0];
  const measured = bindings.find((b) => b.scope.kind === "service-connect");
  const t = report.traffic;
  const unread = serviceGap(report.gaps, cluster, service);
  return {
    cluster,
    service,
    subject: focus ? hostOf(focus) : `${cluster}/${service}`,
    ...(measured ? { trafficSubject: hostOf(measured) } : {}),
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
async function searchTraffic(scoped: AwsContext, clusters: string[], now: Date): Promise<void> {
  const { start, end } = windowRange(HEALTH_WINDOW, now);
  const region = trafficSearches(HEALTH_WINDOW);
  // One region-wide search per call, all in parallel: each may return up to 500 series, and a
  // call retrieves at most 500 metrics, the series its searches find included.
  const complete = await scoped.cloudWatch.searchAhead(region, start, end, 1);
  const retry = region.filter((s) => complete.get(s.id) === false);
  if (retry.length === 0) return;
  // Every cluster of the region, not only the scope's: a service's callers may run anywhere (a
  // part of a fanned-out digest holds a few clusters; its services' callers are in the others).
  const everywhere = await scoped.ecs.listClusters().catch(() => clusters);
  const all = [...new Set([...clusters, ...everywhere])];
  const perCluster = all.flatMap((cluster, c) =>
    trafficSearches(HEALTH_WINDOW, cluster)
      .filter((s) => retry.some((r) => r.id === s.id))
      .map((s) => ({ ...s, id: `${s.id}k${c}` })),
  );
  await scoped.cloudWatch.searchAhead(perCluster, start, end);
}

/**
 * Reads ahead the Service Connect clients of the namespaces that described services publish in,
 * each namespace once. A failure is not a gap here: the judgement asks again and says what it
 * could not read.
 */
class NamespaceReads {
  private readonly reads = new Map<string, Promise<unknown>>();
  private namespaces: Promise<Namespace[] | undefined> | undefined;

  constructor(private readonly scoped: AwsContext) {}

  async readFor(services: EcsService[]): Promise<void> {
    const refs = services
      .filter((s) => s.serviceConnect?.enabled && s.serviceConnect.services.length > 0)
      .map((s) => s.serviceConnect?.namespace ?? "");
    for (const ref of new Set(refs)) {
      if (this.reads.has(ref)) continue;
      this.namespaces ??= this.scoped.cloudMap.listNamespaces().catch(() => undefined);
      this.reads.set(
        ref,
        this.namespaces
          .then((all) => {
            const namespace = namespaceByRef(all ?? [], ref);
            return namespace && readAheadNamespaceClients(this.scoped, namespace);
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

/**
 * Judges `services` with /ecs health's own judgement. `scoped` reads a whole scope (scopeContext):
 * one instant, each read once, the judgements sharing what it has read. Clusters named in
 * `wholeClusters` (every one for "all") have their tasks read cluster-wide.
 */
export async function judgeServices(
  scoped: AwsContext,
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
  const namespaces = new NamespaceReads(scoped);
  await Promise.all([
    ...[...byCluster].map(async ([cluster, names]) => {
      await Promise.all([
        scoped.ecs
          .describeServices(cluster, names)
          // Their target groups too, 20 to a call: no judgement asks for its own.
          .then((d) =>
            Promise.all([
              namespaces.readFor(d.services),
              readAheadTargetGroups(scoped, d.services),
            ]),
          )
          .catch(() => undefined),
        ...(whole(cluster)
          ? (["RUNNING", "STOPPED"] as const).map((status) =>
              scoped.ecs.readClusterTasks(cluster, names, status).catch(() => undefined),
            )
          : []),
      ]);
      clusters.done += 1;
      onProgress?.({ scope, clusters: { ...clusters } });
    }),
    searchAhead ? searchTraffic(scoped, [...byCluster.keys()], now) : undefined,
  ]);
  await namespaces.done();
  let done = 0;
  const entries = await bounded(services, CONCURRENCY, async ({ cluster, service }) => {
    // Each service is judged on its own gaps, which its reason (or "unknown") already states.
    const gaps = new Gaps();
    const report = await reportFor(
      scoped,
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

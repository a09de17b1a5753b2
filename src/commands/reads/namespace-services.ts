import { chunk } from "../../aws/batch.ts";
import { TTL } from "../../aws/cache.ts";
import { DESCRIBE_SERVICES_MAX } from "../../aws/ecs.ts";
import { clusterOfArn, lastSegment } from "../../aws/ecs-mapping.ts";
import type { EcsService, Namespace } from "../../domain/facts.ts";
import type { ClientService } from "../../domain/health.ts";
import type { Caller } from "../../domain/traffic/target.ts";

import { type AwsContext, Gaps } from "./aws-context.ts";

// The ECS services of a Service Connect namespace, from ListServicesByNamespace's ARNs. Long
// ARNs (service/CLUSTER/NAME) name their cluster; the old short format (service/NAME) does not,
// so those are looked up in every cluster of the region.

interface NamespaceArns {
  /** Long-format ARNs by cluster. */
  byCluster: Map<string, string[]>;
  /** Short-format ARNs: cluster unknown. */
  short: string[];
}

/** The namespace's service ARNs, the publisher's excluded; undefined when unread. */
async function namespaceArns(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
): Promise<NamespaceArns | undefined> {
  const arns = await listing(gaps, namespace, ctx.ecs.listServicesByNamespace(namespace.arn));
  if (!arns) return undefined;
  const { members, short } = sortArns(arns, publisherArn);
  const clusters = byCluster(members).map(
    ([cluster, ms]) => [cluster, ms.map((m) => m.arn)] as const,
  );
  return { byCluster: new Map(clusters), short };
}

/** Service ARNs by cluster and name (long format) or not (short), the publisher's left out. */
function sortArns(
  arns: readonly string[],
  publisherArn: string | undefined,
): { members: (Caller & { arn: string })[]; short: string[] } {
  const members: (Caller & { arn: string })[] = [];
  const short: string[] = [];
  for (const arn of arns) {
    if (arn === publisherArn) continue;
    const cluster = clusterOfArn(arn);
    if (cluster) members.push({ cluster, service: lastSegment(arn), arn });
    else short.push(arn);
  }
  return { members, short };
}

/** DescribeServices of these ARNs in each cluster; undefined when any part could not be read. */
async function describeIn(
  ctx: AwsContext,
  gaps: Gaps,
  targets: [cluster: string, arns: string[]][],
): Promise<EcsService[] | undefined> {
  const described = await Promise.all(
    targets.map(([cluster, arns]) =>
      gaps.soft(
        `the Service Connect services in cluster ${cluster}`,
        ctx.ecs.describeServices(cluster, arns),
        undefined,
      ),
    ),
  );
  if (described.some((d) => d === undefined)) return undefined;
  return described.flatMap((d) => d?.services ?? []);
}

/**
 * Short-format ARNs, described in every cluster (ECS reports them MISSING elsewhere). The answer
 * is shared by everything one request reads about the namespace (health's clients and its
 * traffic callers) and kept a minute, like the service lists: it costs a call per cluster.
 */
async function describeShort(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  arns: string[],
): Promise<EcsService[] | undefined> {
  if (arns.length === 0) return [];
  const key = `ecs:${ctx.scope}:short-arns:${namespace.arn}:${[...arns].sort().join(",")}`;
  return gaps.soft(
    "the clusters of the namespace's services with short-format ARNs",
    ctx.cache.getOrLoad(key, TTL.serviceList, async () => {
      const clusters = await ctx.ecs.listClusters();
      const described = await Promise.all(clusters.map((c) => ctx.ecs.describeServices(c, arns)));
      return described.flatMap((d) => d.services);
    }),
    undefined,
  );
}

/** Services of the namespace by cluster and name, the publisher excluded; undefined if unread. */
export async function namespaceCallers(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
): Promise<Caller[] | undefined> {
  const arns = await namespaceArns(ctx, gaps, namespace, publisherArn);
  if (!arns) return undefined;
  // Long ARNs need no call; only short ones are looked up (what is unread is left out).
  const long = [...arns.byCluster].flatMap(([cluster, list]) =>
    list.map((arn) => ({ cluster, service: lastSegment(arn) })),
  );
  const short = (await describeShort(ctx, gaps, namespace, arns.short)) ?? [];
  return [...long, ...short.map((s) => ({ cluster: s.clusterName, service: s.name }))].sort(
    (a, b) => a.service.localeCompare(b.service) || a.cluster.localeCompare(b.cluster),
  );
}

/**
 * The Service Connect clients of a namespace (services whose Service Connect configuration
 * uses it), the publisher left out, with when each was deployed. Undefined when any part could
 * not be read: unread clients are unknown, never "none".
 */
export async function namespaceClients(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
): Promise<ClientService[] | undefined> {
  // In a digest, read ahead once for the digest (or handed over by the digest that fanned out).
  const ahead = seeded(ctx, namespace.arn);
  const all = ahead ? await ahead : await readClients(ctx, gaps, namespace);
  return all?.filter((c) => !publisherArn || c.arn !== publisherArn);
}

const clientsKey = (ctx: AwsContext, namespaceArn: string) =>
  `ecs:${ctx.scope}:ns-clients:${namespaceArn}`;

/** The clients a snapshot was handed or read ahead, if any. */
const seeded = (ctx: AwsContext, namespaceArn: string) =>
  ctx.readMode === "scope"
    ? ctx.cache.peek<ClientService[]>(clientsKey(ctx, namespaceArn))
    : undefined;

/**
 * Hands a snapshot (a digest) the clients of a namespace read beforehand, complete: its
 * judgements then read nothing more about that namespace.
 */
export function seedNamespaceClients(
  ctx: AwsContext,
  namespaceArn: string,
  clients: ClientService[],
): void {
  if (ctx.readMode === "scope")
    void ctx.cache.keep(clientsKey(ctx, namespaceArn), async () => clients);
}

/**
 * Reads a namespace's clients for a whole snapshot, kept for its judgements if complete (a
 * failure is no gap here: each judgement then reads again and reports it).
 */
export async function readAheadNamespaceClients(
  ctx: AwsContext,
  namespace: Namespace,
): Promise<ClientService[] | undefined> {
  const ahead = seeded(ctx, namespace.arn);
  if (ahead) return ahead;
  const clients = await readClients(ctx, new Gaps(), namespace).catch(() => undefined);
  if (clients) seedNamespaceClients(ctx, namespace.arn, clients);
  return clients;
}

/** The clients of every namespace of the region that could be read completely, by ARN. */
export async function readAllNamespaceClients(
  ctx: AwsContext,
): Promise<Map<string, ClientService[]>> {
  const namespaces = await ctx.cloudMap.listNamespaces().catch(() => [] as Namespace[]);
  const read = await Promise.all(
    namespaces.map(async (ns) => [ns.arn, await readAheadNamespaceClients(ctx, ns)] as const),
  );
  return new Map(read.filter((r): r is readonly [string, ClientService[]] => r[1] !== undefined));
}

async function readClients(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
): Promise<ClientService[] | undefined> {
  const arns = await namespaceArns(ctx, gaps, namespace, undefined);
  if (!arns) return undefined;
  const [long, short] = await Promise.all([
    describeIn(ctx, gaps, [...arns.byCluster]),
    describeShort(ctx, gaps, namespace, arns.short),
  ]);
  if (!long || !short) return undefined;
  // ListServicesByNamespace also returns services that only register into the namespace
  // (Service Discovery): only Service Connect services resolve its aliases.
  const refs = [namespace.arn, namespace.name, namespace.id];
  return [...long, ...short]
    .filter((s) => s.serviceConnect?.enabled && refs.includes(s.serviceConnect.namespace ?? ""))
    .map((s) => ({
      cluster: s.clusterName,
      service: s.name,
      arn: s.arn,
      deployedAt: s.deployedAt,
    }));
}

/** The first page of a namespace's services (see EcsAdapter.servicesByNamespacePage), sorted out. */
export interface NamespacePage {
  /** Long-format ARNs: services by cluster and name, the publisher excluded. */
  members: (Caller & { arn: string })[];
  /** Short-format ARNs on the page: their cluster is unknown. */
  short: string[];
  /** More services follow the page. */
  more: boolean;
}

/** Whether two services are the same one (cluster and name): `found.some(sameService(c))`. */
export const sameService = (a: Caller) => (b: Caller) =>
  a.cluster === b.cluster && a.service === b.service;

/** The namespace's first page of services; undefined when unread (a gap). */
export async function namespacePage(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
): Promise<NamespacePage | undefined> {
  const page = await listing(gaps, namespace, ctx.ecs.servicesByNamespacePage(namespace.arn));
  return page && { ...sortArns(page.arns, publisherArn), more: page.more };
}

/** A listing of the namespace's services, or undefined and a gap. */
function listing<T>(gaps: Gaps, namespace: Namespace, read: Promise<T>) {
  return gaps.soft(`the Service Connect services of ${namespace.name}`, read, undefined);
}

/** Whether a described service is a Service Connect service of the namespace. */
function usesNamespace(service: EcsService, namespace: Namespace): boolean {
  const refs = [namespace.arn, namespace.name, namespace.id];
  return (
    service.serviceConnect?.enabled === true &&
    refs.includes(service.serviceConnect.namespace ?? "")
  );
}

/** DescribeServices calls it takes to read these services, ten a call per cluster. */
function describeCalls(services: readonly Caller[]): number {
  return byCluster(services).reduce(
    (n, [, members]) => n + Math.ceil(members.length / DESCRIBE_SERVICES_MAX),
    0,
  );
}

function byCluster<T extends Caller>(services: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const s of services) out.set(s.cluster, [...(out.get(s.cluster) ?? []), s]);
  return [...out];
}

/**
 * Callers found by their metrics that belong to the namespace. Metrics name a caller by cluster
 * and service but not by namespace, and the same discovery name may be published in several
 * namespaces (staging's `api` and prod's): each caller is placed by the namespace's first page,
 * else by its own Service Connect configuration (DescribeServices of the callers found: a cost
 * bounded by the callers that exist, not by the namespace), else, when they are too many, by the
 * whole listing of the namespace. Undefined when that could not be read.
 */
export async function callersInNamespace(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
  found: readonly Caller[],
  page: NamespacePage,
  maxCalls = 5,
): Promise<Caller[] | undefined> {
  const onPage = found.filter((c) => page.members.some(sameService(c)));
  const rest = found.filter((c) => !page.members.some(sameService(c)));
  // The page is the whole namespace: a caller not on it is another namespace's.
  if (rest.length === 0 || (!page.more && page.short.length === 0)) return onPage;
  if (describeCalls(rest) > maxCalls) {
    const all = await namespaceCallers(ctx, gaps, namespace, publisherArn);
    return all && found.filter((c) => all.some(sameService(c)));
  }
  const described = await Promise.all(
    byCluster(rest).map(([cluster, callers]) =>
      gaps.soft(
        `the namespaces of ${callers.length === 1 ? "caller" : "callers"} ${callers.map((c) => c.service).join(", ")} in cluster ${cluster}`,
        ctx.ecs.describeServices(
          cluster,
          callers.map((c) => c.service),
        ),
        undefined,
      ),
    ),
  );
  if (described.some((d) => d === undefined)) return undefined;
  const members = described
    .flatMap((d) => d?.services ?? [])
    .filter((s) => usesNamespace(s, namespace));
  return [
    ...onPage,
    ...rest.filter((c) => members.some((m) => m.clusterName === c.cluster && m.name === c.service)),
  ];
}

/** A bounded check of a namespace's clients (see boundedClients). */
export interface CheckedClients {
  clients: ClientService[];
  /** Services on the first page left undescribed (the call bound). */
  unchecked: number;
  /** The namespace has more services than its first page: those were not read at all. */
  more: boolean;
}

/**
 * The clients of a namespace a health answer checks: those on the first page of its services,
 * described in at most `maxCalls` DescribeServices calls (the clusters holding most of them
 * first), so that a namespace of thousands costs what one of fifty does. What is left out is
 * counted, never reported as checked. Undefined when the page or a description was unread.
 */
export async function boundedClients(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string | undefined,
  maxCalls = 5,
): Promise<CheckedClients | undefined> {
  const page = await namespacePage(ctx, gaps, namespace, publisherArn);
  if (!page) return undefined;
  const groups = byCluster(page.members).sort(
    (a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]),
  );
  const calls: [string, string[]][] = [];
  for (const [cluster, members] of groups) {
    for (const batch of chunk(members, DESCRIBE_SERVICES_MAX)) {
      if (calls.length < maxCalls) calls.push([cluster, batch.map((m) => m.arn)]);
    }
  }
  // Short-format ARNs (old accounts) cost a call per cluster, not per service: all are read.
  const [described, short] = await Promise.all([
    describeIn(ctx, gaps, calls),
    describeShort(ctx, gaps, namespace, page.short),
  ]);
  if (!described || !short) return undefined;
  const checked = calls.reduce((n, [, arns]) => n + arns.length, 0);
  return {
    clients: [...described, ...short]
      .filter((s) => usesNamespace(s, namespace))
      .map((s) => ({
        cluster: s.clusterName,
        service: s.name,
        arn: s.arn,
        deployedAt: s.deployedAt,
      })),
    unchecked: page.members.length - checked,
    more: page.more,
  };
}

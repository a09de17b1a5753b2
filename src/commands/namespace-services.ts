import { TTL } from "../aws/cache.ts";
import { clusterOfArn, lastSegment } from "../aws/ecs-mapping.ts";
import type { EcsService, Namespace } from "../domain/facts.ts";
import type { ClientService } from "../domain/health.ts";
import type { Caller } from "../domain/traffic.ts";
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
  const arns = await gaps.soft(
    `the Service Connect services of ${namespace.name}`,
    ctx.ecs.listServicesByNamespace(namespace.arn),
    undefined,
  );
  if (!arns) return undefined;
  const byCluster = new Map<string, string[]>();
  const short: string[] = [];
  for (const arn of arns) {
    if (arn === publisherArn) continue;
    const cluster = clusterOfArn(arn);
    if (!cluster) short.push(arn);
    else if (byCluster.has(cluster)) byCluster.get(cluster)?.push(arn);
    else byCluster.set(cluster, [arn]);
  }
  return { byCluster, short };
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
  // In a digest, read ahead once for the run (or handed over by the digest that fanned out).
  const ahead = seeded(ctx, namespace.arn);
  const all = ahead ? await ahead : await readClients(ctx, gaps, namespace);
  return all?.filter((c) => !publisherArn || c.arn !== publisherArn);
}

const clientsKey = (ctx: AwsContext, namespaceArn: string) =>
  `ecs:${ctx.scope}:ns-clients:${namespaceArn}`;

/** The clients a snapshot was handed or read ahead, if any. */
const seeded = (ctx: AwsContext, namespaceArn: string) =>
  ctx.cache.snapshot ? ctx.cache.peek<ClientService[]>(clientsKey(ctx, namespaceArn)) : undefined;

/**
 * Hands a snapshot (a digest) the clients of a namespace read beforehand, complete: its
 * judgements then read nothing more about that namespace.
 */
export function seedNamespaceClients(
  ctx: AwsContext,
  namespaceArn: string,
  clients: ClientService[],
): void {
  if (ctx.cache.snapshot) void ctx.cache.keep(clientsKey(ctx, namespaceArn), async () => clients);
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

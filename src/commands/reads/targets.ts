// The ECS services behind a query (a name, a task, an IP, a service), searched for every way the
// query could name one; each verb then works on each target as soon as it is found (eachTarget).
import { AwsReadError } from "../../aws/errors.ts";
import type { CloudMapInstance, EcsService, EcsTask, Namespace } from "../../domain/facts.ts";
import type { Query } from "../../domain/query.ts";
import { bindingMatches, bindingsOf, hostOf } from "../../domain/resolution/bindings.ts";
import { namespaceByRef, type ServiceFacts } from "../../domain/resolution/service-facts.ts";
import type { buildResolution } from "../../domain/resolution.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import { type Catalog, loadCatalog } from "./catalog.ts";
import type { KnownName } from "./service-facts.ts";
import { type AddressSearch, ipTargets, taskTargets } from "./task-targets.ts";

export interface Target {
  cluster: string;
  service: string;
  known?: KnownName;
  describedTasks?: EcsTask[];
  /** Its facts, when finding it read them already (an IP's service named by its ENI's tags). */
  facts?: ServiceFacts;
  request: Parameters<typeof buildResolution>[0];
}

/** A query's searches, under way, and for an address where its search looked. */
interface Searches {
  searches: Promise<Target[]>[];
  address?: Promise<AddressSearch>;
}

/** What `work` made of each target, and for an address where its search looked (see notFound). */
export interface TargetsWorked<R> {
  results: R[];
  address?: AddressSearch;
}

/** The ECS service behind a set of Cloud Map instances, from the attributes ECS registers. */
function ownerOf(instances: CloudMapInstance[]): { cluster: string; service: string } | undefined {
  const tagged = instances.find((i) => i.ecsClusterName && i.ecsServiceName);
  return tagged?.ecsClusterName && tagged.ecsServiceName
    ? { cluster: tagged.ecsClusterName, service: tagged.ecsServiceName }
    : undefined;
}

function minimalFacts(service: EcsService, catalog: Catalog): ServiceFacts {
  return {
    ref: { cluster: service.clusterName, service: service.name },
    service,
    tasks: [],
    tasksComplete: false,
    namespaces: catalog.namespaces,
    cloudMapServices: catalog.cloudMapServices.concat(
      (service.serviceConnect?.services ?? []).map((s) => ({
        id: s.discoveryArn ?? "",
        arn: s.discoveryArn ?? "",
        name: s.discoveryName,
        namespaceId:
          namespaceByRef(catalog.namespaces, service.serviceConnect?.namespace)?.id ?? "",
        dnsRecords: [],
      })),
    ),
    instances: new Map(),
    namespaceServices: new Map(),
    zoneVpcs: new Map(),
    gaps: [],
  };
}

/** Slow path: services whose published names include this one (custom client aliases). */
async function publishersInCatalog(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query & { kind: "dotted-name" },
): Promise<Target[]> {
  const catalog = await loadCatalog(ctx, gaps);
  return catalog.ecsServices
    .filter((svc) =>
      bindingsOf(minimalFacts(svc, catalog)).some(
        (b) => hostOf(b) === query.name && bindingMatches(b, query.name, query.port),
      ),
    )
    .map((svc) => ({
      cluster: svc.clusterName,
      service: svc.name,
      request: {
        query: query.text,
        subject: { kind: "name" as const, name: query.name },
        focusName: { name: query.name, port: query.port },
      },
    }));
}

async function discover(
  ctx: AwsContext,
  gaps: Gaps,
  ns: Namespace,
  name: string,
  /** The request, when it was sent already (see bareNameSearches). */
  asked: Promise<CloudMapInstance[]> = ctx.cloudMap.discoverInstances(ns.httpName, name),
): Promise<CloudMapInstance[] | undefined> {
  try {
    return await asked;
  } catch (error) {
    if (error instanceof AwsReadError && error.kind === "not-found") return undefined;
    if (error instanceof AwsReadError) {
      gaps.add(`the Cloud Map endpoints of ${name}.${ns.name}`, error);
      return undefined;
    }
    throw error;
  }
}

async function targetsForName(
  ctx: AwsContext,
  gaps: Gaps,
  text: string,
  namespace: Namespace,
  discoveryName: string,
  instances: CloudMapInstance[],
  focus: { name: string; port?: number },
): Promise<Target[]> {
  const owner = ownerOf(instances);
  const request = {
    query: text,
    subject: { kind: "name" as const, name: focus.name },
    focusName: focus,
  };
  if (owner) {
    return [{ ...owner, known: { namespace, discoveryName, instances }, request }];
  }
  // No instance says who registered it (none registered, or registered by hand): find the
  // ECS service whose Service Connect or registry configuration names it.
  const catalog = await loadCatalog(ctx, gaps);
  const qualified = `${discoveryName}.${namespace.name}`;
  return catalog.ecsServices
    .filter((svc) =>
      bindingsOf(minimalFacts(svc, catalog)).some(
        (b) => `${b.discoveryName}.${b.namespace}` === qualified,
      ),
    )
    .map((svc) => ({
      cluster: svc.clusterName,
      service: svc.name,
      known: { namespace, discoveryName, instances },
      request,
    }));
}

/**
 * The searches for a query's targets, all under way, in the order their finds rank (see
 * eachTarget): one search for most queries; a bare name's are one per namespace, then one per
 * cluster, so that a service Cloud Map names is worked on while the clusters are still searched.
 * An address's search also says where it looked (see AddressSearch).
 */
async function searchesFor(ctx: AwsContext, gaps: Gaps, query: Query): Promise<Searches> {
  if (query.kind === "bare-name") return { searches: await bareNameSearches(ctx, gaps, query) };
  if (query.kind === "ipv4") {
    const found = ipTargets(ctx, gaps, query);
    return { searches: [found.then((f) => f.targets)], address: found.then((f) => f.searched) };
  }
  return { searches: [targetsFor(ctx, gaps, query)] };
}

/**
 * A bare name could be a discovery name in any namespace or an ECS service's name in any cluster:
 * every namespace and every cluster is asked at once. DiscoverInstances answers ServiceNotFound
 * where there is no such service, and an empty list where it has no endpoint. Listing every Cloud
 * Map service of every namespace to find it costs one request per page, one after another: the
 * cost would grow with the namespaces' size.
 */
async function bareNameSearches(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query & { kind: "bare-name" },
): Promise<Promise<Target[]>[]> {
  const lower = query.name.toLowerCase();
  // Namespaces the place names are asked at once, by name (a namespace's HttpName is its name
  // unless set otherwise), while the listing that gives each its ID is read: the listing no
  // longer stands before them. Another HttpName is asked again once the listing shows it.
  const early = new Map(
    (ctx.cloudMap.configuredNamespaces ?? []).map((name) => {
      const asked = ctx.cloudMap.discoverInstances(name, lower);
      // Its failure is reported where it is used; a namespace the listing lacks goes unused.
      asked.catch(() => undefined);
      return [name, asked] as const;
    }),
  );
  // When a listing takes a request, the discoveries sent with it are waited for (same round, no
  // round trip more) so that the clusters they name are asked first (below); when both listings
  // are at hand, the clusters are asked at once (the found service's facts are then kept too).
  const listingsAtHand = ctx.cloudMap.namespacesAtHand && ctx.ecs.clustersAtHand;
  const [namespaces, clusters, found] = await Promise.all([
    gaps.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
    gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[]),
    listingsAtHand ? [] : Promise.all([...early.values()].map((asked) => asked.catch(() => []))),
  ]);
  const byName = namespaces.map(async (ns) => {
    const asked = ns.httpName === ns.name ? early.get(ns.name) : undefined;
    const instances = await discover(ctx, gaps, ns, lower, asked);
    if (!instances) return [];
    const qualified = `${lower}.${ns.name}`;
    return targetsForName(ctx, gaps, query.text, ns, lower, instances, { name: qualified });
  });
  // The clusters Cloud Map named are asked first: their DescribeServices is also the found
  // service's own read (one shared request), which must not wait behind a wave of the others.
  const named = new Set(found.flat().map((i) => i.ecsClusterName));
  const first = (c: string) => (named.has(c) ? 0 : 1);
  const asked = new Map(
    [...clusters]
      .sort((a, b) => first(a) - first(b))
      .map((cluster) => [cluster, serviceIn(ctx, gaps, cluster, query.text, query.name)]),
  );
  // …and ranked in the clusters' order, whichever was asked first (see eachTarget).
  const byService = clusters.map((cluster) => asked.get(cluster) ?? Promise.resolve([]));
  return [...byName, ...byService];
}

async function targetsFor(
  ctx: AwsContext,
  gaps: Gaps,
  query: Exclude<Query, { kind: "bare-name" | "ipv4" }>,
): Promise<Target[]> {
  switch (query.kind) {
    case "cluster-service":
    case "service-arn":
      if (query.cluster === undefined)
        return servicesInEveryCluster(ctx, gaps, query.text, query.service);
      return [
        {
          cluster: query.cluster,
          service: query.service,
          request: { query: query.text, subject: { kind: "service" } },
        },
      ];

    case "dotted-name": {
      // Fast path: most aliases are discoveryName.namespace, so the first label is the Cloud Map
      // service and the rest the namespace; ask Cloud Map directly while listing namespaces.
      const [namespaces, guessed] = await Promise.all([
        gaps.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
        discover(
          ctx,
          gaps,
          { id: "", arn: "", name: query.tail, type: "HTTP", httpName: query.tail },
          query.head,
        ),
      ]);
      const ns = namespaces.find((n) => n.httpName === query.tail || n.name === query.tail);
      if (guessed && ns) {
        return targetsForName(ctx, gaps, query.text, ns, query.head, guessed, {
          name: query.name,
          port: query.port,
        });
      }
      return publishersInCatalog(ctx, gaps, query);
    }

    case "task-id":
    case "task-arn": {
      const clusters =
        query.kind === "task-arn" && query.cluster !== undefined
          ? [query.cluster]
          : await gaps.soft("the ECS clusters", ctx.ecs.listClusters(), []);
      const found = await Promise.all(
        clusters.map((cluster) =>
          gaps.soft(
            `task ${query.taskId} in cluster ${cluster}`,
            ctx.ecs.describeTasks(cluster, [query.taskId]),
            [],
          ),
        ),
      );
      return taskTargets(query.text, found.flat());
    }

    case "invalid":
      return [];
  }
}

/** An ECS service by name in each of these clusters. */
async function servicesIn(
  ctx: AwsContext,
  gaps: Gaps,
  clusters: string[],
  text: string,
  name: string,
): Promise<Target[]> {
  const found = await Promise.all(
    clusters.map((cluster) => serviceIn(ctx, gaps, cluster, text, name)),
  );
  return found.flat();
}

/** An ECS service by name in one cluster (DescribeServices reports it MISSING if not there). */
async function serviceIn(
  ctx: AwsContext,
  gaps: Gaps,
  cluster: string,
  text: string,
  name: string,
): Promise<Target[]> {
  const found = await gaps.soft(
    `the service ${name} in cluster ${cluster}`,
    ctx.ecs.describeServices(cluster, [name]),
    { services: [], missing: [] },
  );
  return found.services.map((svc) => ({
    cluster: svc.clusterName,
    service: svc.name,
    request: { query: text, subject: { kind: "service" as const } },
  }));
}

async function servicesInEveryCluster(
  ctx: AwsContext,
  gaps: Gaps,
  text: string,
  name: string,
): Promise<Target[]> {
  const clusters = await gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[]);
  return servicesIn(ctx, gaps, clusters, text, name);
}

/**
 * Runs `work` on each ECS service behind a query, once, as soon as it is found, rather than after
 * every search has answered: a bare name's service that Cloud Map names has its facts read while
 * the clusters are still searched for an ECS service of that name. Resolves with the results
 * (undefined ones left out) in the order of the searches, whatever order they answer in: Cloud
 * Map's finds by namespace, then ECS's by cluster.
 *
 * A service found by several searches is worked on once, for the first of them in that order
 * (a later find of it is skipped), so what it answers never depends on timing: a namespace's find,
 * with the name asked and its Cloud Map instances, wins over the ECS service of the same name, and
 * an earlier namespace over a later one. For that, a search's finds start once every search before
 * it has answered. It costs no round trip where they are all asked in one round: an ECS find waits
 * for the namespaces' DiscoverInstances, sent with its own DescribeServices. (A namespace whose
 * instances name no ECS service looks it up in the catalog, and the finds after it wait for that,
 * as every find did before.)
 */
export async function eachTarget<R>(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query,
  work: (target: Target) => Promise<R | undefined>,
): Promise<TargetsWorked<R>> {
  const { searches, address } = await searchesFor(ctx, gaps, query);
  const started = new Set<string>();
  const results: Promise<R | undefined>[] = [];
  // Searches and works are awaited in order but may fail out of it: marked as handled, a failure
  // waits for its turn to be thrown instead of going unhandled.
  const handled = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  if (address) handled(address);
  for (const search of searches.map(handled)) {
    for (const target of await search) {
      const key = `${target.cluster}/${target.service}`;
      if (started.has(key)) continue;
      started.add(key);
      results.push(handled(work(target)));
    }
  }
  const worked = (await Promise.all(results)).filter((r): r is Awaited<R> => r !== undefined);
  return { results: worked, address: await address };
}

/** The ECS services behind a query, each once, with what was already read about them. */
export async function findTargets(ctx: AwsContext, gaps: Gaps, query: Query): Promise<Target[]> {
  return (await eachTarget(ctx, gaps, query, async (target) => target)).results;
}

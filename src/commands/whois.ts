import { AwsReadError } from "../aws/errors.ts";
import type { WhoisAnswer } from "../domain/answer.ts";
import type { CloudMapInstance, EcsService, EcsTask, Namespace } from "../domain/facts.ts";
import {
  type IpFinding,
  type IpSearchPlan,
  interfaceOwner,
  planIpSearch,
  taskHolding,
} from "../domain/network-interface.ts";
import { parseQuery, type Query } from "../domain/query.ts";
import { bindingMatches, bindingsOf, hostOf } from "../domain/resolution/bindings.ts";
import { namespaceByRef, type ServiceFacts } from "../domain/resolution/service-facts.ts";
import { buildResolution, type UnpublishedPort } from "../domain/resolution.ts";
import { closestNames } from "../domain/suggest.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { type Catalog, knownNames, loadCatalog } from "./catalog.ts";
import { gatherServiceFacts, gatherTargetFacts, type KnownName } from "./service-facts.ts";

export interface Target {
  cluster: string;
  service: string;
  known?: KnownName;
  describedTasks?: EcsTask[];
  /** Its facts, when finding it read them already (an IP's service named by its ENI's tags). */
  facts?: ServiceFacts;
  request: Parameters<typeof buildResolution>[0];
}

function serviceOfGroup(task: EcsTask): string | undefined {
  return task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
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
 */
async function searchesFor(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query,
): Promise<Promise<Target[]>[]> {
  if (query.kind === "bare-name") return bareNameSearches(ctx, gaps, query);
  return [targetsFor(ctx, gaps, query)];
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
  query: Exclude<Query, { kind: "bare-name" }>,
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

    case "ipv4":
      return ipTargets(ctx, gaps, query);

    case "invalid":
      return [];
  }
}

/** What one request learnt about each IP it looked up, for its not-found answer (see notFound). */
const ipLookups = new WeakMap<Gaps, Map<string, { finding: IpFinding; clusters: string[] }>>();

/**
 * Where each running task's address was seen by a cluster search, per cluster, kept a minute:
 * engineers look up several addresses from one log, and a later one seen by the search of an
 * earlier one costs one DescribeTasks. What the index says is confirmed (the task may have stopped
 * and its address been reused); a miss decides nothing (tasks started since were never seen), and
 * the clusters are searched as before.
 */
const IP_INDEX_TTL_MS = 60_000;
const ipIndexKey = (ctx: AwsContext, cluster: string) => `ecs:${ctx.scope}:ip-index:${cluster}`;

async function rememberAddresses(ctx: AwsContext, cluster: string, tasks: readonly EcsTask[]) {
  const index = await (ctx.cache.peek<Map<string, string>>(ipIndexKey(ctx, cluster)) ??
    ctx.cache.getOrLoad(ipIndexKey(ctx, cluster), IP_INDEX_TTL_MS, async () => new Map()));
  for (const task of tasks) if (task.ipv4) index.set(task.ipv4, task.arn);
}

/**
 * The tasks the address book (ECS's task state change events) says held the address, in this
 * place. Unread or absent, it names none: the search decides.
 */
async function bookedTasks(
  ctx: AwsContext,
  ip: string,
): Promise<{ cluster: string; arn: string }[]> {
  const book = ctx.addresses;
  if (!book) return [];
  const account = ctx.place.account;
  const booked = await book.tasksAt(ctx.region, ip, ctx.signal).catch(() => []);
  return booked
    .filter((b) => !account || b.account === account)
    .map((b) => ({ cluster: b.cluster, arn: b.taskArn }));
}

/**
 * The running task the index or the address book places at the address, once ECS confirms it
 * still holds it.
 */
async function indexedTask(
  ctx: AwsContext,
  clusters: readonly string[],
  ip: string,
  plan: IpSearchPlan,
  booked: readonly { cluster: string; arn: string }[],
): Promise<EcsTask | undefined> {
  const indexed = await Promise.all(
    clusters.map(async (cluster) => {
      const arn = (await ctx.cache.peek<Map<string, string>>(ipIndexKey(ctx, cluster)))?.get(ip);
      return arn ? { cluster, arn } : undefined;
    }),
  );
  // A booked task outside the clusters searched (a place narrowed to some) is not this place's.
  const inPlace = booked.filter((b) => clusters.length === 0 || clusters.includes(b.cluster));
  const seen = [...indexed, ...inPlace].filter(
    (hit, i, all) => hit && all.findIndex((h) => h?.arn === hit.arn) === i,
  );
  const confirmed = await Promise.all(
    seen.map(async (hit) => {
      if (!hit) return undefined;
      // A failed confirmation is no answer either: the search runs and reports what it cannot read.
      const tasks = await ctx.ecs.describeTasks(hit.cluster, [hit.arn]).catch(() => []);
      const task = taskHolding(tasks, ip, plan);
      return task?.lastStatus === "RUNNING" ? task : undefined;
    }),
  );
  return confirmed.find((t) => t !== undefined);
}

/**
 * The task among these clusters' tasks of one desired status that holds the address. Each
 * cluster's pages are described as they come, while the next is listed, and every listing stops
 * once a task is found: a search costs the pages up to the task, not the whole cluster.
 */
async function taskIn(
  ctx: AwsContext,
  gaps: Gaps,
  clusters: readonly string[],
  desiredStatus: "RUNNING" | "STOPPED",
  ip: string,
  plan: IpSearchPlan,
): Promise<EcsTask | undefined> {
  let found: EcsTask | undefined;
  await Promise.all(
    clusters.map(async (cluster) => {
      const what = `the ${desiredStatus === "RUNNING" ? "" : "stopped "}tasks of cluster ${cluster}`;
      const described: Promise<void>[] = [];
      const pages = ctx.ecs.clusterTaskPages(cluster, desiredStatus);
      try {
        for await (const arns of pages) {
          if (found) break;
          if (arns.length === 0) continue;
          described.push(
            gaps.soft(what, ctx.ecs.describeTasks(cluster, arns), []).then(async (tasks) => {
              found ??= taskHolding(tasks, ip, plan);
              if (desiredStatus === "RUNNING") await rememberAddresses(ctx, cluster, tasks);
            }),
          );
        }
      } catch (error) {
        if (!(error instanceof AwsReadError)) throw error;
        // Pages left unread are a gap: the task may be on one of them.
        gaps.add(what, error);
      }
      await Promise.all(described);
    }),
  );
  return found;
}

/**
 * The task behind an IPv4 address. ECS has no filter by IP, but EC2 finds the address's network
 * interface in one call at any fleet size, asked while the clusters are listed: its ECS-managed
 * tags (written by ECS where the service has enableECSManagedTags on) name the service (whose
 * facts are then read once, task list included), its description names the
 * task's ENI attachment, and an interface of a Lambda, a load balancer or an instance is no task's
 * at all. The address book (ECS's task state change events, asked in the same round) and the
 * minute's index name candidates, each confirmed with one DescribeTasks. Only what is still open
 * is searched cluster by cluster: running tasks first, recently stopped ones (whose interfaces ECS
 * deleted) last. See planIpSearch.
 */
async function ipTargets(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query & { kind: "ipv4" },
): Promise<Target[]> {
  const { ip } = query;
  const [enis, allClusters, booked] = await Promise.all([
    gaps.soft(`the network interfaces holding ${ip}`, ctx.ec2.networkInterfacesByIp(ip), undefined),
    gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[]),
    bookedTasks(ctx, ip),
  ]);
  const holders = enis?.map((eni) => ({ eni, owner: interfaceOwner(eni) }));
  const plan = planIpSearch(holders);
  const clusters = plan.clusters === "all" ? allClusters : plan.clusters;
  const finding: IpFinding = { ip, holders, tasks: "none" };
  const lookup = { finding, clusters };
  const lookups = ipLookups.get(gaps) ?? new Map();
  ipLookups.set(gaps, lookups.set(ip, lookup));

  const byService = await Promise.all(
    plan.services.map(async ({ cluster, service }) => {
      const facts = await gatherServiceFacts(ctx, gaps, cluster, service);
      const task = facts && taskHolding(facts.tasks, ip, plan);
      return task ? taskTargets(query.text, [task], ip).map((t) => ({ ...t, facts })) : [];
    }),
  );
  if (byService.flat().length > 0) return byService.flat();
  if (plan.clusters !== "all" && plan.clusters.length === 0) return [];
  finding.tasks = plan.running ? "running-and-stopped" : "stopped";
  const task =
    (plan.running ? await indexedTask(ctx, clusters, ip, plan, booked) : undefined) ??
    (plan.running ? await taskIn(ctx, gaps, clusters, "RUNNING", ip, plan) : undefined) ??
    (await taskIn(ctx, gaps, clusters, "STOPPED", ip, plan));
  return taskTargets(query.text, task ? [task] : [], ip);
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

function taskTargets(text: string, tasks: EcsTask[], ip?: string): Target[] {
  return tasks.flatMap((task) => {
    const service = serviceOfGroup(task);
    if (!service) return [];
    return [
      {
        cluster: task.clusterName,
        service,
        describedTasks: [task],
        request: {
          query: text,
          subject: { kind: "task" as const, taskId: task.id, ip: ip ?? task.ipv4 },
        },
      },
    ];
  });
}

export async function notFound(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query,
): Promise<Extract<WhoisAnswer, { kind: "not-found" }>> {
  if (query.kind === "ipv4") {
    // What the address's lookup searched, not the whole catalog: an IP has no "did you mean".
    const lookup = ipLookups.get(gaps)?.get(query.ip);
    return {
      kind: "not-found",
      query: query.text,
      suggestions: [],
      searched: { regions: [ctx.region], namespaces: [], clusters: lookup?.clusters ?? [] },
      network: lookup?.finding,
      gaps: gaps.list,
    };
  }
  const catalog = await loadCatalog(ctx, gaps);
  const typed = query.kind === "dotted-name" ? query.name : query.text;
  return {
    kind: "not-found",
    query: query.text,
    suggestions: closestNames(typed, knownNames(catalog)),
    searched: {
      regions: [ctx.region],
      namespaces: catalog.namespaces.map((n) => n.name),
      clusters: catalog.clusters,
    },
    gaps: gaps.list,
  };
}

/**
 * NAME:PORT whose services publish the name, none of them on that port: a not-found answer that
 * names the ports they publish it on, never another port's answer. Undefined when none was seen.
 */
export function portNotPublished(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query,
  found: readonly (UnpublishedPort | undefined)[],
): Extract<WhoisAnswer, { kind: "not-found" }> | undefined {
  const seen = found.filter((f): f is UnpublishedPort => f !== undefined);
  const [first] = seen;
  if (!first) return undefined;
  const published = seen
    .flatMap((f) => f.published)
    .filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i);
  return {
    kind: "not-found",
    query: query.text,
    suggestions: published.map((p) => p.name),
    searched: { regions: [ctx.region], namespaces: [], clusters: [] },
    gaps: gaps.list,
    unpublishedPort: { ...first, published },
  };
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
): Promise<R[]> {
  const searches = await searchesFor(ctx, gaps, query);
  const started = new Set<string>();
  const results: Promise<R | undefined>[] = [];
  // Searches and works are awaited in order but may fail out of it: marked as handled, a failure
  // waits for its turn to be thrown instead of going unhandled.
  const handled = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined);
    return p;
  };
  for (const search of searches.map(handled)) {
    for (const target of await search) {
      const key = `${target.cluster}/${target.service}`;
      if (started.has(key)) continue;
      started.add(key);
      results.push(handled(work(target)));
    }
  }
  return (await Promise.all(results)).filter((r): r is Awaited<R> => r !== undefined);
}

/** The ECS services behind a query, each once, with what was already read about them. */
export function findTargets(ctx: AwsContext, gaps: Gaps, query: Query): Promise<Target[]> {
  return eachTarget(ctx, gaps, query, async (target) => target);
}

/** `/ecs whois NAME`: what stands behind a name, an IP, a task or a service. */
export async function whois(aws: () => AwsContext, text: string): Promise<WhoisAnswer> {
  const query = parseQuery(text);
  // Refused input never reaches AWS, nor even creates a client.
  if (query.kind === "invalid") return { kind: "invalid", query: query.text, reason: query.reason };
  const ctx = aws();
  const gaps = new Gaps();
  const resolutions = await eachTarget(ctx, gaps, query, async (target) => {
    const facts = await gatherTargetFacts(ctx, gaps, target);
    return facts ? buildResolution(target.request, facts) : undefined;
  });
  // A NAME:PORT is answered only on that port: the services that publish the name elsewhere only
  // say which ports it is on.
  const onPort = resolutions.filter((r) => !r.unpublishedPort);
  if (onPort.length === 0) {
    const elsewhere = resolutions.map((r) => r.unpublishedPort);
    return portNotPublished(ctx, gaps, query, elsewhere) ?? notFound(ctx, gaps, query);
  }
  return { kind: "found", query: query.text, resolutions: onPort, gaps: gaps.list };
}

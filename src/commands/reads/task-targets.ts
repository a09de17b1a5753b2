// The targets behind a task or an IPv4 address: an address is searched for by its network
// interface, the address book and a minute's index before cluster by cluster (see ipTargets).
import { AwsReadError } from "../../aws/errors.ts";
import type { EcsTask } from "../../domain/facts.ts";
import {
  type IpFinding,
  type IpSearchPlan,
  interfaceOwner,
  planIpSearch,
  taskHolding,
} from "../../domain/network-interface.ts";
import type { Query } from "../../domain/query.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import { gatherServiceFacts } from "./service-facts.ts";
import type { Target } from "./targets.ts";

/** What the search for an address found and where it looked: its not-found answer says so. */
export interface AddressSearch {
  finding: IpFinding;
  /** The clusters whose tasks were searched. */
  clusters: string[];
}

function serviceOfGroup(task: EcsTask): string | undefined {
  return task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
}

/** The services of these tasks, each task its own target. */
export function taskTargets(text: string, tasks: EcsTask[], ip?: string): Target[] {
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
export async function ipTargets(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query & { kind: "ipv4" },
): Promise<{ targets: Target[]; searched: AddressSearch }> {
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
  const searched: AddressSearch = { finding, clusters };

  const byService = await Promise.all(
    plan.services.map(async ({ cluster, service }) => {
      const facts = await gatherServiceFacts(ctx, gaps, cluster, service);
      const task = facts && taskHolding(facts.tasks, ip, plan);
      return task ? taskTargets(query.text, [task], ip).map((t) => ({ ...t, facts })) : [];
    }),
  );
  if (byService.flat().length > 0) return { targets: byService.flat(), searched };
  if (plan.clusters !== "all" && plan.clusters.length === 0) return { targets: [], searched };
  finding.tasks = plan.running ? "running-and-stopped" : "stopped";
  const task =
    (plan.running ? await indexedTask(ctx, clusters, ip, plan, booked) : undefined) ??
    (plan.running ? await taskIn(ctx, gaps, clusters, "RUNNING", ip, plan) : undefined) ??
    (await taskIn(ctx, gaps, clusters, "STOPPED", ip, plan));
  return { targets: taskTargets(query.text, task ? [task] : [], ip), searched };
}

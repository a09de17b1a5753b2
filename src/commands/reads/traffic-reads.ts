// Service Connect traffic of one service: what to measure (its name and possible callers) and one
// GetMetricData over a window and the one before; read by the traffic verb, health and digests.
import type { Namespace } from "../../domain/facts.ts";
import type { SeriesById } from "../../domain/metrics.ts";
import { bindingsOf, hostOf, type NameBinding } from "../../domain/resolution/bindings.ts";
import { namespaceByRef, type ServiceFacts } from "../../domain/resolution/service-facts.ts";
import {
  attachedAtEnd,
  type BalancedGroup,
  type BalancerTraffic,
  balancerQueries,
  balancerSearches,
  foundGroup,
  groupKinds,
  hostQueries,
  loadBalancerDimension,
  summariseBalancer,
  targetGroupDimension,
} from "../../domain/traffic/balancer.ts";
import {
  callerKinds,
  targetCallerKinds,
  targetSearches,
  trafficQueries,
} from "../../domain/traffic/queries.ts";
import { RECENT_WINDOW, recentWindowOf, withRecent } from "../../domain/traffic/recent.ts";
import { type TrafficTarget, withoutSilentCallers } from "../../domain/traffic/target.ts";
import type { TrafficWindow } from "../../domain/traffic/window.ts";

import { summariseTraffic, type TrafficReport } from "../../domain/traffic.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import {
  callersInNamespace,
  namespaceCallers,
  namespacePage,
  sameService,
} from "./namespace-services.ts";

/** The Service Connect name to measure: the one asked about, else the service's first. */
function serviceConnectBinding(
  facts: ServiceFacts,
  asked: string | undefined,
): NameBinding | undefined {
  const sc = bindingsOf(facts).filter((b) => b.scope.kind === "service-connect");
  return sc.find((b) => asked !== undefined && hostOf(b) === asked) ?? sc[0];
}

/** Builds what to measure for one service over a window, or says why nothing can be. */
export async function trafficTargetOf(
  ctx: AwsContext,
  gaps: Gaps,
  facts: ServiceFacts,
  asked: string | undefined,
  window: TrafficWindow,
  now: Date,
): Promise<TrafficTarget | undefined> {
  const binding = serviceConnectBinding(facts, asked);
  if (!binding || !facts.service) return undefined;
  const namespace = namespaceByRef(facts.namespaces, facts.service.serviceConnect?.namespace);
  const target: TrafficTarget = {
    name: binding.name,
    discoveryName: binding.discoveryName,
    publisher: { service: facts.service.name, cluster: facts.service.clusterName },
    appProtocol: binding.appProtocol,
    // The service was read but its task definition was not: the port's protocol is unknown.
    ...(facts.taskDefinition === undefined ? { protocolUnread: true } : {}),
    candidates: [],
  };
  const callers = namespace
    ? await callersOf(ctx, gaps, namespace, facts.service.arn, target, window, now)
    : undefined;
  return callers ? { ...target, ...callers } : { ...target, callersUnread: true };
}

/**
 * The target's possible callers. A digest has searched the whole region ahead and reads every
 * namespace's services anyway: the namespace's services are the candidates. A single answer
 * searches CloudWatch for the callers of this discovery name (one call, at any namespace size)
 * and keeps those in the namespace; when the search may have left callers out (500 series, or
 * it failed), every service of the namespace is a candidate, queried one by one, as before.
 */
async function callersOf(
  ctx: AwsContext,
  gaps: Gaps,
  namespace: Namespace,
  publisherArn: string,
  target: TrafficTarget,
  window: TrafficWindow,
  now: Date,
): Promise<Pick<TrafficTarget, "candidates" | "silentCallers"> | undefined> {
  if (ctx.readMode !== "scope") {
    const { start, end } = windowRange(window, now);
    const recent = ownRecentRead(window);
    const last = windowRange(RECENT_WINDOW, now);
    const [page] = await Promise.all([
      namespacePage(ctx, gaps, namespace, publisherArn),
      // One call: these searches return the few series of one name.
      ctx.cloudWatch.searchAhead(targetSearches(target, window), start, end, 20),
      // Its last 15 minutes, where the window's periods cannot hold them: a call beside it (a
      // call has one time range), not after it.
      recent
        ? ctx.cloudWatch.searchAhead(targetSearches(target, recent), last.start, last.end, 20)
        : undefined,
    ]);
    const found = ctx.cloudWatch
      .seriesMembers(
        targetCallerKinds(target, window),
        { name: "TargetDiscoveryName", value: target.discoveryName },
        ["ClusterName", "ServiceName"],
        start,
        end,
      )
      ?.map((d) => ({ cluster: d.ClusterName ?? "", service: d.ServiceName ?? "" }))
      .filter((c) => !sameService(target.publisher)(c));
    const members =
      page && found
        ? await callersInNamespace(ctx, gaps, namespace, publisherArn, found, page)
        : undefined;
    if (page && members) {
      // The page's services with no series are callers that counted nothing (a lower bound:
      // the namespace's other pages were not read).
      const silent = page.members.filter((m) => !members.some(sameService(m))).length;
      return { candidates: members, silentCallers: silent };
    }
  }
  const all = await namespaceCallers(ctx, gaps, namespace, publisherArn);
  return all ? { candidates: all } : undefined;
}

/** The window and the one before it, in whole periods ending before `now`. */
export function windowRange(window: TrafficWindow, now: Date): { start: Date; end: Date } {
  // Whole periods only: the current, still-filling minute would read as a drop.
  const end = new Date(Math.floor(now.getTime() / 1000 / window.period) * window.period * 1000);
  return { start: new Date(end.getTime() - 2 * window.seconds * 1000), end };
}

/**
 * The service's target groups and the balancer each is attached to. The LoadBalancer dimension is
 * in no ECS answer: CloudWatch SEARCH on each group's TargetGroup dimension finds it (and ALB or
 * NLB, by the namespace), in a call beside Service Connect's, not a DescribeTargetGroups before
 * it. A group the searches cannot vouch for (cut, failed, or nothing found now) is described as
 * before. Undefined when the service has none; a failed read is a gap, and the groups' figures
 * are then unknown.
 */
export async function balancedGroupsOf(
  ctx: AwsContext,
  gaps: Gaps,
  facts: ServiceFacts,
  window: TrafficWindow,
  now: Date,
): Promise<BalancedGroup[] | undefined> {
  const arns = [
    ...new Set(
      (facts.service?.loadBalancers ?? []).flatMap((l) =>
        l.targetGroupArn ? [l.targetGroupArn] : [],
      ),
    ),
  ];
  if (arns.length === 0) return undefined;
  const found = await groupsBySearch(ctx, arns, window, now);
  const unsure = arns.filter((a) => !found.has(a));
  const described =
    unsure.length > 0
      ? await describedGroups(ctx, gaps, unsure)
      : new Map<string, BalancedGroup[]>();
  if (!described && found.size === 0) return undefined;
  return arns.flatMap((a) => found.get(a) ?? described?.get(a) ?? []);
}

/**
 * The groups SEARCH vouches for, by ARN: complete searches of both types, and a balancer whose
 * host counts have a point in the window's last period or five minutes (health checks report them
 * every minute a group is attached, "Reported if health checks are enabled": a balancer without
 * one is one the group has left, or too late to tell). A group with none is left out, and is
 * described: a search that finds nothing is "unknown" here, never "no traffic".
 */
async function groupsBySearch(
  ctx: AwsContext,
  arns: readonly string[],
  window: TrafficWindow,
  now: Date,
): Promise<Map<string, BalancedGroup[]>> {
  const { start, end } = windowRange(window, now);
  const dims = arns.map((a) => targetGroupDimension(a));
  const { byGroup, regionWide } = balancerSearches(
    dims.filter((d): d is string => d !== undefined),
    window,
  );
  await Promise.all([
    ctx.cloudWatch.searchAhead(byGroup, start, end, 20),
    // Every balancer of the region may answer: one search per call (aws-semantics.md).
    ctx.cloudWatch.searchAhead(regionWide, start, end, 1),
  ]);
  const out = new Map<string, BalancedGroup[]>();
  arns.forEach((arn, i) => {
    const tg = dims[i];
    if (!tg) return;
    const types = (["application", "network"] as const).map((type) => ({
      type,
      balancers: ctx.cloudWatch.seriesMembers(
        groupKinds(type, window),
        { name: "TargetGroup", value: tg },
        ["LoadBalancer"],
        start,
        end,
      ),
    }));
    if (types.some((t) => t.balancers === undefined)) return;
    const groups = types.flatMap(({ type, balancers }) =>
      (balancers ?? []).flatMap((b) => {
        const g = foundGroup(type, tg, b.LoadBalancer ?? "");
        const hosts = ctx.cloudWatch.searchedSeries(hostQueries(g, window), start, end);
        return b.LoadBalancer && attachedAtEnd(hosts, end, window) ? [g] : [];
      }),
    );
    if (groups.length > 0) out.set(arn, groups);
  });
  return out;
}

/** The groups DescribeTargetGroups names, by ARN; undefined when it failed (a gap). */
async function describedGroups(
  ctx: AwsContext,
  gaps: Gaps,
  arns: readonly string[],
): Promise<Map<string, BalancedGroup[]> | undefined> {
  const names = arns.map((a) => a.split("/")[1] ?? a).join(", ");
  const groups = await gaps.soft(
    `the target groups ${names} (their load balancer's traffic is unknown)`,
    ctx.elbv2.targetGroupsByArn(arns),
    undefined,
  );
  if (!groups) return undefined;
  return new Map(
    groups.map((g) => {
      const tg = targetGroupDimension(g.arn);
      return [
        g.arn,
        g.loadBalancerArns.flatMap((lbArn): BalancedGroup[] => {
          const lb = loadBalancerDimension(lbArn);
          if (!tg || !lb) return [];
          return [
            {
              targetGroup: g.name,
              targetGroupDimension: tg,
              loadBalancer: lb.split("/")[1] ?? lb,
              loadBalancerDimension: lb,
              type: lb.startsWith("net/") ? "network" : "application",
            },
          ];
        }),
      ];
    }),
  );
}

/** The balancers' figures alone (a service without Service Connect): one GetMetricData call. */
export async function measureBalancers(
  ctx: AwsContext,
  gaps: Gaps,
  groups: readonly BalancedGroup[],
  window: TrafficWindow,
  now: Date,
): Promise<BalancerTraffic[]> {
  const { end, start } = windowRange(window, now);
  const series = await gaps.soft(
    `the load balancer traffic of ${groupNames(groups)} (last ${window.label})`,
    ctx.cloudWatch.getMetricData(balancerQueries(groups, window), start, end),
    undefined,
  );
  return groups.map((g, i) => summariseBalancer(g, i, window, series, end));
}

const groupNames = (groups: readonly BalancedGroup[]) =>
  [...new Set(groups.map((g) => `${g.targetGroup} (${g.loadBalancer})`))].join(", ");

/**
 * One GetMetricData call for the window and the one before it; a failure becomes a gap. With
 * `balancers`, their target groups' figures are read in the same call (report.balancers).
 */
export async function measure(
  ctx: AwsContext,
  gaps: Gaps,
  target: TrafficTarget,
  window: TrafficWindow,
  now: Date,
  balancers?: readonly BalancedGroup[],
): Promise<TrafficReport | undefined> {
  const { start, end } = windowRange(window, now);
  // Where a digest searched ahead, the callers it knows to be silent need no queries.
  const silent = ctx.cloudWatch.silentMembers(
    callerKinds(window),
    { name: "TargetDiscoveryName", value: target.discoveryName },
    ["ClusterName", "ServiceName"],
    target.candidates.map((c) => ({ ClusterName: c.cluster, ServiceName: c.service })),
    start,
    end,
  );
  const measured = withoutSilentCallers(target, silent);
  const recent = ownRecentRead(window);
  const last = windowRange(RECENT_WINDOW, now);
  const lb = balancers ?? [];
  const what =
    lb.length > 0
      ? `the Service Connect and load balancer traffic of ${target.discoveryName}, ${groupNames(lb)}`
      : `the Service Connect traffic of ${target.discoveryName}`;
  const [series, recentSeries] = await Promise.all([
    gaps.soft(
      `${what} (last ${window.label})`,
      ctx.cloudWatch.getMetricData(
        [...trafficQueries(measured, window), ...balancerQueries(lb, window)],
        start,
        end,
      ),
      undefined,
    ),
    recent
      ? gaps.soft(
          `the Service Connect traffic of ${target.discoveryName} (last ${recent.label})`,
          ctx.cloudWatch.getMetricData(trafficQueries(measured, recent), last.start, last.end),
          undefined,
        )
      : undefined,
  ]);
  if (!series) return undefined;
  const report = withBalancers(summariseTraffic(measured, window, series, end), lb, series, end);
  if (!recentWindowOf(window)) return report;
  // A one-minute window's own series hold its last 15 minutes (the same whole minutes).
  const own = recent ? recentSeries : series;
  return withRecent(
    report,
    own ? summariseTraffic(measured, RECENT_WINDOW, own, last.end) : undefined,
  );
}

function withBalancers(
  report: TrafficReport,
  groups: readonly BalancedGroup[],
  series: SeriesById,
  end: Date,
): TrafficReport {
  if (groups.length === 0) return report;
  return {
    ...report,
    balancers: groups.map((g, i) => summariseBalancer(g, i, report.window, series, end)),
  };
}

/**
 * The recent part's own read, for a window whose periods are longer than its one minute: the
 * window's series cannot hold the last 15 minutes, and reading one-minute points over days would
 * pass the call's 100,800 datapoints (API GetMetricData).
 */
function ownRecentRead(window: TrafficWindow): TrafficWindow | undefined {
  const recent = recentWindowOf(window);
  return recent && window.period !== recent.period ? recent : undefined;
}

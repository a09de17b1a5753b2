import type { TrafficAnswer, TrafficResult } from "../domain/answer.ts";
import type { Namespace } from "../domain/facts.ts";
import { parseQuery } from "../domain/query.ts";
import { bindingsOf, hostOf, type NameBinding } from "../domain/resolution/bindings.ts";
import { namespaceByRef, type ServiceFacts } from "../domain/resolution/service-facts.ts";
import { buildResolution, type UnpublishedPort, unpublishedPort } from "../domain/resolution.ts";
import { graphWidget } from "../domain/traffic/graph.ts";
import {
  callerKinds,
  targetCallerKinds,
  targetSearches,
  trafficQueries,
} from "../domain/traffic/queries.ts";
import { type TrafficTarget, withoutSilentCallers } from "../domain/traffic/target.ts";
import { parseWindow, type TrafficWindow, WINDOW_NAMES } from "../domain/traffic/window.ts";
import { summariseTraffic, type TrafficReport } from "../domain/traffic.ts";
import type { AwsPlaces } from "./across.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import {
  callersInNamespace,
  namespaceCallers,
  namespacePage,
  sameService,
} from "./namespace-services.ts";
import { gatherTargetFacts } from "./service-facts.ts";
import { eachTarget, notFound, portNotPublished, type Target } from "./whois.ts";

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
  if (!ctx.cache.snapshot) {
    const { start, end } = windowRange(window, now);
    const [page] = await Promise.all([
      namespacePage(ctx, gaps, namespace, publisherArn),
      // One call: these searches return the few series of one name.
      ctx.cloudWatch.searchAhead(targetSearches(target, window), start, end, 20),
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

/** One GetMetricData call for the window and the one before it; a failure becomes a gap. */
export async function measure(
  ctx: AwsContext,
  gaps: Gaps,
  target: TrafficTarget,
  window: TrafficWindow,
  now: Date,
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
  const series = await gaps.soft(
    `the Service Connect traffic of ${target.discoveryName} (last ${window.label})`,
    ctx.cloudWatch.getMetricData(trafficQueries(measured, window), start, end),
    undefined,
  );
  return series ? summariseTraffic(measured, window, series, end) : undefined;
}

/** A service that publishes the asked name, but not on the asked port: nothing to measure. */
interface ElsewhereResult {
  kind: "port-not-published";
  port: UnpublishedPort;
}

async function resultFor(
  ctx: AwsContext,
  gaps: Gaps,
  target: Target,
  window: TrafficWindow,
  now: Date,
): Promise<TrafficResult | ElsewhereResult | undefined> {
  const facts = await gatherTargetFacts(ctx, gaps, target, ctx.cache.snapshot ? "whole" : "page");
  if (!facts) return undefined;
  // NAME:PORT measures that port only, never another the name is published on.
  const port = unpublishedPort(target.request, bindingsOf(facts));
  if (port) return { kind: "port-not-published", port };
  if (!facts.service) {
    // Which Service Connect name to measure is in the service's configuration: unknown here.
    return { kind: "service-unread", service: `${target.cluster}/${target.service}` };
  }
  const asked = target.request.focusName?.name;
  const measured = await trafficTargetOf(ctx, gaps, facts, asked, window, now);
  if (!measured) {
    const names = buildResolution(target.request, facts).bindings.map((b) => b.name);
    return { kind: "no-service-connect", service: `${target.cluster}/${target.service}`, names };
  }
  const report = await measure(ctx, gaps, measured, window, now);
  const viaAlias =
    asked && measured.name.replace(/:\d+$/, "") !== asked ? measured.name : undefined;
  return report
    ? { kind: "report", report, target: measured, viaAlias }
    : { kind: "unread", target: measured };
}

/** `/ecs traffic NAME [WINDOW]`: Service Connect traffic, against the window before. */
export async function traffic(
  aws: () => AwsContext,
  text: string,
  now = new Date(),
): Promise<TrafficAnswer> {
  const [name = "", windowText, ...rest] = text.trim().split(/\s+/);
  const window = parseWindow(windowText);
  if (!window || rest.length > 0) {
    const reason =
      rest.length > 0
        ? "give a name and at most a window"
        : `the window is one of ${WINDOW_NAMES.join(", ")}`;
    return { kind: "invalid", query: text.trim(), reason };
  }
  const query = parseQuery(name);
  if (query.kind === "invalid") return { kind: "invalid", query: query.text, reason: query.reason };
  const ctx = aws();
  const gaps = new Gaps();
  const all = await eachTarget(ctx, gaps, query, (t) => resultFor(ctx, gaps, t, window, now));
  const results = all.filter((r): r is TrafficResult => r.kind !== "port-not-published");
  if (results.length === 0) {
    const elsewhere = all.map((r) => (r.kind === "port-not-published" ? r.port : undefined));
    return portNotPublished(ctx, gaps, query, elsewhere) ?? notFound(ctx, gaps, query);
  }
  return { kind: "found", query: query.text, window, results, gaps: gaps.list };
}

/** The PNG graph (requests, 5xx, p99) of a traffic answer's first measured name. */
export async function trafficGraph(
  aws: () => AwsContext,
  answer: TrafficAnswer,
): Promise<Uint8Array | undefined> {
  if (answer.kind !== "found") return undefined;
  const first = answer.results.find(
    (r): r is Extract<TrafficResult, { target: unknown }> =>
      r.kind === "report" || r.kind === "unread",
  );
  if (!first) return undefined;
  return aws().cloudWatch.getMetricWidgetImage(graphWidget(first.target, answer.window));
}

/**
 * For delivery code that holds a command's output: its traffic graph, if it is a traffic answer,
 * read in the place (account and region) where the name was found.
 */
export function graphOfOutput(aws: AwsPlaces) {
  return (output: {
    command: string;
    answer?: unknown;
    foundIn?: string[];
  }): Promise<Uint8Array | undefined> => {
    if (output.command !== "traffic") return Promise.resolve(undefined);
    const places = [aws()].flat();
    const ctx = places.find((c) => c.place.label === output.foundIn?.[0]) ?? places[0];
    if (!ctx) return Promise.resolve(undefined);
    return trafficGraph(() => ctx, output.answer as TrafficAnswer);
  };
}

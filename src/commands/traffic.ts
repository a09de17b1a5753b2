import type { TrafficAnswer, TrafficResult } from "../domain/answer.ts";
import { parseQuery } from "../domain/query.ts";
import { bindingsOf } from "../domain/resolution/bindings.ts";
import { buildResolution, type UnpublishedPort, unpublishedPort } from "../domain/resolution.ts";
import { parseWindow, type TrafficWindow, WINDOW_NAMES } from "../domain/traffic/window.ts";

import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { gatherTargetFacts } from "./reads/service-facts.ts";
import { eachTarget, type Target } from "./reads/targets.ts";
import {
  balancedGroupsOf,
  measure,
  measureBalancers,
  trafficTargetOf,
} from "./reads/traffic-reads.ts";

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
  const facts = await gatherTargetFacts(
    ctx,
    gaps,
    target,
    ctx.readMode === "scope" ? "whole" : "page",
  );
  if (!facts) return undefined;
  // NAME:PORT measures that port only, never another the name is published on.
  const port = unpublishedPort(target.request, bindingsOf(facts));
  if (port) return { kind: "port-not-published", port };
  if (!facts.service) {
    // Which Service Connect name to measure is in the service's configuration: unknown here.
    return { kind: "service-unread", service: `${target.cluster}/${target.service}` };
  }
  const asked = target.request.focusName?.name;
  const service = `${target.cluster}/${target.service}`;
  // The balancers' figures need only their target groups: read beside Service Connect's callers
  // and metrics, never after them (a call of their own, no sequential round trip more).
  const [measured, balancers] = await Promise.all([
    trafficTargetOf(ctx, gaps, facts, asked, window, now),
    balancedGroupsOf(ctx, gaps, facts, window, now).then(
      (groups) => groups && measureBalancers(ctx, gaps, groups, window, now),
    ),
  ]);
  const behindBalancer = (facts.service.loadBalancers ?? []).some((l) => l.targetGroupArn);
  if (!measured) {
    if (behindBalancer) return { kind: "balancer", service, balancers: balancers ?? [] };
    const names = buildResolution(target.request, facts).bindings.map((b) => b.name);
    return { kind: "no-service-connect", service, names };
  }
  const read = await measure(ctx, gaps, measured, window, now);
  const report = read && balancers?.length ? { ...read, balancers } : read;
  const viaAlias =
    asked && measured.name.replace(/:\d+$/, "") !== asked ? measured.name : undefined;
  return report
    ? { kind: "report", report, target: measured, viaAlias }
    : { kind: "unread", target: measured, ...(balancers?.length ? { balancers } : {}) };
}

/**
 * `/ecs traffic NAME [WINDOW]`: Service Connect traffic, and a load balancer's of its target
 * groups, against the window before.
 */
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
  const { results: all, address } = await eachTarget(ctx, gaps, query, (t) =>
    resultFor(ctx, gaps, t, window, now),
  );
  const results = all.filter((r): r is TrafficResult => r.kind !== "port-not-published");
  if (results.length === 0) {
    const elsewhere = all.map((r) => (r.kind === "port-not-published" ? r.port : undefined));
    return portNotPublished(ctx, gaps, query, elsewhere) ?? notFound(ctx, gaps, query, address);
  }
  return { kind: "found", query: query.text, window, results, gaps: gaps.list };
}

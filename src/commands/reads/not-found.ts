import type { WhoisAnswer } from "../../domain/answer.ts";
import type { Query } from "../../domain/query.ts";
import type { UnpublishedPort } from "../../domain/resolution.ts";
import { closestNames } from "../../domain/suggest.ts";
import type { AwsContext, Gaps } from "./aws-context.ts";
import { knownNames, loadCatalog } from "./catalog.ts";
import type { AddressSearch } from "./task-targets.ts";

/**
 * Nothing found for the query: the names nearest to it, and where the search looked. An address's
 * answer says what its own search (`address`) looked at, not the whole catalog.
 */
export async function notFound(
  ctx: AwsContext,
  gaps: Gaps,
  query: Query,
  address?: AddressSearch,
): Promise<Extract<WhoisAnswer, { kind: "not-found" }>> {
  if (query.kind === "ipv4") {
    // What the address's lookup searched, not the whole catalog: an IP has no "did you mean".
    return {
      kind: "not-found",
      query: query.text,
      suggestions: [],
      searched: { regions: [ctx.region], namespaces: [], clusters: address?.clusters ?? [] },
      network: address?.finding,
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

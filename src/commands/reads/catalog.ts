import { TTL } from "../../aws/cache.ts";
import type { CloudMapService, EcsService, Namespace } from "../../domain/facts.ts";
import { defaultAlias } from "../../domain/resolution/bindings.ts";
import { namespaceByRef } from "../../domain/resolution/service-facts.ts";

import { type AwsContext, Gaps } from "./aws-context.ts";

/**
 * Every service and name of a region: the slow path, for custom aliases, bare IPs and
 * "did you mean". Its cost grows with the fleet, so the fast paths avoid it and it is
 * cached as a whole between warm invocations.
 */
export interface Catalog {
  namespaces: Namespace[];
  clusters: string[];
  ecsServices: EcsService[];
  cloudMapServices: CloudMapService[];
}

/** The catalog's cache key: help looks for it without loading it. */
export const catalogKey = (ctx: AwsContext) => `catalog:${ctx.scope}`;

export async function loadCatalog(ctx: AwsContext, callerGaps: Gaps): Promise<Catalog> {
  const key = catalogKey(ctx);
  const gaps = new Gaps();
  const catalog = await ctx.cache.getOrLoad(key, TTL.serviceList, async () => {
    const [namespaces, clusters] = await Promise.all([
      gaps.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
      gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[]),
    ]);
    const [cloudMapLists, ecsLists] = await Promise.all([
      Promise.all(
        namespaces.map((ns) =>
          gaps.soft(`the Cloud Map services of ${ns.name}`, ctx.cloudMap.listServices(ns), []),
        ),
      ),
      Promise.all(
        clusters.map(async (cluster) => {
          const arns = await gaps.soft(
            `the services of cluster ${cluster}`,
            ctx.ecs.listServices(cluster),
            [] as string[],
          );
          if (arns.length === 0) return [];
          const described = await gaps.soft(
            `the services of cluster ${cluster}`,
            ctx.ecs.describeServices(cluster, arns),
            { services: [], missing: [] },
          );
          return described.services;
        }),
      ),
    ]);
    return {
      namespaces,
      clusters,
      ecsServices: ecsLists.flat(),
      cloudMapServices: cloudMapLists.flat(),
    };
  });
  // A partial catalog answers this request but is not kept: it would hide names for a minute.
  if (gaps.list.length > 0) {
    ctx.cache.delete(key);
    callerGaps.merge(gaps);
  }
  return catalog;
}

/**
 * The names a user could have meant, for suggestions: names clients can use. A Service Connect
 * discovery name is a Cloud Map service that clients cannot resolve: its alias is offered instead.
 */
export function knownNames(catalog: Catalog): string[] {
  const names = new Set<string>();
  const nsById = new Map(catalog.namespaces.map((n) => [n.id, n]));
  const discoveryArns = new Set<string>();
  for (const svc of catalog.ecsServices) {
    names.add(svc.name);
    const sc = svc.serviceConnect?.enabled ? svc.serviceConnect : undefined;
    const ns = namespaceByRef(catalog.namespaces, sc?.namespace);
    for (const entry of sc?.services ?? []) {
      if (entry.discoveryArn) discoveryArns.add(entry.discoveryArn);
      for (const alias of entry.clientAliases) {
        if (alias.dnsName || ns)
          names.add(alias.dnsName ?? defaultAlias(entry.discoveryName, ns?.name));
      }
    }
  }
  for (const cm of catalog.cloudMapServices) {
    const ns = nsById.get(cm.namespaceId);
    if (ns && !discoveryArns.has(cm.arn)) names.add(`${cm.name}.${ns.name}`);
  }
  return [...names].sort();
}

// What a digest covers (clusters and Cloud Map namespaces, by name or every one) and its
// services, listed once each.
import { lastSegment } from "../../aws/ecs-mapping.ts";
import type { Gap, Namespace } from "../../domain/facts.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { namespaceCallers } from "./namespace-services.ts";

/** What a digest covers: clusters and/or Cloud Map namespaces, by name, or every one. */
export interface DigestScope {
  clusters: string[] | "all";
  namespaces: string[] | "all";
}

export interface ScopeService {
  cluster: string;
  service: string;
}

const KINDS = {
  cluster: ["cluster", "clusters"],
  both: ["cluster and namespace", "clusters and namespaces"],
  namespace: ["namespace", "namespaces"],
} as const;

/**
 * What a digest covers, in its title and progress line: each name once ("staging" may be both a
 * cluster and a namespace), in the order typed, saying which are clusters and which namespaces
 * only when the scope has both kinds.
 */
export function scopeLabel({ clusters, namespaces }: DigestScope): string {
  if (clusters === "all" && namespaces === "all") return "every cluster and every namespace";
  const named = (list: string[] | "all") => (list === "all" ? [] : list);
  const kinds = new Map<keyof typeof KINDS, string[]>();
  for (const name of new Set([...named(clusters), ...named(namespaces)])) {
    const inClusters = named(clusters).includes(name);
    const kind = !inClusters ? "namespace" : named(namespaces).includes(name) ? "both" : "cluster";
    kinds.set(kind, [...(kinds.get(kind) ?? []), name]);
  }
  const every =
    clusters === "all" ? "every cluster" : namespaces === "all" ? "every namespace" : "";
  const told = kinds.size + (every ? 1 : 0) > 1;
  const parts = [...kinds].map(([kind, names]) =>
    told ? `${KINDS[kind][names.length === 1 ? 0 : 1]} ${names.join(", ")}` : names.join(", "),
  );
  // "every cluster" first, as clusters come first; "every namespace" after the clusters named.
  const all = clusters === "all" ? [every, ...parts] : every ? [...parts, every] : parts;
  return all.join("; ");
}

/** The services of the scope, each once; what could not be listed becomes a gap. */
async function servicesOf(
  ctx: AwsContext,
  gaps: Gaps,
  scope: DigestScope,
): Promise<ScopeService[]> {
  // What cannot be listed is a part of the scope left unread: the digest's headline names it.
  const clusters =
    scope.clusters === "all"
      ? await gaps.soft("the ECS clusters", ctx.ecs.listClusters(), [] as string[], {
          kind: "clusters",
        })
      : scope.clusters;
  const namespaces =
    scope.namespaces === "all" || scope.namespaces.length > 0
      ? await gaps.soft(
          "the Cloud Map namespaces",
          ctx.cloudMap.listNamespaces(),
          [] as Namespace[],
          { kind: "namespaces" },
        )
      : [];
  const chosen =
    scope.namespaces === "all"
      ? namespaces
      : namespaces.filter((n) => (scope.namespaces as string[]).includes(n.name));
  const [byCluster, byNamespace] = await Promise.all([
    Promise.all(
      clusters.map(async (cluster) =>
        (
          await gaps.soft(`the services of cluster ${cluster}`, ctx.ecs.listServices(cluster), [], {
            kind: "cluster",
            name: cluster,
          })
        ).map((arn) => ({ cluster, service: lastSegment(arn) })),
      ),
    ),
    Promise.all(
      chosen.map(async (ns) => {
        const own = new Gaps();
        const callers = await namespaceCallers(ctx, own, ns, undefined);
        if (!callers)
          for (const gap of own.list) gap.scopePart = { kind: "namespace", name: ns.name };
        gaps.merge(own);
        return (callers ?? []).map((c) => ({ cluster: c.cluster, service: c.service }));
      }),
    ),
  ]);
  const all = [...byCluster.flat(), ...byNamespace.flat()];
  const seen = new Set<string>();
  return all
    .filter((s) => {
      const key = `${s.cluster}/${s.service}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.cluster.localeCompare(b.cluster) || a.service.localeCompare(b.service));
}

/** The services a digest covers, each once; what could not be listed is a gap. */
export async function listScope(
  ctx: AwsContext,
  scope: DigestScope,
): Promise<{ services: ScopeService[]; gaps: Gap[] }> {
  const gaps = new Gaps();
  const services = await servicesOf(ctx, gaps, scope);
  return { services, gaps: gaps.list };
}

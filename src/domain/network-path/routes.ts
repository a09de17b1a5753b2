// Route tables: which route carries packets to an address or a subnet (VPC User Guide, "Route
// priority").

import type { Known } from "../known.ts";
import { inCidr, overlaps } from "./cidr.ts";

/** A subnet as DescribeSubnets gives it. */
export interface Subnet {
  id: string;
  vpcId: string;
  cidr: string;
  availabilityZone?: string;
}

/** One route: where packets for `destination` go (local, pcx-…, tgw-…, igw-…, nat-…, …). */
export interface Route {
  /** An IPv4 CIDR, or the ID of the managed prefix list (pl-…) whose entries it matches. */
  destination: string;
  /** Set when `destination` is a prefix list (DestinationPrefixListId, no CIDR). */
  prefixList?: boolean;
  target: string;
  /** "active", or "blackhole" when its target is gone. */
  state: string;
  /**
   * The VPC's own route for one of its CIDR blocks (origin CreateRouteTable), also when its
   * target was replaced; default: whether the target is "local".
   */
  local?: boolean;
}

/** A route table and the subnets explicitly associated with it. */
export interface RouteTable {
  id: string;
  vpcId: string;
  main: boolean;
  subnetIds: string[];
  routes: Route[];
}

const isLocal = (route: Route) => route.local ?? route.target === "local";
const prefixLength = (cidr: string) => Number(cidr.split("/")[1] ?? 32);

/** Which route of a table carries packets to an address or a whole subnet. */
export type RouteChoice =
  | {
      kind: "route";
      route: Route;
      /** The VPC's own route, its target "local" or replaced. */
      local: boolean;
      /** For a prefix-list route, the entry that matched. */
      entry?: string;
    }
  | { kind: "none" }
  | { kind: "unknown"; why: string };

/**
 * The route a table uses for `cidr`, as the VPC User Guide's "Route priority" orders them: the
 * longest prefix first, a prefix list's entries counted by their own prefix; at equal length a
 * CIDR route before a prefix-list route; two prefix lists to different targets: AWS picks one at
 * random. A prefix-list entry more specific than a local route is ignored. A prefix list whose
 * entries could not be read could hold a longer match: unknown, unless a local route carries it.
 */
export function chooseRoute(
  table: RouteTable,
  cidr: string,
  prefixLists: ReadonlyMap<string, Known<string[]>>,
): RouteChoice {
  const locals = table.routes.filter((r) => isLocal(r) && !r.prefixList).map((r) => r.destination);
  const candidates: { route: Route; entry?: string; length: number }[] = [];
  // Routes to part of `cidr` only: the path would depend on the address.
  const partial: { route: Route; part: string }[] = [];
  const unread: string[] = [];
  for (const route of table.routes) {
    if (!route.prefixList) {
      if (inCidr(cidr, route.destination)) {
        candidates.push({ route, length: prefixLength(route.destination) });
      } else if (overlaps(cidr, route.destination)) {
        partial.push({ route, part: route.destination });
      }
      continue;
    }
    const entries = prefixLists.get(route.destination);
    if (!entries?.known) {
      unread.push(`${route.destination} (${entries ? entries.why : "not read"})`);
      continue;
    }
    for (const entry of entries.value) {
      const ignored = locals.some((l) => inCidr(entry, l) && prefixLength(entry) > prefixLength(l));
      if (!ignored && inCidr(cidr, entry)) {
        candidates.push({ route, entry, length: prefixLength(entry) });
      } else if (!ignored && overlaps(cidr, entry)) {
        partial.push({ route, part: `${entry} (prefix list ${route.destination})` });
      }
    }
  }
  candidates.sort(
    (a, b) => b.length - a.length || Number(a.entry !== undefined) - Number(b.entry !== undefined),
  );
  const best = candidates[0];
  if (unread.length > 0 && !(best && isLocal(best.route))) {
    return {
      kind: "unknown",
      why: `${table.id} routes to prefix list ${unread.join(", ")}, whose entries could not be read: it may hold ${cidr}`,
    };
  }
  const split = partial.find((p) => p.route.target !== best?.route.target);
  if (split) {
    return {
      kind: "unknown",
      why: `${table.id} sends ${split.part}, part of ${cidr}, to ${split.route.target}${best ? `, the rest to ${best.route.target}` : ""}: the path depends on the address`,
    };
  }
  if (!best) return { kind: "none" };
  if (best.entry !== undefined) {
    const rival = candidates.find(
      (c) =>
        c.entry !== undefined && c.length === best.length && c.route.target !== best.route.target,
    );
    if (rival) {
      return {
        kind: "unknown",
        why: `${table.id} sends ${best.entry} to ${best.route.target} (prefix list ${best.route.destination}) and ${rival.entry} to ${rival.route.target} (prefix list ${rival.route.destination}): AWS picks one of overlapping prefix lists at random`,
      };
    }
  }
  return {
    kind: "route",
    route: best.route,
    local: isLocal(best.route),
    ...(best.entry !== undefined ? { entry: best.entry } : {}),
  };
}

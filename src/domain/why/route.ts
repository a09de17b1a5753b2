// The route links: which route each end's subnet uses towards the other, both ways.

import { chooseRoute } from "../network-path/routes.ts";
import type { PathEnd } from "../network-path.ts";
import type { CheckStatus, WhyCheck } from "./check.ts";
import type { NetworkFacts } from "./client.ts";

/** The route `from`'s subnet's table uses towards `to`'s subnet, or why it cannot be told. */
function routeFor(from: PathEnd, to: PathEnd, network: NetworkFacts) {
  const routes = network.routes;
  if (!routes?.known) {
    return {
      why: `the route tables could not be read${routes && !routes.known ? `: ${routes.why}` : ""}`,
    };
  }
  const table = routes.value.get(from.subnetId);
  if (!table) return { why: `no route table of ${from.subnetId} in what EC2 returned` };
  return { table, choice: chooseRoute(table, to.subnetCidr, network.prefixLists ?? new Map()) };
}

const GATEWAYS: [string, string][] = [
  ["nat-", "a NAT gateway, which replaces the source address with its own"],
  ["igw-", "an internet gateway, which delivers nothing to a private address of another VPC"],
];

/** One direction's route hop, and the appliance it passes through, if any (one VPC only). */
export interface RouteHop {
  check: WhyCheck;
  appliance?: string;
  /** The route table that decided it, when it was read. */
  table?: string;
}

/**
 * The route hop from `from`'s subnet towards `to`'s. Within one VPC the local route carries it,
 * unless a more specific route or a replaced local target sends it through an appliance (VPC
 * User Guide, "Configure route tables"). Across VPCs it needs a peering or transit gateway
 * route; a reply that leaves by a NAT or internet gateway never comes back as the answer (VPC
 * Peering Guide, "Update your route tables"). The fix names the peering connection the other
 * direction uses, when it uses one.
 */
export function routeCheck(
  from: PathEnd,
  to: PathEnd,
  vpcs: { from: string; to: string },
  network: NetworkFacts,
  replies: boolean,
): RouteHop {
  const link = `route ${from.subnetId} → ${to.subnetCidr}${replies ? " (replies)" : ""}`;
  const found = routeFor(from, to, network);
  const hop = (status: WhyCheck["status"], detail: string, fix?: string): RouteHop => ({
    check: { layer: "path", link, status, detail, ...(fix ? { fix } : {}) },
    ...(found.table ? { table: found.table.id } : {}),
  });
  if (!found.table) return hop("unknown", found.why);
  const { table, choice } = found;
  if (choice.kind === "unknown") return hop("unknown", choice.why);
  const sameVpc = vpcs.from === vpcs.to;
  const back = routeFor(to, from, network).choice;
  const peering =
    back?.kind === "route" && back.route.target.startsWith("pcx-")
      ? back.route.target
      : `<pcx-… between ${vpcs.from} and ${vpcs.to}>`;
  const create = `aws ec2 create-route --route-table-id ${table.id} --destination-cidr-block ${to.subnetCidr} --vpc-peering-connection-id ${peering}`;
  if (choice.kind === "none") {
    return sameVpc
      ? hop("unknown", `${table.id} has no local route for ${to.subnetCidr} in what EC2 returned`)
      : hop("broken", `${table.id} has no route to ${to.subnetCidr} (${to.name})`, create);
  }
  const { route } = choice;
  const dest = choice.entry
    ? `${choice.entry} (prefix list ${route.destination})`
    : route.destination;
  const flag = route.prefixList ? "--destination-prefix-list-id" : "--destination-cidr-block";
  if (route.state === "blackhole") {
    const restore = choice.local
      ? `aws ec2 replace-route --route-table-id ${table.id} --destination-cidr-block ${route.destination} --local-target`
      : `aws ec2 delete-route --route-table-id ${table.id} ${flag} ${route.destination}`;
    return hop(
      "broken",
      `${table.id} sends ${dest} to ${route.target}, which is gone (blackhole)`,
      sameVpc ? restore : create,
    );
  }
  if (sameVpc) {
    if (choice.local && route.target === "local") {
      return hop("ok", `both in ${vpcs.from}: ${table.id} sends ${dest} by the local route`);
    }
    const how = choice.local
      ? `the local route of ${table.id} (${dest}) has its target replaced by ${route.target}`
      : `${table.id} sends ${dest} to ${route.target}, a route more specific than the local route`;
    return {
      ...hop(
        "unknown",
        `${how}: the traffic passes through that appliance, whose own rules are not read`,
      ),
      appliance: route.target,
    };
  }
  if (route.target.startsWith("pcx-")) {
    return hop("ok", `${table.id} sends ${dest} to ${route.target}`);
  }
  // Where a transit gateway sends it next is in its own route tables, which the bot does not
  // read: the hop is unknown, never ✔.
  if (route.target.startsWith("tgw-")) {
    return hop(
      "unknown",
      `${table.id} sends ${dest} to transit gateway ${route.target}: the transit gateway's route tables are not read, so whether it carries the traffic to ${to.name} is unknown`,
    );
  }
  const gateway = GATEWAYS.find(([prefix]) => route.target.startsWith(prefix))?.[1];
  if (replies && gateway) {
    return hop(
      "broken",
      `${table.id} sends ${dest} to ${route.target}: the replies to ${to.name} in ${vpcs.to} leave through ${gateway}, not the peering connection, so they never arrive as ${from.name}'s answer`,
      create,
    );
  }
  return hop(
    "unknown",
    `${table.id} sends ${dest} to ${route.target}: the path leaves the VPC and is not checked`,
  );
}

/** Both directions of a pair in one VPC as one link: the worse of the two, or both ok. */
export function sameVpcRoute(there: RouteHop, back: RouteHop, vpc: string): WhyCheck {
  const rank: Record<CheckStatus, number> = { broken: 0, unknown: 1, note: 2, ok: 3 };
  const worse = rank[back.check.status] < rank[there.check.status] ? back : there;
  if (worse.check.status === "ok") {
    const tables = [there.table, back.table];
    return {
      layer: "path",
      link: "route",
      status: "ok",
      detail: `both in ${vpc}: the local route of ${[...new Set(tables)].join(" and ")} carries it both ways`,
    };
  }
  const which = worse.check.link.replace(/^route /, "");
  return { ...worse.check, link: "route", detail: `${which}: ${worse.check.detail}` };
}

// Both ends of the path as the network checks see them: one end per subnet, each with its
// address, groups, ACL and the ephemeral ports its replies come back to.

import type { HealthReport } from "../health.ts";
import type { Known } from "../known.ts";
import type { NetworkAcl } from "../network-path/acls.ts";
import { inCidr } from "../network-path/cidr.ts";
import { EPHEMERAL, ephemeralFor, osOfPlatformFamily } from "../network-path/ports.ts";
import type { Subnet } from "../network-path/routes.ts";
import type { SecurityGroup } from "../network-path/security-groups.ts";
import type { PathEnd } from "../network-path.ts";
import { type NetworkFacts, shortName, type WhyClient } from "./client.ts";

/** A subnet's CIDR, or the address itself when the subnet is not among those read. */
function subnetOf(subnets: Subnet[], id: string | undefined, ip?: string): Subnet | undefined {
  return (
    subnets.find((s) => s.id === id) ?? (ip ? subnets.find((s) => inCidr(ip, s.cidr)) : undefined)
  );
}

export function endOf(
  name: string,
  address: string,
  subnet: Subnet,
  groupIds: string[],
  network: NetworkFacts,
  ephemeral: PathEnd["ephemeral"],
): PathEnd {
  const groups: Known<SecurityGroup[]> = network.groups.known
    ? { known: true, value: network.groups.value.filter((g) => groupIds.includes(g.id)) }
    : network.groups;
  const acl: Known<NetworkAcl> = !network.acls.known
    ? network.acls
    : network.acls.value.has(subnet.id)
      ? { known: true, value: network.acls.value.get(subnet.id) as NetworkAcl }
      : {
          known: false,
          why: `no network ACL is associated with ${subnet.id} in what EC2 returned`,
        };
  return {
    name,
    ip: address,
    securityGroupIds: groupIds,
    groups,
    subnetId: subnet.id,
    subnetCidr: subnet.cidr,
    acl,
    ephemeral,
  };
}

/** One end per subnet: the client's tasks (or, unread, its subnets: any address in them). */
export function clientEnds(client: WhyClient, subnets: Subnet[], network: NetworkFacts): PathEnd[] {
  if (client.kind === "lambda") {
    const vpc = client.fn.known ? client.fn.value.vpc : undefined;
    if (!vpc) return [];
    return vpc.subnetIds.flatMap((id) => {
      const s = subnetOf(subnets, id);
      // A Lambda's ENIs take any address of its subnets: the whole CIDR must be let through.
      return s
        ? [endOf(shortName(client), s.cidr, s, vpc.securityGroupIds, network, EPHEMERAL.lambda)]
        : [];
    });
  }
  const groups = client.ecs?.securityGroupIds ?? [];
  const bySubnet = new Map<string, PathEnd>();
  const tasks = client.tasks.known ? client.tasks.value : [];
  // The task definition's runtimePlatform first; a Fargate task also says its platformFamily.
  const ports = ephemeralFor(
    client.operatingSystemFamily ??
      osOfPlatformFamily(tasks.find((t) => t.platformFamily)?.platformFamily),
  );
  for (const task of tasks) {
    const s = subnetOf(subnets, task.subnetId, task.ip);
    if (!s || !task.ip || bySubnet.has(s.id)) continue;
    bySubnet.set(s.id, endOf(client.service, task.ip, s, groups, network, ports));
  }
  if (bySubnet.size === 0) {
    for (const id of client.ecs?.subnetIds ?? []) {
      const s = subnetOf(subnets, id);
      if (s) bySubnet.set(s.id, endOf(client.service, s.cidr, s, groups, network, ports));
    }
  }
  return [...bySubnet.values()];
}

export function serverEnds(
  report: HealthReport,
  subnets: Subnet[],
  network: NetworkFacts,
): PathEnd[] {
  const pub = report.resolution.publisher;
  const name = pub.service;
  const groups = pub.ecs?.securityGroups ?? [];
  const own = subnets.filter((s) => pub.ecs?.subnets.includes(s.id));
  const bySubnet = new Map<string, PathEnd>();
  // A healthy endpoint speaks for its subnet: it is where traffic should go.
  const live = report.resolution.endpoints
    .filter((e) => e.ip && e.state !== "stale" && e.state !== "unknown")
    .sort((a, b) => Number(b.state === "healthy") - Number(a.state === "healthy"));
  for (const e of live) {
    const s = subnetOf(own.length > 0 ? own : subnets, undefined, e.ip);
    if (!s || !e.ip || bySubnet.has(s.id)) continue;
    bySubnet.set(s.id, endOf(name, e.ip, s, groups, network, EPHEMERAL.linux));
  }
  if (bySubnet.size === 0) {
    for (const s of own)
      bySubnet.set(s.id, endOf(name, s.cidr, s, groups, network, EPHEMERAL.linux));
  }
  return [...bySubnet.values()];
}

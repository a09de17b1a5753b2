// Security groups: allow rules only, stateful, a group reference matches the ENIs that carry it.

import { inCidr } from "./cidr.ts";
import type { PathCheck, PathEnd } from "./hop.ts";
import { covers, isTcp, type PortRange } from "./ports.ts";

export interface SecurityGroupRule {
  /** "-1" (all), "tcp", "udp", "icmp" or a protocol number, as EC2 returns IpProtocol. */
  protocol: string;
  /** Absent for protocol "-1" (every port). */
  ports?: PortRange;
  /** IPv4 CIDRs the rule allows (source for ingress, destination for egress). */
  cidrs: string[];
  /** Security groups the rule allows (UserIdGroupPairs). */
  groupIds: string[];
  /** Managed prefix lists the rule allows: their CIDRs are not read, so they decide nothing. */
  prefixListIds?: string[];
  /**
   * Groups of a peered VPC the rule names whose peering is not `active` (stale once it is
   * deleted): they count as allowing nothing, and what such a rule still lets through is not
   * documented (VPC Peering Guide, peer security groups; API DescribeStaleSecurityGroups).
   */
  inactivePeerGroups?: { groupId: string; peering?: string; status: string }[];
}

export interface SecurityGroup {
  id: string;
  name?: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
}

/** One end of a connection as the network sees it: its private IP and its ENI's groups. */
export interface NetworkEnd {
  ip: string;
  securityGroupIds: string[];
}

/** The rule and group that allow TCP to `port` with `peer` on the other side, if any. */
export interface SgMatch {
  group: SecurityGroup;
  rule: SecurityGroupRule;
}

/**
 * Whether the security groups of one end allow a TCP connection to `port` with `peer` on the
 * other side: "ingress" at the server (peer = the client), "egress" at the client (peer = the
 * server). Undefined when no rule of any group allows it.
 */
export function securityGroupsAllow(
  groups: readonly SecurityGroup[],
  direction: "ingress" | "egress",
  peer: NetworkEnd,
  port: number,
): SgMatch | undefined {
  for (const group of groups) {
    for (const rule of group[direction]) {
      if (!isTcp(rule.protocol) || !covers(rule.ports, port)) continue;
      const byCidr = rule.cidrs.some((cidr) => inCidr(peer.ip, cidr));
      const byGroup = rule.groupIds.some((id) => peer.securityGroupIds.includes(id));
      if (byCidr || byGroup) return { group, rule };
    }
  }
  return undefined;
}

const groupNames = (ids: readonly string[], groups: readonly SecurityGroup[]) =>
  ids.map((id) => {
    const name = groups.find((g) => g.id === id)?.name;
    return name ? `${id} (${name})` : id;
  });

export function groupCheck(
  link: string,
  owner: PathEnd,
  direction: "ingress" | "egress",
  peer: PathEnd,
  port: number,
  appliance?: string,
): PathCheck {
  if (!owner.groups.known) {
    return {
      link,
      status: "unknown",
      detail: `${owner.name}'s security groups: ${owner.groups.why}`,
    };
  }
  // Behind an appliance a rule naming the other end's group does not let traffic through (VPC
  // Peering Guide, "Update your security groups to reference peer security groups"): CIDRs first.
  const byCidr = securityGroupsAllow(
    owner.groups.value,
    direction,
    { ip: peer.ip, securityGroupIds: [] },
    port,
  );
  const match = byCidr ?? securityGroupsAllow(owner.groups.value, direction, peer, port);
  const what = direction === "ingress" ? "from" : "to";
  if (match) {
    const by =
      match.rule.cidrs.find((c) => inCidr(peer.ip, c)) ??
      match.rule.groupIds.find((g) => peer.securityGroupIds.includes(g));
    const allows = `${groupNames([match.group.id], owner.groups.value).join("")} allows TCP ${port} ${what} ${by}`;
    if (!byCidr && appliance) {
      return {
        link,
        status: "unknown",
        detail: `${allows}, a security group reference, but the traffic passes through ${appliance}: a reference to the other end's group does not let traffic through an appliance`,
      };
    }
    return { link, status: "ok", detail: allows };
  }
  // A rule naming the peer's group across a peering that is not active: not counted, unknown.
  const inactive = owner.groups.value
    .flatMap((g) => g[direction])
    .filter((r) => isTcp(r.protocol) && covers(r.ports, port))
    .flatMap((r) => r.inactivePeerGroups ?? [])
    .find((p) => peer.securityGroupIds.includes(p.groupId));
  if (inactive) {
    return {
      link,
      status: "unknown",
      detail: `${groupNames(owner.securityGroupIds, owner.groups.value).join(", ")} names ${inactive.groupId} (${peer.name}) for TCP ${port} across ${inactive.peering ?? "a VPC peering connection"}, whose peering is ${inactive.status}, not active: a stale reference, not counted as allowing`,
    };
  }
  // A prefix list on that port may hold the peer: unread, so neither open nor closed.
  const lists = owner.groups.value
    .flatMap((g) => g[direction])
    .filter((r) => isTcp(r.protocol) && covers(r.ports, port))
    .flatMap((r) => r.prefixListIds ?? []);
  if (lists.length > 0) {
    return {
      link,
      status: "unknown",
      detail: `no rule of ${groupNames(owner.securityGroupIds, owner.groups.value).join(", ")} names ${peer.name} (${peer.ip}) for TCP ${port}, but prefix list ${[...new Set(lists)].join(", ")} may hold it (prefix lists are not read)`,
    };
  }
  const [mine] = owner.securityGroupIds;
  const [theirs] = peer.securityGroupIds;
  const fix =
    direction === "ingress"
      ? `aws ec2 authorize-security-group-ingress --group-id ${mine} --protocol tcp --port ${port} --source-group ${theirs}`
      : `aws ec2 authorize-security-group-egress --group-id ${mine} --ip-permissions 'IpProtocol=tcp,FromPort=${port},ToPort=${port},UserIdGroupPairs=[{GroupId=${theirs}}]'`;
  // What the groups do allow on that port: the engineer sees who is let in instead.
  const allowed = owner.groups.value
    .flatMap((g) => g[direction])
    .filter((r) => isTcp(r.protocol) && covers(r.ports, port))
    .flatMap((r) => [...r.groupIds, ...r.cidrs]);
  const only =
    allowed.length > 0
      ? `: it allows TCP ${port} only ${what} ${[...new Set(allowed)].join(", ")}`
      : "";
  return {
    link,
    status: "broken",
    detail: `no rule of ${groupNames(owner.securityGroupIds, owner.groups.value).join(", ")} allows TCP ${port} ${what} ${peer.name} (${peer.ip}, ${peer.securityGroupIds.join(", ")})${only}`,
    ...(mine && theirs ? { fix } : {}),
  };
}

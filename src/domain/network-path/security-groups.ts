// Security groups: allow rules only, stateful, a group reference matches the ENIs that carry it.

import { inCidr } from "./cidr.ts";
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

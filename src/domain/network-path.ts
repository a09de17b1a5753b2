// Whether the VPC lets a TCP connection through, from the rules alone (no packet is sent): the
// security groups of both ends and the network ACLs of both subnets. The rules as the Amazon VPC
// User Guide states them ("Security group rules", "Network ACL rules", "Ephemeral ports"):
// - A security group has allow rules only; an ENI's groups add up; no matching rule, no traffic.
//   It is stateful: the reply to an allowed connection passes whatever the other direction says.
//   A rule naming a group matches the private IPs of the ENIs that carry that group.
// - A network ACL is stateless: entries are evaluated from the lowest rule number up, the first
//   that matches decides, and the last entry ("*") denies. The reply goes back to the client's
//   ephemeral port, which each direction's ACLs must allow too.
// Ports are inclusive ranges; protocol "-1" is every protocol, TCP is "tcp" or "6".

export interface PortRange {
  from: number;
  to: number;
}

export interface SecurityGroupRule {
  /** "-1" (all), "tcp", "udp", "icmp" or a protocol number, as EC2 returns IpProtocol. */
  protocol: string;
  /** Absent for protocol "-1" (every port). */
  ports?: PortRange;
  /** IPv4 CIDRs the rule allows (source for ingress, destination for egress). */
  cidrs: string[];
  /** Security groups the rule allows (UserIdGroupPairs). */
  groupIds: string[];
}

export interface SecurityGroup {
  id: string;
  name?: string;
  ingress: SecurityGroupRule[];
  egress: SecurityGroupRule[];
}

export interface NaclEntry {
  ruleNumber: number;
  /** "-1" (all) or a protocol number ("6" is TCP), as EC2 returns it. */
  protocol: string;
  action: "allow" | "deny";
  /** IPv4 CIDR; an IPv6-only entry never matches an IPv4 packet. */
  cidr?: string;
  /** Absent when the entry covers every port. */
  ports?: PortRange;
}

export interface NetworkAcl {
  id: string;
  ingress: NaclEntry[];
  egress: NaclEntry[];
}

/** One end of a connection as the network sees it: its private IP and its ENI's groups. */
export interface NetworkEnd {
  ip: string;
  securityGroupIds: string[];
}

/** The ports a client's replies come back to: Linux (Fargate, EC2 tasks) and Lambda. */
export const EPHEMERAL = {
  linux: { from: 32768, to: 60999 },
  lambda: { from: 1024, to: 65535 },
} as const satisfies Record<string, PortRange>;

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** Whether an IPv4 address is inside an IPv4 CIDR (false for anything that is not IPv4). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base ?? "");
  const prefix = Number(bits);
  if (address === undefined || network === undefined) return false;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(network / size);
}

const isTcp = (protocol: string) => ["-1", "tcp", "6"].includes(protocol.toLowerCase());
const covers = (range: PortRange | undefined, port: number) =>
  range === undefined || (port >= range.from && port <= range.to);

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

/** A stretch of ports one ACL entry decided (the final "*" entry has no rule number). */
export interface NaclDecision {
  ports: PortRange;
  action: "allow" | "deny";
  ruleNumber?: number;
}

/**
 * How one direction of an ACL treats TCP packets to or from `peerIp` over `ports` (one port, or
 * the client's ephemeral range): the ports each entry decided, lowest rule number first, and
 * what the final "*" entry denies. `egress` packets leave the subnet, `ingress` ones enter it.
 */
export function naclDecisions(
  acl: NetworkAcl,
  direction: "ingress" | "egress",
  peerIp: string,
  ports: PortRange,
): NaclDecision[] {
  let open: PortRange[] = [ports];
  const decided: NaclDecision[] = [];
  const entries = [...acl[direction]].sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of entries) {
    if (open.length === 0) break;
    if (!isTcp(entry.protocol) || !entry.cidr || !inCidr(peerIp, entry.cidr)) continue;
    const span = entry.ports ?? { from: 0, to: 65535 };
    const next: PortRange[] = [];
    for (const range of open) {
      const from = Math.max(range.from, span.from);
      const to = Math.min(range.to, span.to);
      if (from > to) {
        next.push(range);
        continue;
      }
      decided.push({ ports: { from, to }, action: entry.action, ruleNumber: entry.ruleNumber });
      if (range.from < from) next.push({ from: range.from, to: from - 1 });
      if (to < range.to) next.push({ from: to + 1, to: range.to });
    }
    open = next;
  }
  // What no numbered entry decided, the last entry ("*") denies.
  for (const range of open) decided.push({ ports: range, action: "deny" });
  return decided.sort((a, b) => a.ports.from - b.ports.from);
}

/** The decisions that deny, or none when every port of the range passes. */
export function naclDenials(decisions: readonly NaclDecision[]): NaclDecision[] {
  return decisions.filter((d) => d.action === "deny");
}

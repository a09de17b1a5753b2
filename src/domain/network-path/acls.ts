// Network ACLs: stateless, numbered entries decide in order, the final "*" denies.

import { inCidr } from "./cidr.ts";
import { isTcp, type PortRange } from "./ports.ts";

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

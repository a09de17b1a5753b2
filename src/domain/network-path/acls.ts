// Network ACLs: stateless, numbered entries decide in order, the final "*" denies; replies go
// back to the client's ephemeral ports.

import { inCidr, overlaps } from "./cidr.ts";
import type { PathCheck, PathEnd } from "./hop.ts";
import { type EphemeralPorts, isTcp, osOfRange, type PortRange, rangeText } from "./ports.ts";

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

export function aclCheck(
  link: string,
  owner: PathEnd,
  direction: "ingress" | "egress",
  peer: PathEnd,
  ports: PortRange,
): PathCheck {
  if (!owner.acl.known) {
    return {
      link,
      status: "unknown",
      detail: `the network ACL of ${owner.subnetId}: ${owner.acl.why}`,
    };
  }
  const acl = owner.acl.value;
  // A peer that is a whole subnet (a Lambda's ENIs): an entry covering only part of it decides
  // for some of its addresses and not others, so the hop depends on the address: unknown.
  const partial = acl[direction]
    .filter(
      (e) =>
        isTcp(e.protocol) &&
        e.cidr !== undefined &&
        e.ruleNumber < 32767 &&
        overlaps(peer.ip, e.cidr) &&
        !inCidr(peer.ip, e.cidr) &&
        (e.ports ?? { from: 0, to: 65535 }).from <= ports.to &&
        (e.ports ?? { from: 0, to: 65535 }).to >= ports.from,
    )
    .sort((a, b) => a.ruleNumber - b.ruleNumber)[0];
  if (partial) {
    return {
      link,
      status: "unknown",
      detail: `${acl.id} rule ${partial.ruleNumber} (${partial.action} ${partial.cidr}) covers only part of ${peer.ip}: it depends on which address ${peer.name} has`,
    };
  }
  const denied = naclDenials(naclDecisions(acl, direction, peer.ip, ports));
  if (denied.length === 0) {
    return {
      link,
      status: "ok",
      detail: `${acl.id} allows TCP ${rangeText(ports)} ${direction === "ingress" ? "from" : "to"} ${peer.ip}`,
    };
  }
  const first = denied[0] as NaclDecision;
  const by = first.ruleNumber === undefined ? "the final * entry" : `rule ${first.ruleNumber}`;
  // A new entry must come before the one that denies: below its number, or anywhere before "*".
  const numbers = new Set(acl[direction].map((e) => e.ruleNumber));
  let free = (first.ruleNumber ?? 32767) - 1;
  while (free > 0 && numbers.has(free)) free--;
  const fix =
    free > 0
      ? `aws ec2 create-network-acl-entry --network-acl-id ${acl.id} --${direction} --rule-number ${free} --protocol tcp --port-range From=${ports.from},To=${ports.to} --cidr-block ${peer.fixCidr ?? peer.subnetCidr} --rule-action allow`
      : undefined;
  return {
    link,
    status: "broken",
    detail: `${acl.id} denies TCP ${denied.map((d) => rangeText(d.ports)).join(", ")} ${direction === "ingress" ? "from" : "to"} ${peer.ip} (${by})`,
    ...(fix ? { fix } : {}),
  };
}

/**
 * An ACL's reply leg when the client may use one of several ephemeral ranges (its OS unknown):
 * open or closed only if every range agrees (judged over all of them, one fix covering them);
 * otherwise it depends on the OS: unknown.
 */
export function replyAclCheck(
  link: string,
  owner: PathEnd,
  direction: "ingress" | "egress",
  peer: PathEnd,
  ports: EphemeralPorts,
  client: string,
): PathCheck {
  const ranges: readonly PortRange[] = "from" in ports ? [ports] : ports;
  const whole = {
    from: Math.min(...ranges.map((r) => r.from)),
    to: Math.max(...ranges.map((r) => r.to)),
  };
  if (ranges.length < 2) return aclCheck(link, owner, direction, peer, whole);
  const each = ranges.map((r) => ({ r, check: aclCheck(link, owner, direction, peer, r) }));
  const open = each.filter((e) => e.check.status === "ok");
  const shut = each.filter((e) => e.check.status === "broken");
  if (open.length > 0 && shut.length > 0) {
    const name = (r: PortRange) => `${rangeText(r)}${osOfRange(r) ? ` (${osOfRange(r)})` : ""}`;
    return {
      link,
      status: "unknown",
      detail: `${shut.map((e) => e.check.detail).join("; ")}, but it passes ${open.map((e) => name(e.r)).join(", ")}: the ports ${client}'s replies come back to depend on its OS, and its task definition's runtimePlatform does not say which`,
    };
  }
  return aclCheck(link, owner, direction, peer, whole);
}

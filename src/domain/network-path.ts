// Whether the VPC lets a TCP connection through, from the rules alone (no packet is sent): each
// hop a connection meets, in order, and why it lets it through or not (with the command that
// would open it). The rules: src/domain/README.md ("How a path is checked"), ./network-path/.

import type { Known } from "./known.ts";
import {
  type NaclDecision,
  type NetworkAcl,
  naclDecisions,
  naclDenials,
} from "./network-path/acls.ts";
import { inCidr, overlaps } from "./network-path/cidr.ts";
import {
  covers,
  type EphemeralPorts,
  isTcp,
  osOfRange,
  type PortRange,
  rangeText,
} from "./network-path/ports.ts";
import { type SecurityGroup, securityGroupsAllow } from "./network-path/security-groups.ts";

/** One end of a connection with what the path checks need about it. */
export interface PathEnd {
  /** How the engineer named it: "web-frontend", "api.internal.local". */
  name: string;
  ip: string;
  securityGroupIds: string[];
  /** The ENI's security groups, as described. */
  groups: Known<SecurityGroup[]>;
  subnetId: string;
  /** The subnet's IPv4 CIDR. */
  subnetCidr: string;
  /**
   * What an ACL fix names for this end as a peer, when it sits in several subnets (one CIDR
   * covering them all: one entry, one rule number); default its subnet's CIDR.
   */
  fixCidr?: string;
  /** The network ACL of its subnet. */
  acl: Known<NetworkAcl>;
  /** The ports replies come back to (a client's): each range it may use when its OS is unknown. */
  ephemeral: EphemeralPorts;
}

export interface PathCheck {
  /** Which hop, in the order a connection meets them. */
  link: string;
  status: "ok" | "broken" | "unknown";
  /** What decided it, or what could not be read and why. */
  detail: string;
  /** The command that would open it (for the engineer to read and run; the bot never does). */
  fix?: string;
}

const groupNames = (ids: readonly string[], groups: readonly SecurityGroup[]) =>
  ids.map((id) => {
    const name = groups.find((g) => g.id === id)?.name;
    return name ? `${id} (${name})` : id;
  });

function groupCheck(
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

function aclCheck(
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
function replyAclCheck(
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

/**
 * The hops a TCP connection from `client` to `server` on `port` meets, in order, and whether
 * each lets it through: the client's security groups out, its subnet's ACL out, the server
 * subnet's ACL in, the server's security groups in, and the replies through both ACLs (security
 * groups are stateful, ACLs are not). Two ENIs of one subnet meet no ACL. Through an `appliance`
 * (a route more specific than the local one), a security group reference lets nothing through.
 */
export function pathChecks(
  client: PathEnd,
  server: PathEnd,
  port: number,
  appliance?: string,
): PathCheck[] {
  const sameSubnet = client.subnetId === server.subnetId;
  const service = { from: port, to: port };
  const acls: PathCheck[] = sameSubnet
    ? [
        {
          link: "network ACLs",
          status: "ok",
          detail: `both in ${client.subnetId}: no network ACL between them`,
        },
      ]
    : [
        aclCheck(`${client.subnetId} out`, client, "egress", server, service),
        aclCheck(`${server.subnetId} in`, server, "ingress", client, service),
        replyAclCheck(
          `${server.subnetId} out (replies)`,
          server,
          "egress",
          client,
          client.ephemeral,
          client.name,
        ),
        replyAclCheck(
          `${client.subnetId} in (replies)`,
          client,
          "ingress",
          server,
          client.ephemeral,
          client.name,
        ),
      ];
  return [
    groupCheck(`${client.name} security groups out`, client, "egress", server, port, appliance),
    ...acls.slice(0, sameSubnet ? 1 : 2),
    groupCheck(`${server.name} security groups in`, server, "ingress", client, port, appliance),
    ...(sameSubnet ? [] : acls.slice(2)),
  ];
}

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

/**
 * The ports a client's replies come back to, by what picks them (VPC User Guide, "Ephemeral
 * ports"): Linux's own default (ip_local_port_range 32768-60999; AWS says 32768-61000 for "many
 * Linux kernels"), Windows Server 2008 and later, and Lambda (NAT gateways and ELB too). An ECS
 * task's OS is its task definition's runtimePlatform; without one it is not known (see
 * `ephemeralFor`).
 */
export const EPHEMERAL = {
  linux: { from: 32768, to: 60999 },
  windows: { from: 49152, to: 65535 },
  lambda: { from: 1024, to: 65535 },
} as const satisfies Record<string, PortRange>;

/** The client's ephemeral ports: one range when its OS is known, else each range it may use. */
export type EphemeralPorts = PortRange | readonly PortRange[];

/**
 * An ECS task's ephemeral ports from its task definition's runtimePlatform.operatingSystemFamily
 * ("LINUX" or "WINDOWS_SERVER_…"): absent, it may be either, and an ACL must pass both.
 */
export function ephemeralFor(operatingSystemFamily: string | undefined): EphemeralPorts {
  if (operatingSystemFamily === "LINUX") return EPHEMERAL.linux;
  if (operatingSystemFamily?.startsWith("WINDOWS")) return EPHEMERAL.windows;
  return [EPHEMERAL.linux, EPHEMERAL.windows];
}

const OS_OF_RANGE: [PortRange, string][] = [
  [EPHEMERAL.linux, "Linux"],
  [EPHEMERAL.windows, "Windows"],
  [EPHEMERAL.lambda, "Lambda"],
];
const osOfRange = (r: PortRange) =>
  OS_OF_RANGE.find(([k]) => k.from === r.from && k.to === r.to)?.[1];

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

function parseCidr(cidr: string): { first: number; last: number } | undefined {
  const [base, bits] = cidr.split("/");
  const network = ipv4ToNumber(base ?? "");
  const prefix = bits === undefined ? 32 : Number(bits);
  if (network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(network / size) * size;
  return { first, last: first + size - 1 };
}

/** Whether two IPv4 CIDRs (or addresses) share any address. */
export function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}

/** The smallest IPv4 CIDR that holds all of these (one ACL entry for several subnets). */
export function coveringCidr(cidrs: readonly string[]): string | undefined {
  const ranges = cidrs.map(parseCidr);
  if (ranges.length === 0 || ranges.some((r) => r === undefined)) return undefined;
  const first = Math.min(...ranges.map((r) => r?.first ?? 0));
  const last = Math.max(...ranges.map((r) => r?.last ?? 0));
  let prefix = 32;
  while (
    prefix > 0 &&
    Math.floor(first / 2 ** (32 - prefix)) !== Math.floor(last / 2 ** (32 - prefix))
  )
    prefix--;
  const base = Math.floor(first / 2 ** (32 - prefix)) * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/**
 * Whether an IPv4 address is inside an IPv4 CIDR (false for anything that is not IPv4). Given a
 * CIDR instead of an address (a Lambda's ENIs may take any address of their subnet), whether
 * all of it is inside: a rule covering only part of a subnet is not counted as letting it through.
 */
export function inCidr(ip: string, cidr: string): boolean {
  const inner = parseCidr(ip);
  const outer = parseCidr(cidr);
  if (!inner || !outer || (!ip.includes("/") && ip.split(".").length !== 4)) return false;
  return inner.first >= outer.first && inner.last <= outer.last;
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

/** Something read from AWS, or why it could not be: unknown is never taken for open or closed. */
export type Known<T> = { known: true; value: T } | { known: false; why: string };

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

const range = (r: PortRange) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
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
      detail: `${acl.id} allows TCP ${range(ports)} ${direction === "ingress" ? "from" : "to"} ${peer.ip}`,
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
    detail: `${acl.id} denies TCP ${denied.map((d) => range(d.ports)).join(", ")} ${direction === "ingress" ? "from" : "to"} ${peer.ip} (${by})`,
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
    const name = (r: PortRange) => `${range(r)}${osOfRange(r) ? ` (${osOfRange(r)})` : ""}`;
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

/** The two VPC attributes the Amazon-provided DNS server depends on. */
export interface VpcDns {
  vpcId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
}

/** A Lambda function as a client: attached to a VPC (its ENIs in these subnets) or not. */
export interface LambdaFunction {
  name: string;
  arn?: string;
  vpc?: { vpcId: string; subnetIds: string[]; securityGroupIds: string[] };
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

// `/ecs why CLIENT <balancer or a service behind one>`: the path through a load balancer, link by
// link: the client to the balancer (its scheme, the client's egress, the balancer's security
// groups on the listener port, the ACLs), the balancer to the targets (who the targets must admit:
// the balancer's group, its subnets, or the client itself), then the app (target health). The
// security-group and ACL hops are network-path.ts's own; the rules and sources: ./README.md.

import type { Known } from "../known.ts";
import type { NetworkAcl } from "../network-path/acls.ts";
import { coveringCidr, inCidr } from "../network-path/cidr.ts";
import { EPHEMERAL } from "../network-path/ports.ts";
import type { Subnet } from "../network-path/routes.ts";
import { securityGroupsAllow } from "../network-path/security-groups.ts";
import { type PathCheck, type PathEnd, pathChecks } from "../network-path.ts";
import { mergeAclHops } from "../why/acl-lines.ts";
import type { WhyCheck } from "../why/check.ts";
import { type NetworkFacts, shortName, type WhyClient } from "../why/client.ts";
import { mergeByLink } from "../why/path.ts";
import { clientEnds, endOf } from "../why/path-ends.ts";
import type { JudgedGroup } from "./target-health.ts";
import type { Listener, LoadBalancer, TargetGroup } from "./types.ts";

export const REACH_SOURCES = {
  scheme:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-internal-load-balancers.html",
  albGroups:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
  nlbGroups:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html",
  clientIp:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation",
  nlbTargets:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-troubleshooting.html",
} as const;

/** Where the client stands, as the path sees it. */
export type ReachClient =
  /** An ECS task or service, or a Lambda attached to a VPC: its ends (why/path-ends clientEnds). */
  | { kind: "vpc"; name: string; vpcId?: string; ends: PathEnd[] }
  /** A Lambda function attached to no VPC: it reaches public addresses only. */
  | { kind: "lambda-outside-vpc"; name: string; functionName: string }
  /** Anyone on the internet. */
  | { kind: "internet"; name: string }
  /** Where it stands could not be read (its Lambda configuration, its ECS service). */
  | { kind: "unknown"; name: string; why: string };

/** A why's client as the path through a balancer sees it (its ends as why/path-ends makes them). */
export function reachClientOf(client: WhyClient, network: NetworkFacts): ReachClient {
  const name = shortName(client);
  const subnets = network.subnets.known ? network.subnets.value : [];
  if (client.kind === "lambda") {
    if (!client.fn.known) return { kind: "unknown", name, why: client.fn.why };
    const vpc = client.fn.value.vpc;
    if (!vpc) return { kind: "lambda-outside-vpc", name, functionName: client.name };
    return { kind: "vpc", name, vpcId: vpc.vpcId, ends: clientEnds(client, subnets, network) };
  }
  if (!client.ecs) {
    return {
      kind: "unknown",
      name,
      why: `${client.service}'s subnets could not be read (DescribeServices)`,
    };
  }
  const ends = clientEnds(client, subnets, network);
  const vpcId = subnets.find((s) => s.id === ends[0]?.subnetId)?.vpcId;
  return { kind: "vpc", name: client.service, ...(vpcId ? { vpcId } : {}), ends };
}

export interface BalancerReachInput {
  client: ReachClient;
  balancer: LoadBalancer;
  listener: Listener;
  targetGroup: TargetGroup;
  /** One end per balancer subnet (`balancerEnds`). */
  balancerEnds: PathEnd[];
  /** One end per target subnet (`targetEnds`). */
  targetEnds: PathEnd[];
  /** The port the targets receive on: the registered target's, else the target group's. */
  targetPort: number;
  /** The judged target group (target-health.ts): the app link. */
  targets?: JudgedGroup;
}

/** The balancer's nodes: one end per subnet, any address of it, ELB's ephemeral ports. */
export function balancerEnds(balancer: LoadBalancer, network: NetworkFacts): PathEnd[] {
  const subnets = network.subnets.known ? network.subnets.value : [];
  return covered(
    balancer.zones.flatMap(({ subnetId }) => {
      const s = subnets.find((x) => x.id === subnetId);
      return s
        ? [endOf(balancer.name, s.cidr, s, balancer.securityGroups, network, EPHEMERAL.lambda)]
        : [];
    }),
  );
}

/** One ACL entry or rule for every subnet of a side, not one per subnet (as why/path.ts does). */
function covered(ends: PathEnd[]): PathEnd[] {
  const cidr = coveringCidr(ends.map((e) => e.subnetCidr));
  return ends.map((e) => (cidr ? { ...e, fixCidr: cidr } : e));
}

/** The targets: one end per subnet they are in, with the tasks' security groups. */
export function targetEnds(
  name: string,
  ips: string[],
  securityGroupIds: string[],
  network: NetworkFacts,
): PathEnd[] {
  const subnets: Subnet[] = network.subnets.known ? network.subnets.value : [];
  const bySubnet = new Map<string, PathEnd>();
  for (const ip of ips) {
    const s = subnets.find((x) => inCidr(ip, x.cidr));
    if (s && !bySubnet.has(s.id))
      bySubnet.set(s.id, endOf(name, ip, s, securityGroupIds, network, EPHEMERAL.linux));
  }
  return covered([...bySubnet.values()]);
}

const OPEN_ACL: Known<NetworkAcl> = {
  known: true,
  value: {
    id: "the internet",
    ingress: [{ ruleNumber: 1, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
    egress: [{ ruleNumber: 1, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
  },
};

/** Clients on the internet as one end: every address. */
function internetEnd(name: string): PathEnd {
  return {
    name,
    ip: "0.0.0.0/0",
    securityGroupIds: [],
    groups: { known: true, value: [] },
    subnetId: "the internet",
    subnetCidr: "0.0.0.0/0",
    acl: OPEN_ACL,
    ephemeral: [EPHEMERAL.linux, EPHEMERAL.windows],
  };
}

const path = (leg: string, checks: PathCheck[]): WhyCheck[] =>
  checks.map((c) => ({ layer: "path", ...c, link: `${leg}: ${c.link}` }));

/** A broken ingress with no group to name (the peer has none): open it to the peer's CIDR. */
function byCidr(check: PathCheck, owner: PathEnd, peer: PathEnd, port: number): PathCheck {
  const [mine] = owner.securityGroupIds;
  if (check.status !== "broken" || check.fix || !mine) return check;
  const cidr = peer.fixCidr ?? peer.subnetCidr;
  return {
    ...check,
    fix: `aws ec2 authorize-security-group-ingress --group-id ${mine} --protocol tcp --port ${port} --cidr ${cidr}`,
  };
}

function schemeCheck(input: BalancerReachInput): WhyCheck {
  const { client, balancer: lb } = input;
  const link = `${lb.name} scheme`;
  const base = { layer: "path" as const, link };
  if (lb.scheme === "internet-facing") {
    return { ...base, status: "ok", detail: `${lb.name} is internet-facing: public addresses` };
  }
  if (client.kind === "internet") {
    return {
      ...base,
      status: "broken",
      detail: `${lb.name} is internal: its nodes have only private addresses, reachable only from its VPC (${lb.vpcId}) and networks routed to it, never from the internet (${REACH_SOURCES.scheme})`,
      remedy: {
        advice: `Reach it from inside ${lb.vpcId} (or a network routed to it), or put an internet-facing balancer in front`,
        resources: [lb.name],
      },
    };
  }
  if (client.kind === "unknown") {
    return { ...base, status: "unknown", detail: `where ${client.name} stands: ${client.why}` };
  }
  if (client.kind === "lambda-outside-vpc") {
    return {
      ...base,
      status: "broken",
      detail: `Lambda ${client.functionName} is not attached to a VPC: it reaches only public addresses, and ${lb.name} is internal (private addresses only, ${REACH_SOURCES.scheme})`,
      remedy: {
        advice: `Attach Lambda ${client.functionName} to subnets that reach ${lb.vpcId} (its VPC configuration), then its security groups and ACLs are checked`,
        resources: [`lambda:${client.functionName}`],
      },
    };
  }
  if (!client.vpcId) {
    return {
      ...base,
      status: "unknown",
      detail: `whether ${client.name} is in ${lb.vpcId}, where internal ${lb.name} is reachable, could not be told: its subnets were not read`,
    };
  }
  if (client.vpcId !== lb.vpcId) {
    return {
      ...base,
      status: "unknown",
      detail: `${lb.name} is internal to ${lb.vpcId} and ${client.name} is in ${client.vpcId}: only a peering or transit gateway route carries it, and that is not checked on this path`,
    };
  }
  return {
    ...base,
    status: "ok",
    detail: `${lb.name} is internal to ${lb.vpcId}, where ${client.name} is`,
  };
}

/** The client's leg: its egress, the ACLs, the balancer's groups on the listener port. */
function clientLeg(input: BalancerReachInput): WhyCheck[] {
  const { client, balancer: lb, listener } = input;
  const leg = `${client.name} → ${lb.name}`;
  const noGroups = lb.securityGroups.length === 0;
  const inLink = `${lb.name} security groups in`;
  const open: PathCheck = {
    link: inLink,
    status: "ok",
    detail: `${lb.name} has no security groups: every client reaches its listeners (${REACH_SOURCES.nlbGroups})`,
  };
  if (client.kind !== "vpc" || lb.scheme === "internet-facing") {
    // From outside, or to public addresses: the client arrives from an address the bot does not
    // read (its NAT's), so only a rule open to every address is known to admit it.
    if (noGroups) return path(leg, [open]);
    const [end] = input.balancerEnds;
    if (!end?.groups.known) {
      return path(leg, [
        {
          link: inLink,
          status: "unknown",
          detail: `${lb.name}'s security groups: ${end ? (end.groups as { why: string }).why : "its subnets were not read"}`,
        },
      ]);
    }
    const everyone = securityGroupsAllow(
      end.groups.value,
      "ingress",
      { ip: "0.0.0.0/0", securityGroupIds: [] },
      listener.port,
    );
    return path(leg, [
      everyone
        ? {
            link: inLink,
            status: "ok",
            detail: `${everyone.group.id} allows TCP ${listener.port} from 0.0.0.0/0`,
          }
        : {
            link: inLink,
            status: "unknown",
            detail: `${lb.securityGroups.join(", ")} do not allow TCP ${listener.port} from every address, and the address ${client.name} arrives from (its NAT's, public) is not read`,
          },
    ]);
  }
  const checks = client.ends.flatMap((c) =>
    input.balancerEnds.flatMap((b) =>
      pathChecks(c, b, listener.port).map((h) => (noGroups && h.link === inLink ? open : h)),
    ),
  );
  return mergeByLink(path(leg, mergeAclHops(checks)));
}

/** Which hops of a connection are the server's: its ACL in, its groups in, its replies out. */
const serverSide = (checks: PathCheck[], server: PathEnd) =>
  checks.filter((c) =>
    [
      `${server.subnetId} in`,
      `${server.name} security groups in`,
      `${server.subnetId} out (replies)`,
    ].includes(c.link),
  );

/** Who the targets must admit, when the balancer is an NLB without security groups. */
function nlbTargetHops(input: BalancerReachInput, preserve: boolean, t: PathEnd): PathCheck[] {
  const port = input.targetPort;
  if (!preserve) {
    // Client IP preservation off: traffic comes from the balancer's private addresses.
    return input.balancerEnds.flatMap((b) =>
      pathChecks(b, t, port)
        .filter((c) => c.link !== `${b.name} security groups out`)
        .map((c) => (c.link === `${t.name} security groups in` ? byCidr(c, t, b, port) : c)),
    );
  }
  // On: the targets see the client's own address; a reference to its group passes no balancer.
  const clients =
    input.client.kind === "vpc" ? input.client.ends : [internetEnd(input.client.name)];
  return clients.flatMap((c) =>
    serverSide(pathChecks({ ...c, securityGroupIds: [] }, t, port), t).map((h) =>
      h.link === `${t.name} security groups in` ? byCidr(h, t, c, port) : h,
    ),
  );
}

/** Both answers when whether the NLB preserves client IPs was not read: agreeing, or unknown. */
function eitherWay(on: WhyCheck[], off: WhyCheck[]): WhyCheck[] {
  const unread = (o: WhyCheck, onDetail: string, offDetail: string): WhyCheck => ({
    ...o,
    status: "unknown",
    fix: undefined,
    detail: `whether the target group preserves client IPs (preserve_client_ip.enabled) was not read: with it on, ${onDetail}; off, ${offDetail} (${REACH_SOURCES.clientIp})`,
  });
  const both = off.map((o) => {
    const p = on.find((x) => x.link === o.link);
    if (!p || p.status === o.status) return o;
    return unread(o, p.detail, o.detail);
  });
  // A hop that only one setting meets (a subnet pair's own ACL line) and does not let through.
  const onOnly = on
    .filter((p) => p.status !== "ok" && !off.some((o) => o.link === p.link))
    .map((p) => unread(p, p.detail, "that hop is not met"));
  return [...both, ...onOnly];
}

/** The balancer's leg: its egress, the ACLs, the targets' groups on the target port. */
function targetLeg(input: BalancerReachInput): WhyCheck[] {
  const { balancer: lb, targetGroup: tg, targetPort: port } = input;
  const leg = `${lb.name} → targets`;
  if (lb.type !== "network" || lb.securityGroups.length > 0) {
    // ALB, or NLB with groups: the targets admit the balancer's group (or its subnets' CIDRs).
    const hops = input.targetEnds.flatMap((t) =>
      input.balancerEnds.flatMap((b) => pathChecks(b, t, port)),
    );
    return mergeByLink(path(leg, mergeAclHops(hops)));
  }
  const preserve = tg.preserveClientIp;
  const judge = (on: boolean) =>
    mergeByLink(
      path(leg, mergeAclHops(input.targetEnds.flatMap((t) => nlbTargetHops(input, on, t)))),
    );
  if (preserve !== undefined) return judge(preserve);
  return eitherWay(judge(true), judge(false));
}

/** Health checks come from the balancer's nodes, on their own port when it is not the traffic's. */
function healthCheckLeg(input: BalancerReachInput): WhyCheck[] {
  const { balancer: lb, targetGroup: tg } = input;
  const hc = tg.healthCheck.port;
  const checkPort = hc && hc !== "traffic-port" ? Number(hc) : input.targetPort;
  const nlbPreserving =
    lb.type === "network" && lb.securityGroups.length === 0 && tg.preserveClientIp !== false;
  if (!tg.healthCheck.enabled || (checkPort === input.targetPort && !nlbPreserving)) return [];
  const hops = input.targetEnds.flatMap((t) =>
    input.balancerEnds.flatMap((b) =>
      pathChecks(b, t, checkPort)
        .filter((c) => c.link === `${t.name} security groups in`)
        .map((c) => byCidr(c, t, b, checkPort)),
    ),
  );
  return mergeByLink(path(`${lb.name} health checks → targets`, hops));
}

function appCheck(g: JudgedGroup | undefined): WhyCheck[] {
  if (!g) return [];
  const link = `targets of ${g.name}`;
  const base = { layer: "app" as const, link };
  const counts = `${g.healthy} of ${g.inService} targets healthy`;
  switch (g.level) {
    case "unknown":
      return [
        {
          ...base,
          status: "unknown",
          detail: `target health of ${g.name}: ${g.why ?? "not read"}`,
        },
      ];
    case "starting":
      return [
        {
          ...base,
          status: "unknown",
          detail: `none of ${g.inService} targets healthy yet: still in their first health checks (wait)`,
        },
      ];
    case "down": {
      const first = g.targets.find((t) => t.verdict === "unhealthy");
      return [
        {
          ...base,
          status: "broken",
          detail: `${counts}: ${first ? `${first.target} ${first.reason ?? ""}: ${first.what}` : "every target fails"}`,
          remedy: {
            advice: `${first?.next ?? "Read the targets' reasons"} (${first?.source ?? ""})`,
            resources: [g.name],
          },
        },
      ];
    }
    case "degraded":
      return [
        { ...base, status: "note", detail: `${counts}: the balancer routes to the healthy ones` },
      ];
    default:
      return [{ ...base, status: "ok", detail: counts }];
  }
}

/**
 * The chain through a balancer, in the order a request meets it: the scheme, the client's leg,
 * the balancer's leg (and its health checks), then the targets' health. A broken scheme ends the
 * path there: nothing behind it is reached.
 */
export function balancerReachChecks(input: BalancerReachInput): WhyCheck[] {
  const scheme = schemeCheck(input);
  if (scheme.status === "broken") return [scheme, ...appCheck(input.targets)];
  // An end whose subnets were not read has no hops to judge: unknown, never open.
  const unread = [
    ...(input.client.kind === "vpc" && input.client.ends.length === 0 ? [input.client.name] : []),
    ...(input.balancerEnds.length === 0 ? [input.balancer.name] : []),
    ...(input.targetEnds.length === 0 ? ["the targets"] : []),
  ];
  if (unread.length > 0) {
    const detail = `the subnets of ${unread.join(" and ")} were not among those EC2 described`;
    const link = `path through ${input.balancer.name}`;
    return [scheme, { layer: "path", link, status: "unknown", detail }, ...appCheck(input.targets)];
  }
  return [
    scheme,
    ...clientLeg(input),
    ...targetLeg(input),
    ...healthCheckLeg(input),
    ...appCheck(input.targets),
  ];
}

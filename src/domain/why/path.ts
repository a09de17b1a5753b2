// The path links: security groups, network ACLs and routes between every pair of subnets of
// both ends, merged into one line per link in the order a packet meets them; the ACLs of the
// pairs that agree in one line per direction (acl-lines.ts), a denied or unknown pair on its own.

import type { HealthReport } from "../health.ts";
import { coveringCidr } from "../network-path/cidr.ts";
import { type PathCheck, type PathEnd, pathChecks } from "../network-path.ts";
import { mergeAclHops } from "./acl-lines.ts";
import type { CheckStatus, WhyCheck } from "./check.ts";
import { dialledPort, type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { clientEnds, serverEnds } from "./path-ends.ts";
import { routeCheck, sameVpcRoute } from "./route.ts";

/**
 * The same link seen from several subnet pairs: broken if any pair breaks it (that pair's
 * detail), else unknown if any is unknown, else ok.
 */
export function mergeByLink(checks: WhyCheck[]): WhyCheck[] {
  const order: string[] = [];
  const byLink = new Map<string, WhyCheck>();
  const rank: Record<CheckStatus, number> = { broken: 0, unknown: 1, note: 2, ok: 3 };
  for (const check of checks) {
    const seen = byLink.get(check.link);
    if (!seen) {
      order.push(check.link);
      byLink.set(check.link, check);
    } else if (rank[check.status] < rank[seen.status]) {
      byLink.set(check.link, check);
    }
  }
  return order.map((link) => byLink.get(link) as WhyCheck);
}

const MAX_PAIRS = 16;

export function pathChecksOf(
  client: WhyClient,
  report: HealthReport,
  network: NetworkFacts,
): WhyCheck[] {
  const focus = report.resolution.bindings[0];
  const link = "network path";
  if (client.kind === "lambda") {
    if (!client.fn.known) {
      return [{ layer: "path", link, status: "unknown", detail: client.fn.why }];
    }
    if (!client.fn.value.vpc) {
      return [
        {
          layer: "path",
          link,
          status: "broken",
          detail: `Lambda ${client.name} is not attached to a VPC: it reaches only public addresses, and the tasks have private IPs`,
          remedy: {
            advice: `Opens with the name's fix: once Lambda ${client.name} is attached to a VPC that reaches the tasks, its security groups and ACLs are checked`,
            resources: [`lambda:${client.name}`],
          },
        },
      ];
    }
  }
  if (client.kind === "service" && !client.ecs) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail: `${client.service}'s security groups and subnets could not be read (DescribeServices)`,
      },
    ];
  }
  const port = dialledPort(focus);
  if (port === undefined) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail:
          focus?.listenPort === "ephemeral"
            ? "the Service Connect proxy listens on an ephemeral port (bridge mode): the rules are not checked"
            : "the port the target listens on could not be told",
      },
    ];
  }
  const bridge = (c: string) =>
    `${c} uses no awsvpc security groups (bridge or host networking): its container instances' groups apply, and they are not read`;
  if (client.kind === "service" && (client.ecs?.securityGroupIds.length ?? 0) === 0) {
    return [{ layer: "path", link, status: "unknown", detail: bridge(client.service) }];
  }
  if ((report.resolution.publisher.ecs?.securityGroups.length ?? 0) === 0) {
    const why = report.resolution.publisher.ecs
      ? bridge(report.resolution.publisher.service)
      : `${report.resolution.publisher.service}'s security groups could not be read`;
    return [{ layer: "path", link, status: "unknown", detail: why }];
  }
  if (!network.subnets.known) {
    const why = network.subnets.why;
    return [{ layer: "path", link, status: "unknown", detail: `the subnets of both ends: ${why}` }];
  }
  const subnets = network.subnets.value;
  const clients = clientEnds(client, subnets, network);
  const servers = serverEnds(report, subnets, network);
  if (clients.length === 0 || servers.length === 0) {
    return [
      {
        layer: "path",
        link,
        status: "unknown",
        detail: `the subnets of ${clients.length === 0 ? shortName(client) : report.resolution.publisher.service} were not among those EC2 described`,
      },
    ];
  }
  // One ACL entry covering every subnet of the other side, not one per subnet.
  const cover = (ends: PathEnd[]) => coveringCidr(ends.map((e) => e.subnetCidr));
  for (const end of clients) end.fixCidr = cover(clients);
  for (const end of servers) end.fixCidr = cover(servers);
  const ranked: { check: WhyCheck; rank: number }[] = [];
  let pairs = 0;
  for (const c of clients) {
    for (const s of servers) {
      if (++pairs > MAX_PAIRS) break;
      const cVpc = subnets.find((x) => x.id === c.subnetId)?.vpcId ?? "";
      const sVpc = subnets.find((x) => x.id === s.subnetId)?.vpcId ?? "";
      const there = routeCheck(c, s, { from: cVpc, to: sVpc }, network, false);
      const back = routeCheck(s, c, { from: sVpc, to: cVpc }, network, true);
      const hops: PathCheck[] = pathChecks(c, s, port, there.appliance ?? back.appliance);
      // The route comes after the client's own subnet and before the server's.
      const route: WhyCheck[] =
        cVpc === sVpc ? [sameVpcRoute(there, back, cVpc)] : [there.check, back.check];
      // The order a packet meets them, whatever the pair: groups out, ACL out, route, ACL in,
      // groups in, then the replies (one subnet: groups out, "no ACL", groups in).
      const order = hops.length === 3 ? [0, 1, 4] : [0, 1, 3, 4, 5, 6];
      hops.forEach((h, i) => {
        ranked.push({ check: { layer: "path", ...h }, rank: order[i] ?? 9 });
      });
      for (const r of route) ranked.push({ check: r, rank: 2 });
    }
  }
  const inOrder = ranked.sort((a, b) => a.rank - b.rank).map((r) => r.check);
  return mergeByLink(mergeAclHops(inOrder).map((c): WhyCheck => ({ layer: "path", ...c })));
}

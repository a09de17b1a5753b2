// Whether the VPC lets a TCP connection through, from the rules alone (no packet is sent): the
// security groups of both ends and the network ACLs of both subnets, in the order a connection
// meets them. The rules: src/domain/README.md ("How a path is checked"); each in ./network-path/.

import { aclCheck, replyAclCheck } from "./network-path/acls.ts";
import type { PathCheck, PathEnd } from "./network-path/hop.ts";
import { groupCheck } from "./network-path/security-groups.ts";

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

// EC2's view of both ends of /ecs why: subnets, security groups, ACLs, routes and, for a private
// DNS name, who answers DNS in the client's VPC. Each read may fail on its own (Known).
import type { Known } from "../../domain/known.ts";
import type { RouteTable, Subnet } from "../../domain/network-path/routes.ts";
import type { Resolution } from "../../domain/resolution.ts";
import type { VpcNameService } from "../../domain/vpc-dns.ts";
import type { NetworkFacts, WhyClient } from "../../domain/why/client.ts";

import { type AwsContext, type Gaps, known } from "./aws-context.ts";

function clientSubnets(client: WhyClient): string[] {
  if (client.kind === "lambda")
    return client.fn.known ? (client.fn.value.vpc?.subnetIds ?? []) : [];
  const fromTasks = client.tasks.known ? client.tasks.value.flatMap((t) => t.subnetId ?? []) : [];
  return [...(client.ecs?.subnetIds ?? []), ...fromTasks];
}

function clientGroups(client: WhyClient): string[] {
  if (client.kind === "lambda") {
    return client.fn.known ? (client.fn.value.vpc?.securityGroupIds ?? []) : [];
  }
  return client.ecs?.securityGroupIds ?? [];
}

/**
 * The entries of every prefix list the route tables name as a destination, each read on its own
 * (one refused list leaves only its routes unknown). None named: no call.
 */
async function readPrefixLists(
  ctx: AwsContext,
  gaps: Gaps,
  routes: Known<Map<string, RouteTable>> | undefined,
): Promise<Map<string, Known<string[]>> | undefined> {
  if (!routes?.known) return undefined;
  const ids = [
    ...new Set(
      [...routes.value.values()].flatMap((t) =>
        t.routes.flatMap((r) => (r.prefixList ? [r.destination] : [])),
      ),
    ),
  ];
  if (ids.length === 0) return undefined;
  const read = await Promise.all(
    ids.map((id) => known(gaps, `the entries of prefix list ${id}`, ctx.ec2.prefixListEntries(id))),
  );
  return new Map(ids.map((id, i) => [id, read[i] as Known<string[]>]));
}

/**
 * Who else answers DNS in the client's VPC: its DHCP options' servers, the Route 53 Resolver
 * rules and a Route 53 Profile, all read at once (each may fail on its own).
 */
async function readNameService(ctx: AwsContext, gaps: Gaps, vpc: string): Promise<VpcNameService> {
  const [dhcp, rules, profiles] = await Promise.all([
    known(gaps, `the DHCP options of ${vpc}`, ctx.ec2.vpcDhcp(vpc)),
    known(gaps, `the Route 53 Resolver rules of ${vpc}`, ctx.resolver.rulesOfVpc(vpc)),
    known(gaps, `the Route 53 Profile of ${vpc}`, ctx.profiles.profilesOfVpc(vpc)),
  ]);
  return { dhcp, rules, profiles };
}

/**
 * EC2's view of both ends, in three rounds at most: subnets, security groups and ACLs at once;
 * then, knowing the VPCs, the client VPC's DNS attributes and who else answers DNS there (a
 * private DNS name only) and the route tables (within one VPC too: a route more specific than the
 * local one passes an appliance); then the entries of the prefix lists those routes name, if any.
 */
export async function readNetwork(
  ctx: AwsContext,
  gaps: Gaps,
  client: WhyClient,
  /** The ECS service called; none for a balancer's targets that are no ECS service's tasks. */
  target: Resolution | undefined,
  /** A load balancer between them: its subnets and security groups, read with the rest. */
  between?: { subnetIds: string[]; groupIds: string[] },
  /** The client dials a private DNS name of its own (a Route 53 alias of a balancer). */
  privateName = false,
): Promise<NetworkFacts> {
  const pub = target?.publisher.ecs;
  const subnetIds = [
    ...new Set([...clientSubnets(client), ...(pub?.subnets ?? []), ...(between?.subnetIds ?? [])]),
  ];
  const groupIds = [
    ...new Set([
      ...clientGroups(client),
      ...(pub?.securityGroups ?? []),
      ...(between?.groupIds ?? []),
    ]),
  ];
  const [subnets, groups, acls] = await Promise.all([
    known(gaps, `the subnets ${subnetIds.join(", ")}`, ctx.ec2.subnets(subnetIds)),
    known(gaps, `the security groups ${groupIds.join(", ")}`, ctx.ec2.securityGroups(groupIds)),
    known(gaps, `the network ACLs of ${subnetIds.join(", ")}`, ctx.ec2.networkAcls(subnetIds)),
  ]);
  const network: NetworkFacts = { subnets, groups, acls };
  if (!subnets.known) return network;
  const vpcOf = (ids: string[]) => subnets.value.find((s) => ids.includes(s.id))?.vpcId;
  const clientVpc =
    client.kind === "lambda" && client.fn.known
      ? client.fn.value.vpc?.vpcId
      : vpcOf(clientSubnets(client));
  const serverVpc = vpcOf(pub?.subnets ?? []);
  const scope = target?.bindings[0]?.scope;
  const privateDns = privateName || (scope?.kind === "dns" && scope.privateZone);
  const ends = subnets.value.filter((s: Subnet) => s.vpcId === clientVpc || s.vpcId === serverVpc);
  const [dns, names, routes] = await Promise.all([
    privateDns && clientVpc
      ? known(gaps, `the DNS attributes of ${clientVpc}`, ctx.ec2.vpcDns(clientVpc))
      : undefined,
    privateDns && clientVpc ? readNameService(ctx, gaps, clientVpc) : undefined,
    clientVpc && serverVpc
      ? known(gaps, "the route tables of both ends", ctx.ec2.routeTables(ends))
      : undefined,
  ]);
  const prefixLists = await readPrefixLists(ctx, gaps, routes);
  return {
    ...network,
    clientVpcDns: dns,
    clientVpcNames: names,
    routes,
    ...(prefixLists ? { prefixLists } : {}),
  };
}

import type {
  EC2Client,
  IpPermission,
  NetworkAclEntry,
  NetworkAcl as SdkNetworkAcl,
  NetworkInterface as SdkNetworkInterface,
  RouteTable as SdkRouteTable,
  UserIdGroupPair,
} from "@aws-sdk/client-ec2";
import type { NetworkInterface } from "../domain/network-interface.ts";
import type { NaclEntry, NetworkAcl } from "../domain/network-path/acls.ts";
import type { RouteTable, Subnet } from "../domain/network-path/routes.ts";
import type { SecurityGroup, SecurityGroupRule } from "../domain/network-path/security-groups.ts";
import type { VpcDhcp, VpcDns } from "../domain/vpc-dns.ts";
import { chunk } from "./batch.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { AwsReadError, read } from "./errors.ts";

/** Values one EC2 filter takes (EC2 API reference: up to 200 per filter in a Describe call). */
const FILTER_VALUES_MAX = 200;

// Without MaxResults, EC2's Describe calls return every match in one response (EC2 API
// reference, "Pagination"): the bot asks for a handful of IDs, so one call each.

/**
 * A group of a peered VPC counts only while the peering is `active`; once it is deleted the rule
 * is stale (VPC Peering Guide, "Update your security groups to reference peer security groups";
 * API UserIdGroupPair: VpcPeeringConnectionId, PeeringStatus).
 */
const active = (pair: UserIdGroupPair) =>
  pair.VpcPeeringConnectionId === undefined || pair.PeeringStatus === "active";

function toRule(permission: IpPermission): SecurityGroupRule {
  const protocol = permission.IpProtocol ?? "-1";
  const pairs = permission.UserIdGroupPairs ?? [];
  const inactive = pairs.flatMap((p) =>
    p.GroupId && !active(p)
      ? [
          {
            groupId: p.GroupId,
            ...(p.VpcPeeringConnectionId ? { peering: p.VpcPeeringConnectionId } : {}),
            status: p.PeeringStatus ?? "unknown",
          },
        ]
      : [],
  );
  const ports =
    protocol === "-1" || permission.FromPort === undefined || permission.FromPort === -1
      ? undefined
      : { from: permission.FromPort, to: permission.ToPort ?? permission.FromPort };
  return {
    protocol,
    ports,
    cidrs: (permission.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
    groupIds: pairs.flatMap((p) => (p.GroupId && active(p) ? [p.GroupId] : [])),
    ...(inactive.length > 0 ? { inactivePeerGroups: inactive } : {}),
    prefixListIds: (permission.PrefixListIds ?? []).flatMap((p) =>
      p.PrefixListId ? [p.PrefixListId] : [],
    ),
  };
}

function toEntry(entry: NetworkAclEntry): NaclEntry {
  return {
    ruleNumber: entry.RuleNumber ?? 32767,
    protocol: entry.Protocol ?? "-1",
    action: entry.RuleAction === "allow" ? "allow" : "deny",
    cidr: entry.CidrBlock,
    ports:
      entry.PortRange?.From === undefined
        ? undefined
        : { from: entry.PortRange.From, to: entry.PortRange.To ?? entry.PortRange.From },
  };
}

function toAcl(acl: SdkNetworkAcl): NetworkAcl {
  const entries = acl.Entries ?? [];
  return {
    id: acl.NetworkAclId ?? "",
    ingress: entries.filter((e) => !e.Egress).map(toEntry),
    egress: entries.filter((e) => e.Egress).map(toEntry),
  };
}

function toRouteTable(table: SdkRouteTable): RouteTable {
  const associations = table.Associations ?? [];
  return {
    id: table.RouteTableId ?? "",
    vpcId: table.VpcId ?? "",
    main: associations.some((a) => a.Main),
    subnetIds: associations.flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
    routes: (table.Routes ?? []).flatMap((r) => {
      // A route's destination is a CIDR or a managed prefix list (API Route); IPv6 ones aside.
      const destination = r.DestinationCidrBlock ?? r.DestinationPrefixListId;
      if (!destination) return [];
      const target =
        r.GatewayId ??
        r.VpcPeeringConnectionId ??
        r.TransitGatewayId ??
        r.NatGatewayId ??
        r.NetworkInterfaceId ??
        r.InstanceId ??
        r.LocalGatewayId ??
        r.CoreNetworkArn ??
        "unknown";
      return [
        {
          destination,
          ...(r.DestinationCidrBlock ? {} : { prefixList: true }),
          target,
          state: r.State ?? "active",
          // The VPC's own route (origin CreateRouteTable), also once its target was replaced.
          ...(r.Origin === "CreateRouteTable" || r.GatewayId === "local" ? { local: true } : {}),
        },
      ];
    }),
  };
}

function toNetworkInterface(eni: SdkNetworkInterface): NetworkInterface {
  return {
    id: eni.NetworkInterfaceId ?? "",
    interfaceType: eni.InterfaceType,
    description: eni.Description || undefined,
    requesterId: eni.RequesterId,
    requesterManaged: eni.RequesterManaged === true,
    instanceId: eni.Attachment?.InstanceId,
    deviceIndex: eni.Attachment?.DeviceIndex,
    subnetId: eni.SubnetId,
    vpcId: eni.VpcId,
    availabilityZone: eni.AvailabilityZone,
    securityGroupIds: (eni.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    privateIps: (eni.PrivateIpAddresses ?? []).flatMap((a) =>
      a.PrivateIpAddress ? [a.PrivateIpAddress] : [],
    ),
    tags: Object.fromEntries(
      (eni.TagSet ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? ""]] : [])),
    ),
  };
}

/** The EC2 client and the SDK module its commands come from, loaded together on first use. */
export interface Ec2Sdk {
  client: EC2Client;
  sdk: typeof import("@aws-sdk/client-ec2");
}

const key = (ids: readonly string[]) => [...new Set(ids)].sort().join(",");

/** The VPC's rules and layout, as the domain's types (src/domain/network-path/ and src/domain/vpc-dns.ts). */
export class Ec2Adapter {
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    /** Loaded on first use: see ec2Client in clients.ts. */
    private readonly client: () => Promise<Ec2Sdk>,
    private readonly cache: TtlCache,
    private readonly region: string,
    /** The request's deadline (see AwsContext). */
    signal?: AbortSignal,
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /**
   * Starts loading EC2's SDK module, once per container, so that an answer sure to read EC2 later
   * (a balancer's security groups and targets) does not wait for the import then. A failure
   * shows at the read that needs the client.
   */
  prepare(): void {
    this.client().catch(() => undefined);
  }

  securityGroups(ids: readonly string[]): Promise<SecurityGroup[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.cache.getOrLoad(`ec2:${this.region}:sg:${key(ids)}`, TTL.networkRules, () =>
      read(`describe security groups ${key(ids)}`, "DescribeSecurityGroups", async () => {
        const { client, sdk } = await this.client();
        const out = await client.send(
          new sdk.DescribeSecurityGroupsCommand({ GroupIds: [...new Set(ids)] }),
          this.options,
        );
        return (out.SecurityGroups ?? []).map((g) => ({
          id: g.GroupId ?? "",
          name: g.GroupName,
          ingress: (g.IpPermissions ?? []).map(toRule),
          egress: (g.IpPermissionsEgress ?? []).map(toRule),
        }));
      }),
    );
  }

  /** The network ACL of each subnet (every subnet is associated with exactly one). */
  networkAcls(subnetIds: readonly string[]): Promise<Map<string, NetworkAcl>> {
    if (subnetIds.length === 0) return Promise.resolve(new Map());
    return this.cache.getOrLoad(`ec2:${this.region}:acl:${key(subnetIds)}`, TTL.networkRules, () =>
      read(`describe the network ACLs of ${key(subnetIds)}`, "DescribeNetworkAcls", async () => {
        const { client, sdk } = await this.client();
        const out = await client.send(
          new sdk.DescribeNetworkAclsCommand({
            Filters: [{ Name: "association.subnet-id", Values: [...new Set(subnetIds)] }],
          }),
          this.options,
        );
        const bySubnet = new Map<string, NetworkAcl>();
        for (const acl of out.NetworkAcls ?? []) {
          const mapped = toAcl(acl);
          for (const a of acl.Associations ?? []) {
            if (a.SubnetId) bySubnet.set(a.SubnetId, mapped);
          }
        }
        return bySubnet;
      }),
    );
  }

  subnets(ids: readonly string[]): Promise<Subnet[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.cache.getOrLoad(`ec2:${this.region}:subnets:${key(ids)}`, TTL.topology, () =>
      read(`describe subnets ${key(ids)}`, "DescribeSubnets", async () => {
        const { client, sdk } = await this.client();
        const out = await client.send(
          new sdk.DescribeSubnetsCommand({ SubnetIds: [...new Set(ids)] }),
          this.options,
        );
        return (out.Subnets ?? []).map((s) => ({
          id: s.SubnetId ?? "",
          vpcId: s.VpcId ?? "",
          cidr: s.CidrBlock ?? "",
          availabilityZone: s.AvailabilityZone,
        }));
      }),
    );
  }

  /**
   * The route table of each subnet: its explicitly associated one, else its VPC's main table
   * (VPC User Guide, "Subnet route tables"). Both read at once.
   */
  routeTables(subnets: readonly Subnet[]): Promise<Map<string, RouteTable>> {
    if (subnets.length === 0) return Promise.resolve(new Map());
    const ids = subnets.map((s) => s.id);
    const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
    return this.cache.getOrLoad(`ec2:${this.region}:rt:${key(ids)}`, TTL.networkRules, () =>
      read(`describe the route tables of ${key(ids)}`, "DescribeRouteTables", async () => {
        const { client, sdk } = await this.client();
        const describe = (filters: { Name: string; Values: string[] }[]) =>
          client.send(new sdk.DescribeRouteTablesCommand({ Filters: filters }), this.options);
        const [explicit, main] = await Promise.all([
          describe([{ Name: "association.subnet-id", Values: [...new Set(ids)] }]),
          describe([
            { Name: "vpc-id", Values: vpcs },
            { Name: "association.main", Values: ["true"] },
          ]),
        ]);
        const tables = [...(explicit.RouteTables ?? []), ...(main.RouteTables ?? [])].map(
          toRouteTable,
        );
        const bySubnet = new Map<string, RouteTable>();
        for (const subnet of subnets) {
          const table =
            tables.find((t) => t.subnetIds.includes(subnet.id)) ??
            tables.find((t) => t.main && t.vpcId === subnet.vpcId);
          if (table) bySubnet.set(subnet.id, table);
        }
        return bySubnet;
      }),
    );
  }

  /**
   * The CIDRs of a managed prefix list (a route's DestinationPrefixListId), every page of
   * GetManagedPrefixListEntries (at most 100 entries a page).
   */
  prefixListEntries(prefixListId: string): Promise<string[]> {
    return this.cache.getOrLoad(`ec2:${this.region}:pl:${prefixListId}`, TTL.networkRules, () =>
      read(
        `read the entries of prefix list ${prefixListId}`,
        "GetManagedPrefixListEntries",
        async () => {
          const { client, sdk } = await this.client();
          const cidrs: string[] = [];
          let NextToken: string | undefined;
          do {
            const out = await client.send(
              new sdk.GetManagedPrefixListEntriesCommand({
                PrefixListId: prefixListId,
                MaxResults: 100,
                NextToken,
              }),
              this.options,
            );
            cidrs.push(...(out.Entries ?? []).flatMap((e) => (e.Cidr ? [e.Cidr] : [])));
            NextToken = out.NextToken || undefined;
          } while (NextToken);
          return cidrs;
        },
      ),
    );
  }

  /**
   * The network interfaces that hold a private IPv4 address now: one call at any number of
   * interfaces. `private-ip-address` (primary and secondary addresses) is one of the filters the
   * API reference names for accounts with many interfaces, where an unpaginated call filtered
   * otherwise fails; paging instead would cost a request per page of the account's interfaces.
   * Managed resources hidden from the account's default view are asked for too: an interface
   * left out would read as "no interface". Never cached: an address changes hands when a task
   * stops.
   */
  networkInterfacesByIp(ip: string): Promise<NetworkInterface[]> {
    return this.networkInterfacesByIps([ip]);
  }

  /**
   * The interfaces holding any of these addresses: one call per 200 addresses (a filter's values
   * are OR'ed; 200 per filter is the bound EC2 documents for its Describe calls), all at once.
   */
  async networkInterfacesByIps(ips: readonly string[]): Promise<NetworkInterface[]> {
    const unique = [...new Set(ips)];
    const batches = chunk(unique, FILTER_VALUES_MAX);
    const answers = await Promise.all(
      batches.map((batch) =>
        read(
          `describe the network interfaces of ${batch.length === 1 ? batch[0] : `${batch.length} addresses`}`,
          "DescribeNetworkInterfaces",
          async () => {
            const { client, sdk } = await this.client();
            const out = await client.send(
              new sdk.DescribeNetworkInterfacesCommand({
                Filters: [{ Name: "private-ip-address", Values: batch }],
                IncludeManagedResources: true,
              }),
              this.options,
            );
            return (out.NetworkInterfaces ?? []).map(toNetworkInterface);
          },
        ),
      ),
    );
    return answers.flat();
  }

  /**
   * The DNS servers a VPC's DHCP options hand out, and its owner. DescribeDhcpOptions has no VPC
   * filter: every set of the region is read beside DescribeVpcs (a region holds few) rather than
   * after it, which would add a round trip to the answer.
   */
  async vpcDhcp(vpcId: string): Promise<VpcDhcp> {
    const [vpc, sets] = await Promise.all([this.vpc(vpcId), this.dhcpOptionSets()]);
    const id = vpc.dhcpOptionsId ?? "default";
    if (id !== "default" && !sets.has(id)) {
      throw new AwsReadError(
        `describe the DHCP options ${id} of ${vpcId}`,
        "DescribeDhcpOptions",
        "other",
        "NotInResponse",
      );
    }
    return {
      vpcId,
      ownerId: vpc.ownerId,
      dhcpOptionsId: id,
      domainNameServers: sets.get(id) ?? [],
    };
  }

  private vpc(vpcId: string): Promise<{ ownerId?: string; dhcpOptionsId?: string }> {
    return this.cache.getOrLoad(`ec2:${this.region}:vpc:${vpcId}`, TTL.networkRules, () =>
      read(`describe the VPC ${vpcId}`, "DescribeVpcs", async () => {
        const { client, sdk } = await this.client();
        const out = await client.send(
          new sdk.DescribeVpcsCommand({ VpcIds: [vpcId] }),
          this.options,
        );
        const vpc = out.Vpcs?.find((v) => v.VpcId === vpcId);
        return { ownerId: vpc?.OwnerId, dhcpOptionsId: vpc?.DhcpOptionsId };
      }),
    );
  }

  /** Each DHCP option set of the region: its `domain-name-servers` values. */
  private dhcpOptionSets(): Promise<Map<string, string[]>> {
    return this.cache.getOrLoad(`ec2:${this.region}:dhcp`, TTL.networkRules, () =>
      read("describe the DHCP option sets", "DescribeDhcpOptions", async () => {
        const { client, sdk } = await this.client();
        const out = await client.send(new sdk.DescribeDhcpOptionsCommand({}), this.options);
        return new Map(
          (out.DhcpOptions ?? []).map((set) => [
            set.DhcpOptionsId ?? "",
            (set.DhcpConfigurations ?? [])
              .filter((c) => c.Key === "domain-name-servers")
              .flatMap((c) => c.Values ?? [])
              // One value may list several servers ("10.0.0.53, 10.0.1.53").
              .flatMap((v) => (v.Value ?? "").split(","))
              .map((server) => server.trim())
              .filter(Boolean),
          ]),
        );
      }),
    );
  }

  /** enableDnsSupport and enableDnsHostnames: one attribute per DescribeVpcAttribute call. */
  vpcDns(vpcId: string): Promise<VpcDns> {
    return this.cache.getOrLoad(`ec2:${this.region}:dns:${vpcId}`, TTL.topology, () =>
      read(`describe the DNS attributes of ${vpcId}`, "DescribeVpcAttribute", async () => {
        const { client, sdk } = await this.client();
        const [support, hostnames] = await Promise.all(
          (["enableDnsSupport", "enableDnsHostnames"] as const).map((Attribute) =>
            client.send(
              new sdk.DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }),
              this.options,
            ),
          ),
        );
        return {
          vpcId,
          enableDnsSupport: support?.EnableDnsSupport?.Value === true,
          enableDnsHostnames: hostnames?.EnableDnsHostnames?.Value === true,
        };
      }),
    );
  }
}

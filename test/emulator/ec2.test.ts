import {
  DescribeDhcpOptionsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
} from "@aws-sdk/client-ec2";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import type {
  Fleet,
  FleetLambdaFunction,
  FleetManagedPrefixList,
  FleetNetworkAcl,
  FleetRouteTable,
  FleetSecurityGroup,
} from "../../emulator/fleet/types.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";

const region = "ap-northeast-1";
const credentials = { accessKeyId: "demo", secretAccessKey: "demo" };
const ACCOUNT = "123456789012";
const VPC = "vpc-0b1e2c3d4e5f60718";
const PEER_VPC = "vpc-0c0ffee0000000002";
const SUBNET_1A = "subnet-0a1c0ffee0000001a";
const SUBNET_1C = "subnet-0a1c0ffee0000001c";
const SUBNET_1D = "subnet-0a1c0ffee0000001d";
const PEER_SUBNET = "subnet-0c0ffee00000000a1";
const EXTRA_PEER_SUBNETS = [
  "subnet-0c0ffee00000000c1",
  "subnet-0c0ffee00000000c2",
  "subnet-0c0ffee00000000d1",
];

// A group that admits its own members on 8080 (self-reference) and the VPC on 443.
const webSg: FleetSecurityGroup = {
  GroupId: "sg-0a1b2c3d4e5f60001",
  GroupName: "web-frontend",
  Description: "web-frontend tasks",
  VpcId: VPC,
  OwnerId: ACCOUNT,
  SecurityGroupArn: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/sg-0a1b2c3d4e5f60001`,
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 8080,
      ToPort: 8080,
      UserIdGroupPairs: [
        { GroupId: "sg-0a1b2c3d4e5f60001", UserId: ACCOUNT, Description: "same service" },
      ],
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
    },
    {
      IpProtocol: "tcp",
      FromPort: 443,
      ToPort: 443,
      UserIdGroupPairs: [],
      IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "the VPC" }],
      Ipv6Ranges: [{ CidrIpv6: "2406:da14::/56", Description: "the VPC (IPv6)" }],
      PrefixListIds: [{ PrefixListId: "pl-0123456789abcdef0", Description: "office" }],
    },
  ],
  IpPermissionsEgress: [
    {
      IpProtocol: "-1",
      UserIdGroupPairs: [],
      IpRanges: [{ CidrIp: "0.0.0.0/0" }],
      Ipv6Ranges: [],
      PrefixListIds: [],
    },
  ],
  Tags: [{ Key: "Name", Value: "web-frontend" }],
};
const apiSg: FleetSecurityGroup = {
  GroupId: "sg-0a1b2c3d4e5f60002",
  GroupName: "api-service",
  Description: "api-service tasks",
  VpcId: VPC,
  OwnerId: ACCOUNT,
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 8080,
      ToPort: 8080,
      UserIdGroupPairs: [{ GroupId: webSg.GroupId, UserId: ACCOUNT }],
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
    },
  ],
  IpPermissionsEgress: [],
  Tags: [],
};
const peerSg: FleetSecurityGroup = {
  GroupId: "sg-0c0ffee0000000003",
  GroupName: "default",
  Description: "default VPC security group",
  VpcId: PEER_VPC,
  OwnerId: ACCOUNT,
  IpPermissions: [],
  IpPermissionsEgress: [],
};

// The default ACL (allow all, then the `*` rule 32767) and a custom one on subnet 1c with ordered
// allow/deny entries in both directions.
const defaultAcl: FleetNetworkAcl = {
  NetworkAclId: "acl-0a1c0ffee00000001",
  VpcId: VPC,
  IsDefault: true,
  OwnerId: ACCOUNT,
  Entries: [
    { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: true, CidrBlock: "0.0.0.0/0" },
    { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CidrBlock: "0.0.0.0/0" },
    { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0" },
    {
      RuleNumber: 32767,
      Protocol: "-1",
      RuleAction: "deny",
      Egress: false,
      CidrBlock: "0.0.0.0/0",
    },
  ],
  Associations: [
    {
      NetworkAclAssociationId: "aclassoc-0a1c0ffee0000001a",
      NetworkAclId: "acl-0a1c0ffee00000001",
      SubnetId: SUBNET_1A,
    },
    {
      NetworkAclAssociationId: "aclassoc-0a1c0ffee0000001d",
      NetworkAclId: "acl-0a1c0ffee00000001",
      SubnetId: SUBNET_1D,
    },
  ],
  Tags: [],
};
const lockedAcl: FleetNetworkAcl = {
  NetworkAclId: "acl-0a1c0ffee00000002",
  VpcId: VPC,
  IsDefault: false,
  OwnerId: ACCOUNT,
  Entries: [
    {
      RuleNumber: 100,
      Protocol: "6",
      RuleAction: "deny",
      Egress: false,
      CidrBlock: "10.0.1.0/24",
      PortRange: { From: 8080, To: 8080 },
    },
    {
      RuleNumber: 110,
      Protocol: "6",
      RuleAction: "allow",
      Egress: false,
      CidrBlock: "10.0.0.0/16",
      PortRange: { From: 1024, To: 65535 },
    },
    {
      RuleNumber: 120,
      Protocol: "1",
      RuleAction: "allow",
      Egress: false,
      CidrBlock: "10.0.0.0/16",
      IcmpTypeCode: { Type: -1, Code: -1 },
    },
    {
      RuleNumber: 32767,
      Protocol: "-1",
      RuleAction: "deny",
      Egress: false,
      CidrBlock: "0.0.0.0/0",
    },
    {
      RuleNumber: 100,
      Protocol: "6",
      RuleAction: "allow",
      Egress: true,
      CidrBlock: "10.0.0.0/16",
      PortRange: { From: 1024, To: 65535 },
    },
    { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: true, CidrBlock: "0.0.0.0/0" },
  ],
  Associations: [
    {
      NetworkAclAssociationId: "aclassoc-0a1c0ffee0000001c",
      NetworkAclId: "acl-0a1c0ffee00000002",
      SubnetId: SUBNET_1C,
    },
  ],
  Tags: [{ Key: "Name", Value: "locked-down" }],
};
const peerAcl: FleetNetworkAcl = {
  NetworkAclId: "acl-0c0ffee0000000003",
  VpcId: PEER_VPC,
  IsDefault: true,
  OwnerId: ACCOUNT,
  Entries: [],
  Associations: [],
};

// The main table (local route, a peering route, a blackholed transit gateway route) and a subnet's.
const mainRouteTable: FleetRouteTable = {
  RouteTableId: "rtb-0a1c0ffee00000001",
  VpcId: VPC,
  OwnerId: ACCOUNT,
  Routes: [
    {
      DestinationCidrBlock: "10.0.0.0/16",
      GatewayId: "local",
      State: "active",
      Origin: "CreateRouteTable",
    },
    {
      DestinationCidrBlock: "10.1.0.0/16",
      VpcPeeringConnectionId: "pcx-0a1c0ffee00000001",
      State: "active",
      Origin: "CreateRoute",
    },
    {
      DestinationCidrBlock: "0.0.0.0/0",
      TransitGatewayId: "tgw-0a1c0ffee00000001",
      State: "blackhole",
      Origin: "CreateRoute",
    },
  ],
  Associations: [
    {
      RouteTableAssociationId: "rtbassoc-0a1c0ffee00000001",
      RouteTableId: "rtb-0a1c0ffee00000001",
      Main: true,
      AssociationState: { State: "associated" },
    },
  ],
  PropagatingVgws: [],
  Tags: [{ Key: "Name", Value: "main" }],
};
const isolatedRouteTable: FleetRouteTable = {
  RouteTableId: "rtb-0a1c0ffee00000002",
  VpcId: VPC,
  OwnerId: ACCOUNT,
  Routes: [
    {
      DestinationCidrBlock: "10.0.0.0/16",
      GatewayId: "local",
      State: "active",
      Origin: "CreateRouteTable",
    },
  ],
  Associations: [
    {
      RouteTableAssociationId: "rtbassoc-0a1c0ffee0000001d",
      RouteTableId: "rtb-0a1c0ffee00000002",
      SubnetId: SUBNET_1D,
      Main: false,
      AssociationState: { State: "associated" },
    },
  ],
  PropagatingVgws: [{ GatewayId: "vgw-0a1c0ffee00000001" }],
  Tags: [],
};

const vpcLambda: FleetLambdaFunction = {
  FunctionName: "order-sync",
  FunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:order-sync`,
  Runtime: "nodejs20.x",
  Role: `arn:aws:iam::${ACCOUNT}:role/order-sync`,
  Handler: "index.handler",
  CodeSize: 48213,
  Description: "Pushes orders to the api service",
  Timeout: 30,
  MemorySize: 512,
  LastModified: "2026-11-20T09:00:00.000+0000",
  CodeSha256: "kX2b0wPb3KJ3jqCzS8c6S0ZqXxvCkXo1pQ2uHk0pFqE=",
  Version: "$LATEST",
  VpcConfig: {
    SubnetIds: [SUBNET_1A, SUBNET_1C],
    SecurityGroupIds: [webSg.GroupId],
    VpcId: VPC,
    Ipv6AllowedForDualStack: false,
  },
  Environment: { Variables: { API_URL: "http://api.internal.local:8080" } },
  TracingConfig: { Mode: "PassThrough" },
  RevisionId: "0f8a4c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b",
  State: "Active",
  LastUpdateStatus: "Successful",
  PackageType: "Zip",
  Architectures: ["arm64"],
  EphemeralStorage: { Size: 512 },
  SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
  LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/order-sync" },
};
const plainLambda: FleetLambdaFunction = {
  FunctionName: "nightly-report",
  FunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:nightly-report`,
  Runtime: "python3.12",
  Role: `arn:aws:iam::${ACCOUNT}:role/nightly-report`,
  Handler: "app.handler",
  CodeSize: 1024,
  Timeout: 60,
  MemorySize: 128,
  LastModified: "2026-11-01T00:00:00.000+0000",
  Version: "$LATEST",
  State: "Active",
  PackageType: "Zip",
  Architectures: ["x86_64"],
};

// Subnet 1c's own table: the local route's target replaced by a firewall's interface, a route more
// specific than the local one (subnet 1a's whole CIDR) to a NAT gateway, and a prefix list as a
// destination (VPC User Guide, "Configure route tables"; API Route: DestinationPrefixListId).
const middleboxRouteTable: FleetRouteTable = {
  RouteTableId: "rtb-0a1c0ffee00000003",
  VpcId: VPC,
  OwnerId: ACCOUNT,
  Routes: [
    {
      DestinationCidrBlock: "10.0.0.0/16",
      NetworkInterfaceId: "eni-0a1c0ffee0f1e0001",
      State: "active",
      Origin: "CreateRouteTable",
    },
    {
      DestinationCidrBlock: "10.0.1.0/24",
      NatGatewayId: "nat-0a1c0ffee00000001",
      State: "active",
      Origin: "CreateRoute",
    },
    {
      DestinationPrefixListId: "pl-0a1c0ffee00000001",
      VpcPeeringConnectionId: "pcx-0a1c0ffee00000001",
      State: "active",
      Origin: "CreateRoute",
    },
  ],
  Associations: [
    {
      RouteTableAssociationId: "rtbassoc-0a1c0ffee00000003",
      RouteTableId: "rtb-0a1c0ffee00000003",
      SubnetId: SUBNET_1C,
      Main: false,
      AssociationState: { State: "associated" },
    },
  ],
  PropagatingVgws: [],
  Tags: [],
};
const peersPrefixList: FleetManagedPrefixList = {
  PrefixListId: "pl-0a1c0ffee00000001",
  AddressFamily: "IPv4",
  State: "create-complete",
  PrefixListArn: `arn:aws:ec2:${region}:${ACCOUNT}:prefix-list/pl-0a1c0ffee00000001`,
  PrefixListName: "peer-vpcs",
  MaxEntries: 10,
  Version: 1,
  OwnerId: ACCOUNT,
  Entries: [
    { Cidr: "10.1.0.0/16", Description: "peer" },
    { Cidr: "10.2.0.0/16", Description: "analytics" },
    { Cidr: "10.3.0.0/16" },
  ],
};
const CORP_DHCP = {
  DhcpOptionsId: "dopt-0c0ffee00000dns01",
  OwnerId: "210987654321",
  DhcpConfigurations: [
    { Key: "domain-name", Values: [{ Value: "corp.example" }] },
    { Key: "domain-name-servers", Values: [{ Value: "10.1.0.53" }, { Value: "10.1.1.53" }] },
  ],
  Tags: [{ Key: "Name", Value: "corp-dns" }],
};

/** The demo fleet's clusters and services, with the EC2 and Lambda content of these tests. */
function testFleet(): Fleet {
  const fleet = loadDemoFleet();
  fleet.vpcs = [
    {
      vpcId: VPC,
      cidrBlock: "10.0.0.0/16",
      enableDnsSupport: true,
      enableDnsHostnames: true,
      subnets: [
        { subnetId: SUBNET_1A, availabilityZone: "ap-northeast-1a", cidrBlock: "10.0.1.0/24" },
        { subnetId: SUBNET_1C, availabilityZone: "ap-northeast-1c", cidrBlock: "10.0.2.0/24" },
        { subnetId: SUBNET_1D, availabilityZone: "ap-northeast-1d", cidrBlock: "10.0.3.0/24" },
      ],
    },
    // No DNS attributes stated: AWS's defaults for a non-default VPC.
    {
      vpcId: PEER_VPC,
      cidrBlock: "10.1.0.0/16",
      // A shared VPC of another account, with its own DNS servers.
      ownerId: "210987654321",
      dhcpOptionsId: CORP_DHCP.DhcpOptionsId,
      subnets: [
        { subnetId: PEER_SUBNET, availabilityZone: "ap-northeast-1a", cidrBlock: "10.1.0.0/24" },
        ...EXTRA_PEER_SUBNETS.map((subnetId, i) => ({
          subnetId,
          availabilityZone: i < 2 ? "ap-northeast-1c" : "ap-northeast-1d",
          cidrBlock: `10.1.${i + 1}.0/24`,
        })),
      ],
    },
  ];
  fleet.securityGroups = [webSg, apiSg, peerSg];
  fleet.networkAcls = [defaultAcl, lockedAcl, peerAcl];
  fleet.routeTables = [mainRouteTable, isolatedRouteTable, middleboxRouteTable];
  fleet.managedPrefixLists = [peersPrefixList];
  fleet.lambdaFunctions = [vpcLambda, plainLambda];
  fleet.dhcpOptions = [CORP_DHCP];
  return fleet;
}

function clients(emu: RunningEmulator, maxAttempts = 3) {
  const config = { region, endpoint: emu.url, credentials, maxAttempts };
  return { ec2: new EC2Client(config), lambda: new LambdaClient(config) };
}

describe("AWS emulator EC2 and Lambda reads", () => {
  let emu: RunningEmulator;
  let aws: ReturnType<typeof clients>;
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = testFleet();
    emu = await startEmulator({ fleet });
    aws = clients(emu, 1);
  });
  beforeEach(() => {
    emu.resetStats();
    emu.setDenied([]);
    emu.setThrottleRate(0);
  });
  afterAll(() => emu.close());

  it("round-trips security groups through the SDK: self-reference, CIDR and egress -1 rules", async () => {
    const { SecurityGroups } = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [webSg.GroupId, apiSg.GroupId] }),
    );

    expect(SecurityGroups).toEqual([webSg, apiSg]);
  });

  it("filters security groups: values of one filter OR, filters AND", async () => {
    const byVpc = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [VPC] }] }),
    );
    const either = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: "group-id", Values: [apiSg.GroupId, peerSg.GroupId] }],
      }),
    );
    const both = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "group-id", Values: [apiSg.GroupId, peerSg.GroupId] },
          { Name: "vpc-id", Values: [PEER_VPC] },
        ],
      }),
    );
    const all = await aws.ec2.send(new DescribeSecurityGroupsCommand({}));

    expect(byVpc.SecurityGroups?.map((g) => g.GroupId)).toEqual([webSg.GroupId, apiSg.GroupId]);
    expect(either.SecurityGroups?.map((g) => g.GroupId)).toEqual([apiSg.GroupId, peerSg.GroupId]);
    expect(both.SecurityGroups?.map((g) => g.GroupId)).toEqual([peerSg.GroupId]);
    expect(all.SecurityGroups).toHaveLength(3);
    expect(all.NextToken).toBeUndefined();
  });

  it("raises InvalidGroup.NotFound for an unknown group and InvalidParameterValue for a bad filter", async () => {
    await expect(
      aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [webSg.GroupId, "sg-0dead"] })),
    ).rejects.toMatchObject({
      name: "InvalidGroup.NotFound",
      message: "The security group 'sg-0dead' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      aws.ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: "bogus", Values: ["x"] }] }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("round-trips network ACLs and picks a subnet's ACL by association.subnet-id", async () => {
    const { NetworkAcls } = await aws.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [SUBNET_1C] }],
      }),
    );
    const byId = await aws.ec2.send(
      new DescribeNetworkAclsCommand({
        NetworkAclIds: [defaultAcl.NetworkAclId, peerAcl.NetworkAclId],
      }),
    );

    expect(NetworkAcls).toEqual([lockedAcl]);
    expect(byId.NetworkAcls).toEqual([defaultAcl, peerAcl]);
  });

  it("filters network ACLs by default and vpc-id, ANDed", async () => {
    const defaults = await aws.ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: "default", Values: ["true"] }] }),
    );
    const vpcDefault = await aws.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: "vpc-id", Values: [VPC] },
          { Name: "default", Values: ["true"] },
        ],
      }),
    );
    const twoSubnets = await aws.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [{ Name: "association.subnet-id", Values: [SUBNET_1A, SUBNET_1C] }],
      }),
    );

    expect(defaults.NetworkAcls?.map((a) => a.NetworkAclId)).toEqual([
      defaultAcl.NetworkAclId,
      peerAcl.NetworkAclId,
    ]);
    expect(vpcDefault.NetworkAcls?.map((a) => a.NetworkAclId)).toEqual([defaultAcl.NetworkAclId]);
    expect(twoSubnets.NetworkAcls?.map((a) => a.NetworkAclId)).toEqual([
      defaultAcl.NetworkAclId,
      lockedAcl.NetworkAclId,
    ]);
    await expect(
      aws.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: ["acl-0dead"] })),
    ).rejects.toMatchObject({ name: "InvalidNetworkAclID.NotFound" });
  });

  it("round-trips route tables: the main one by association.main, a subnet's by association.subnet-id", async () => {
    const main = await aws.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: "vpc-id", Values: [VPC] },
          { Name: "association.main", Values: ["true"] },
        ],
      }),
    );
    const subnet = await aws.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [SUBNET_1D] }],
      }),
    );
    // Subnet 1a has no explicit association: it uses the main table, which the filter does not show.
    const implicit = await aws.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [SUBNET_1A] }],
      }),
    );

    expect(main.RouteTables).toEqual([mainRouteTable]);
    expect(subnet.RouteTables).toEqual([isolatedRouteTable]);
    expect(implicit.RouteTables).toEqual([]);
    await expect(
      aws.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ["rtb-0dead"] })),
    ).rejects.toMatchObject({
      name: "InvalidRouteTableID.NotFound",
      message: "The routeTable ID 'rtb-0dead' does not exist",
    });
  });

  it("round-trips routes through appliances and to a prefix list: replaced local target, NAT gateway, pl- destination", async () => {
    const { RouteTables } = await aws.ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: "association.subnet-id", Values: [SUBNET_1C] }],
      }),
    );

    expect(RouteTables).toEqual([middleboxRouteTable]);
    expect(RouteTables?.[0]?.Routes?.[2]?.DestinationCidrBlock).toBeUndefined();
  });

  it("reads a prefix list's entries page by page, and refuses an unknown list", async () => {
    const id = peersPrefixList.PrefixListId;
    const first = await aws.ec2.send(
      new GetManagedPrefixListEntriesCommand({ PrefixListId: id, MaxResults: 2 }),
    );
    const rest = await aws.ec2.send(
      new GetManagedPrefixListEntriesCommand({
        PrefixListId: id,
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    const whole = await aws.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }));

    expect(first.Entries).toEqual(peersPrefixList.Entries.slice(0, 2));
    expect(first.NextToken).toBeDefined();
    expect(rest.Entries).toEqual(peersPrefixList.Entries.slice(2));
    expect(rest.NextToken).toBeUndefined();
    expect(whole.Entries).toEqual(peersPrefixList.Entries);
    await expect(
      aws.ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: "pl-0dead" })),
    ).rejects.toMatchObject({
      name: "InvalidPrefixListID.NotFound",
      message: "The prefix list ID 'pl-0dead' does not exist",
    });
  });

  it("describes the fleet's subnets, filtered and by ID", async () => {
    const { Subnets } = await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_1C] }));
    const inVpc = await aws.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [VPC, PEER_VPC] },
          { Name: "subnet-id", Values: [SUBNET_1A, PEER_SUBNET, SUBNET_1D] },
          { Name: "availability-zone", Values: ["ap-northeast-1a"] },
        ],
      }),
    );

    expect(Subnets).toEqual([
      {
        SubnetId: SUBNET_1C,
        SubnetArn: `arn:aws:ec2:${region}:${ACCOUNT}:subnet/${SUBNET_1C}`,
        VpcId: VPC,
        CidrBlock: "10.0.2.0/24",
        AvailabilityZone: "ap-northeast-1c",
        State: "available",
        OwnerId: ACCOUNT,
      },
    ]);
    expect(inVpc.Subnets?.map((s) => s.SubnetId)).toEqual([SUBNET_1A, PEER_SUBNET]);
    await expect(
      aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0dead"] })),
    ).rejects.toMatchObject({
      name: "InvalidSubnetID.NotFound",
      message: "The subnet ID 'subnet-0dead' does not exist",
    });
  });

  it("pages with MaxResults and NextToken, and rejects a MaxResults out of range", async () => {
    const first = await aws.ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    const second = await aws.ec2.send(
      new DescribeSubnetsCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );

    expect(first.Subnets?.map((s) => s.SubnetId)).toEqual([
      SUBNET_1A,
      SUBNET_1C,
      SUBNET_1D,
      PEER_SUBNET,
      EXTRA_PEER_SUBNETS[0],
    ]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Subnets?.map((s) => s.SubnetId)).toEqual(EXTRA_PEER_SUBNETS.slice(1));
    expect(second.NextToken).toBeUndefined();
    // A token from another query is refused.
    await expect(
      aws.ec2.send(
        new DescribeSubnetsCommand({
          MaxResults: 5,
          NextToken: first.NextToken,
          Filters: [{ Name: "vpc-id", Values: [VPC] }],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidPaginationToken" });
    await expect(aws.ec2.send(new DescribeSubnetsCommand({ MaxResults: 2 }))).rejects.toMatchObject(
      { name: "InvalidParameterValue" },
    );
    await expect(
      aws.ec2.send(new DescribeRouteTablesCommand({ MaxResults: 101 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("reads the VPC DNS attributes, with AWS's defaults when the fleet leaves them out", async () => {
    const read = async (VpcId: string, Attribute: "enableDnsSupport" | "enableDnsHostnames") => {
      const { $metadata: _, ...out } = await aws.ec2.send(
        new DescribeVpcAttributeCommand({ VpcId, Attribute }),
      );
      return out;
    };

    expect(await read(VPC, "enableDnsSupport")).toEqual({
      VpcId: VPC,
      EnableDnsSupport: { Value: true },
    });
    expect(await read(VPC, "enableDnsHostnames")).toEqual({
      VpcId: VPC,
      EnableDnsHostnames: { Value: true },
    });
    expect(await read(PEER_VPC, "enableDnsSupport")).toEqual({
      VpcId: PEER_VPC,
      EnableDnsSupport: { Value: true },
    });
    expect(await read(PEER_VPC, "enableDnsHostnames")).toEqual({
      VpcId: PEER_VPC,
      EnableDnsHostnames: { Value: false },
    });
    await expect(read("vpc-0dead", "enableDnsSupport")).rejects.toMatchObject({
      name: "InvalidVpcID.NotFound",
      message: "The vpc ID 'vpc-0dead' does not exist",
    });
    await expect(
      aws.ec2.send(
        new DescribeVpcAttributeCommand({ VpcId: VPC, Attribute: "instanceTenancy" as never }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("round-trips VPCs and their DHCP options through the SDK: the region's default set unless one is stated", async () => {
    const { Vpcs } = await aws.ec2.send(new DescribeVpcsCommand({ VpcIds: [VPC, PEER_VPC] }));
    const { DhcpOptions } = await aws.ec2.send(new DescribeDhcpOptionsCommand({}));
    const defaultSet = DhcpOptions?.find((d) => d.DhcpOptionsId !== CORP_DHCP.DhcpOptionsId);

    expect(Vpcs?.map((v) => [v.VpcId, v.OwnerId, v.DhcpOptionsId, v.CidrBlock])).toEqual([
      [VPC, ACCOUNT, defaultSet?.DhcpOptionsId, "10.0.0.0/16"],
      [PEER_VPC, "210987654321", CORP_DHCP.DhcpOptionsId, "10.1.0.0/16"],
    ]);
    expect(defaultSet).toEqual({
      DhcpOptionsId: expect.stringMatching(/^dopt-[0-9a-f]{17}$/),
      OwnerId: ACCOUNT,
      DhcpConfigurations: [
        { Key: "domain-name", Values: [{ Value: `${region}.compute.internal` }] },
        { Key: "domain-name-servers", Values: [{ Value: "AmazonProvidedDNS" }] },
      ],
      Tags: [],
    });
    expect(DhcpOptions?.find((d) => d.DhcpOptionsId === CORP_DHCP.DhcpOptionsId)).toEqual(
      CORP_DHCP,
    );
    const { DhcpOptions: byServer } = await aws.ec2.send(
      new DescribeDhcpOptionsCommand({ Filters: [{ Name: "value", Values: ["10.1.*"] }] }),
    );
    expect(byServer?.map((d) => d.DhcpOptionsId)).toEqual([CORP_DHCP.DhcpOptionsId]);
    await expect(
      aws.ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0dead"] })),
    ).rejects.toMatchObject({ name: "InvalidVpcID.NotFound" });
  });

  it("round-trips a Lambda's network interface through the SDK, found by its address", async () => {
    const stated = fleet.networkInterfaces?.find((e) => e.InterfaceType === "lambda");
    const address = stated?.PrivateIpAddress ?? "";

    const { NetworkInterfaces } = await aws.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: "addresses.private-ip-address", Values: [address] }],
      }),
    );

    expect(NetworkInterfaces).toEqual([
      {
        ...stated,
        Attachment: {
          ...stated?.Attachment,
          AttachTime: new Date(String(stated?.Attachment?.AttachTime)),
        },
      },
    ]);
  });

  it("gives each running awsvpc task the ENI ECS made for it, and a stopped task none", async () => {
    const byAddress = (Name: string, address: string) =>
      aws.ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name, Values: [address] }],
          IncludeManagedResources: true,
        }),
      );

    const running = await byAddress("private-ip-address", "10.0.1.23");
    const stopped = await byAddress("addresses.private-ip-address", "10.0.2.150");

    expect(running.NetworkInterfaces).toEqual([
      expect.objectContaining({
        NetworkInterfaceId: "eni-0a1b2c3d4e5f60123",
        Description: `arn:aws:ecs:${region}:${ACCOUNT}:attachment/3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a61`,
        InterfaceType: "interface",
        RequesterManaged: true,
        Status: "in-use",
        SubnetId: "subnet-0a1c0ffee0000001a",
        VpcId: VPC,
        // The service's awsvpc groups (their names are the fleet's groups': none here).
        Groups: [{ GroupId: "sg-0c0ffee00000a0001" }],
        PrivateIpAddresses: [
          {
            Primary: true,
            PrivateDnsName: "ip-10-0-1-23.ap-northeast-1.compute.internal",
            PrivateIpAddress: "10.0.1.23",
          },
        ],
        TagSet: [],
      }),
    ]);
    expect(running.NetworkInterfaces?.[0]?.Attachment?.InstanceId).toBeUndefined();
    expect(stopped.NetworkInterfaces).toEqual([]);
  });

  it("tags task ENIs with the ECS managed tags the fleet's eniTags names, filterable by tag", async () => {
    try {
      fleet.eniTags = "cluster-and-service";
      const { NetworkInterfaces } = await aws.ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: "tag:aws:ecs:serviceName", Values: ["web-frontend"] }],
        }),
      );
      fleet.eniTags = "cluster";
      const clusterOnly = await aws.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0a1b2c3d4e5f60123"] }),
      );

      expect(NetworkInterfaces?.map((e) => [e.PrivateIpAddress, e.TagSet])).toEqual([
        [
          "10.0.1.88",
          [
            { Key: "aws:ecs:clusterName", Value: "tutorial" },
            { Key: "aws:ecs:serviceName", Value: "web-frontend" },
          ],
        ],
        [
          "10.0.1.142",
          [
            { Key: "aws:ecs:clusterName", Value: "staging" },
            { Key: "aws:ecs:serviceName", Value: "web-frontend" },
          ],
        ],
      ]);
      expect(clusterOnly.NetworkInterfaces?.[0]?.TagSet).toEqual([
        { Key: "aws:ecs:clusterName", Value: "tutorial" },
      ]);
    } finally {
      delete fleet.eniTags;
    }
  });

  it("describes ENIs by ID and pages them, refusing an unknown ID and MaxResults with IDs", async () => {
    const first = await aws.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    const rest = await aws.ec2.send(
      new DescribeNetworkInterfacesCommand({ MaxResults: 1000, NextToken: first.NextToken }),
    );
    const all = await aws.ec2.send(new DescribeNetworkInterfacesCommand({}));

    expect(first.NetworkInterfaces).toHaveLength(5);
    expect([...(first.NetworkInterfaces ?? []), ...(rest.NetworkInterfaces ?? [])]).toEqual(
      all.NetworkInterfaces,
    );
    expect(rest.NextToken).toBeUndefined();
    await expect(
      aws.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0dead000000000000"] }),
      ),
    ).rejects.toMatchObject({ name: "InvalidNetworkInterfaceID.NotFound" });
    await expect(
      aws.ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: ["eni-0a1b2c3d4e5f60123"],
          MaxResults: 5,
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterCombination" });
  });

  it("throttles EC2 with RequestLimitExceeded (HTTP 503) and denies with UnauthorizedOperation", async () => {
    emu.setThrottleRate(1, ["EC2.DescribeSecurityGroups"]);
    await expect(aws.ec2.send(new DescribeSecurityGroupsCommand({}))).rejects.toMatchObject({
      name: "RequestLimitExceeded",
      $metadata: { httpStatusCode: 503 },
    });
    await expect(aws.ec2.send(new DescribeSubnetsCommand({}))).resolves.toBeDefined();

    emu.setThrottleRate(0);
    emu.setDenied(["EC2.DescribeNetworkAcls"]);
    await expect(aws.ec2.send(new DescribeNetworkAclsCommand({}))).rejects.toMatchObject({
      name: "UnauthorizedOperation",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringMatching(
        /^You are not authorized to perform this operation\. User: arn:aws:sts::123456789012:assumed-role\/ecs-chatops\/emulator is not authorized to perform: ec2:DescribeNetworkAcls /,
      ),
    });
    await expect(aws.ec2.send(new DescribeRouteTablesCommand({}))).resolves.toBeDefined();
    expect(emu.stats()).toMatchObject({ total: 4, throttled: 1, denied: 1 });
  });

  it("answers a permitted DryRun with DryRunOperation", async () => {
    await expect(aws.ec2.send(new DescribeSubnetsCommand({ DryRun: true }))).rejects.toMatchObject({
      name: "DryRunOperation",
      $metadata: { httpStatusCode: 412 },
    });
  });

  it("counts EC2 calls per action and records their form parameters", async () => {
    await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [SUBNET_1A] }));
    await aws.ec2.send(new DescribeSubnetsCommand({}));
    await aws.ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: VPC, Attribute: "enableDnsSupport" }),
    );

    expect(emu.stats()).toMatchObject({
      calls: { "EC2.DescribeSubnets": 2, "EC2.DescribeVpcAttribute": 1 },
      total: 3,
      rejected: 0,
    });
    expect(emu.requests[0]).toMatchObject({
      service: "EC2",
      operation: "DescribeSubnets",
      body: { Action: "DescribeSubnets", Version: "2016-11-15", "SubnetId.1": SUBNET_1A },
      status: 200,
    });
  });

  it("rejects an unsigned EC2 request and an unknown Action", async () => {
    const response = await fetch(emu.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=DescribeSubnets&Version=2016-11-15",
    });
    const body = await response.text();

    expect(response.status).toBe(403);
    expect(body).toContain("<Response><Errors><Error><Code>MissingAuthenticationToken</Code>");

    // A signed request whose Action the emulator does not serve: renamed before signing (to a
    // name of the same length, as content-length is already set).
    const ec2 = new EC2Client({ region, endpoint: emu.url, credentials, maxAttempts: 1 });
    ec2.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace("Action=DescribeSubnets", "Action=DescribeUnicorn");
        return next(args);
      },
      { step: "build" },
    );
    await expect(ec2.send(new DescribeSubnetsCommand({}))).rejects.toMatchObject({
      name: "InvalidAction",
      $metadata: { httpStatusCode: 400 },
    });
    expect(emu.stats()).toMatchObject({ total: 0, rejected: 2 });
  });

  it("serves Lambda GetFunctionConfiguration by name or ARN, with and without VpcConfig", async () => {
    const { $metadata: _a, ...inVpc } = await aws.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "order-sync" }),
    );
    const { $metadata: _b, ...plain } = await aws.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: plainLambda.FunctionArn }),
    );

    expect(inVpc).toEqual(vpcLambda);
    expect(plain).toEqual(plainLambda);
    expect(plain.VpcConfig).toBeUndefined();
    expect(emu.stats().calls).toEqual({ "Lambda.GetFunctionConfiguration": 2 });
    expect(emu.requests[1]?.body).toEqual({
      FunctionName: plainLambda.FunctionArn,
      Qualifier: undefined,
    });
  });

  it("lists the functions with ListFunctions, 50 a page at most, NextMarker while more remain", async () => {
    const first = await aws.lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    const rest = await aws.lambda.send(
      new ListFunctionsCommand({ MaxItems: 500, Marker: first.NextMarker }),
    );

    expect(first.Functions?.map((f) => f.FunctionName)).toHaveLength(1);
    expect(first.NextMarker).toBeDefined();
    expect(rest.NextMarker).toBeUndefined();
    const names = [...(first.Functions ?? []), ...(rest.Functions ?? [])].map(
      (f) => f.FunctionName,
    );
    expect(names).toEqual(expect.arrayContaining(["order-sync"]));
    expect(emu.stats().calls).toEqual({ "Lambda.ListFunctions": 2 });
  });

  it("raises ResourceNotFoundException for an unknown function and AccessDeniedException when denied", async () => {
    const missing = aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "nope" }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing).rejects.toMatchObject({
      Type: "User",
      message: `Function not found: arn:aws:lambda:${region}:${ACCOUNT}:function:nope`,
      $metadata: { httpStatusCode: 404 },
    });

    emu.setDenied(["Lambda.GetFunctionConfiguration"]);
    await expect(
      aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "order-sync" })),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringContaining(
        "is not authorized to perform: lambda:GetFunctionConfiguration",
      ),
    });
  });
});

describe("AWS emulator ENIs of a generated fleet", () => {
  it("gives every generated running task its ENI, found by its address", async () => {
    const generated = generateFleet({ services: 5 });
    const emu = await startEmulator({ fleet: generated });
    try {
      const ec2 = clients(emu, 1).ec2;
      const running = generated.tasks.filter((t) => t.lastStatus === "RUNNING");
      const last = running.at(-1);
      const address = last?.attachments
        ?.find((a) => a.type === "ElasticNetworkInterface")
        ?.details?.find((d) => d.name === "privateIPv4Address")?.value;

      const tasks = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: "interface-type", Values: ["interface"] },
            { Name: "requester-managed", Values: ["true"] },
          ],
        }),
      );
      const one = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: "private-ip-address", Values: [address ?? ""] }],
        }),
      );

      // Besides the tasks', the requester-managed interfaces the fleet states (shop-alb's).
      const stated = (generated.networkInterfaces ?? []).filter(
        (e) => e.InterfaceType === "interface" && e.RequesterManaged,
      );
      expect(tasks.NetworkInterfaces).toHaveLength(running.length + stated.length);
      expect(one.NetworkInterfaces?.map((e) => e.Description)).toEqual([
        expect.stringMatching(
          /^arn:aws:ecs:ap-northeast-1:123456789012:attachment\/[0-9a-f-]{36}$/,
        ),
      ]);
    } finally {
      await emu.close();
    }
  });
});

// Amazon EC2 over a Fleet: the read-only Describe* calls about a VPC's network path (and the
// entries of a route's prefix list, GetManagedPrefixListEntries) and whose an address is
// (DescribeNetworkInterfaces), in the EC2 Query protocol (the SDK's `ec2` protocol).
//
// Requests (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html): a signed
// `POST /` with a form body `Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1=sg-…&
// Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-…` (lists flattened with 1-based indexes).
// Responses: `<{Action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` holding a
// requestId and the output members under their model locationNames, list members as <item> (see the
// examples of https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html).
// Errors: `<Response><Errors><Error><Code>…` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
// The protocol's documents and lists are ./protocols/query.ts's; this module answers the actions.

import { createHash } from "node:crypto";
import type { NetworkInterface, Subnet, Vpc } from "@aws-sdk/client-ec2";
import type {
  Fleet,
  FleetDhcpOptions,
  FleetNetworkInterface,
  FleetTask,
  Stored,
} from "./fleet/types.ts";
import { ec2QueryFilters, ec2QueryList, type ShapeXml, shapeXml } from "./protocols/query.ts";
import { AwsError, paginate } from "./wire.ts";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/** One EC2 action: the form parameters in, the response's member elements (XML) out. */
export type Ec2Operation = (params: URLSearchParams) => string;

// EC2's locationName of a member is its name in lowerCamel case, except these (the `xmlName`s of
// the SDK's schema in @aws-sdk/client-ec2; round-tripped through the SDK in test/emulator/ec2.test.ts).
const LOCATION_NAMES: Record<string, string> = {
  Associations: "associationSet",
  DhcpConfigurations: "dhcpConfigurationSet",
  Entries: "entrySet",
  Groups: "groupSet",
  IsDefault: "default",
  Ipv6Addresses: "ipv6AddressesSet",
  PrivateIpAddresses: "privateIpAddressesSet",
  PropagatingVgws: "propagatingVgwSet",
  Routes: "routeSet",
  Tags: "tagSet",
  UserIdGroupPairs: "groups",
  Values: "valueSet",
};

/** EC2's shapes: list items as `<item>`, members under their locationNames. */
const EC2_SHAPES: ShapeXml = {
  item: "item",
  name: (member) => LOCATION_NAMES[member] ?? member.charAt(0).toLowerCase() + member.slice(1),
};

const element = (name: string, value: unknown) =>
  value === undefined ? "" : `<${name}>${shapeXml(value, EC2_SHAPES)}</${name}>`;

/** A SigV4 check's error under EC2's code for it (EC2 names them without "Exception"). */
export function ec2AuthError(error: AwsError): AwsError {
  const code =
    error.code === "InvalidSignatureException"
      ? "SignatureDoesNotMatch"
      : error.code.replace(/Exception$/, "");
  return new AwsError(code, error.message, error.status);
}

const invalidParameter = (message: string) => new AwsError("InvalidParameterValue", message);

/** EC2 filter values take wildcards: `*` any characters, `?` exactly one. */
function glob(value: string): RegExp {
  const body = value
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${body}$`);
}

type TagList = { Key?: string; Value?: string }[];
/** Tags are `Tags` on most resources, `TagSet` on network interfaces. */
type Tagged = { Tags?: TagList; TagSet?: TagList };
/** Per filter name, the values of a resource it compares (any may match). */
type Fields<T> = Record<string, (item: T) => unknown[]>;

interface DescribeSpec<T> {
  items: readonly T[];
  /** The ID list parameter, e.g. "GroupId" for GroupId.N. */
  idParam: string;
  id: (item: T) => string | undefined;
  notFound: (id: string) => AwsError;
  fields: Fields<T>;
  /** MaxResults' upper bound (its lower bound is 5 for these actions). */
  maxResults: number;
}

/**
 * The page of `items` a Describe* call selects: by ID (an unknown ID fails the call), then by filters
 * (AND across filters, OR across one filter's values), paged with MaxResults/NextToken (all in one
 * page without MaxResults). See https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html#Filtering
 * and #api-pagination.
 */
function describe<T extends Tagged>(
  params: URLSearchParams,
  spec: DescribeSpec<T>,
): { page: T[]; nextToken: string | undefined } {
  const filters = ec2QueryFilters(params);
  const valuesOf = (name: string, item: T): unknown[] => {
    const tags = item.Tags ?? item.TagSet ?? [];
    if (name.startsWith("tag:")) {
      return tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
    }
    if (name === "tag-key") return tags.map((t) => t.Key);
    return spec.fields[name]?.(item) ?? [];
  };
  for (const { name } of filters) {
    if (!Object.hasOwn(spec.fields, name) && !name.startsWith("tag:") && name !== "tag-key") {
      throw invalidParameter(`The filter '${name}' is invalid`);
    }
  }
  let selected = [...spec.items];
  const ids = ec2QueryList(params, spec.idParam);
  if (ids.length > 0) {
    const missing = ids.find((id) => !selected.some((item) => spec.id(item) === id));
    if (missing !== undefined) throw spec.notFound(missing);
    selected = selected.filter((item) => ids.includes(spec.id(item) ?? ""));
  }
  selected = selected.filter((item) =>
    filters.every(({ name, values }) => {
      const patterns = values.map(glob);
      return valuesOf(name, item).some((v) => patterns.some((p) => p.test(String(v))));
    }),
  );
  const rawMax = params.get("MaxResults");
  const maxResults = rawMax === null ? undefined : Number(rawMax);
  if (
    maxResults !== undefined &&
    !(Number.isInteger(maxResults) && maxResults >= 5 && maxResults <= spec.maxResults)
  ) {
    throw invalidParameter(
      `Value ( ${rawMax} ) for parameter maxResults is invalid. Expecting a value between 5 and ${spec.maxResults}.`,
    );
  }
  // A token belongs to the query that issued it: the action and every parameter but the paging.
  const scope = [...params]
    .filter(([key]) => key !== "NextToken" && key !== "MaxResults")
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join("&");
  return paginate(selected, {
    scope,
    maxResults,
    nextToken: params.get("NextToken") ?? undefined,
    defaultMax: Math.max(selected.length, 1),
    limit: Number.POSITIVE_INFINITY,
    invalid: () =>
      new AwsError("InvalidPaginationToken", "The specified pagination token is not valid."),
  });
}

/** The Describe* response members: the list under its locationName, and nextToken when paged. */
const listXml = (setName: string, result: { page: unknown[]; nextToken: string | undefined }) =>
  element(setName, result.page) + element("nextToken", result.nextToken);

/**
 * Stand-in for the AWS-owned account that creates Fargate tasks' ENIs and owns the instances they
 * attach to (RequesterId, Attachment.InstanceOwnerId): AWS publishes no such ID.
 */
const AWS_SERVICE_ACCOUNT = "111122223333";

/**
 * Task states in which its awsvpc ENI exists: created while PROVISIONING, "detached and deleted" in
 * DEPROVISIONING, so a stopping (draining) task still holds its address (ECS guide, task lifecycle;
 * ../shared/aws-semantics.md, "A stopping task still holds its address").
 */
const ENI_HOLDING_STATUSES = new Set([
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
]);

/**
 * The ENI ECS created for a running (or still stopping) awsvpc task, from its ElasticNetworkInterface attachment's
 * details (DescribeTasks). A stopped task has none: ECS deletes it (attachment status DELETED).
 * Description and shape as public output of Fargate task ENIs shows them (AWS publishes none, see
 * ../shared/aws-samples/official/SOURCES.md): the ECS attachment's ARN as description, interface
 * type "interface", requester-managed, attached to an instance of an AWS-owned account. ECS-managed
 * tags on the ENI (written by ECS alone, with enableECSManagedTags; observed, not documented), as
 * the fleet's `eniTags` says.
 */
function taskNetworkInterface(fleet: Fleet, task: FleetTask): Stored<NetworkInterface> | undefined {
  const attachment = task.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  const detail = (name: string) => attachment?.details?.find((d) => d.name === name)?.value;
  const id = detail("networkInterfaceId");
  const ip = detail("privateIPv4Address");
  if (!ENI_HOLDING_STATUSES.has(task.lastStatus ?? "") || attachment?.status !== "ATTACHED") return;
  if (!id || !ip) return;
  const subnetId = detail("subnetId");
  const vpc = fleet.vpcs?.find((v) => v.subnets.some((s) => s.subnetId === subnetId));
  const cluster = task.clusterArn.slice(task.clusterArn.lastIndexOf("/") + 1);
  const serviceName = task.group?.startsWith("service:") ? task.group.slice(8) : undefined;
  const service = fleet.services.find(
    (s) => s.clusterArn === task.clusterArn && s.serviceName === serviceName,
  );
  const groups = service?.networkConfiguration?.awsvpcConfiguration?.securityGroups ?? [];
  const tags = [
    ...(fleet.eniTags && fleet.eniTags !== "none"
      ? [{ Key: "aws:ecs:clusterName", Value: cluster }]
      : []),
    ...(fleet.eniTags === "cluster-and-service" && serviceName
      ? [{ Key: "aws:ecs:serviceName", Value: serviceName }]
      : []),
  ];
  const dnsName = detail("privateDnsName");
  return {
    Attachment: {
      AttachTime: task.connectivityAt ?? task.startedAt,
      AttachmentId: `eni-attach-${id.slice(4)}`,
      DeleteOnTermination: false,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
      InstanceOwnerId: AWS_SERVICE_ACCOUNT,
      Status: "attached",
    },
    AvailabilityZone: task.availabilityZone,
    Description: `arn:aws:ecs:${fleet.region}:${fleet.accountId}:attachment/${attachment.id}`,
    Groups: groups.map((GroupId) => ({
      GroupId,
      GroupName: fleet.securityGroups?.find((g) => g.GroupId === GroupId)?.GroupName,
    })),
    InterfaceType: "interface",
    Ipv6Addresses: [],
    MacAddress: detail("macAddress"),
    NetworkInterfaceId: id,
    OwnerId: fleet.accountId,
    PrivateDnsName: dnsName,
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ Primary: true, PrivateDnsName: dnsName, PrivateIpAddress: ip }],
    RequesterId: AWS_SERVICE_ACCOUNT,
    RequesterManaged: true,
    SourceDestCheck: true,
    Status: "in-use",
    SubnetId: subnetId,
    TagSet: tags,
    VpcId: vpc?.vpcId,
  };
}

/** Every ENI of the fleet: its running awsvpc tasks', and the others it states (Lambda, ELB, …). */
function networkInterfaces(fleet: Fleet): FleetNetworkInterface[] {
  const tasks = fleet.tasks.flatMap((t) => {
    const eni = taskNetworkInterface(fleet, t);
    return eni?.NetworkInterfaceId ? [{ ...eni, NetworkInterfaceId: eni.NetworkInterfaceId }] : [];
  });
  return [...tasks, ...(fleet.networkInterfaces ?? [])];
}

/**
 * The set AWS creates in each region and gives every new VPC: the EC2 domain name and
 * AmazonProvidedDNS (VPC User Guide, "DHCP option sets": default set; API CreateDhcpOptions).
 */
function defaultDhcpOptions(fleet: Fleet): FleetDhcpOptions {
  const hash = createHash("sha256").update(`${fleet.accountId}:${fleet.region}`).digest("hex");
  const domain = fleet.region === "us-east-1" ? "ec2.internal" : `${fleet.region}.compute.internal`;
  return {
    DhcpOptionsId: `dopt-${hash.slice(0, 17)}`,
    OwnerId: fleet.accountId,
    DhcpConfigurations: [
      { Key: "domain-name", Values: [{ Value: domain }] },
      { Key: "domain-name-servers", Values: [{ Value: "AmazonProvidedDNS" }] },
    ],
    Tags: [],
  };
}

const associationSubnets = (item: { Associations?: { SubnetId?: string }[] }) =>
  (item.Associations ?? []).map((a) => a.SubnetId);

export function ec2Operations(fleet: Fleet): Record<string, Ec2Operation> {
  const vpcs = fleet.vpcs ?? [];
  const subnets = vpcs.flatMap((vpc) =>
    vpc.subnets.map(
      (s): Stored<Subnet> => ({
        SubnetId: s.subnetId,
        SubnetArn: `arn:aws:ec2:${fleet.region}:${fleet.accountId}:subnet/${s.subnetId}`,
        VpcId: vpc.vpcId,
        CidrBlock: s.cidrBlock,
        AvailabilityZone: s.availabilityZone,
        State: "available",
        OwnerId: fleet.accountId,
      }),
    ),
  );

  const defaultSet = defaultDhcpOptions(fleet);
  const dhcpOptions = [defaultSet, ...(fleet.dhcpOptions ?? [])];
  const vpcItems = vpcs.map(
    (vpc): Stored<Vpc> => ({
      VpcId: vpc.vpcId,
      OwnerId: vpc.ownerId ?? fleet.accountId,
      State: "available",
      CidrBlock: vpc.cidrBlock,
      CidrBlockAssociationSet: [
        {
          AssociationId: `vpc-cidr-assoc-${vpc.vpcId.slice(4)}`,
          CidrBlock: vpc.cidrBlock,
          CidrBlockState: { State: "associated" },
        },
      ],
      DhcpOptionsId: vpc.dhcpOptionsId ?? defaultSet.DhcpOptionsId,
      InstanceTenancy: "default",
      IsDefault: false,
      Tags: [],
    }),
  );

  return {
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcs.html
    DescribeVpcs(params) {
      const result = describe(params, {
        items: vpcItems,
        idParam: "VpcId",
        id: (v) => v.VpcId,
        notFound: (id) =>
          new AwsError("InvalidVpcID.NotFound", `The vpc ID '${id}' does not exist`),
        fields: {
          "vpc-id": (v) => [v.VpcId],
          "dhcp-options-id": (v) => [v.DhcpOptionsId],
          "owner-id": (v) => [v.OwnerId],
          "cidr-block": (v) => [v.CidrBlock],
          "is-default": (v) => [v.IsDefault],
          state: (v) => [v.State],
        },
        maxResults: 1000,
      });
      return listXml("vpcSet", result);
    },

    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeDhcpOptions.html
    DescribeDhcpOptions(params) {
      const result = describe(params, {
        items: dhcpOptions,
        idParam: "DhcpOptionsId",
        id: (d) => d.DhcpOptionsId,
        notFound: (id) =>
          new AwsError("InvalidDhcpOptionID.NotFound", `The dhcpOption ID '${id}' does not exist`),
        fields: {
          "dhcp-options-id": (d) => [d.DhcpOptionsId],
          key: (d) => (d.DhcpConfigurations ?? []).map((c) => c.Key),
          value: (d) =>
            (d.DhcpConfigurations ?? []).flatMap((c) => (c.Values ?? []).map((v) => v.Value)),
          "owner-id": (d) => [d.OwnerId],
        },
        maxResults: 1000,
      });
      return listXml("dhcpOptionsSet", result);
    },

    DescribeSecurityGroups(params) {
      const result = describe(params, {
        items: fleet.securityGroups ?? [],
        idParam: "GroupId",
        id: (g) => g.GroupId,
        notFound: (id) =>
          new AwsError("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
        fields: {
          "group-id": (g) => [g.GroupId],
          "group-name": (g) => [g.GroupName],
          "vpc-id": (g) => [g.VpcId],
          "owner-id": (g) => [g.OwnerId],
        },
        maxResults: 1000,
      });
      // The group's Description is `groupDescription` on the wire (its rules' are `description`).
      const page = result.page.map(({ Description, ...group }) => ({
        ...group,
        GroupDescription: Description,
      }));
      return listXml("securityGroupInfo", { ...result, page });
    },

    DescribeNetworkAcls(params) {
      const result = describe(params, {
        items: fleet.networkAcls ?? [],
        idParam: "NetworkAclId",
        id: (acl) => acl.NetworkAclId,
        notFound: (id) =>
          new AwsError("InvalidNetworkAclID.NotFound", `The networkAcl ID '${id}' does not exist`),
        fields: {
          "network-acl-id": (acl) => [acl.NetworkAclId],
          "vpc-id": (acl) => [acl.VpcId],
          default: (acl) => [acl.IsDefault ?? false],
          "association.subnet-id": associationSubnets,
          "association.network-acl-id": (acl) =>
            (acl.Associations ?? []).map((a) => a.NetworkAclId),
          "association.association-id": (acl) =>
            (acl.Associations ?? []).map((a) => a.NetworkAclAssociationId),
          "owner-id": (acl) => [acl.OwnerId],
        },
        maxResults: 1000,
      });
      return listXml("networkAclSet", result);
    },

    DescribeRouteTables(params) {
      const result = describe(params, {
        items: fleet.routeTables ?? [],
        idParam: "RouteTableId",
        id: (rt) => rt.RouteTableId,
        notFound: (id) =>
          new AwsError("InvalidRouteTableID.NotFound", `The routeTable ID '${id}' does not exist`),
        fields: {
          "route-table-id": (rt) => [rt.RouteTableId],
          "vpc-id": (rt) => [rt.VpcId],
          "association.subnet-id": associationSubnets,
          // Tables without an association never match (API reference, DescribeRouteTables).
          "association.main": (rt) => (rt.Associations ?? []).map((a) => a.Main ?? false),
          "association.route-table-association-id": (rt) =>
            (rt.Associations ?? []).map((a) => a.RouteTableAssociationId),
          "owner-id": (rt) => [rt.OwnerId],
        },
        maxResults: 100,
      });
      return listXml("routeTableSet", result);
    },

    // GetManagedPrefixListEntries: one list's CIDRs, paged by MaxResults (1-100) / NextToken
    // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetManagedPrefixListEntries.html).
    // The error for an unknown list as AWS words it (aws-cloudformation/rain#308).
    GetManagedPrefixListEntries(params) {
      const id = params.get("PrefixListId");
      if (!id) {
        throw new AwsError(
          "MissingParameter",
          "The request must contain the parameter PrefixListId",
        );
      }
      const list = (fleet.managedPrefixLists ?? []).find((l) => l.PrefixListId === id);
      if (!list) {
        throw new AwsError(
          "InvalidPrefixListID.NotFound",
          `The prefix list ID '${id}' does not exist`,
        );
      }
      const rawMax = params.get("MaxResults");
      const maxResults = rawMax === null ? undefined : Number(rawMax);
      const result = paginate(list.Entries, {
        scope: `GetManagedPrefixListEntries&${id}`,
        maxResults,
        nextToken: params.get("NextToken") ?? undefined,
        defaultMax: Math.max(list.Entries.length, 1),
        limit: maxResults === undefined ? Number.POSITIVE_INFINITY : 100,
        invalid: (message) => invalidParameter(message),
      });
      return listXml("entrySet", result);
    },

    DescribeSubnets(params) {
      const result = describe(params, {
        items: subnets,
        idParam: "SubnetId",
        id: (s) => s.SubnetId,
        notFound: (id) =>
          new AwsError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`),
        fields: {
          "subnet-id": (s) => [s.SubnetId],
          "vpc-id": (s) => [s.VpcId],
          "availability-zone": (s) => [s.AvailabilityZone],
          "cidr-block": (s) => [s.CidrBlock],
          state: (s) => [s.State],
        },
        maxResults: 1000,
      });
      return listXml("subnetSet", result);
    },

    DescribeNetworkInterfaces(params) {
      // API reference: MaxResults cannot be combined with NetworkInterfaceId.N.
      if (params.has("MaxResults") && ec2QueryList(params, "NetworkInterfaceId").length > 0) {
        throw new AwsError(
          "InvalidParameterCombination",
          "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults",
        );
      }
      const addresses = (eni: FleetNetworkInterface) =>
        (eni.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress);
      const result = describe(params, {
        items: networkInterfaces(fleet),
        idParam: "NetworkInterfaceId",
        id: (eni) => eni.NetworkInterfaceId,
        notFound: (id) =>
          new AwsError(
            "InvalidNetworkInterfaceID.NotFound",
            `The networkInterface ID '${id}' does not exist`,
          ),
        fields: {
          "network-interface-id": (eni) => [eni.NetworkInterfaceId],
          "addresses.private-ip-address": addresses,
          "private-ip-address": addresses,
          "attachment.instance-id": (eni) => [eni.Attachment?.InstanceId],
          description: (eni) => [eni.Description],
          "group-id": (eni) => (eni.Groups ?? []).map((g) => g.GroupId),
          "interface-type": (eni) => [eni.InterfaceType],
          "requester-managed": (eni) => [eni.RequesterManaged ?? false],
          "subnet-id": (eni) => [eni.SubnetId],
          "vpc-id": (eni) => [eni.VpcId],
          status: (eni) => [eni.Status],
        },
        maxResults: 1000,
      });
      return listXml("networkInterfaceSet", result);
    },

    DescribeVpcAttribute(params) {
      const vpcId = params.get("VpcId");
      const attribute = params.get("Attribute");
      if (!vpcId)
        throw new AwsError("MissingParameter", "The request must contain the parameter vpcId");
      if (!attribute) {
        throw new AwsError("MissingParameter", "The request must contain the parameter attribute");
      }
      const vpc = vpcs.find((v) => v.vpcId === vpcId);
      if (!vpc) throw new AwsError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
      // Unset, a VPC has AWS's defaults for a non-default VPC: DNS support on, hostnames off
      // (VPC User Guide, "DNS attributes for your VPC").
      const values: Record<string, boolean> = {
        enableDnsSupport: vpc.enableDnsSupport ?? true,
        enableDnsHostnames: vpc.enableDnsHostnames ?? false,
      };
      const value = Object.hasOwn(values, attribute) ? values[attribute] : undefined;
      if (value === undefined) {
        throw invalidParameter(
          `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
        );
      }
      return element("vpcId", vpcId) + element(attribute, { Value: value });
    },
  };
}

/** Runs an action, answering a permitted `DryRun=true` call with EC2's DryRunOperation (412). */
export function runEc2(operation: Ec2Operation, params: URLSearchParams): string {
  if (params.get("DryRun") === "true") {
    throw new AwsError(
      "DryRunOperation",
      "Request would have succeeded, but DryRun flag is set.",
      412,
    );
  }
  return operation(params);
}

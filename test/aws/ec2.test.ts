import * as sdk from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/aws/cache.ts";
import { Ec2Adapter } from "../../src/aws/ec2.ts";
import { AwsReadError } from "../../src/aws/errors.ts";
import { LambdaConfigAdapter } from "../../src/aws/lambda-config.ts";
import { onlyNock, WIRE_CREDENTIALS } from "../support/aws-wire.ts";

// EC2 speaks the Query protocol: a form-encoded POST, an XML answer (EC2 API reference,
// "Query requests" and the DescribeSecurityGroups / DescribeNetworkAcls examples).
const REGION = "ap-northeast-1";
const EC2_HOST = `https://ec2.${REGION}.amazonaws.com`;
const credentials = WIRE_CREDENTIALS;
const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

let clock = 0;
const ec2 = (cache = new TtlCache(() => clock)) =>
  new Ec2Adapter(
    async () => ({
      client: new sdk.EC2Client({ region: REGION, credentials, maxAttempts: 1 }),
      sdk,
    }),
    cache,
    REGION,
  );

/** Answers one EC2 Action with XML, recording the form fields it was sent. */
function interceptEc2(action: string, xml: string, seen: URLSearchParams[] = [], status = 200) {
  return nock(EC2_HOST)
    .post("/", (body: string | Record<string, string>) => {
      const form = new URLSearchParams(
        typeof body === "string" ? body : (body as Record<string, string>),
      );
      if (form.get("Action") !== action) return false;
      seen.push(form);
      return true;
    })
    .reply(status, xml, { "content-type": "text/xml;charset=UTF-8" });
}

const SECURITY_GROUPS = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="${XMLNS}">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <securityGroupInfo>
    <item>
      <ownerId>123456789012</ownerId>
      <groupId>sg-0c0ffee00000b0001</groupId>
      <groupName>api-service-tasks</groupName>
      <groupDescription>api-service tasks</groupDescription>
      <vpcId>vpc-0b1e2c3d4e5f60718</vpcId>
      <ipPermissions>
        <item>
          <ipProtocol>tcp</ipProtocol>
          <fromPort>8080</fromPort>
          <toPort>8080</toPort>
          <groups>
            <item><userId>123456789012</userId><groupId>sg-0c0ffee00000a0002</groupId></item>
          </groups>
          <ipRanges>
            <item><cidrIp>10.1.1.0/24</cidrIp><description>batch VPC</description></item>
          </ipRanges>
          <ipv6Ranges/>
          <prefixListIds/>
        </item>
        <item>
          <ipProtocol>-1</ipProtocol>
          <groups>
            <item><userId>123456789012</userId><groupId>sg-0c0ffee00000b0001</groupId></item>
          </groups>
          <ipRanges/>
          <ipv6Ranges/>
          <prefixListIds/>
        </item>
      </ipPermissions>
      <ipPermissionsEgress>
        <item>
          <ipProtocol>-1</ipProtocol>
          <groups/>
          <ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges>
          <ipv6Ranges/>
          <prefixListIds/>
        </item>
      </ipPermissionsEgress>
    </item>
  </securityGroupInfo>
</DescribeSecurityGroupsResponse>`;

const NETWORK_ACLS = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeNetworkAclsResponse xmlns="${XMLNS}">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <networkAclSet>
    <item>
      <networkAclId>acl-0c0ffee0000000011</networkAclId>
      <vpcId>vpc-0b1e2c3d4e5f60718</vpcId>
      <default>false</default>
      <entrySet>
        <item><ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>10.0.0.0/16</cidrBlock><portRange><from>32768</from><to>60999</to></portRange></item>
        <item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
        <item><ruleNumber>100</ruleNumber><protocol>-1</protocol><ruleAction>allow</ruleAction><egress>true</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
        <item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>true</egress><cidrBlock>0.0.0.0/0</cidrBlock></item>
      </entrySet>
      <associationSet>
        <item><networkAclAssociationId>aclassoc-0c0ffee2000000000</networkAclAssociationId><networkAclId>acl-0c0ffee0000000011</networkAclId><subnetId>subnet-0a1c0ffee0000011a</subnetId></item>
      </associationSet>
      <tagSet/>
    </item>
  </networkAclSet>
</DescribeNetworkAclsResponse>`;

const routeTables = (tables: string) => `<?xml version="1.0" encoding="UTF-8"?>
<DescribeRouteTablesResponse xmlns="${XMLNS}">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <routeTableSet>${tables}</routeTableSet>
</DescribeRouteTablesResponse>`;

const MAIN_TABLE = `<item>
  <routeTableId>rtb-0c0ffee0000000001</routeTableId>
  <vpcId>vpc-0b1e2c3d4e5f60718</vpcId>
  <routeSet>
    <item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item>
    <item><destinationCidrBlock>10.1.0.0/16</destinationCidrBlock><vpcPeeringConnectionId>pcx-0a1b2c3d4e5f60789</vpcPeeringConnectionId><state>active</state><origin>CreateRoute</origin></item>
  </routeSet>
  <associationSet>
    <item><routeTableAssociationId>rtbassoc-0c0ffee0000000001</routeTableAssociationId><routeTableId>rtb-0c0ffee0000000001</routeTableId><main>true</main></item>
  </associationSet>
  <tagSet/>
</item>`;

const vpcAttribute = (name: string, value: boolean) => `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcAttributeResponse xmlns="${XMLNS}">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <vpcId>vpc-0d2e3f4a5b6c70819</vpcId>
  <${name}><value>${value}</value></${name}>
</DescribeVpcAttributeResponse>`;

/** An EC2 Query answer: the members of `<{Action}Response>` after its requestId. */
const ec2Answer = (action: string, members: string) => `<?xml version="1.0" encoding="UTF-8"?>
<${action}Response xmlns="${XMLNS}"><requestId>59dbff89-EXAMPLE</requestId>${members}</${action}Response>`;

// A Fargate task's ENI as public describe-network-interfaces output shows one (AWS publishes no
// example of a task ENI): the ECS attachment's ARN as description, requester-managed, attached to
// an instance of another account.
const TASK_ENI = ec2Answer(
  "DescribeNetworkInterfaces",
  `<networkInterfaceSet>
    <item>
      <networkInterfaceId>eni-0a1b2c3d4e5f60123</networkInterfaceId>
      <subnetId>subnet-0a1c0ffee0000001a</subnetId>
      <vpcId>vpc-0b1e2c3d4e5f60718</vpcId>
      <availabilityZone>ap-northeast-1a</availabilityZone>
      <description>arn:aws:ecs:ap-northeast-1:123456789012:attachment/3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a61</description>
      <ownerId>123456789012</ownerId>
      <requesterId>111122223333</requesterId>
      <requesterManaged>true</requesterManaged>
      <status>in-use</status>
      <macAddress>06:1f:8a:3c:55:01</macAddress>
      <privateIpAddress>10.0.1.23</privateIpAddress>
      <privateDnsName>ip-10-0-1-23.ap-northeast-1.compute.internal</privateDnsName>
      <sourceDestCheck>true</sourceDestCheck>
      <groupSet>
        <item><groupId>sg-0c0ffee00000a0001</groupId><groupName>nginx-tasks</groupName></item>
      </groupSet>
      <attachment>
        <attachmentId>eni-attach-0a1b2c3d4e5f60123</attachmentId>
        <deviceIndex>1</deviceIndex>
        <networkCardIndex>0</networkCardIndex>
        <instanceOwnerId>111122223333</instanceOwnerId>
        <status>attached</status>
        <attachTime>2026-11-20T09:01:40.000Z</attachTime>
        <deleteOnTermination>false</deleteOnTermination>
      </attachment>
      <privateIpAddressesSet>
        <item>
          <privateIpAddress>10.0.1.23</privateIpAddress>
          <privateDnsName>ip-10-0-1-23.ap-northeast-1.compute.internal</privateDnsName>
          <primary>true</primary>
        </item>
      </privateIpAddressesSet>
      <ipv6AddressesSet/>
      <interfaceType>interface</interfaceType>
      <tagSet>
        <item><key>aws:ecs:clusterName</key><value>tutorial</value></item>
      </tagSet>
    </item>
  </networkInterfaceSet>`,
);

onlyNock();

describe("Ec2Adapter on the wire", () => {
  it("counts a peer VPC's group only while its peering is active: a stale one is set apart", async () => {
    const xml = SECURITY_GROUPS.replace(
      "<item><userId>123456789012</userId><groupId>sg-0c0ffee00000a0002</groupId></item>",
      `<item><userId>123456789012</userId><groupId>sg-0c0ffee00000a0002</groupId></item>
       <item><userId>123456789012</userId><groupId>sg-0d2e0ffee0000a001</groupId><vpcId>vpc-0d2e3f4a5b6c70819</vpcId><vpcPeeringConnectionId>pcx-0a1b2c3d4e5f60789</vpcPeeringConnectionId><peeringStatus>active</peeringStatus></item>
       <item><userId>123456789012</userId><groupId>sg-0d2e0ffee0000a002</groupId><vpcId>vpc-0d2e3f4a5b6c70819</vpcId><vpcPeeringConnectionId>pcx-0dead000000000001</vpcPeeringConnectionId><peeringStatus>deleted</peeringStatus></item>`,
    );
    interceptEc2("DescribeSecurityGroups", xml);

    const [group] = await ec2().securityGroups(["sg-0c0ffee00000b0001"]);

    expect(group?.ingress[0]).toMatchObject({
      groupIds: ["sg-0c0ffee00000a0002", "sg-0d2e0ffee0000a001"],
      inactivePeerGroups: [
        { groupId: "sg-0d2e0ffee0000a002", peering: "pcx-0dead000000000001", status: "deleted" },
      ],
    });
  });

  it("maps a group's rules: group references, CIDRs, ports, and protocol -1 without ports", async () => {
    const seen: URLSearchParams[] = [];
    interceptEc2("DescribeSecurityGroups", SECURITY_GROUPS, seen);

    const groups = await ec2().securityGroups(["sg-0c0ffee00000b0001", "sg-0c0ffee00000b0001"]);

    expect(seen[0]?.getAll("GroupId.1")).toEqual(["sg-0c0ffee00000b0001"]);
    expect(seen[0]?.has("GroupId.2")).toBe(false);
    expect(groups).toEqual([
      {
        id: "sg-0c0ffee00000b0001",
        name: "api-service-tasks",
        ingress: [
          {
            protocol: "tcp",
            ports: { from: 8080, to: 8080 },
            cidrs: ["10.1.1.0/24"],
            groupIds: ["sg-0c0ffee00000a0002"],
            prefixListIds: [],
          },
          {
            protocol: "-1",
            ports: undefined,
            cidrs: [],
            groupIds: ["sg-0c0ffee00000b0001"],
            prefixListIds: [],
          },
        ],
        egress: [
          {
            protocol: "-1",
            ports: undefined,
            cidrs: ["0.0.0.0/0"],
            groupIds: [],
            prefixListIds: [],
          },
        ],
      },
    ]);
  });

  it("finds each subnet's network ACL by association, entries split by direction", async () => {
    const seen: URLSearchParams[] = [];
    interceptEc2("DescribeNetworkAcls", NETWORK_ACLS, seen);

    const acls = await ec2().networkAcls(["subnet-0a1c0ffee0000011a"]);

    expect(seen[0]?.get("Filter.1.Name")).toBe("association.subnet-id");
    expect(seen[0]?.get("Filter.1.Value.1")).toBe("subnet-0a1c0ffee0000011a");
    const acl = acls.get("subnet-0a1c0ffee0000011a");
    expect(acl?.id).toBe("acl-0c0ffee0000000011");
    expect(acl?.ingress).toEqual([
      {
        ruleNumber: 100,
        protocol: "6",
        action: "allow",
        cidr: "10.0.0.0/16",
        ports: { from: 32768, to: 60999 },
      },
      { ruleNumber: 32767, protocol: "-1", action: "deny", cidr: "0.0.0.0/0", ports: undefined },
    ]);
    expect(acl?.egress).toHaveLength(2);
  });

  it("keeps security groups for a minute, then reads them again", async () => {
    const cache = new TtlCache(() => clock);
    const adapter = ec2(cache);
    interceptEc2("DescribeSecurityGroups", SECURITY_GROUPS);
    clock = 0;

    await adapter.securityGroups(["sg-0c0ffee00000b0001"]);
    clock = 59_000;
    await adapter.securityGroups(["sg-0c0ffee00000b0001"]);
    expect(nock.pendingMocks()).toEqual([]);

    interceptEc2("DescribeSecurityGroups", SECURITY_GROUPS);
    clock = 61_000;
    await adapter.securityGroups(["sg-0c0ffee00000b0001"]);
  });

  it("gives a subnet without its own route table its VPC's main one", async () => {
    const seen: URLSearchParams[] = [];
    interceptEc2("DescribeRouteTables", routeTables(""), seen);
    interceptEc2("DescribeRouteTables", routeTables(MAIN_TABLE), seen);

    const tables = await ec2().routeTables([
      { id: "subnet-0a1c0ffee0000001d", vpcId: "vpc-0b1e2c3d4e5f60718", cidr: "10.0.3.0/24" },
    ]);

    expect(tables.get("subnet-0a1c0ffee0000001d")).toEqual({
      id: "rtb-0c0ffee0000000001",
      vpcId: "vpc-0b1e2c3d4e5f60718",
      main: true,
      subnetIds: [],
      routes: [
        { destination: "10.0.0.0/16", target: "local", state: "active", local: true },
        { destination: "10.1.0.0/16", target: "pcx-0a1b2c3d4e5f60789", state: "active" },
      ],
    });
    const filters = seen.map((f) => f.get("Filter.1.Name")).sort();
    expect(filters).toEqual(["association.subnet-id", "vpc-id"]);
  });

  it("keeps a route whose destination is a prefix list, and a local route whose target was replaced", async () => {
    const table = `<item>
  <routeTableId>rtb-0c0ffee0000000009</routeTableId>
  <vpcId>vpc-0b1e2c3d4e5f60718</vpcId>
  <routeSet>
    <item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><networkInterfaceId>eni-0f1e0000000000001</networkInterfaceId><state>active</state><origin>CreateRouteTable</origin></item>
    <item><destinationPrefixListId>pl-0c0ffee0000000001</destinationPrefixListId><vpcPeeringConnectionId>pcx-0a1b2c3d4e5f60789</vpcPeeringConnectionId><state>active</state><origin>CreateRoute</origin></item>
  </routeSet>
  <associationSet>
    <item><routeTableAssociationId>rtbassoc-0c0ffee0000000009</routeTableAssociationId><routeTableId>rtb-0c0ffee0000000009</routeTableId><subnetId>subnet-0a1c0ffee0000001d</subnetId><main>false</main></item>
  </associationSet>
</item>`;
    interceptEc2("DescribeRouteTables", routeTables(table));
    interceptEc2("DescribeRouteTables", routeTables(""));

    const tables = await ec2().routeTables([
      { id: "subnet-0a1c0ffee0000001d", vpcId: "vpc-0b1e2c3d4e5f60718", cidr: "10.0.3.0/24" },
    ]);

    expect(tables.get("subnet-0a1c0ffee0000001d")?.routes).toEqual([
      { destination: "10.0.0.0/16", target: "eni-0f1e0000000000001", state: "active", local: true },
      {
        destination: "pl-0c0ffee0000000001",
        prefixList: true,
        target: "pcx-0a1b2c3d4e5f60789",
        state: "active",
      },
    ]);
  });

  it("reads every page of a prefix list's entries", async () => {
    const seen: URLSearchParams[] = [];
    const page = (cidrs: string[], next?: string) => `<?xml version="1.0" encoding="UTF-8"?>
<GetManagedPrefixListEntriesResponse xmlns="${XMLNS}">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <entrySet>${cidrs.map((c) => `<item><cidr>${c}</cidr></item>`).join("")}</entrySet>
  ${next ? `<nextToken>${next}</nextToken>` : ""}
</GetManagedPrefixListEntriesResponse>`;
    interceptEc2("GetManagedPrefixListEntries", page(["10.1.0.0/16"], "t2"), seen);
    interceptEc2("GetManagedPrefixListEntries", page(["10.2.0.0/16"]), seen);

    const cidrs = await ec2().prefixListEntries("pl-0c0ffee0000000001");

    expect(cidrs).toEqual(["10.1.0.0/16", "10.2.0.0/16"]);
    expect(seen.map((f) => f.get("PrefixListId"))).toEqual([
      "pl-0c0ffee0000000001",
      "pl-0c0ffee0000000001",
    ]);
    expect(seen[1]?.get("NextToken")).toBe("t2");
  });

  it("reads both DNS attributes of a VPC, one call each", async () => {
    interceptEc2("DescribeVpcAttribute", vpcAttribute("enableDnsSupport", true));
    interceptEc2("DescribeVpcAttribute", vpcAttribute("enableDnsHostnames", false));

    const dns = await ec2().vpcDns("vpc-0d2e3f4a5b6c70819");

    expect(dns).toEqual({
      vpcId: "vpc-0d2e3f4a5b6c70819",
      enableDnsSupport: true,
      enableDnsHostnames: false,
    });
  });

  it("finds the interface holding an address in one call, with the filter that works at any count", async () => {
    const seen: URLSearchParams[] = [];
    interceptEc2("DescribeNetworkInterfaces", TASK_ENI, seen);

    const enis = await ec2().networkInterfacesByIp("10.0.1.23");

    expect(seen[0]?.get("Filter.1.Name")).toBe("private-ip-address");
    expect(seen[0]?.get("Filter.1.Value.1")).toBe("10.0.1.23");
    expect(seen[0]?.get("IncludeManagedResources")).toBe("true");
    expect(seen[0]?.has("MaxResults")).toBe(false);
    expect(enis).toEqual([
      {
        id: "eni-0a1b2c3d4e5f60123",
        interfaceType: "interface",
        description:
          "arn:aws:ecs:ap-northeast-1:123456789012:attachment/3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a61",
        requesterId: "111122223333",
        requesterManaged: true,
        instanceId: undefined,
        deviceIndex: 1,
        subnetId: "subnet-0a1c0ffee0000001a",
        vpcId: "vpc-0b1e2c3d4e5f60718",
        availabilityZone: "ap-northeast-1a",
        securityGroupIds: ["sg-0c0ffee00000a0001"],
        privateIps: ["10.0.1.23"],
        tags: { "aws:ecs:clusterName": "tutorial" },
      },
    ]);
  });

  it("reports EC2's UnauthorizedOperation as a missing permission", async () => {
    interceptEc2(
      "DescribeSecurityGroups",
      `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>b2f6e4b1-EXAMPLE</RequestID></Response>`,
      [],
      403,
    );

    const error = await ec2()
      .securityGroups(["sg-0c0ffee00000b0001"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsReadError);
    expect((error as AwsReadError).reason).toBe(
      "the bot's IAM role may not call DescribeSecurityGroups (UnauthorizedOperation)",
    );
  });
});

describe("LambdaConfigAdapter on the wire", () => {
  const LAMBDA_HOST = `https://lambda.${REGION}.amazonaws.com`;
  const lambda = () =>
    new LambdaConfigAdapter(
      new LambdaClient({ region: REGION, credentials, maxAttempts: 1 }),
      new TtlCache(),
      REGION,
    );

  it("reads a function's VPC attachment", async () => {
    nock(LAMBDA_HOST)
      .get("/2015-03-31/functions/order-webhook/configuration")
      .reply(200, {
        FunctionName: "order-webhook",
        FunctionArn: `arn:aws:lambda:${REGION}:123456789012:function:order-webhook`,
        VpcConfig: {
          SubnetIds: ["subnet-0a1c0ffee0000011a"],
          SecurityGroupIds: ["sg-0c0ffee00000d0001"],
          VpcId: "vpc-0b1e2c3d4e5f60718",
        },
      });

    expect(await lambda().functionConfiguration("order-webhook")).toEqual({
      name: "order-webhook",
      arn: `arn:aws:lambda:${REGION}:123456789012:function:order-webhook`,
      vpc: {
        vpcId: "vpc-0b1e2c3d4e5f60718",
        subnetIds: ["subnet-0a1c0ffee0000011a"],
        securityGroupIds: ["sg-0c0ffee00000d0001"],
      },
    });
  });

  it("takes a detached function's empty VpcConfig for no VPC", async () => {
    nock(LAMBDA_HOST)
      .get("/2015-03-31/functions/report-mailer/configuration")
      .reply(200, {
        FunctionName: "report-mailer",
        VpcConfig: { SubnetIds: [], SecurityGroupIds: [], VpcId: "" },
      });

    expect((await lambda().functionConfiguration("report-mailer")).vpc).toBeUndefined();
  });

  it("surfaces an unknown function as not-found", async () => {
    nock(LAMBDA_HOST)
      .get("/2015-03-31/functions/nope/configuration")
      .reply(
        404,
        { Type: "User", Message: "Function not found: arn:aws:lambda:…:function:nope" },
        { "x-amzn-errortype": "ResourceNotFoundException" },
      );

    const error = await lambda()
      .functionConfiguration("nope")
      .catch((e: unknown) => e);

    expect((error as AwsReadError).kind).toBe("not-found");
  });
});

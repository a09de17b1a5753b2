import type { OSFamily } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet, FleetRouteTable } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// `/ecs why` over fleets built from the demo's: routes that leave a peering through a NAT
// gateway, prefix lists as destinations, appliances inside one VPC, and the client's OS.

const MAIN_TABLE = "rtb-0c0ffee0000000001";
const PEER_TABLE = "rtb-0d2e0ffee00000001";
const PEER_VPC = "vpc-0d2e3f4a5b6c70819";
const PCX = "pcx-0a1b2c3d4e5f60789";

let running: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** `/ecs why ARGS` as text, against the demo fleet after `change`. */
async function why(args: string, change: (fleet: Fleet) => void, denied: string[] = []) {
  const fleet = loadDemoFleet();
  change(fleet);
  running = await useEmulatedAws(fleet);
  running.emulator.setDenied(denied);
  return renderText((await runEcsCommand(`why ${args}`, () => awsContext("ap-northeast-1"))).doc);
}
const headline = (text: string) => text.split("\n")[0];
const link = (text: string, name: string) =>
  text
    .split("\n")
    .find((l) => l.trim().slice(2).startsWith(`${name}:`))
    ?.trim();
const table = (fleet: Fleet, id: string) =>
  fleet.routeTables?.find((t) => t.RouteTableId === id) as FleetRouteTable;
/** nightly-export's VPC with its DNS hostnames on: the name resolves, the path decides. */
const hostnamesOn = (fleet: Fleet) => {
  const peer = fleet.vpcs?.find((v) => v.vpcId === PEER_VPC);
  if (peer) peer.enableDnsHostnames = true;
};

/** The peer VPC reaches the demo VPC by a route to a prefix list holding its CIDR. */
const toPrefixList = (fleet: Fleet) => {
  hostnamesOn(fleet);
  const peer = table(fleet, PEER_TABLE);
  peer.Routes = [
    ...(peer.Routes ?? []).filter((r) => r.VpcPeeringConnectionId === undefined),
    {
      DestinationPrefixListId: "pl-0c0ffee0000000001",
      VpcPeeringConnectionId: PCX,
      State: "active",
      Origin: "CreateRoute",
    },
  ];
  fleet.managedPrefixLists = [
    {
      PrefixListId: "pl-0c0ffee0000000001",
      PrefixListName: "prod-vpc",
      AddressFamily: "IPv4",
      Entries: [{ Cidr: "10.0.0.0/16", Description: "prod" }],
    },
  ];
};

describe("/ecs why follows AWS's routes (issue 20)", () => {
  it("breaks the replies to a peered Lambda that only the NAT gateway's 0.0.0.0/0 route matches, and names the pcx route", async () => {
    const text = await why("lambda:nightly-export api.internal.local", (fleet) => {
      hostnamesOn(fleet);
      const main = table(fleet, MAIN_TABLE);
      main.Routes = main.Routes?.filter((r) => r.VpcPeeringConnectionId === undefined);
    });

    // The three task subnets share the main table: three broken reply links, one route opens all.
    expect(headline(text)).toMatch(
      /^✖ Lambda nightly-export cannot reach api\.internal\.local:8080: 3 broken links\. First, route subnet-0a1c0ffee0000001a → 10\.1\.1\.0\/24 \(replies\): the replies are dropped: rtb-0c0ffee0000000001 sends 0\.0\.0\.0\/0 to nat-0c0ffee0000000001: the replies to Lambda nightly-export in vpc-0d2e3f4a5b6c70819 leave through a NAT gateway/,
    );
    const create = `aws ec2 create-route --route-table-id ${MAIN_TABLE} --destination-cidr-block 10.1.1.0/24 --vpc-peering-connection-id ${PCX}`;
    expect(text.split(create).length - 1).toBe(1);
  });

  it("follows a route whose destination is a prefix list, by its entries", async () => {
    const text = await why("lambda:nightly-export api.internal.local", toPrefixList);

    expect(text).toMatch(
      /✔ route subnet-0b2c0ffee0000001a → 10\.0\.\d\.0\/24: rtb-0d2e0ffee00000001 sends 10\.0\.0\.0\/16 \(prefix list pl-0c0ffee0000000001\) to pcx-0a1b2c3d4e5f60789/,
    );
    expect(headline(text)).toMatch(/^✔ Lambda nightly-export can reach api\.internal\.local:8080/);
  });

  it("says ? naming the prefix list when its entries cannot be read, never 'no route'", async () => {
    const text = await why("lambda:nightly-export api.internal.local", toPrefixList, [
      "EC2.GetManagedPrefixListEntries",
    ]);

    expect(headline(text)).toMatch(/^\? Lambda nightly-export → api\.internal\.local:8080/);
    expect(text).toMatch(
      /\? route subnet-0b2c0ffee0000001a → 10\.0\.\d\.0\/24: rtb-0d2e0ffee00000001 routes to prefix list pl-0c0ffee0000000001 \(the bot's IAM role may not call GetManagedPrefixListEntries/,
    );
    expect(text).not.toContain("no route");
    expect(text).toContain("Partial answer: could not read the entries of prefix list");
  });

  it("within one VPC, says ? naming the firewall a route more specific than the local route sends the traffic through", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect", (fleet) => {
      fleet.routeTables?.push({
        RouteTableId: "rtb-0c0ffee0000000002",
        VpcId: "vpc-0b1e2c3d4e5f60718",
        OwnerId: "123456789012",
        Routes: [
          {
            DestinationCidrBlock: "10.0.0.0/16",
            GatewayId: "local",
            State: "active",
            Origin: "CreateRouteTable",
          },
          {
            DestinationCidrBlock: "10.0.2.0/24",
            NetworkInterfaceId: "eni-0f1e0ffee00000001",
            State: "active",
            Origin: "CreateRoute",
          },
        ],
        Associations: [
          {
            RouteTableAssociationId: "rtbassoc-0c0ffee0000000002",
            RouteTableId: "rtb-0c0ffee0000000002",
            SubnetId: "subnet-0a1c0ffee0000001a",
            Main: false,
          },
        ],
      });
    });

    expect(headline(text)).toMatch(/^\? web-frontend → nginx\.service-connect:80/);
    expect(link(text, "route")).toBe(
      "? route: subnet-0a1c0ffee0000001a → 10.0.2.0/24: rtb-0c0ffee0000000002 sends 10.0.2.0/24 to eni-0f1e0ffee00000001, a route more specific than the local route: the traffic passes through that appliance, whose own rules are not read",
    );
    // nginx admits web-frontend by its group: through an appliance that reference is not enough.
    expect(link(text, "service-connect-nginx-service security groups in")).toContain(
      "passes through eni-0f1e0ffee00000001",
    );
  });
});

describe("/ecs why checks the replies against the client's own ephemeral ports (issue 20)", () => {
  /** Subnets 1a/1c/1d take TCP 80 in, and replies on Linux's 32768-60999 only. */
  const linuxOnlyAcl = (fleet: Fleet, os?: OSFamily) => {
    const acl = fleet.networkAcls?.find((a) => a.NetworkAclId === "acl-0c0ffee0000000001");
    if (acl) {
      acl.Entries = [
        ...(acl.Entries ?? []).filter((e) => e.Egress),
        {
          RuleNumber: 100,
          Protocol: "6",
          RuleAction: "allow",
          Egress: false,
          CidrBlock: "10.0.0.0/16",
          PortRange: { From: 80, To: 80 },
        },
        {
          RuleNumber: 110,
          Protocol: "6",
          RuleAction: "allow",
          Egress: false,
          CidrBlock: "10.0.0.0/16",
          PortRange: { From: 32768, To: 60999 },
        },
        {
          RuleNumber: 32767,
          Protocol: "-1",
          RuleAction: "deny",
          Egress: false,
          CidrBlock: "0.0.0.0/0",
        },
      ];
    }
    const td = fleet.taskDefinitions.find((t) => t.family === "web-frontend");
    if (td && os) td.runtimePlatform = { operatingSystemFamily: os, cpuArchitecture: "X86_64" };
  };

  it("lets a Linux task's replies back on 32768-60999", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect", (f) =>
      linuxOnlyAcl(f, "LINUX"),
    );

    expect(headline(text)).toMatch(/^✔ web-frontend can reach nginx\.service-connect:80/);
  });

  it("breaks a Windows task's replies: they come back on 49152-65535", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect", (f) =>
      linuxOnlyAcl(f, "WINDOWS_SERVER_2022_CORE"),
    );

    expect(headline(text)).toContain(
      "✖ web-frontend cannot reach nginx.service-connect:80: the replies are dropped: acl-0c0ffee0000000001 denies TCP 61000-65535 from 10.0.2.47 (rule 32767)",
    );
    expect(text).toContain("--port-range From=49152,To=65535");
  });

  it("names the client's task definition it could not read, and never says ✔", async () => {
    const text = await why(
      "tutorial/web-frontend nginx.service-connect",
      (f) => linuxOnlyAcl(f, "LINUX"),
      ["ECS.DescribeTaskDefinition"],
    );

    expect(headline(text)).toMatch(/^\? /);
    expect(text).toContain("could not read the task definition web-frontend:3");
  });

  it("says ? when neither the task definition nor the task states an OS: Linux's range passes, Windows' does not", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect", (f) => {
      linuxOnlyAcl(f);
      // EC2 launch type: no platformFamily on the task.
      for (const t of f.tasks) delete t.platformFamily;
    });

    expect(headline(text)).toMatch(/^\? web-frontend → nginx\.service-connect:80/);
    expect(link(text, "subnet-0a1c0ffee0000001a in (replies)")).toContain(
      "passes 32768-60999 (Linux)",
    );
  });

  it("takes the Fargate task's platformFamily (Linux) when the task definition states no OS", async () => {
    const text = await why("tutorial/web-frontend nginx.service-connect", (f) => linuxOnlyAcl(f));

    // The replies pass every pair: one merged line, 1a among the subnets they come into.
    expect(link(text, "network ACLs (replies)")).toMatch(
      /^✔ .*allows TCP 32768-60999 .*into subnet-0a1c0ffee0000001a/,
    );
    expect(headline(text)).toMatch(/^✔ web-frontend can reach nginx\.service-connect:80/);
  });
});

describe("/ecs why counts a peer VPC's group only across an active peering (issue 20)", () => {
  /** api-service lets nightly-export in by its group across the peering, not by its CIDR. */
  const byPeerGroup = (status: string) => (fleet: Fleet) => {
    hostnamesOn(fleet);
    const api = fleet.securityGroups?.find((g) => g.GroupId === "sg-0c0ffee00000b0001");
    const rule = api?.IpPermissions?.find((p) =>
      p.IpRanges?.some((r) => r.CidrIp === "10.1.1.0/24"),
    );
    if (rule) {
      rule.IpRanges = [];
      rule.UserIdGroupPairs = [
        {
          GroupId: "sg-0c0ffee00000d0002",
          UserId: "123456789012",
          VpcId: PEER_VPC,
          VpcPeeringConnectionId: PCX,
          PeeringStatus: status,
        },
      ];
    }
  };

  it("lets the peer in by its group while the peering is active", async () => {
    const text = await why("lambda:nightly-export api.internal.local", byPeerGroup("active"));

    expect(link(text, "api-service security groups in")).toBe(
      "✔ api-service security groups in: sg-0c0ffee00000b0001 (api-service-tasks) allows TCP 8080 from sg-0c0ffee00000d0002",
    );
  });

  it("does not count a stale reference (peering deleted) as allowing: ?", async () => {
    const text = await why("lambda:nightly-export api.internal.local", byPeerGroup("deleted"));

    expect(link(text, "api-service security groups in")).toBe(
      "? api-service security groups in: sg-0c0ffee00000b0001 (api-service-tasks) names sg-0c0ffee00000d0002 (Lambda nightly-export) for TCP 8080 across pcx-0a1b2c3d4e5f60789, whose peering is deleted, not active: a stale reference, not counted as allowing",
    );
    expect(headline(text)).not.toMatch(/^✔/);
  });
});

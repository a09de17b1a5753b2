import { describe, expect, it } from "vitest";
import type { RouteTable, Subnet } from "../../../src/domain/network-path/routes.ts";
import type { ServiceClient } from "../../../src/domain/why/client.ts";
import { GROUPS, judge, LOCAL_TABLE, network, OPEN_ACL, SUBNETS, VPC, web } from "./fixtures.ts";

describe("why A cannot reach B: the route tables (issue 20)", () => {
  const PEER: Subnet = {
    id: "subnet-0b2c0ffee0000001a",
    vpcId: "vpc-0d2e3f4a5b6c70819",
    cidr: "10.1.1.0/24",
  };
  // A Service Connect client of the namespace in the peered VPC (the name resolves for it).
  const peerClient: ServiceClient = {
    ...web({ subnetIds: [PEER.id] }),
    tasks: { known: true, value: [{ taskId: "p1", ip: "10.1.1.9", subnetId: PEER.id }] },
  };
  const table = (id: string, vpcId: string, routes: RouteTable["routes"]): RouteTable => ({
    id,
    vpcId,
    main: true,
    subnetIds: [],
    routes,
  });
  const local = (destination: string, target = "local") => ({
    destination,
    target,
    state: "active",
    local: true,
  });
  const route = (destination: string, target: string) => ({ destination, target, state: "active" });
  /** The peer's table (to the VPC by `toVpc`) and the VPC's (to the peer by `toPeer`). */
  const peered = (toVpc: RouteTable["routes"], toPeer: RouteTable["routes"], more = {}) =>
    network({
      subnets: { known: true, value: [...SUBNETS, PEER] },
      acls: { known: true, value: new Map([...SUBNETS, PEER].map((s) => [s.id, OPEN_ACL])) },
      routes: {
        known: true,
        value: new Map([
          [PEER.id, table("rtb-0peer", PEER.vpcId, [local("10.1.0.0/16"), ...toVpc])],
          ...SUBNETS.map((s): [string, RouteTable] => [
            s.id,
            table("rtb-0main", VPC, [local("10.0.0.0/16"), ...toPeer]),
          ]),
        ]),
      },
      ...more,
    });
  const find = (report: ReturnType<typeof judge>, link: string) =>
    report.checks.find((c) => c.link === link);

  it("breaks the replies that leave a peering path through a NAT gateway, and names the pcx route that fixes them", () => {
    const net = peered(
      [route("10.0.0.0/16", "pcx-0a1b2c3d")],
      [route("0.0.0.0/0", "nat-0c0ffee1")],
    );

    const report = judge(peerClient, net);

    const replies = find(report, "route subnet-0a1c0ffee0000001a → 10.1.1.0/24 (replies)");
    expect(replies).toMatchObject({ status: "broken" });
    expect(replies?.detail).toContain("rtb-0main sends 0.0.0.0/0 to nat-0c0ffee1");
    expect(replies?.detail).toContain("NAT gateway");
    expect(replies?.fix).toBe(
      "aws ec2 create-route --route-table-id rtb-0main --destination-cidr-block 10.1.1.0/24 --vpc-peering-connection-id pcx-0a1b2c3d",
    );
    expect(report.status).toBe("broken");
    expect(report.verdict).toContain("the replies are dropped");
  });

  it("says ? for a route to a transit gateway: its own route tables are not read, so it is never ✔", () => {
    const net = peered(
      [route("10.0.0.0/16", "tgw-0c0ffee1")],
      [route("10.1.0.0/16", "tgw-0c0ffee1")],
    );

    const report = judge(peerClient, net);

    const out = find(report, "route subnet-0b2c0ffee0000001a → 10.0.2.0/24");
    expect(out?.status).toBe("unknown");
    expect(out?.detail).toContain("tgw-0c0ffee1");
    expect(out?.detail).toContain("transit gateway's route tables are not read");
    expect(report.status).toBe("unknown");
  });

  it("breaks replies that leave through an internet gateway too", () => {
    const net = peered(
      [route("10.0.0.0/16", "pcx-0a1b2c3d")],
      [route("0.0.0.0/0", "igw-0c0ffee1")],
    );

    const replies = find(
      judge(peerClient, net),
      "route subnet-0a1c0ffee0000001c → 10.1.1.0/24 (replies)",
    );

    expect(replies).toMatchObject({ status: "broken" });
    expect(replies?.fix).toContain("--vpc-peering-connection-id pcx-0a1b2c3d");
  });

  it("follows a route whose destination is a prefix list, by the list's entries", () => {
    const net = peered(
      [{ destination: "pl-0peer", prefixList: true, target: "pcx-0a1b2c3d", state: "active" }],
      [route("10.1.0.0/16", "pcx-0a1b2c3d")],
      { prefixLists: new Map([["pl-0peer", { known: true, value: ["10.0.0.0/16"] }]]) },
    );

    const report = judge(peerClient, net);

    expect(find(report, "route subnet-0b2c0ffee0000001a → 10.0.1.0/24")).toMatchObject({
      status: "ok",
      detail: "rtb-0peer sends 10.0.0.0/16 (prefix list pl-0peer) to pcx-0a1b2c3d",
    });
    expect(report.status).toBe("reachable");
  });

  it("says ? naming the prefix list whose entries could not be read, never 'no route'", () => {
    const net = peered(
      [{ destination: "pl-0peer", prefixList: true, target: "pcx-0a1b2c3d", state: "active" }],
      [route("10.1.0.0/16", "pcx-0a1b2c3d")],
      {
        prefixLists: new Map([
          [
            "pl-0peer",
            {
              known: false,
              why: "the bot's IAM role may not call GetManagedPrefixListEntries (UnauthorizedOperation)",
            },
          ],
        ]),
      },
    );

    const report = judge(peerClient, net);

    const there = find(report, "route subnet-0b2c0ffee0000001a → 10.0.1.0/24");
    expect(there?.status).toBe("unknown");
    expect(there?.detail).toContain("pl-0peer");
    expect(there?.detail).toContain("GetManagedPrefixListEntries");
    expect(there?.detail).not.toContain("no route");
    expect(report.status).toBe("unknown");
  });

  it("within one VPC, reads both subnets' tables: ✔ names the table whose local route carries it", () => {
    const report = judge(web());

    expect(find(report, "route")).toMatchObject({
      status: "ok",
      detail:
        "both in vpc-0b1e2c3d4e5f60718: the local route of rtb-0c0ffee0000000001 carries it both ways",
    });
  });

  it("within one VPC, says ? naming the NAT gateway a route more specific than the local route sends the traffic to", () => {
    const viaNat = table("rtb-0middle", VPC, [
      local("10.0.0.0/16"),
      route("10.0.2.0/24", "nat-0c0ffee2"),
    ]);
    const net = network({
      routes: {
        known: true,
        value: new Map([
          ["subnet-0a1c0ffee0000001a", viaNat],
          ["subnet-0a1c0ffee0000001c", LOCAL_TABLE],
        ]),
      },
    });

    const report = judge(web(), net);

    const hop = find(report, "route");
    expect(hop?.status).toBe("unknown");
    expect(hop?.detail).toBe(
      "subnet-0a1c0ffee0000001a → 10.0.2.0/24: rtb-0middle sends 10.0.2.0/24 to nat-0c0ffee2, a route more specific than the local route: the traffic passes through that appliance, whose own rules are not read",
    );
    // nginx lets web-frontend in by its group: behind an appliance that reference lets nothing through.
    const inbound = find(report, "service-connect-nginx-service security groups in");
    expect(inbound?.status).toBe("unknown");
    expect(inbound?.detail).toContain("passes through nat-0c0ffee2");
    expect(report.status).toBe("unknown");
  });

  it("within one VPC, says ? naming the network interface that replaced the local route's target", () => {
    const replaced = table("rtb-0inspect", VPC, [local("10.0.0.0/16", "eni-0f1re")]);
    const net = network({
      routes: { known: true, value: new Map(SUBNETS.map((s) => [s.id, replaced])) },
    });

    const hop = find(judge(web(), net), "route");

    expect(hop?.status).toBe("unknown");
    expect(hop?.detail).toContain(
      "the local route of rtb-0inspect (10.0.0.0/16) has its target replaced by eni-0f1re",
    );
  });

  it("still counts a CIDR rule behind an appliance: only a group reference is not enough", () => {
    const byCidr = GROUPS.map((g) =>
      g.id === "sg-0c0ffee00000a0001"
        ? {
            ...g,
            ingress: [
              {
                protocol: "tcp",
                ports: { from: 80, to: 80 },
                cidrs: ["10.0.0.0/16"],
                groupIds: [],
              },
            ],
          }
        : g,
    );
    const viaEni = table("rtb-0middle", VPC, [
      local("10.0.0.0/16"),
      route("10.0.2.0/24", "eni-0f1re"),
    ]);
    const net = network({
      groups: { known: true, value: byCidr },
      routes: { known: true, value: new Map(SUBNETS.map((s) => [s.id, viaEni])) },
    });

    const report = judge(web(), net);

    expect(find(report, "service-connect-nginx-service security groups in")?.status).toBe("ok");
    expect(find(report, "route")?.status).toBe("unknown");
  });
});

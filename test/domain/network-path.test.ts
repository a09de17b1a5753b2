import { describe, expect, it } from "vitest";
import { type NetworkAcl, naclDecisions, naclDenials } from "../../src/domain/network-path/acls.ts";
import { inCidr } from "../../src/domain/network-path/cidr.ts";
import { EPHEMERAL } from "../../src/domain/network-path/ports.ts";
import { chooseRoute, type Route, type RouteTable } from "../../src/domain/network-path/routes.ts";
import {
  type SecurityGroup,
  securityGroupsAllow,
} from "../../src/domain/network-path/security-groups.ts";
import { type PathCheck, type PathEnd, pathChecks } from "../../src/domain/network-path.ts";

// The rules of security groups and network ACLs as DescribeSecurityGroups and
// DescribeNetworkAcls return them (IpProtocol "tcp" or "-1", FromPort/ToPort, UserIdGroupPairs;
// NACL entries with RuleNumber, Protocol "6" or "-1", RuleAction, CidrBlock, PortRange).

const web = { ip: "10.0.1.23", securityGroupIds: ["sg-0a1b2c3d4e5f60001"] };
const batch = { ip: "10.0.2.41", securityGroupIds: ["sg-0c1d2e3f4a5b60003"] };

const apiGroup: SecurityGroup = {
  id: "sg-0b1c2d3e4f5a60002",
  name: "api-service",
  ingress: [
    // TCP 8080 from the web tier's group only.
    {
      protocol: "tcp",
      ports: { from: 8080, to: 8080 },
      cidrs: [],
      groupIds: [web.securityGroupIds[0] ?? ""],
    },
  ],
  // The default egress rule: everything, everywhere.
  egress: [{ protocol: "-1", cidrs: ["0.0.0.0/0"], groupIds: [] }],
};

describe("CIDR containment", () => {
  it.each([
    ["10.0.1.23", "10.0.0.0/16", true],
    ["10.1.1.23", "10.0.0.0/16", false],
    ["10.0.1.23", "10.0.1.23/32", true],
    ["10.0.1.24", "10.0.1.23/32", false],
    ["203.0.113.7", "0.0.0.0/0", true],
    // EC2 stores 100.68.0.18/18 as 100.68.0.0/18: the host bits do not matter.
    ["100.68.63.1", "100.68.0.18/18", true],
    ["100.68.64.1", "100.68.0.18/18", false],
    ["not-an-ip", "0.0.0.0/0", false],
    ["10.0.1.23", "2001:db8::/32", false],
  ])("%s in %s: %s", (ip, cidr, inside) => {
    expect(inCidr(ip, cidr)).toBe(inside);
  });
});

describe("security groups", () => {
  it("let a client in through a rule naming its group, and nobody else", () => {
    expect(securityGroupsAllow([apiGroup], "ingress", web, 8080)?.rule.groupIds).toEqual([
      "sg-0a1b2c3d4e5f60001",
    ]);
    expect(securityGroupsAllow([apiGroup], "ingress", batch, 8080)).toBeUndefined();
  });

  it("match port ranges inclusively, and only for TCP", () => {
    const group: SecurityGroup = {
      id: "sg-range",
      ingress: [
        { protocol: "tcp", ports: { from: 8000, to: 8080 }, cidrs: ["10.0.0.0/16"], groupIds: [] },
        { protocol: "udp", ports: { from: 9000, to: 9000 }, cidrs: ["10.0.0.0/16"], groupIds: [] },
      ],
      egress: [],
    };
    expect(securityGroupsAllow([group], "ingress", batch, 8000)).toBeDefined();
    expect(securityGroupsAllow([group], "ingress", batch, 8080)).toBeDefined();
    expect(securityGroupsAllow([group], "ingress", batch, 8081)).toBeUndefined();
    expect(securityGroupsAllow([group], "ingress", batch, 9000)).toBeUndefined();
  });

  it("treat protocol -1 as every protocol and port", () => {
    expect(securityGroupsAllow([apiGroup], "egress", batch, 5432)?.rule.protocol).toBe("-1");
  });

  it("add up the rules of every group on the ENI", () => {
    const extra: SecurityGroup = {
      id: "sg-batch-in",
      ingress: [
        { protocol: "6", ports: { from: 8080, to: 8080 }, cidrs: ["10.0.2.0/24"], groupIds: [] },
      ],
      egress: [],
    };
    expect(securityGroupsAllow([apiGroup, extra], "ingress", batch, 8080)?.group.id).toBe(
      "sg-batch-in",
    );
  });

  it("let in a peer that shares a self-referencing group", () => {
    const mesh: SecurityGroup = {
      id: "sg-mesh",
      ingress: [{ protocol: "-1", cidrs: [], groupIds: ["sg-mesh"] }],
      egress: [],
    };
    const peer = { ip: "10.0.3.9", securityGroupIds: ["sg-mesh"] };
    expect(securityGroupsAllow([mesh], "ingress", peer, 8080)).toBeDefined();
    expect(securityGroupsAllow([mesh], "ingress", web, 8080)).toBeUndefined();
  });

  it("let nothing out of a group whose egress rules were all removed", () => {
    const closed: SecurityGroup = { id: "sg-closed", ingress: [], egress: [] };
    expect(securityGroupsAllow([closed], "egress", batch, 443)).toBeUndefined();
  });
});

describe("network ACLs", () => {
  const vpc = "10.0.0.0/16";

  it("let the lowest-numbered matching entry decide", () => {
    const acl: NetworkAcl = {
      id: "acl-0123456789abcdef0",
      ingress: [
        {
          ruleNumber: 200,
          protocol: "6",
          action: "allow",
          cidr: vpc,
          ports: { from: 8080, to: 8080 },
        },
        {
          ruleNumber: 100,
          protocol: "6",
          action: "deny",
          cidr: "10.0.1.0/24",
          ports: { from: 0, to: 65535 },
        },
      ],
      egress: [],
    };
    expect(naclDecisions(acl, "ingress", web.ip, { from: 8080, to: 8080 })).toEqual([
      { ports: { from: 8080, to: 8080 }, action: "deny", ruleNumber: 100 },
    ]);
    expect(naclDecisions(acl, "ingress", batch.ip, { from: 8080, to: 8080 })).toEqual([
      { ports: { from: 8080, to: 8080 }, action: "allow", ruleNumber: 200 },
    ]);
  });

  it("deny what no numbered entry matches (the final * entry)", () => {
    const acl: NetworkAcl = {
      id: "acl-narrow",
      ingress: [
        {
          ruleNumber: 100,
          protocol: "6",
          action: "allow",
          cidr: vpc,
          ports: { from: 443, to: 443 },
        },
      ],
      egress: [],
    };
    expect(naclDenials(naclDecisions(acl, "ingress", web.ip, { from: 8080, to: 8080 }))).toEqual([
      { ports: { from: 8080, to: 8080 }, action: "deny" },
    ]);
  });

  it("pass everything under the default ACL (rule 100 allows all protocols)", () => {
    const defaults: NetworkAcl = {
      id: "acl-default",
      ingress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
      egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
    };
    expect(naclDenials(naclDecisions(defaults, "egress", web.ip, EPHEMERAL.linux))).toEqual([]);
  });

  it("find the part of a client's ephemeral ports its replies cannot come back to", () => {
    // Return traffic allowed to 1024-32767 only: a Linux task's replies (32768-60999) are lost.
    const acl: NetworkAcl = {
      id: "acl-return",
      ingress: [
        {
          ruleNumber: 100,
          protocol: "6",
          action: "allow",
          cidr: vpc,
          ports: { from: 1024, to: 32767 },
        },
      ],
      egress: [],
    };
    expect(naclDenials(naclDecisions(acl, "ingress", "10.0.2.41", EPHEMERAL.linux))).toEqual([
      { ports: { from: 32768, to: 60999 }, action: "deny" },
    ]);
    // A Lambda's replies, 1024-65535: most come back, the top of the range does not.
    expect(naclDecisions(acl, "ingress", "10.0.2.41", EPHEMERAL.lambda)).toEqual([
      { ports: { from: 1024, to: 32767 }, action: "allow", ruleNumber: 100 },
      { ports: { from: 32768, to: 65535 }, action: "deny" },
    ]);
  });

  it("never match an IPv6-only entry, nor another protocol, against IPv4 TCP", () => {
    const acl: NetworkAcl = {
      id: "acl-v6",
      ingress: [
        {
          ruleNumber: 90,
          protocol: "17",
          action: "deny",
          cidr: vpc,
          ports: { from: 8080, to: 8080 },
        },
        { ruleNumber: 100, protocol: "6", action: "deny" },
        {
          ruleNumber: 110,
          protocol: "6",
          action: "allow",
          cidr: vpc,
          ports: { from: 8080, to: 8080 },
        },
      ],
      egress: [],
    };
    expect(naclDecisions(acl, "ingress", web.ip, { from: 8080, to: 8080 })).toEqual([
      { ports: { from: 8080, to: 8080 }, action: "allow", ruleNumber: 110 },
    ]);
  });
});

describe("the path of one connection, hop by hop", () => {
  const defaultAcl: NetworkAcl = {
    id: "acl-0default0000000a",
    ingress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
    egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
  };
  const webGroup: SecurityGroup = {
    id: "sg-0a1b2c3d4e5f60001",
    name: "web-frontend",
    ingress: [],
    egress: [{ protocol: "-1", cidrs: ["0.0.0.0/0"], groupIds: [] }],
  };
  const client = (over: Partial<PathEnd> = {}): PathEnd => ({
    name: "web-frontend",
    ip: "10.0.1.23",
    securityGroupIds: [webGroup.id],
    groups: { known: true, value: [webGroup] },
    subnetId: "subnet-0a1c0ffee0000001a",
    subnetCidr: "10.0.1.0/24",
    acl: { known: true, value: defaultAcl },
    ephemeral: EPHEMERAL.linux,
    ...over,
  });
  const server = (over: Partial<PathEnd> = {}): PathEnd => ({
    name: "api-service",
    ip: "10.0.3.103",
    securityGroupIds: [apiGroup.id],
    groups: { known: true, value: [apiGroup] },
    subnetId: "subnet-0a1c0ffee0000001d",
    subnetCidr: "10.0.3.0/24",
    acl: { known: true, value: defaultAcl },
    ephemeral: EPHEMERAL.linux,
    ...over,
  });
  const statuses = (checks: PathCheck[]) => checks.map((c) => `${c.status} ${c.link}`);

  it("passes every hop of a pair that works, in the order a connection meets them", () => {
    expect(statuses(pathChecks(client(), server(), 8080))).toEqual([
      "ok web-frontend security groups out",
      "ok subnet-0a1c0ffee0000001a out",
      "ok subnet-0a1c0ffee0000001d in",
      "ok api-service security groups in",
      "ok subnet-0a1c0ffee0000001d out (replies)",
      "ok subnet-0a1c0ffee0000001a in (replies)",
    ]);
  });

  it("names the group that keeps a client out and the command that would let it in", () => {
    const outsider = client({
      name: "batch-worker",
      ip: "10.0.2.41",
      securityGroupIds: ["sg-0c1d2e3f4a5b60003"],
      groups: { known: true, value: [{ ...webGroup, id: "sg-0c1d2e3f4a5b60003", name: "batch" }] },
      subnetId: "subnet-0a1c0ffee0000001c",
      subnetCidr: "10.0.2.0/24",
    });
    const broken = pathChecks(outsider, server(), 8080).filter((c) => c.status !== "ok");

    expect(broken).toEqual([
      {
        link: "api-service security groups in",
        status: "broken",
        detail:
          "no rule of sg-0b1c2d3e4f5a60002 (api-service) allows TCP 8080 from batch-worker (10.0.2.41, sg-0c1d2e3f4a5b60003): it allows TCP 8080 only from sg-0a1b2c3d4e5f60001",
        fix: "aws ec2 authorize-security-group-ingress --group-id sg-0b1c2d3e4f5a60002 --protocol tcp --port 8080 --source-group sg-0c1d2e3f4a5b60003",
      },
    ]);
  });

  it("finds replies a network ACL drops, and an entry number that would come before the deny", () => {
    const strict: NetworkAcl = {
      id: "acl-0strict00000000d",
      ingress: [
        {
          ruleNumber: 100,
          protocol: "6",
          action: "allow",
          cidr: "10.0.0.0/16",
          ports: { from: 8080, to: 8080 },
        },
      ],
      // Replies only to 1024-32767: a Linux client's ports (32768-60999) fall to the * entry.
      egress: [
        {
          ruleNumber: 100,
          protocol: "6",
          action: "allow",
          cidr: "10.0.0.0/16",
          ports: { from: 1024, to: 32767 },
        },
      ],
    };
    const broken = pathChecks(
      client(),
      server({ acl: { known: true, value: strict } }),
      8080,
    ).filter((c) => c.status !== "ok");

    expect(broken).toEqual([
      {
        link: "subnet-0a1c0ffee0000001d out (replies)",
        status: "broken",
        detail: "acl-0strict00000000d denies TCP 32768-60999 to 10.0.1.23 (the final * entry)",
        fix: "aws ec2 create-network-acl-entry --network-acl-id acl-0strict00000000d --egress --rule-number 32766 --protocol tcp --port-range From=32768,To=60999 --cidr-block 10.0.1.0/24 --rule-action allow",
      },
    ]);
  });

  it("says a hop is unknown, with why, when its rules could not be read: never open, never closed", () => {
    const unread = server({
      groups: { known: false, why: "not allowed to read them (ec2:DescribeSecurityGroups)" },
      acl: { known: false, why: "throttled" },
    });
    const checks = pathChecks(client(), unread, 8080);

    expect(statuses(checks)).toEqual([
      "ok web-frontend security groups out",
      "ok subnet-0a1c0ffee0000001a out",
      "unknown subnet-0a1c0ffee0000001d in",
      "unknown api-service security groups in",
      "unknown subnet-0a1c0ffee0000001d out (replies)",
      "ok subnet-0a1c0ffee0000001a in (replies)",
    ]);
    expect(checks[3]?.detail).toBe(
      "api-service's security groups: not allowed to read them (ec2:DescribeSecurityGroups)",
    );
    expect(checks.some((c) => c.fix)).toBe(false);
  });

  it("meets no network ACL between two ENIs of one subnet", () => {
    const neighbour = server({
      subnetId: "subnet-0a1c0ffee0000001a",
      subnetCidr: "10.0.1.0/24",
      acl: { known: false, why: "throttled" },
    });
    expect(statuses(pathChecks(client(), neighbour, 8080))).toEqual([
      "ok web-frontend security groups out",
      "ok network ACLs",
      "ok api-service security groups in",
    ]);
  });

  it("leaves a security group hop unknown when only a prefix list could let the peer in", () => {
    const listed: SecurityGroup = {
      id: "sg-0b1c2d3e4f5a60002",
      name: "api-service",
      ingress: [
        {
          protocol: "tcp",
          ports: { from: 8080, to: 8080 },
          cidrs: [],
          groupIds: [],
          prefixListIds: ["pl-0a1b2c3d4e5f60001"],
        },
      ],
      egress: [],
    };
    const end: PathEnd = { ...server(), groups: { known: true, value: [listed] } };

    const hop = pathChecks(client(), end, 8080).find(
      (c) => c.link === "api-service security groups in",
    );

    expect(hop?.status).toBe("unknown");
    expect(hop?.detail).toContain("prefix list pl-0a1b2c3d4e5f60001 may hold it");
    expect(hop?.fix).toBeUndefined();
  });

  it("leaves an ACL hop unknown when an entry covers only part of a Lambda's subnet", () => {
    const halfDenied: NetworkAcl = {
      id: "acl-0lambda00000000b",
      ingress: [
        { ruleNumber: 90, protocol: "6", action: "deny", cidr: "10.0.1.0/25" },
        { ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" },
      ],
      egress: defaultAcl.egress,
    };
    const lambda = client({
      name: "Lambda order-webhook",
      ip: "10.0.1.0/24",
      ephemeral: EPHEMERAL.lambda,
    });

    const hop = pathChecks(lambda, server({ acl: { known: true, value: halfDenied } }), 8080).find(
      (c) => c.link === "subnet-0a1c0ffee0000001d in",
    );

    expect(hop).toMatchObject({ status: "unknown" });
    expect(hop?.detail).toContain("rule 90 (deny 10.0.1.0/25) covers only part of 10.0.1.0/24");
  });
});

describe("which route a table uses (VPC User Guide, route priority)", () => {
  const pl = (id: string, target: string) => ({
    destination: id,
    prefixList: true,
    target,
    state: "active",
  });
  const table = (routes: Route[]): RouteTable => ({
    id: "rtb-0a",
    vpcId: "vpc-0a",
    main: true,
    subnetIds: [],
    routes: [
      { destination: "10.0.0.0/16", target: "local", state: "active", local: true },
      ...routes,
    ],
  });
  const lists = (entries: Record<string, string[]>) =>
    new Map(Object.entries(entries).map(([id, value]) => [id, { known: true as const, value }]));

  it("matches a prefix list's entries by their own prefix length: longest first", () => {
    const t = table([
      { destination: "10.1.0.0/16", target: "pcx-0wide", state: "active" },
      pl("pl-0narrow", "tgw-0narrow"),
    ]);

    const choice = chooseRoute(t, "10.1.2.0/24", lists({ "pl-0narrow": ["10.1.2.0/23"] }));

    expect(choice).toMatchObject({ kind: "route", entry: "10.1.2.0/23" });
    expect(choice.kind === "route" && choice.route.target).toBe("tgw-0narrow");
  });

  it("prefers a CIDR route to a prefix-list entry of the same length", () => {
    const t = table([
      pl("pl-0same", "tgw-0same"),
      { destination: "10.1.0.0/16", target: "pcx-0cidr", state: "active" },
    ]);

    const choice = chooseRoute(t, "10.1.2.0/24", lists({ "pl-0same": ["10.1.0.0/16"] }));

    expect(choice.kind === "route" && choice.route.target).toBe("pcx-0cidr");
  });

  it("leaves two prefix lists with the same entry to different targets unknown: AWS picks at random", () => {
    const t = table([pl("pl-0a", "pcx-0a"), pl("pl-0b", "tgw-0b")]);

    const choice = chooseRoute(
      t,
      "10.1.2.0/24",
      lists({ "pl-0a": ["10.1.0.0/16"], "pl-0b": ["10.1.0.0/16"] }),
    );

    expect(choice).toMatchObject({ kind: "unknown" });
  });

  it("says unknown when a more specific route takes only part of the subnet elsewhere", () => {
    const t = table([
      { destination: "10.1.0.0/16", target: "pcx-0a", state: "active" },
      { destination: "10.1.2.128/25", target: "tgw-0b", state: "active" },
    ]);

    const choice = chooseRoute(t, "10.1.2.0/24", new Map());

    expect(choice).toMatchObject({ kind: "unknown" });
    expect(choice.kind === "unknown" && choice.why).toBe(
      "rtb-0a sends 10.1.2.128/25, part of 10.1.2.0/24, to tgw-0b, the rest to pcx-0a: the path depends on the address",
    );
  });

  it("ignores a prefix-list entry more specific than the local route", () => {
    const t = table([pl("pl-0inside", "nat-0a")]);

    const choice = chooseRoute(t, "10.0.2.0/24", lists({ "pl-0inside": ["10.0.2.0/24"] }));

    expect(choice).toMatchObject({ kind: "route", local: true });
  });

  it("says unknown, naming the list, when an unread prefix list could hold a longer match", () => {
    const t = table([
      { destination: "10.1.0.0/16", target: "pcx-0a", state: "active" },
      pl("pl-0unread", "nat-0a"),
    ]);

    const choice = chooseRoute(t, "10.1.2.0/24", new Map());

    expect(choice).toMatchObject({ kind: "unknown" });
    expect(choice.kind === "unknown" && choice.why).toContain("pl-0unread");
    // The local route is not overruled by any entry: unread lists do not matter inside the VPC.
    expect(chooseRoute(t, "10.0.2.0/24", new Map())).toMatchObject({ kind: "route", local: true });
  });
});

describe("security group references across a VPC peering", () => {
  const peerEnd = (groups: SecurityGroup[]): PathEnd => ({
    name: "api-service",
    ip: "10.0.3.103",
    securityGroupIds: ["sg-0api"],
    groups: { known: true, value: groups },
    subnetId: "subnet-0a",
    subnetCidr: "10.0.3.0/24",
    acl: { known: false, why: "not read" },
    ephemeral: EPHEMERAL.linux,
  });
  const exporter: PathEnd = {
    ...peerEnd([{ id: "sg-0peer", ingress: [], egress: [] }]),
    name: "nightly-export",
    ip: "10.1.1.9",
    securityGroupIds: ["sg-0peer"],
    subnetId: "subnet-0b",
    subnetCidr: "10.1.1.0/24",
  };

  it("does not count a stale reference (peering deleted) as letting the peer in: unknown, named", () => {
    const api: SecurityGroup = {
      id: "sg-0api",
      ingress: [
        {
          protocol: "tcp",
          ports: { from: 8080, to: 8080 },
          cidrs: [],
          groupIds: [],
          inactivePeerGroups: [{ groupId: "sg-0peer", peering: "pcx-0gone", status: "deleted" }],
        },
      ],
      egress: [],
    };

    const inbound = pathChecks(exporter, peerEnd([api]), 8080).find(
      (c) => c.link === "api-service security groups in",
    );

    expect(inbound?.status).toBe("unknown");
    expect(inbound?.detail).toContain("across pcx-0gone, whose peering is deleted, not active");
  });
});

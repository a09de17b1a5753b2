import { describe, expect, it } from "vitest";
import { judgeHealth } from "../../src/domain/health.ts";
import type { NetworkAcl } from "../../src/domain/network-path/acls.ts";
import type { RouteTable, Subnet } from "../../src/domain/network-path/routes.ts";
import type { SecurityGroup } from "../../src/domain/network-path/security-groups.ts";
import { buildResolution } from "../../src/domain/resolution.ts";
import type {
  Counterpart,
  NetworkFacts,
  ServiceClient,
  WhyClient,
} from "../../src/domain/why/client.ts";
import { resourcesIn } from "../../src/domain/why/fixes.ts";
import { judgeWhy, targetChoices, type WhyInput } from "../../src/domain/why.ts";
import { parseWhy } from "../../src/domain/why-query.ts";
import { nginxFacts } from "../support/facts.ts";

const VPC = "vpc-0b1e2c3d4e5f60718";
const SUBNETS: Subnet[] = [
  { id: "subnet-0a1c0ffee0000001a", vpcId: VPC, cidr: "10.0.1.0/24" },
  { id: "subnet-0a1c0ffee0000001c", vpcId: VPC, cidr: "10.0.2.0/24" },
];
const OPEN_ACL: NetworkAcl = {
  id: "acl-0c0ffee0000000001",
  ingress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
  egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
};
const all = { protocol: "-1", cidrs: ["0.0.0.0/0"], groupIds: [] };
const GROUPS: SecurityGroup[] = [
  {
    id: "sg-0c0ffee00000a0001",
    name: "nginx-tasks",
    ingress: [
      {
        protocol: "tcp",
        ports: { from: 80, to: 80 },
        cidrs: [],
        groupIds: ["sg-0c0ffee00000a0002"],
      },
    ],
    egress: [all],
  },
  { id: "sg-0c0ffee00000a0002", name: "web-frontend-tasks", ingress: [], egress: [all] },
];

/** The VPC's main table as CreateVpc makes it: the local route only. */
const LOCAL_TABLE: RouteTable = {
  id: "rtb-0c0ffee0000000001",
  vpcId: VPC,
  main: true,
  subnetIds: [],
  routes: [{ destination: "10.0.0.0/16", target: "local", state: "active", local: true }],
};

function network(overrides: Partial<NetworkFacts> = {}): NetworkFacts {
  return {
    subnets: { known: true, value: SUBNETS },
    groups: { known: true, value: GROUPS },
    acls: {
      known: true,
      value: new Map(SUBNETS.map((s) => [s.id, OPEN_ACL])),
    },
    routes: { known: true, value: new Map(SUBNETS.map((s) => [s.id, LOCAL_TABLE])) },
    ...overrides,
  };
}

function web(overrides: Partial<NonNullable<ServiceClient["ecs"]>> = {}): ServiceClient {
  return {
    kind: "service",
    cluster: "tutorial",
    service: "web-frontend",
    ecs: {
      serviceConnectNamespace: "service-connect",
      deployedAt: new Date("2026-11-22T12:00:00Z"),
      securityGroupIds: ["sg-0c0ffee00000a0002"],
      subnetIds: ["subnet-0a1c0ffee0000001a"],
      ...overrides,
    },
    tasks: {
      known: true,
      value: [{ taskId: "2b3c", ip: "10.0.1.88", subnetId: "subnet-0a1c0ffee0000001a" }],
    },
  };
}

function nginxReport() {
  const facts = nginxFacts();
  const resolution = buildResolution(
    {
      query: "nginx.service-connect",
      subject: { kind: "name", name: "nginx.service-connect" },
      focusName: { name: "nginx.service-connect" },
    },
    facts,
  );
  return judgeHealth({ resolution, service: facts.service, stoppedTasks: [], gaps: [] });
}

const judge = (client: WhyClient, net = network(), counterparts?: WhyInput["counterparts"]) =>
  judgeWhy({ client, report: nginxReport(), network: net, region: "ap-northeast-1", counterparts });

/** nginx's group no longer lets web-frontend in. */
const CLOSED = network({
  groups: {
    known: true,
    value: GROUPS.map((g) => (g.id === "sg-0c0ffee00000a0001" ? { ...g, ingress: [] } : g)),
  },
});

describe("why A cannot reach B: the name", () => {
  it("lets a Service Connect client of the namespace deployed after the name resolve it", () => {
    const report = judge(web());

    expect(report.status).toBe("reachable");
    expect(report.checks[0]).toMatchObject({ layer: "name", status: "ok" });
  });

  it("breaks the name for a client deployed before the name first appeared, and says redeploy", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }));

    expect(report.status).toBe("broken");
    expect(report.verdict).toContain("before nginx first appeared in service-connect");
    expect(report.fixes).toEqual([
      {
        link: "resolve nginx.service-connect",
        layer: "name",
        command:
          "aws ecs update-service --cluster tutorial --service web-frontend --force-new-deployment",
        advice: "Redeploy web-frontend: its new tasks' proxies learn nginx.service-connect",
        resources: ["tutorial/web-frontend"],
        startsDeployment: true,
      },
    ]);
  });

  it("judges one task asked about by its own start, not its service's deployment", () => {
    const task = { id: "2b3c4d5e6f7a48b9c0d1e2f3a4b5c603", ip: "10.0.1.88" };
    const old = judge({ ...web(), task: { ...task, startedAt: new Date("2026-11-19T08:00:00Z") } });
    const fresh = judge({
      ...web(),
      task: { ...task, startedAt: new Date("2026-11-22T12:01:00Z") },
    });

    expect(old.verdict).toContain(
      "✖ task 10.0.1.88 of web-frontend cannot reach nginx.service-connect:80: task 2b3c4d5e6f7a of web-frontend started 2026-11-19 08:00 UTC, before nginx first appeared",
    );
    expect(fresh.status).toBe("reachable");
  });

  it("leaves the name unknown, not broken, when the client's deployment time is unread", () => {
    const report = judge(web({ deployedAt: undefined }));

    expect(report.checks[0]).toMatchObject({ layer: "name", status: "unknown" });
    expect(report.status).toBe("unknown");
    expect(report.verdict).toMatch(
      /^\? web-frontend → nginx\.service-connect:80: nothing found broken/,
    );
  });

  it("breaks the name for a service without Service Connect", () => {
    const report = judge(web({ serviceConnectNamespace: undefined }));

    expect(report.verdict).toContain("does not use Service Connect: its tasks have no proxy");
  });

  it("says the client's Service Connect setting is unknown when its service is unread", () => {
    const client: ServiceClient = { ...web(), ecs: undefined };

    const report = judge(client);

    expect(report.checks.filter((c) => c.status === "broken")).toEqual([]);
    expect(report.status).toBe("unknown");
  });
});

describe("why A cannot reach B: the path", () => {
  it("never judges a path from security groups it could not read", () => {
    const report = judge(
      web(),
      network({ groups: { known: false, why: "AWS throttled DescribeSecurityGroups" } }),
    );

    const groups = report.checks.filter((c) => c.link.includes("security groups"));
    expect(groups.map((c) => c.status)).toEqual(["unknown", "unknown"]);
    expect(groups[0]?.detail).toContain("AWS throttled DescribeSecurityGroups");
    expect(report.status).toBe("unknown");
  });

  it("still says traffic flowed when the rules now look closed: the rule changed since", () => {
    const closed = GROUPS.map((g) => (g.id === "sg-0c0ffee00000a0001" ? { ...g, ingress: [] } : g));
    const report = nginxReport();
    report.traffic = {
      window: { label: "15m", seconds: 900, period: 60 },
      discoveryName: "nginx",
      callers: [{ cluster: "tutorial", service: "web-frontend", requests: 1200 }],
    } as unknown as typeof report.traffic; // only the fields the check reads

    const why = judgeWhy({
      client: web(),
      report,
      network: network({ groups: { known: true, value: closed } }),
      region: "ap-northeast-1",
    });

    expect(why.verdict).toContain("no rule of sg-0c0ffee00000a0001 (nginx-tasks) allows TCP 80");
    expect(why.verdict).toContain("yet its traffic showed in the last 15m");
  });

  it("across VPCs, breaks the path when the client's route table has no route to the server", () => {
    const other: Subnet = {
      id: "subnet-0b2c0ffee0000001a",
      vpcId: "vpc-0d2e3f4a5b6c70819",
      cidr: "10.1.1.0/24",
    };
    const lambda: WhyClient = {
      kind: "lambda",
      name: "nightly-export",
      fn: {
        known: true,
        value: {
          name: "nightly-export",
          vpc: {
            vpcId: other.vpcId,
            subnetIds: [other.id],
            securityGroupIds: ["sg-0c0ffee00000a0002"],
          },
        },
      },
    };
    const tables = new Map<string, RouteTable>([
      [
        other.id,
        {
          id: "rtb-1",
          vpcId: other.vpcId,
          main: true,
          subnetIds: [],
          routes: [{ destination: "10.1.0.0/16", target: "local", state: "active" }],
        },
      ],
      ...SUBNETS.map((s): [string, RouteTable] => [
        s.id,
        {
          id: "rtb-0",
          vpcId: VPC,
          main: true,
          subnetIds: [],
          routes: [{ destination: "10.1.0.0/16", target: "pcx-1", state: "active" }],
        },
      ]),
    ]);
    const net = network({
      subnets: { known: true, value: [...SUBNETS, other] },
      acls: { known: true, value: new Map([...SUBNETS, other].map((s) => [s.id, OPEN_ACL])) },
      routes: { known: true, value: tables },
    });

    const report = judge(lambda, net);

    const route = report.checks.find(
      (c) => c.link === "route subnet-0b2c0ffee0000001a → 10.0.1.0/24",
    );
    expect(route).toMatchObject({
      status: "broken",
      detail: "rtb-1 has no route to 10.0.1.0/24 (service-connect-nginx-service)",
    });
    expect(route?.fix).toContain(
      "aws ec2 create-route --route-table-id rtb-1 --destination-cidr-block 10.0.1.0/24",
    );
  });

  it("says a path that leaves the VPC through a gateway is not checked, not open", () => {
    const other: Subnet = { id: "subnet-x", vpcId: "vpc-other", cidr: "172.16.0.0/24" };
    const client: ServiceClient = {
      ...web({ subnetIds: ["subnet-x"] }),
      tasks: { known: true, value: [{ taskId: "t", ip: "172.16.0.9", subnetId: "subnet-x" }] },
    };
    const viaIgw = {
      id: "rtb-x",
      vpcId: "vpc-other",
      main: true,
      subnetIds: [],
      routes: [{ destination: "0.0.0.0/0", target: "igw-0abc", state: "active" }],
    };
    const net = network({
      subnets: { known: true, value: [...SUBNETS, other] },
      acls: { known: true, value: new Map([...SUBNETS, other].map((s) => [s.id, OPEN_ACL])) },
      routes: { known: true, value: new Map([["subnet-x", viaIgw]]) },
    });

    const report = judge(client, net);

    const route = report.checks.find((c) => c.link.startsWith("route subnet-x"));
    expect(route).toMatchObject({ status: "unknown" });
    expect(route?.detail).toContain("the path leaves the VPC and is not checked");
  });

  it("counts a CIDR rule for a Lambda only when it holds the Lambda's whole subnet", () => {
    const half = GROUPS.map((g) =>
      g.id === "sg-0c0ffee00000a0001"
        ? {
            ...g,
            ingress: [
              {
                protocol: "tcp",
                ports: { from: 80, to: 80 },
                cidrs: ["10.0.1.0/25"],
                groupIds: [],
              },
            ],
          }
        : g,
    );
    const lambda: WhyClient = {
      kind: "lambda",
      name: "order-webhook",
      fn: {
        known: true,
        value: {
          name: "order-webhook",
          vpc: {
            vpcId: VPC,
            subnetIds: [SUBNETS[0]?.id ?? ""],
            securityGroupIds: ["sg-0c0ffee00000d0001"],
          },
        },
      },
    };

    const report = judge(lambda, network({ groups: { known: true, value: half } }));

    const inbound = report.checks.find(
      (c) => c.link === "service-connect-nginx-service security groups in",
    );
    expect(inbound?.status).toBe("broken");
  });
});

describe("why A cannot reach B: every broken link, each with its own fix", () => {
  it("counts both broken links, leads with the name, and fixes the rule before the redeploy", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }), CLOSED);

    expect(report.verdict).toMatch(
      /^✖ web-frontend cannot reach nginx\.service-connect:80: 2 broken links\. First, resolve nginx\.service-connect: /,
    );
    expect(report.verdict).toContain(
      "Also broken: service-connect-nginx-service security groups in.",
    );
    expect(report.fixes.map((f) => [f.link, f.command])).toEqual([
      [
        "service-connect-nginx-service security groups in",
        "aws ec2 authorize-security-group-ingress --group-id sg-0c0ffee00000a0001 --protocol tcp --port 80 --source-group sg-0c0ffee00000a0002",
      ],
      [
        "resolve nginx.service-connect",
        "aws ecs update-service --cluster tutorial --service web-frontend --force-new-deployment",
      ],
    ]);
    expect(report.next).toContain("Apply the 2 fixes above in the order given");
  });

  it("makes each fix name only the resources of its own link", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }), CLOSED);

    for (const fix of report.fixes) {
      const check = report.checks.find((c) => c.link === fix.link);
      expect(check?.status).toBe("broken");
      // Every resource its command names is listed, and no other link's.
      for (const id of resourcesIn(fix.command ?? "")) expect(fix.resources).toContain(id);
    }
    expect(report.fixes[0]?.resources).toEqual(["sg-0c0ffee00000a0001", "sg-0c0ffee00000a0002"]);
    expect(report.fixes[1]?.resources).toEqual(["tutorial/web-frontend"]);
  });

  it("gives a broken link without a command its advice, never an empty fix", () => {
    const report = judge(web({ serviceConnectNamespace: undefined }));

    expect(report.fixes).toHaveLength(1);
    expect(report.fixes[0]?.advice).toContain(
      "Turn on Service Connect in namespace service-connect",
    );
  });
});

describe("why A cannot reach B: a fix never moves a service into another environment", () => {
  const staging = () => web({ serviceConnectNamespace: "staging" });
  const nginxStaging: Counterpart = {
    cluster: "staging",
    service: "nginx",
    discoveryName: "nginx",
    name: "nginx.staging",
  };

  it("offers the target's counterpart in the client's own namespace, never joining the target's", () => {
    const report = judge(staging(), CLOSED, { known: true, value: [nginxStaging] });

    expect(report.verdict).toContain("they are in different Service Connect namespaces");
    const [name, rule] = report.fixes;
    expect(name).toMatchObject({
      link: "resolve nginx.service-connect",
      ask: "/ecs why tutorial/web-frontend nginx.staging",
    });
    expect(name?.command).toBeUndefined();
    // Letting one environment's group into the other's is not proposed either.
    expect(rule?.command).toBeUndefined();
    expect(rule?.advice).toContain("Not proposed");
    expect(JSON.stringify(report.fixes)).not.toContain("namespace=service-connect");
    expect(report.next).toBe(
      "Ask about the client's own environment instead: /ecs why tutorial/web-frontend nginx.staging",
    );
  });

  it("says there is no counterpart, and gives no command, when the client's namespace has none", () => {
    const report = judge(staging(), network(), { known: true, value: [] });

    expect(report.fixes[0]?.advice).toContain(
      "Namespace staging has no counterpart of service-connect-nginx-service",
    );
    expect(report.fixes[0]?.command).toBeUndefined();
    expect(report.fixes[0]?.ask).toBeUndefined();
  });

  it("says the counterpart is unknown when the client's namespace could not be read", () => {
    const report = judge(staging(), network(), { known: false, why: "AWS throttled ListServices" });

    expect(report.fixes[0]?.advice).toContain(
      "Whether namespace staging has a counterpart of service-connect-nginx-service could not be read: AWS throttled ListServices",
    );
  });

  it("proposes no namespace to a client without Service Connect in another cluster", () => {
    const client: ServiceClient = {
      ...web({ serviceConnectNamespace: undefined }),
      cluster: "staging",
    };

    const report = judge(client);

    expect(report.fixes[0]?.command).toBeUndefined();
    expect(report.fixes[0]?.advice).toContain("no namespace is proposed for it");
  });
});

describe("why A cannot reach B: the headline never contradicts the chain", () => {
  it("names every unknown link, and never says ✔ while a link is ?", () => {
    const report = judge(
      web(),
      network({
        groups: { known: false, why: "the bot's IAM role may not call DescribeSecurityGroups" },
      }),
    );

    expect(report.verdict).toMatch(
      /^\? web-frontend → nginx\.service-connect:80: nothing found broken, but 2 links are unknown\. First, web-frontend security groups out: .*DescribeSecurityGroups/,
    );
    expect(report.verdict).toContain(
      "Also unknown: service-connect-nginx-service security groups in.",
    );
    expect(report.fixes).toEqual([]);
  });

  it("says ? rather than ✔ when only the recent stops could not be read", () => {
    const health = nginxReport();

    const report = judgeWhy({
      client: web(),
      report: { ...health, stopped: undefined },
      network: network(),
      region: "ap-northeast-1",
    });

    expect(report.status).toBe("unknown");
    expect(report.verdict).toMatch(/^\? .*recent stops is unknown/);
  });
});

describe("targetChoices", () => {
  it("lists every name a bare word stands for, and one service for anything else", () => {
    const report = nginxReport();

    expect(targetChoices("nginx", true, [report])).toEqual(["nginx.service-connect"]);
    expect(targetChoices("nginx.service-connect", false, [report, report])).toEqual([
      "tutorial/service-connect-nginx-service",
    ]);
  });
});

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

describe("why A cannot reach B: the client's ephemeral ports (issue 20)", () => {
  // Client subnet 1a takes replies back on 32768-60999 only (Linux's range).
  const linuxOnly: NetworkAcl = {
    id: "acl-0linuxonly0000001",
    ingress: [
      {
        ruleNumber: 100,
        protocol: "6",
        action: "allow",
        cidr: "10.0.0.0/16",
        ports: { from: 32768, to: 60999 },
      },
    ],
    egress: OPEN_ACL.egress,
  };
  const net = network({
    acls: {
      known: true,
      value: new Map([
        ["subnet-0a1c0ffee0000001a", linuxOnly],
        ["subnet-0a1c0ffee0000001c", OPEN_ACL],
      ]),
    },
  });
  const replies = (report: ReturnType<typeof judge>) =>
    report.checks.find((c) => c.link === "subnet-0a1c0ffee0000001a in (replies)");

  it("lets a Linux task's replies back on 32768-60999", () => {
    const report = judge({ ...web(), operatingSystemFamily: "LINUX" }, net);

    expect(replies(report)?.status).toBe("ok");
    expect(report.status).toBe("reachable");
  });

  it("breaks a Windows task's replies, which come back on 49152-65535", () => {
    const report = judge({ ...web(), operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" }, net);

    expect(replies(report)).toMatchObject({
      status: "broken",
      detail: "acl-0linuxonly0000001 denies TCP 61000-65535 from 10.0.2.47 (the final * entry)",
    });
    expect(replies(report)?.fix).toContain("--port-range From=49152,To=65535");
  });

  it("takes a Fargate task's platformFamily when its task definition states no OS", () => {
    const onFargate = (platformFamily: string): ServiceClient => ({
      ...web(),
      tasks: {
        known: true,
        value: [
          { taskId: "2b3c", ip: "10.0.1.88", subnetId: "subnet-0a1c0ffee0000001a", platformFamily },
        ],
      },
    });

    expect(replies(judge(onFargate("Linux"), net))?.status).toBe("ok");
    expect(replies(judge(onFargate("WINDOWS_SERVER_2019_CORE"), net))?.status).toBe("broken");
  });

  it("does not assume Linux when the task definition states no OS: ? when one range passes and the other not", () => {
    const report = judge(web(), net);

    expect(replies(report)?.status).toBe("unknown");
    expect(replies(report)?.detail).toContain("61000-65535");
    expect(replies(report)?.detail).toContain("passes 32768-60999 (Linux)");
    expect(replies(report)?.detail).toContain("runtimePlatform");
    expect(report.status).toBe("unknown");
  });

  it("without a stated OS, ✔ when the ACL passes both ranges", () => {
    const both: NetworkAcl = {
      ...linuxOnly,
      ingress: [
        {
          ...(linuxOnly.ingress[0] as NetworkAcl["ingress"][number]),
          ports: { from: 32768, to: 65535 },
        },
      ],
    };
    const report = judge(
      web(),
      network({
        acls: {
          known: true,
          value: new Map([
            ["subnet-0a1c0ffee0000001a", both],
            ["subnet-0a1c0ffee0000001c", OPEN_ACL],
          ]),
        },
      }),
    );

    expect(replies(report)?.status).toBe("ok");
  });
});

describe("parseWhy", () => {
  it("takes a Lambda by name or ARN, and a service by cluster/name", () => {
    expect(parseWhy("lambda:order-webhook api.internal.local")).toMatchObject({
      kind: "pair",
      client: { kind: "lambda", name: "order-webhook" },
      target: { kind: "dotted-name", name: "api.internal.local" },
    });
    expect(
      parseWhy("arn:aws:lambda:ap-northeast-1:123456789012:function:order-webhook 10.0.1.101"),
    ).toMatchObject({
      client: { kind: "lambda", name: "order-webhook" },
      target: { kind: "ipv4" },
    });
    expect(parseWhy("tutorial/web-frontend nginx.service-connect:80")).toMatchObject({
      client: { kind: "ecs", query: { kind: "cluster-service", service: "web-frontend" } },
      target: { port: 80 },
    });
  });

  it("refuses the same name twice, in any case", () => {
    expect(parseWhy("Tutorial/Web tutorial/web")).toMatchObject({
      kind: "invalid",
      reason: "the client and the target are the same",
    });
  });
});

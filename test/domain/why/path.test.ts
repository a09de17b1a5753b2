import { describe, expect, it } from "vitest";
import type { RouteTable, Subnet } from "../../../src/domain/network-path/routes.ts";
import type { ServiceClient, WhyClient } from "../../../src/domain/why/client.ts";
import { judgeWhy } from "../../../src/domain/why.ts";
import { GROUPS, judge, network, nginxReport, OPEN_ACL, SUBNETS, VPC, web } from "./fixtures.ts";

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

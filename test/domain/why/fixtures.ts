// What the why tests judge: nginx behind a Service Connect alias, web-frontend as its client,
// one VPC with two subnets, open ACLs and the local route.

import { judgeHealth } from "../../../src/domain/health.ts";
import type { NetworkAcl } from "../../../src/domain/network-path/acls.ts";
import type { RouteTable, Subnet } from "../../../src/domain/network-path/routes.ts";
import type { SecurityGroup } from "../../../src/domain/network-path/security-groups.ts";
import { buildResolution } from "../../../src/domain/resolution.ts";
import type { NetworkFacts, ServiceClient, WhyClient } from "../../../src/domain/why/client.ts";
import { judgeWhy, type WhyInput } from "../../../src/domain/why.ts";
import { nginxFacts } from "../../support/facts.ts";

export const VPC = "vpc-0b1e2c3d4e5f60718";
export const SUBNETS: Subnet[] = [
  { id: "subnet-0a1c0ffee0000001a", vpcId: VPC, cidr: "10.0.1.0/24" },
  { id: "subnet-0a1c0ffee0000001c", vpcId: VPC, cidr: "10.0.2.0/24" },
];
export const OPEN_ACL: NetworkAcl = {
  id: "acl-0c0ffee0000000001",
  ingress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
  egress: [{ ruleNumber: 100, protocol: "-1", action: "allow", cidr: "0.0.0.0/0" }],
};
export const all = { protocol: "-1", cidrs: ["0.0.0.0/0"], groupIds: [] };
export const GROUPS: SecurityGroup[] = [
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
export const LOCAL_TABLE: RouteTable = {
  id: "rtb-0c0ffee0000000001",
  vpcId: VPC,
  main: true,
  subnetIds: [],
  routes: [{ destination: "10.0.0.0/16", target: "local", state: "active", local: true }],
};

export function network(overrides: Partial<NetworkFacts> = {}): NetworkFacts {
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

export function web(overrides: Partial<NonNullable<ServiceClient["ecs"]>> = {}): ServiceClient {
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

export function nginxReport() {
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

export const judge = (
  client: WhyClient,
  net = network(),
  counterparts?: WhyInput["counterparts"],
) =>
  judgeWhy({ client, report: nginxReport(), network: net, region: "ap-northeast-1", counterparts });

/** nginx's group no longer lets web-frontend in. */
export const CLOSED = network({
  groups: {
    known: true,
    value: GROUPS.map((g) => (g.id === "sg-0c0ffee00000a0001" ? { ...g, ingress: [] } : g)),
  },
});

import { describe, expect, it } from "vitest";
import type { EcsTask } from "../../src/domain/facts.ts";
import {
  type AddressHolder,
  holderHeadline,
  holderLine,
  interfaceOwner,
  type NetworkInterface,
  planIpSearch,
  taskHolding,
} from "../../src/domain/network-interface.ts";

// Interfaces as DescribeNetworkInterfaces describes them (InterfaceType, Description,
// RequesterManaged, Attachment.InstanceId, TagSet). AWS publishes no ECS task ENI: the task one
// below has the shape public output of Fargate tasks shows (attachment ARN as description).

const ATTACHMENT = "3f1e2d4c-5b6a-4789-8a0b-1c2d3e4f5a61";
const taskEni: NetworkInterface = {
  id: "eni-0a1b2c3d4e5f60123",
  interfaceType: "interface",
  description: `arn:aws:ecs:ap-northeast-1:123456789012:attachment/${ATTACHMENT}`,
  requesterId: "111122223333",
  requesterManaged: true,
  deviceIndex: 1,
  subnetId: "subnet-0a1c0ffee0000001a",
  vpcId: "vpc-0b1e2c3d4e5f60718",
  securityGroupIds: ["sg-0c0ffee00000a0001"],
  privateIps: ["10.0.1.23"],
  tags: {},
};
const eni = (overrides: Partial<NetworkInterface>): NetworkInterface => ({
  ...taskEni,
  description: undefined,
  requesterManaged: false,
  ...overrides,
});
const holder = (e: NetworkInterface): AddressHolder => ({ eni: e, owner: interfaceOwner(e) });

const task = (id: string, overrides: Partial<EcsTask>): EcsTask => ({
  arn: `arn:aws:ecs:ap-northeast-1:123456789012:task/tutorial/${id}`,
  id,
  clusterName: "tutorial",
  taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/nginx:1",
  group: "service:service-connect-nginx-service",
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  containers: [],
  ...overrides,
});

describe("whose network interface holds an address", () => {
  it("reads an ECS task's interface from its attachment ARN, with the ECS tags it carries", () => {
    expect(interfaceOwner(taskEni)).toEqual({ kind: "ecs-task", attachmentId: ATTACHMENT });
    expect(
      interfaceOwner({
        ...taskEni,
        tags: { "aws:ecs:clusterName": "tutorial", "aws:ecs:serviceName": "web-frontend" },
      }),
    ).toEqual({
      kind: "ecs-task",
      attachmentId: ATTACHMENT,
      cluster: "tutorial",
      service: "web-frontend",
    });
  });

  it("takes cluster and service tags without the description for a task's, a cluster tag alone not", () => {
    const tags = { "aws:ecs:clusterName": "tutorial", "aws:ecs:serviceName": "web-frontend" };
    expect(interfaceOwner(eni({ requesterManaged: true, tags }))).toEqual({
      kind: "ecs-task",
      cluster: "tutorial",
      service: "web-frontend",
    });
    // ECS Managed Instances carry aws:ecs:clusterName too: an instance, not a task.
    expect(
      interfaceOwner(
        eni({ instanceId: "i-0b5a7c9d1e3f50a10", tags: { "aws:ecs:clusterName": "tutorial" } }),
      ),
    ).toEqual({ kind: "instance", instanceId: "i-0b5a7c9d1e3f50a10" });
  });

  it.each([
    [
      "a Lambda function, by description (a trailing UUID is not part of the name)",
      {
        interfaceType: "lambda",
        description: "AWS Lambda VPC ENI-nightly-export-5f1e9d2c-3b4a-4c8d-9e0f-1a2b3c4d5e6f",
      },
      "Lambda function nightly-export",
    ],
    [
      "a Lambda function, by interface type alone",
      { interfaceType: "lambda", description: undefined },
      "a Lambda function",
    ],
    [
      "a Network Load Balancer",
      {
        interfaceType: "network_load_balancer",
        description: "ELB net/orders-nlb/50dc6c495c0c9188",
      },
      "Network Load Balancer orders-nlb",
    ],
    [
      "an Application Load Balancer (interface type interface)",
      { description: "ELB app/web-alb/7e1f3c9a2b4d6e80" },
      "Application Load Balancer web-alb",
    ],
    [
      "a NAT gateway",
      {
        interfaceType: "nat_gateway",
        description: "Interface for NAT Gateway nat-0a1b2c3d4e5f60789",
      },
      "NAT gateway nat-0a1b2c3d4e5f60789",
    ],
    [
      "a VPC endpoint",
      {
        interfaceType: "vpc_endpoint",
        description: "VPC Endpoint Interface vpce-089f2123488812123",
      },
      "VPC endpoint vpce-089f2123488812123",
    ],
  ])("names %s", (_, fields, what) => {
    const owner = interfaceOwner(eni({ requesterManaged: true, ...fields }));

    expect(owner).toMatchObject({ kind: "aws-resource", what });
  });

  it("names a Lambda interface's function where RequesterManaged reads false (as observed)", () => {
    const lambda = eni({
      interfaceType: "lambda",
      requesterManaged: false,
      requesterId: "AROAEXAMPLEROLEID:123456789012",
      description: "AWS Lambda VPC ENI-order-webhook-5f1e9d2c-3b4a-4c8d-9e0f-1a2b3c4d5e6f",
    });

    expect(interfaceOwner(lambda)).toEqual({
      kind: "aws-resource",
      what: "Lambda function order-webhook",
      lambda: true,
    });
  });

  it("trusts a service's description only on an interface a service manages", () => {
    const own = eni({
      description: "AWS Lambda VPC ENI-copied-by-hand",
      instanceId: "i-0b5a7c9d1e3f50a10",
      deviceIndex: 0,
    });

    expect(interfaceOwner(own)).toEqual({ kind: "instance", instanceId: "i-0b5a7c9d1e3f50a10" });
  });

  it("calls an interface nothing identifies unknown rather than guessing", () => {
    expect(
      interfaceOwner(eni({ requesterManaged: true, description: "RDS? EFS? who knows" })),
    ).toEqual({
      kind: "unknown",
    });
    expect(interfaceOwner(eni({ interfaceType: "branch", requesterManaged: true }))).toEqual({
      kind: "unknown",
    });
  });
});

describe("where a task holding an address can be", () => {
  it("searches everything, running tasks first, when the interfaces could not be read", () => {
    expect(planIpSearch(undefined)).toEqual({
      services: [],
      clusters: "all",
      running: true,
      attachmentIds: [],
      subnetIds: [],
    });
  });

  it("searches only recently stopped tasks when no interface holds the address", () => {
    expect(planIpSearch([])).toMatchObject({ services: [], clusters: "all", running: false });
  });

  it("reads the tagged service, limited to its cluster, matching the interface's attachment", () => {
    const tagged = {
      ...taskEni,
      tags: { "aws:ecs:clusterName": "tutorial", "aws:ecs:serviceName": "web-frontend" },
    };

    expect(planIpSearch([holder(tagged)])).toEqual({
      services: [{ cluster: "tutorial", service: "web-frontend" }],
      clusters: ["tutorial"],
      running: true,
      attachmentIds: [ATTACHMENT],
      subnetIds: ["subnet-0a1c0ffee0000001a"],
    });
  });

  it("searches one cluster when the interface names only its cluster, every one when it names none", () => {
    const clusterOnly = { ...taskEni, tags: { "aws:ecs:clusterName": "staging" } };

    expect(planIpSearch([holder(clusterOnly)])).toMatchObject({
      services: [],
      clusters: ["staging"],
    });
    expect(planIpSearch([holder(taskEni)])).toMatchObject({ services: [], clusters: "all" });
  });

  it("searches no ECS task for a Lambda's or an instance's address, and all for an unknown one", () => {
    const lambda = eni({ interfaceType: "lambda", requesterManaged: true });
    const instance = eni({ instanceId: "i-0b5a7c9d1e3f50a10" });
    const unknown = eni({ requesterManaged: true });

    expect(planIpSearch([holder(lambda), holder(instance)])).toMatchObject({
      clusters: [],
      running: false,
    });
    expect(planIpSearch([holder(lambda), holder(unknown)])).toMatchObject({
      clusters: "all",
      running: true,
    });
  });
});

describe("which task holds the address", () => {
  const plan = planIpSearch([holder(taskEni)]);

  it("prefers the task whose ENI attachment the interface names", () => {
    const stale = task("aaaa", { ipv4: "10.0.1.23", subnetId: "subnet-0a1c0ffee0000001a" });
    const owner = task("bbbb", { ipv4: "10.0.1.23", eniAttachmentId: ATTACHMENT });

    expect(taskHolding([stale, owner], "10.0.1.23", plan)?.id).toBe("bbbb");
  });

  it("falls back to the address, in the interface's subnet only (VPCs may overlap)", () => {
    const otherVpc = task("cccc", { ipv4: "10.0.1.23", subnetId: "subnet-0c0ffee00000000a1" });
    const same = task("dddd", { ipv4: "10.0.1.23", subnetId: "subnet-0a1c0ffee0000001a" });

    expect(taskHolding([otherVpc, same], "10.0.1.23", plan)?.id).toBe("dddd");
    expect(taskHolding([otherVpc], "10.0.1.23", plan)).toBeUndefined();
    expect(taskHolding([otherVpc], "10.0.1.23", planIpSearch([]))?.id).toBe("cccc");
  });
});

describe("what a not-found answer says holds the address", () => {
  it("names the Lambda function and that its interface may be shared", () => {
    const lambda = eni({
      id: "eni-0d0ffee0000011a05",
      interfaceType: "lambda",
      requesterManaged: true,
      description: "AWS Lambda VPC ENI-order-webhook",
    });

    expect(holderLine("10.0.11.5", holder(lambda))).toBe(
      "10.0.11.5 is ENI eni-0d0ffee0000011a05 of Lambda function order-webhook, not an ECS task (Lambda shares an interface among functions with the same subnet and security groups).",
    );
  });

  it("says an instance's address is shared by its bridge and host mode tasks", () => {
    const instance = eni({ id: "eni-0b5a7c9d1e3f50a10", instanceId: "i-0b5a7c9d1e3f50a10" });

    expect(holderLine("10.0.3.10", holder(instance))).toContain(
      "10.0.3.10 is the address of EC2 instance i-0b5a7c9d1e3f50a10 (ENI eni-0b5a7c9d1e3f50a10), not of a task in awsvpc mode: tasks in bridge or host mode on that instance share it",
    );
  });
});

describe("the headline of an address no running task holds", () => {
  it("names what holds it, never 'Not found'", () => {
    const ip = "10.0.1.250";
    const trunk = eni({ interfaceType: "trunk", instanceId: "i-0b5a7c9d1e3f50a10" });
    const unknown = eni({ requesterManaged: true, description: "made by hand" });

    expect(holderHeadline(ip, holder(trunk))).toBe(
      "10.0.1.250 → the ECS trunk interface of i-0b5a7c9d1e3f50a10 (eni-0a1b2c3d4e5f60123), not an ECS task's own address",
    );
    expect(holderHeadline(ip, holder(unknown))).toBe(
      '10.0.1.250 → network interface eni-0a1b2c3d4e5f60123 (interface, "made by hand"): nothing marks it as an ECS task\'s, and no task holds it',
    );
  });

  it("never says no task holds a task's interface when the search was incomplete", () => {
    expect(holderHeadline("10.0.1.23", holder(taskEni), false)).toBe(
      "10.0.1.23 → an ECS task's network interface (eni-0a1b2c3d4e5f60123), but no task read so far holds it (the search was incomplete)",
    );
  });
});

// What holds an IPv4 address in a VPC: the elastic network interface (ENI) EC2 reports for it,
// whose resource that is, and therefore where an ECS task with that address can be (if anywhere).
// Pure: the EC2 adapter maps DescribeNetworkInterfaces into NetworkInterface; the IP lookup
// (src/commands/reads/task-targets.ts) reads ECS as IpSearchPlan says.

import type { EcsTask } from "./facts.ts";

export interface NetworkInterface {
  id: string;
  /** EC2's InterfaceType: "interface" (instances, ECS tasks, …), "lambda", "nat_gateway", … */
  interfaceType?: string;
  /** Set by whoever created it; an ECS task's carries its ECS attachment's ARN. */
  description?: string;
  /** The account ID or service alias that created it. */
  requesterId?: string;
  /** Created and managed by an AWS service on the account's behalf. */
  requesterManaged: boolean;
  /** The EC2 instance it is attached to (none on Fargate tasks' and Lambda's interfaces). */
  instanceId?: string;
  /** 0: the instance's primary interface. */
  deviceIndex?: number;
  subnetId?: string;
  vpcId?: string;
  availabilityZone?: string;
  securityGroupIds: string[];
  privateIps: string[];
  tags: Record<string, string>;
}

export type EniOwner =
  /** Each part only when the interface says it (attachment ARN in the description, ECS tags). */
  | { kind: "ecs-task"; attachmentId?: string; cluster?: string; service?: string }
  /** An instance's own interface: tasks in bridge or host mode on it share its address. */
  | { kind: "instance"; instanceId: string }
  /** Another AWS service's: "Lambda function report-mailer", "NAT gateway nat-…". */
  | { kind: "aws-resource"; what: string; lambda?: boolean }
  /** Nothing says whose it is. */
  | { kind: "unknown" };

// ECS writes its attachment's ARN (arn:aws:ecs:REGION:ACCOUNT:attachment/ID) as a task ENI's
// description: seen in public DescribeNetworkInterfaces output of Fargate tasks, never in an AWS
// example (none of a task ENI is published: ../shared/aws-samples/official/SOURCES.md). The ECS API
// names attachments by ARN (AttachmentStateChange.attachmentArn) and DescribeTasks lists them by
// ID (attachments[].id). Unconfirmed, so a task is also matched by address (see taskHolding).
const ECS_ATTACHMENT = /^arn:aws[\w-]*:ecs:[\w-]+:\d{12}:attachment\/([\w-]+)$/;
const LAMBDA = /^AWS Lambda VPC ENI-(.+?)(?:-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})?$/;
const ELB = /^ELB (?:(app|net|gwy)\/([^/]+)\/\w+|([\w-]+))$/;
const ELB_KIND: Record<string, string> = {
  app: "Application Load Balancer",
  net: "Network Load Balancer",
  gwy: "Gateway Load Balancer",
};
/** EC2's interface types that only another AWS service creates (API reference, InterfaceType). */
const SERVICE_TYPES: Record<string, string> = {
  lambda: "a Lambda function",
  nat_gateway: "a NAT gateway",
  network_load_balancer: "a Network Load Balancer",
  load_balancer: "a load balancer",
  gateway_load_balancer: "a Gateway Load Balancer",
  gateway_load_balancer_endpoint: "a Gateway Load Balancer endpoint",
  vpc_endpoint: "a VPC endpoint",
  transit_gateway: "a transit gateway attachment",
  api_gateway_managed: "API Gateway",
  global_accelerator_managed: "Global Accelerator",
  quicksight: "QuickSight",
  iot_rules_managed: "an IoT rule",
  aws_codestar_connections_managed: "a CodeStar connection",
  ec2_instance_connect_endpoint: "an EC2 Instance Connect endpoint",
  efs: "an EFS file system",
};

/** A requester-managed interface's description, as the creating service writes it. */
function describedResource(description: string): EniOwner | undefined {
  const lambda = LAMBDA.exec(description);
  if (lambda?.[1])
    return { kind: "aws-resource", what: `Lambda function ${lambda[1]}`, lambda: true };
  const elb = ELB.exec(description);
  if (elb) {
    const what = elb[1] ? `${ELB_KIND[elb[1]]} ${elb[2]}` : `Classic Load Balancer ${elb[3]}`;
    return { kind: "aws-resource", what };
  }
  const nat = /^Interface for NAT Gateway (nat-\w+)/.exec(description);
  if (nat) return { kind: "aws-resource", what: `NAT gateway ${nat[1]}` };
  const endpoint = /^VPC Endpoint Interface:? ?(vpce-\w+)/.exec(description);
  if (endpoint) return { kind: "aws-resource", what: `VPC endpoint ${endpoint[1]}` };
  if (description === "RDSNetworkInterface")
    return { kind: "aws-resource", what: "an RDS database" };
  return undefined;
}

/**
 * Whose interface this is, from what EC2 says of it; "unknown" rather than a guess. The
 * `aws:ecs:*` tags are ECS-managed: only AWS writes `aws:` tags, and ECS does when the service has
 * enableECSManagedTags on (aws-semantics.md, "ECS-managed tags on task ENIs"). They are a fast path
 * only: an interface without them proves nothing, and the task is confirmed with DescribeTasks.
 */
export function interfaceOwner(eni: NetworkInterface): EniOwner {
  const description = eni.description ?? "";
  const cluster = eni.tags["aws:ecs:clusterName"];
  const service = eni.tags["aws:ecs:serviceName"];
  const attachment = ECS_ATTACHMENT.exec(description);
  if (attachment) return { kind: "ecs-task", attachmentId: attachment[1], cluster, service };
  // A cluster tag alone is no task's mark: ECS Managed Instances carry it too.
  if (cluster && service) return { kind: "ecs-task", cluster, service };
  const type = eni.interfaceType ?? "interface";
  // Only Lambda creates `lambda` interfaces, and it writes the function into their description,
  // but RequesterManaged is seen false on them (aws-semantics.md, "Lambda's VPC network
  // interfaces"): the type vouches for the description.
  const lambda = type === "lambda" ? LAMBDA.exec(description)?.[1] : undefined;
  if (lambda) return { kind: "aws-resource", what: `Lambda function ${lambda}`, lambda: true };
  // Anyone may write any description on an interface of their own: only a service's counts.
  const described = eni.requesterManaged ? describedResource(description) : undefined;
  if (described) return described;
  const typed = SERVICE_TYPES[type];
  if (typed) return { kind: "aws-resource", what: typed, lambda: type === "lambda" };
  if (type === "trunk") {
    return {
      kind: "aws-resource",
      what: `the ECS trunk interface of ${eni.instanceId ?? "an instance"}`,
    };
  }
  if (eni.instanceId && !eni.requesterManaged)
    return { kind: "instance", instanceId: eni.instanceId };
  return { kind: "unknown" };
}

/** An interface holding the address, and whose it is. */
export interface AddressHolder {
  eni: NetworkInterface;
  owner: EniOwner;
}

/**
 * Where an ECS task holding an address can be, from the interfaces that hold it now (undefined:
 * they could not be read). A running task in awsvpc mode always has an interface of its own, and
 * ECS deletes it when the task stops (ECS Developer Guide, awsvpc network mode), so:
 * - unread: every running task, then every recently stopped one;
 * - none: recently stopped tasks only (the address is in no VPC of this account and region now);
 * - a task's interface: the service its ECS tags name, else its cluster's (or every) running
 *   tasks, matched by attachment ID or by address in the interface's subnet; stopped ones last;
 * - an instance's or another service's interface: no ECS read at all;
 * - an interface nothing identifies: every running task, then every stopped one.
 */
export interface IpSearchPlan {
  services: { cluster: string; service: string }[];
  /** Clusters to search task by task: every one, or these (none: the address is no task's). */
  clusters: "all" | string[];
  /** Whether a running task can hold the address; stopped ones are searched last either way. */
  running: boolean;
  attachmentIds: string[];
  /** The task interfaces' subnets: an address is unique within a VPC, not across VPCs. */
  subnetIds: string[];
}

export function planIpSearch(holders: readonly AddressHolder[] | undefined): IpSearchPlan {
  const plan: IpSearchPlan = {
    services: [],
    clusters: "all",
    running: true,
    attachmentIds: [],
    subnetIds: [],
  };
  if (holders === undefined) return plan;
  if (holders.length === 0) return { ...plan, running: false };
  const tasks = holders.flatMap((h) =>
    h.owner.kind === "ecs-task" ? [{ ...h, owner: h.owner }] : [],
  );
  if (tasks.length > 0) {
    const clusters = tasks.map((t) => t.owner.cluster);
    return {
      ...plan,
      services: tasks.flatMap(({ owner }) =>
        owner.cluster && owner.service ? [{ cluster: owner.cluster, service: owner.service }] : [],
      ),
      clusters: clusters.every((c) => c !== undefined) ? [...new Set(clusters)] : "all",
      attachmentIds: tasks.flatMap(({ owner }) => (owner.attachmentId ? [owner.attachmentId] : [])),
      subnetIds: tasks.flatMap(({ eni }) => (eni.subnetId ? [eni.subnetId] : [])),
    };
  }
  if (holders.some((h) => h.owner.kind === "unknown")) return plan;
  return { ...plan, clusters: [], running: false };
}

/**
 * The task among these that holds the address: by its ENI attachment's ID when the interface
 * named one (exact), else by address, in the interface's subnet when that is known.
 */
export function taskHolding(
  tasks: readonly EcsTask[],
  ip: string,
  plan: IpSearchPlan,
): EcsTask | undefined {
  const byAttachment = tasks.find(
    (t) => t.eniAttachmentId !== undefined && plan.attachmentIds.includes(t.eniAttachmentId),
  );
  return (
    byAttachment ??
    tasks.find(
      (t) =>
        t.ipv4 === ip &&
        (plan.subnetIds.length === 0 ||
          t.subnetId === undefined ||
          plan.subnetIds.includes(t.subnetId)),
    )
  );
}

/** For a not-found answer: what holds the address instead of an ECS task, in one sentence. */
export function holderLine(ip: string, { eni, owner }: AddressHolder): string {
  switch (owner.kind) {
    case "aws-resource":
      return owner.lambda
        ? `${ip} is ENI ${eni.id} of ${owner.what}, not an ECS task (Lambda shares an interface among functions with the same subnet and security groups).`
        : `${ip} is ENI ${eni.id} of ${owner.what}, not an ECS task.`;
    case "instance":
      return `${ip} is the address of EC2 instance ${owner.instanceId} (ENI ${eni.id}), not of a task in awsvpc mode: tasks in bridge or host mode on that instance share it, and ECS reports no address of their own for them.`;
    case "ecs-task":
      return `${ip} is ENI ${eni.id} of an ECS task${owner.cluster ? ` in cluster ${owner.cluster}` : ""}${owner.attachmentId ? ` (attachment ${owner.attachmentId})` : ""}, but no task read shows it.`;
    case "unknown": {
      const what = [eni.interfaceType, eni.description && `"${eni.description}"`]
        .filter(Boolean)
        .join(", ");
      return `${ip} is ENI ${eni.id}${what ? ` (${what})` : ""}: nothing marks it as an ECS task's.`;
    }
  }
}

/**
 * The headline of an address that something other than a running task holds: that holder, named
 * (a not-found answer would hide what the network says). `complete`: every task search read.
 */
export function holderHeadline(ip: string, { eni, owner }: AddressHolder, complete = true): string {
  switch (owner.kind) {
    case "aws-resource":
      return owner.what.startsWith("the ")
        ? `${ip} → ${owner.what} (${eni.id}), not an ECS task's own address`
        : `${ip} → ${owner.what}'s network interface (${eni.id}), not an ECS task`;
    case "instance":
      return `${ip} → EC2 instance ${owner.instanceId}'s own network interface (${eni.id}), not an awsvpc task's`;
    case "ecs-task":
      return `${ip} → an ECS task's network interface (${eni.id}${owner.cluster ? `, cluster ${owner.cluster}` : ""}), but ${complete ? "no task ECS describes holds it" : "no task read so far holds it (the search was incomplete)"}`;
    case "unknown": {
      const what = [eni.interfaceType, eni.description && `"${eni.description}"`]
        .filter(Boolean)
        .join(", ");
      return `${ip} → network interface ${eni.id}${what ? ` (${what})` : ""}: nothing marks it as an ECS task's${complete ? ", and no task holds it" : ""}`;
    }
  }
}

/** What the headline of a holder leaves out that a reader needs, if anything. */
export function holderNote({ owner }: AddressHolder): string | undefined {
  if (owner.kind === "instance") {
    return "Tasks in bridge or host mode on that instance share its address, and ECS reports no address of their own for them.";
  }
  if (owner.kind === "aws-resource" && owner.lambda) {
    const fn = /^Lambda function (.+)$/.exec(owner.what)?.[1];
    return `Lambda shares an interface among functions with the same subnet and security groups${fn ? `: ${fn} may not be the only one using it` : ""}.`;
  }
  return undefined;
}

/** What a lookup of an IP learnt from the network, for a not-found answer. */
export interface IpFinding {
  ip: string;
  /** Undefined when the interfaces could not be read (a gap says why). */
  holders?: AddressHolder[];
  /** Which tasks were searched: none (the address is no task's), stopped only, or all. */
  tasks: "none" | "stopped" | "running-and-stopped";
}

// Who asks (an ECS service, one of its tasks, or a Lambda function) and what EC2 said about
// both ends: the facts a why is judged from.

import type { Known } from "../known.ts";
import type { NetworkAcl } from "../network-path/acls.ts";
import type { RouteTable, Subnet } from "../network-path/routes.ts";
import type { SecurityGroup } from "../network-path/security-groups.ts";
import type { NameBinding } from "../resolution/bindings.ts";
import type { VpcDns, VpcNameService } from "../vpc-dns.ts";

/** A service of the client's own Service Connect namespace, and the name its clients dial. */
export interface Counterpart {
  cluster: string;
  service: string;
  discoveryName: string;
  /** What a client of that namespace types: its alias, "api.staging". */
  name: string;
}

/** A client task as the network sees it. */
export interface ClientTask {
  taskId: string;
  ip?: string;
  subnetId?: string;
  /** Fargate only: the OS it runs on, when its task definition states none. */
  platformFamily?: string;
}

/** An ECS service (or one of its tasks) as the client. */
export interface ServiceClient {
  kind: "service";
  cluster: string;
  service: string;
  /** Asked by task ID or IP: that task alone is the client. */
  task?: { id: string; ip?: string; startedAt?: Date };
  /** Undefined when DescribeServices could not be read. */
  ecs?: {
    /** The Service Connect namespace's name (the command maps ECS's ARN to it), when enabled. */
    serviceConnectNamespace?: string;
    deployedAt?: Date;
    securityGroupIds: string[];
    subnetIds: string[];
  };
  /** Its running tasks (or the one task asked about); unknown when unread. */
  tasks: Known<ClientTask[]>;
  /**
   * Its task definition's runtimePlatform.operatingSystemFamily ("LINUX", "WINDOWS_SERVER_…"):
   * it picks the ephemeral ports replies come back to. Undefined when unstated or unread.
   */
  operatingSystemFamily?: string;
}

/** A Lambda function as a client: attached to a VPC (its ENIs in these subnets) or not. */
export interface LambdaFunction {
  name: string;
  arn?: string;
  vpc?: { vpcId: string; subnetIds: string[]; securityGroupIds: string[] };
}

export interface LambdaClient {
  kind: "lambda";
  name: string;
  fn: Known<LambdaFunction>;
}

export type WhyClient = ServiceClient | LambdaClient;

/** What EC2 said about both ends (each read may have failed on its own). */
export interface NetworkFacts {
  subnets: Known<Subnet[]>;
  groups: Known<SecurityGroup[]>;
  acls: Known<Map<string, NetworkAcl>>;
  /** The route table of each subnet of both ends (within one VPC too: routes may pass an appliance). */
  routes?: Known<Map<string, RouteTable>>;
  /** The entries of the prefix lists those route tables send somewhere, each read on its own. */
  prefixLists?: Map<string, Known<string[]>>;
  /** The client VPC's DNS attributes: only read for a private DNS name. */
  clientVpcDns?: Known<VpcDns>;
  /** Who else answers DNS in the client's VPC: only read for a private DNS name. */
  clientVpcNames?: VpcNameService;
}

export function clientLabel(client: WhyClient): string {
  return client.kind === "lambda" ? `lambda:${client.name}` : `${client.cluster}/${client.service}`;
}

export const shortName = (client: WhyClient) =>
  client.kind === "lambda"
    ? `Lambda ${client.name}`
    : client.task
      ? `task ${client.task.ip ?? client.task.id.slice(0, 12)} of ${client.service}`
      : client.service;

/** The port the client's connection really arrives on at the server's ENI. */
export function dialledPort(focus: NameBinding | undefined): number | undefined {
  const port = focus?.listenPort ?? focus?.containerPort;
  return typeof port === "number" ? port : undefined;
}

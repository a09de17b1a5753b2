// Addresses of AWS console pages (ECS service and task, security group, target group, CloudWatch
// Logs), built from ARNs and names the bot read. Pure: no SDK. Names are user data, so every part
// is encoded or checked. How each address is made, and where AWS documents it: README.md here.

import type { LogConfiguration, TaskDefinition } from "./facts.ts";

/** The parts of an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Where a resource lives: the console's host and region come from it. */
export interface ConsolePlace {
  partition: string;
  region: string;
  account?: string;
}

export function parseArn(arn: string | undefined): ArnParts | undefined {
  const parts = arn?.split(":");
  if (!parts || parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(":") };
}

/** The place of a regional resource's ARN; undefined when the ARN names no region. */
export function placeOfArn(arn: string | undefined): ConsolePlace | undefined {
  const p = parseArn(arn);
  if (!p?.region) return undefined;
  return { partition: p.partition, region: p.region, ...(p.account ? { account: p.account } : {}) };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The console's host for a partition. The commercial partition has regional endpoints
 * (region.console.aws.amazon.com); China and GovCloud are addressed on their one console host,
 * the region in `?region=`. Another partition (aws-iso…) has no public console: no link.
 */
function host(place: ConsolePlace): string | undefined {
  if (!REGION.test(place.region)) return undefined;
  switch (place.partition) {
    case "aws":
      return `https://${place.region}.console.aws.amazon.com`;
    case "aws-cn":
      return "https://console.amazonaws.cn";
    case "aws-us-gov":
      return "https://console.amazonaws-us-gov.com";
    default:
      return undefined;
  }
}

const part = encodeURIComponent;
const regionQuery = (place: ConsolePlace) => `region=${part(place.region)}`;

/** A page of one of a cluster's resources in the ECS console (v2): `kind/id/tab`. */
function ecsPage(
  place: ConsolePlace,
  cluster: string,
  kind: "services" | "tasks",
  id: string,
  tab: string,
): string | undefined {
  const h = host(place);
  return h && cluster && id
    ? `${h}/ecs/v2/clusters/${part(cluster)}/${kind}/${part(id)}/${tab}?${regionQuery(place)}`
    : undefined;
}

/** The ECS console page of a service: its health tab. */
export const ecsServiceUrl = (place: ConsolePlace, cluster: string, service: string) =>
  ecsPage(place, cluster, "services", service, "health");

/** The ECS console page of a task: its configuration tab (status, stop reason, containers). */
export const ecsTaskUrl = (place: ConsolePlace, cluster: string, taskId: string) =>
  ecsPage(place, cluster, "tasks", taskId, "configuration");

/** The EC2 console's page of a security group. */
export function securityGroupUrl(place: ConsolePlace, groupId: string): string | undefined {
  const h = host(place);
  return h && /^sg-[0-9a-f]+$/.test(groupId)
    ? `${h}/ec2/home?${regionQuery(place)}#SecurityGroup:groupId=${groupId}`
    : undefined;
}

// ELB names: up to 32 letters, digits and hyphens; the ID is hexadecimal.
const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

/**
 * The EC2 console's page of a target group, from its ARN alone (its region and partition). The
 * console writes the ARN as it is in the fragment; only a well-formed one is used, so no
 * character of it needs encoding.
 */
export function targetGroupUrl(targetGroupArn: string): string | undefined {
  const place = placeOfArn(targetGroupArn);
  const h = place && host(place);
  return h && place && TARGET_GROUP_ARN.test(targetGroupArn)
    ? `${h}/ec2/home?${regionQuery(place)}#TargetGroup:targetGroupArn=${targetGroupArn}`
    : undefined;
}

/**
 * A name inside the CloudWatch console's `#logsV2:` fragment: percent-encoded (every character
 * but letters, digits, `-`, `_` and `.`), then percent-encoded again, then `%` written `$`
 * ("/" is "$252F", "[" is "$255B", "$" is "$2524"), as the console writes its own addresses.
 */
export function logsFragmentName(name: string): string {
  const once = part(name).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return part(once).replace(/%/g, "$");
}

function logsHome(place: ConsolePlace): string | undefined {
  const h = host(place);
  return h ? `${h}/cloudwatch/home?${regionQuery(place)}#logsV2:log-groups/log-group/` : undefined;
}

export function logGroupUrl(place: ConsolePlace, group: string): string | undefined {
  const home = logsHome(place);
  return home && group ? `${home}${logsFragmentName(group)}` : undefined;
}

export function logStreamUrl(
  place: ConsolePlace,
  group: string,
  stream: string,
): string | undefined {
  const home = logsHome(place);
  return home && group && stream
    ? `${home}${logsFragmentName(group)}/log-events/${logsFragmentName(stream)}`
    : undefined;
}

/** A container's `awslogs` options (task definition `logConfiguration`), as the log driver reads them. */
export interface AwsLogs {
  group: string;
  /** `awslogs-region`: may differ from the task's region; absent, the task's region. */
  region?: string;
  /** `awslogs-stream-prefix`: required on Fargate; absent, the stream is the Docker container ID. */
  streamPrefix?: string;
}

/** Where one container of a task definition logs, when it uses the awslogs driver. */
export interface ContainerLogs {
  name: string;
  awslogs?: AwsLogs;
}

/** The log settings of a task definition's containers, to find a task's log streams. */
export interface TaskDefinitionLogs {
  taskDefinitionArn: string;
  containers: ContainerLogs[];
}

export function awsLogsOf(logConfiguration: LogConfiguration | undefined): AwsLogs | undefined {
  const options = logConfiguration?.options ?? {};
  const group = options["awslogs-group"];
  if (logConfiguration?.logDriver !== "awslogs" || !group) return undefined;
  const region = options["awslogs-region"];
  const streamPrefix = options["awslogs-stream-prefix"];
  return { group, ...(region ? { region } : {}), ...(streamPrefix ? { streamPrefix } : {}) };
}

/** Where each container of a task definition logs (awslogs only). */
export function taskDefinitionLogs(td: TaskDefinition): TaskDefinitionLogs {
  return {
    taskDefinitionArn: td.arn,
    containers: td.containers.map((c) => {
      const awslogs = awsLogsOf(c.logConfiguration);
      return { name: c.name, ...(awslogs ? { awslogs } : {}) };
    }),
  };
}

/**
 * The log stream of one container of a task: `prefix/container/task-id`. Without a prefix the
 * stream is named after the Docker container ID, which the bot does not read: undefined.
 */
export function awsLogsStream(
  logs: AwsLogs,
  containerName: string,
  taskId: string,
): string | undefined {
  return logs.streamPrefix && containerName && taskId
    ? `${logs.streamPrefix}/${containerName}/${taskId}`
    : undefined;
}

/** The logs of a task's container: its stream when it can be named, else its log group. */
export function containerLogsUrl(
  taskPlace: ConsolePlace,
  logs: AwsLogs,
  containerName: string,
  taskId: string,
): { url: string; stream: boolean } | undefined {
  const place = { ...taskPlace, region: logs.region ?? taskPlace.region };
  const stream = awsLogsStream(logs, containerName, taskId);
  const url = stream ? logStreamUrl(place, logs.group, stream) : logGroupUrl(place, logs.group);
  return url ? { url, stream: stream !== undefined } : undefined;
}

// Which tasks held an IPv4 address, kept from ECS's own task state change events (EventBridge,
// "ECS Task State Change": the event's detail is the task as DescribeTasks shows it, attachments
// included; see the ECS developer guide, "Amazon ECS task state change events"). ECS has no filter
// by IP, and a task ENI names its service only through the `aws:ecs:*` tags that ECS itself writes
// (only AWS can write `aws:` tags) when the service has enableECSManagedTags on, and only on tasks
// started since; so without this a cold `whois <IP>` of an untagged task's address lists every
// cluster's tasks page by page. The book only names candidates: a lookup confirms each
// with one DescribeTasks (the task may have stopped, the address been reused), and a miss or an
// unreadable book decides nothing (the search runs as before).
//
// One item per address and task: partition key `address` ("region#ip": private addresses repeat
// across regions and VPCs), sort key `task` (the task's ARN, which names account and cluster).
// A stopped task's item is deleted (lastStatus STOPPED, and only by an event newer than the item);
// an item whose STOPPED event never came expires by TTL.
import { DeleteItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { clusterOfArn } from "./ecs-mapping.ts";
import { read } from "./errors.ts";
import { ownDynamo as dynamo } from "./own-dynamo.ts";

/** A task that held the address, as the book last heard of it. */
export interface BookedTask {
  taskArn: string;
  cluster: string;
  /** The account in the task's ARN. */
  account: string;
  /** Its service (the event's group "service:NAME"); absent for a standalone task or an old item. */
  service?: string;
}

export interface AddressBook {
  /** Tasks that held this address in this region, as the events told (unconfirmed). */
  tasksAt(region: string, ip: string, signal?: AbortSignal): Promise<BookedTask[]>;
  /** Keeps (or, for a stopped task, drops) what one task state change event says. */
  record(event: unknown): Promise<"kept" | "dropped" | "ignored">;
}

/** A running task's entry outlives its last event this long: long-lived tasks emit few events. */
const KEEP_SECONDS = 14 * 86_400;

/** What of a task state change event the book keeps; undefined for any other event. */
export interface TaskAddressChange {
  region: string;
  taskArn: string;
  cluster: string;
  /** The task's service, from its group ("service:NAME"). */
  service?: string;
  ips: string[];
  /**
   * lastStatus STOPPED: the address is free. A task whose desiredStatus is STOPPED still holds
   * its ENI while it drains and deprovisions (ECS guide, task lifecycle).
   */
  stopped: boolean;
  /** detail.version: grows with each change of the task; a redelivered event repeats it. */
  version: number;
}

interface EventShape {
  source?: unknown;
  "detail-type"?: unknown;
  region?: unknown;
  detail?: {
    taskArn?: unknown;
    clusterArn?: unknown;
    lastStatus?: unknown;
    desiredStatus?: unknown;
    group?: unknown;
    version?: unknown;
    attachments?: { type?: unknown; details?: { name?: unknown; value?: unknown }[] }[];
  };
}

/**
 * The address change an EventBridge event carries, if it is an ECS task state change. Its
 * attachments are those of DescribeTasks; the ENI's may be typed "eni" or
 * "ElasticNetworkInterface", so any attachment naming a privateIPv4Address counts.
 */
export function taskAddressChange(event: unknown): TaskAddressChange | undefined {
  const e = (typeof event === "object" && event !== null ? event : {}) as EventShape;
  if (e.source !== "aws.ecs" || e["detail-type"] !== "ECS Task State Change") return undefined;
  const d = e.detail;
  const taskArn = typeof d?.taskArn === "string" ? d.taskArn : undefined;
  const region = typeof e.region === "string" ? e.region : undefined;
  if (!d || !taskArn || !region) return undefined;
  const ips = (d.attachments ?? [])
    .flatMap((a) => a.details ?? [])
    .filter((x) => x.name === "privateIPv4Address" && typeof x.value === "string")
    .map((x) => x.value as string);
  const cluster =
    clusterOfArn(taskArn) ??
    (typeof d.clusterArn === "string" ? d.clusterArn.split("/").at(-1) : undefined);
  if (!cluster) return undefined;
  const service =
    typeof d.group === "string" && d.group.startsWith("service:")
      ? d.group.slice("service:".length)
      : undefined;
  return {
    region,
    taskArn,
    cluster,
    ...(service ? { service } : {}),
    ips: [...new Set(ips)],
    stopped: d.lastStatus === "STOPPED",
    version: typeof d.version === "number" ? d.version : 0,
  };
}

const accountOf = (arn: string) => arn.split(":")[4] ?? "";

export function dynamoAddressBook(tableName: string): AddressBook {
  return {
    async tasksAt(region, ip, signal) {
      const out = await read(`read the address book for ${ip}`, "Query", () =>
        dynamo().send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "#a = :a",
            ExpressionAttributeNames: { "#a": "address" },
            ExpressionAttributeValues: { ":a": { S: `${region}#${ip}` } },
          }),
          signal ? { abortSignal: signal } : undefined,
        ),
      );
      const now = Date.now() / 1000;
      return (out.Items ?? [])
        .filter((item) => Number(item.expiration?.N ?? Number.POSITIVE_INFINITY) > now)
        .flatMap((item) => {
          const taskArn = item.task?.S;
          const cluster = item.cluster?.S;
          const service = item.service?.S;
          if (!taskArn || !cluster) return [];
          return [
            { taskArn, cluster, account: accountOf(taskArn), ...(service ? { service } : {}) },
          ];
        });
    },

    async record(event) {
      const change = taskAddressChange(event);
      if (!change || change.ips.length === 0) return "ignored";
      const keys = change.ips.map((ip) => ({
        address: { S: `${change.region}#${ip}` },
        task: { S: change.taskArn },
      }));
      // Events come at least once and out of order (ECS guide, handling events): a write, a
      // delete included, applies only if its detail.version is not older than the item's.
      const newer = {
        ConditionExpression: "attribute_not_exists(#v) OR #v <= :v",
        ExpressionAttributeNames: { "#v": "version" },
        ExpressionAttributeValues: { ":v": { N: String(change.version) } },
      };
      const stale = (error: unknown) => {
        if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
        throw error;
      };
      if (change.stopped) {
        const deleted = await Promise.all(
          keys.map((Key) =>
            read(`forget ${change.taskArn}'s address`, "DeleteItem", () =>
              dynamo()
                .send(new DeleteItemCommand({ TableName: tableName, Key, ...newer }))
                .then(() => true, stale),
            ),
          ),
        );
        return deleted.some(Boolean) ? "dropped" : "ignored";
      }
      const expiration = { N: String(Math.floor(Date.now() / 1000) + KEEP_SECONDS) };
      await Promise.all(
        keys.map((key) =>
          read(`keep ${change.taskArn}'s address`, "PutItem", () =>
            dynamo()
              .send(
                new PutItemCommand({
                  TableName: tableName,
                  Item: {
                    ...key,
                    cluster: { S: change.cluster },
                    ...(change.service ? { service: { S: change.service } } : {}),
                    version: { N: String(change.version) },
                    expiration,
                  },
                  // An older event never overwrites a newer one.
                  ...newer,
                }),
              )
              .catch(stale),
          ),
        ),
      );
      return "kept";
    },
  };
}

/** The bot's address book: the table named by ADDRESS_TABLE; none without one. */
export function addressBook(env: NodeJS.ProcessEnv = process.env): AddressBook | undefined {
  return env.ADDRESS_TABLE ? dynamoAddressBook(env.ADDRESS_TABLE) : undefined;
}

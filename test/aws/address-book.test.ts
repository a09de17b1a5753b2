import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type AddressBook,
  dynamoAddressBook,
  taskAddressChange,
} from "../../src/aws/address-book.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";

// ECS's "ECS Task State Change" event as EventBridge delivers it (ECS developer guide, "Amazon ECS
// task state change events"): the detail is the task as DescribeTasks shows it.
function taskEvent(
  over: {
    ip?: string;
    lastStatus?: string;
    desiredStatus?: string;
    version?: number;
    region?: string;
    task?: string;
  } = {},
) {
  const task = over.task ?? "0123456789abcdef0123456789abcdef";
  const region = over.region ?? "ap-northeast-1";
  return {
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: "123456789012",
    time: "2026-11-25T01:02:03Z",
    region,
    resources: [`arn:aws:ecs:${region}:123456789012:task/prod-core/${task}`],
    detail: {
      attachments: [
        {
          id: "1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8",
          type: "eni",
          status: "ATTACHED",
          details: [
            { name: "subnetId", value: "subnet-abcd1234" },
            { name: "networkInterfaceId", value: "eni-abcd1234" },
            { name: "macAddress", value: "0a:0c:cc:ab:12:34" },
            { name: "privateIPv4Address", value: over.ip ?? "10.0.1.23" },
          ],
        },
      ],
      clusterArn: `arn:aws:ecs:${region}:123456789012:cluster/prod-core`,
      taskArn: `arn:aws:ecs:${region}:123456789012:task/prod-core/${task}`,
      group: "service:orders-api",
      lastStatus: over.lastStatus ?? "RUNNING",
      desiredStatus: over.desiredStatus ?? (over.lastStatus === "STOPPED" ? "STOPPED" : "RUNNING"),
      launchType: "FARGATE",
      version: over.version ?? 3,
    },
  };
}

let dynamo: RunningDynalite;
let book: AddressBook;
beforeEach(async () => {
  dynamo = await useDynalite("addresses", "AddressBookTable");
  book = dynamoAddressBook("addresses");
});
afterEach(async () => {
  await dynamo.stop();
});

describe("the address book of whois <IP>, fed by ECS's task state change events", () => {
  it("names the task (and its service) a running task's event gave the address, in that region only", async () => {
    expect(await book.record(taskEvent())).toBe("kept");

    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toEqual([
      {
        taskArn:
          "arn:aws:ecs:ap-northeast-1:123456789012:task/prod-core/0123456789abcdef0123456789abcdef",
        cluster: "prod-core",
        account: "123456789012",
        service: "orders-api",
      },
    ]);
    expect(await book.tasksAt("us-east-1", "10.0.1.23")).toEqual([]);
    expect(await book.tasksAt("ap-northeast-1", "10.0.1.24")).toEqual([]);
  });

  it("forgets the address once the task's STOPPED event comes", async () => {
    await book.record(taskEvent());
    expect(await book.record(taskEvent({ lastStatus: "STOPPED", version: 5 }))).toBe("dropped");

    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toEqual([]);
  });

  it("keeps the address of a draining task: desired STOPPED, but it still holds its ENI", async () => {
    // ECS guide, task lifecycle: the ENI is detached and deleted in DEPROVISIONING, before STOPPED.
    await book.record(taskEvent({ version: 3 }));
    await book.record(taskEvent({ desiredStatus: "STOPPED", lastStatus: "RUNNING", version: 4 }));
    await book.record(
      taskEvent({ desiredStatus: "STOPPED", lastStatus: "DEPROVISIONING", version: 5 }),
    );

    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toHaveLength(1);
  });

  it("ignores a STOPPED event older than the state it holds (events come out of order)", async () => {
    // A task's ARN is never reused, so a late, older STOPPED must not erase a newer state; the
    // ECS guide: "Events with a higher version property number should be treated as occurring later".
    await book.record(taskEvent({ version: 7 }));

    expect(await book.record(taskEvent({ lastStatus: "STOPPED", version: 6 }))).toBe("ignored");
    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toHaveLength(1);
    expect(await book.record(taskEvent({ lastStatus: "STOPPED", version: 9 }))).toBe("dropped");
    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toEqual([]);
  });

  it("keeps every task that held an address (two VPCs may reuse it); each is confirmed later", async () => {
    await book.record(taskEvent({ task: "a".repeat(32) }));
    await book.record(taskEvent({ task: "b".repeat(32) }));

    const tasks = await book.tasksAt("ap-northeast-1", "10.0.1.23");
    expect(tasks.map((t) => t.taskArn.slice(-3))).toEqual(["aaa", "bbb"]);
  });

  it("takes a redelivered or older event without error and without going back a version", async () => {
    await book.record(taskEvent({ version: 7 }));
    await expect(book.record(taskEvent({ version: 4 }))).resolves.toBe("kept");
    await expect(book.record(taskEvent({ version: 7 }))).resolves.toBe("kept");

    expect(await book.tasksAt("ap-northeast-1", "10.0.1.23")).toHaveLength(1);
  });

  it("ignores events that are no task state change, and tasks without an address", async () => {
    const service = { ...taskEvent(), "detail-type": "ECS Service Action" };
    const bridge = taskEvent();
    bridge.detail.attachments = [];

    expect(await book.record(service)).toBe("ignored");
    expect(await book.record(bridge)).toBe("ignored");
    expect(await book.record("not an event")).toBe("ignored");
    expect(taskAddressChange(taskEvent())?.ips).toEqual(["10.0.1.23"]);
  });

  it("fails loudly when the table cannot be written, so Lambda retries the event", async () => {
    const missing = dynamoAddressBook("no-such-table");

    await expect(missing.record(taskEvent())).rejects.toThrow();
  });
});

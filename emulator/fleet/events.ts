// What EventBridge delivers about a fleet's tasks.

import type { Fleet } from "./types.ts";

/**
 * The "ECS Task State Change" event EventBridge delivers for each task of the fleet, as ECS sends
 * it (ECS developer guide, "Amazon ECS task state change events"): the envelope, and as `detail`
 * the task as DescribeTasks shows it, with its `version`. What the address book of `whois <IP>`
 * is fed from (src/aws/address-book.ts).
 */
export function taskStateChangeEvents(fleet: Fleet): Record<string, unknown>[] {
  return fleet.tasks.map((task, i) => ({
    version: "0",
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: fleet.accountId,
    time: new Date(0).toISOString(),
    region: fleet.region,
    resources: [task.taskArn],
    detail: { ...task, version: 2 },
  }));
}

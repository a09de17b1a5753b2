// The demo fleet plus an EC2 cluster `legacy` whose service `storefront` runs in bridge mode behind
// shop-alb's `instance` target group storefront-tg (test/fixtures/fleets/bridge-storefront.json):
// two tasks on i-0a1b2c3d4e5f60718 (dynamic host ports 32768 and 32769), one on i-0b2c3d4e5f6071829
// (32768); the target i-0a1b2c3d4e5f60718:32769 answers its health check with 500. The demo's own
// services answer as they do in the demo fleet.
import { readFileSync } from "node:fs";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";

type Part = Pick<
  Fleet,
  "clusters" | "services" | "tasks" | "containerInstances" | "taskDefinitions"
> &
  Pick<Fleet, "targetGroups" | "targetHealth">;

/** The task behind the failing target (the second task on i-0a1b2c3d4e5f60718). */
export const FAILING_BRIDGE_TASK = "8d4b5c6d7e8f4091a2b3c4d5e6f70812";
export const FAILING_BRIDGE_TARGET = "i-0a1b2c3d4e5f60718:32769";

export function bridgeFleet(): Fleet {
  const fleet = loadDemoFleet();
  const file = new URL("../fixtures/fleets/bridge-storefront.json", import.meta.url);
  const part = JSON.parse(readFileSync(file, "utf8")) as Part;
  return {
    ...fleet,
    clusters: [...fleet.clusters, ...part.clusters],
    services: [...fleet.services, ...part.services],
    tasks: [...fleet.tasks, ...part.tasks],
    containerInstances: [...(fleet.containerInstances ?? []), ...(part.containerInstances ?? [])],
    taskDefinitions: [...fleet.taskDefinitions, ...part.taskDefinitions],
    targetGroups: [...(fleet.targetGroups ?? []), ...(part.targetGroups ?? [])],
    targetHealth: [...(fleet.targetHealth ?? []), ...(part.targetHealth ?? [])],
  };
}

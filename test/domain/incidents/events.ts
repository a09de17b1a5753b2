// Events for the incident tests: AWS's published samples (test/fixtures/events, see SOURCES.md)
// and STOPPED task events built from the published RUNNING one. AWS publishes no STOPPED task
// event with stopCode, exitCode or container reason (aws-samples/official/SOURCES.md, "Not
// published by AWS"); these carry the fields the ECS API reference lists for a task.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../../fixtures/events/", import.meta.url));

export type Event = Record<string, unknown> & { id: string; detail: Record<string, unknown> };

export function sample(name: string): Event {
  return JSON.parse(readFileSync(`${dir}${name}.json`, "utf8")) as Event;
}

export const sampleNames = (): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""));

/** A copy with its own ID (the published samples reuse one). */
export const withId = (event: Event, id: string): Event => ({ ...event, id });

const ACCOUNT = "111122223333";
const REGION = "us-west-2";
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/default`;

export interface StopOptions {
  id?: string;
  service?: string;
  task?: string;
  version?: number;
  time?: string;
  lastStatus?: string;
  group?: string;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
}

/** A task state change of service `servicetest` in cluster `default` (the samples' service). */
export function taskEvent(o: StopOptions = {}): Event {
  const base = sample("ecs-task-state-change-running-fargate");
  const task = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/default/${o.task ?? "0123456789abcdef0123456789abcdef"}`;
  const stopped = (o.lastStatus ?? "STOPPED") === "STOPPED";
  const container = {
    name: "app",
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/servicetest:v2`,
    lastStatus: o.lastStatus ?? "STOPPED",
    taskArn: task,
    ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
    ...(o.containerReason ? { reason: o.containerReason } : {}),
  };
  return {
    ...base,
    id: o.id ?? `task-${o.task ?? "t"}-${o.version ?? 5}`,
    time: o.time ?? "2026-12-06T10:00:00Z",
    region: REGION,
    account: ACCOUNT,
    resources: [task],
    detail: {
      clusterArn: CLUSTER,
      taskArn: task,
      taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/servicetest:7`,
      group: o.group ?? `service:${o.service ?? "servicetest"}`,
      lastStatus: o.lastStatus ?? "STOPPED",
      desiredStatus: "STOPPED",
      containers: [container],
      version: o.version ?? 5,
      ...(stopped ? { stoppedAt: o.time ?? "2026-12-06T10:00:00Z" } : {}),
      ...(o.stopCode ? { stopCode: o.stopCode } : {}),
      ...(o.stoppedReason ? { stoppedReason: o.stoppedReason } : {}),
    },
  };
}

/** An out-of-memory crash: the essential container killed, reason OutOfMemoryError. */
export const oomStop = (o: StopOptions = {}): Event =>
  taskEvent({
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    exitCode: 137,
    containerReason: "OutOfMemoryError: Container killed due to memory usage",
    ...o,
  });

/** A task stopped by a deployment's scale-in: routine. */
export const deploymentStop = (o: StopOptions = {}): Event =>
  taskEvent({
    stopCode: "ServiceSchedulerInitiated",
    stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1234567890123456789)",
    exitCode: 0,
    ...o,
  });

/** A service event (action or deployment) of `servicetest` at `time`, with its own ID. */
export function serviceEvent(name: string, id: string, time: string): Event {
  return { ...sample(name), id, time };
}

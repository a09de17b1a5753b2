// A storm of ECS task stops, as EventBridge delivers it: built from AWS's published "ECS Task State
// Change" example (test/fixtures/events/, see SOURCES.md) with the fleet's own clusters, services,
// task definitions and subnets, deterministic from a seed. For the notification benchmark, its
// tests and `npm run demo -- event --storm`. What each delivery is (see README.md beside this file)
// is said next to it, so a test can account for every event.

import { readFileSync } from "node:fs";
import { seededRandom } from "../wire.ts";
import { loadDemoFleet } from "./demo.ts";
import { generateFleet } from "./generate.ts";
import type { Fleet, FleetService } from "./types.ts";

export interface StormOptions {
  /** Deliveries in all: stops, EventBridge's redeliveries and late earlier states. */
  events: number;
  /** Services stopping (the fleet's first ones; the demo fleet is extended when it has fewer). */
  services: number;
  seed?: number;
  /** When the storm starts; default 2026-12-06T10:00:00Z. */
  start?: Date | string;
  /** How long it lasts; default 60. Every delivery falls inside it. */
  seconds?: number;
  /** Share of deliveries that are redeliveries of an earlier event (same id); default 0.03. */
  duplicates?: number;
  /** Share that is a task's STOPPING state delivered after its STOPPED one; default 0.02. */
  late?: number;
  /** Share of stops that are routine (scale-in, a user's stop, Spot); default 0.2. */
  routine?: number;
  /** The fleet whose services stop; default the demo fleet (extended as `services` asks). */
  fleet?: Fleet;
}

/**
 * - `incident`: a STOPPED task that must be counted in its service's incident;
 * - `routine`: a stop the service replaces (kept quiet);
 * - `duplicate`: EventBridge delivering an earlier event again (same `id`);
 * - `older`: an earlier state of a stopped task (lower `detail.version`), delivered after it.
 */
export type Delivery = "incident" | "routine" | "duplicate" | "older";

export type TaskStateChangeEvent = Record<string, unknown> & {
  id: string;
  time: string;
  detail: Record<string, unknown>;
};

export interface StormEvent {
  event: TaskStateChangeEvent;
  delivery: Delivery;
  /** "cluster/service". */
  service: string;
  /** When EventBridge delivers it, in ms from the start. */
  at: number;
}

export interface StormService {
  cluster: string;
  service: string;
  serviceArn: string;
  /** The incident key of src/domain/incidents: account/region/cluster/service. */
  key: string;
}

export interface Storm {
  /** The fleet the services belong to (serve it, so enrichment reads find them). */
  fleet: Fleet;
  services: StormService[];
  /** In delivery order. */
  events: StormEvent[];
  /** Deliveries of each kind. */
  counts: Record<Delivery, number>;
  /** Incident stops per "cluster/service": what each service's incident must count. */
  incidentStops: Record<string, number>;
}

const PUBLISHED = new URL(
  "../../test/fixtures/events/ecs-task-state-change-running-fargate.json",
  import.meta.url,
);
const DEFAULT_START = "2026-12-06T10:00:00Z";

interface Stop {
  stopCode: string;
  stoppedReason: string;
  /** The essential container's exit; undefined: it never ran. */
  exitCode?: number;
  containerReason?: string;
}

// How the services fail: each service mostly one way (a crash loop has one cause), now and then
// another (a new exit code or reason is news in the incident's thread).
const FAILURES: Stop[] = [
  {
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    exitCode: 137,
    containerReason: "OutOfMemoryError: Container killed due to memory usage",
  },
  {
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    exitCode: 1,
  },
  {
    stopCode: "TaskFailedToStart",
    stoppedReason:
      "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref: not found",
  },
  {
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    exitCode: 137,
  },
  {
    stopCode: "TaskFailedToStart",
    stoppedReason:
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed",
  },
];

const ROUTINE: Stop[] = [
  {
    stopCode: "ServiceSchedulerInitiated",
    stoppedReason: "Scaling activity initiated by (deployment ecs-svc/4470218839125570016)",
    exitCode: 0,
  },
  { stopCode: "UserInitiated", stoppedReason: "Task stopped by user", exitCode: 143 },
  {
    stopCode: "SpotInterruption",
    stoppedReason: "Your Spot Task was interrupted.",
    exitCode: 143,
  },
];

/** The demo fleet's services first; generated ones after them when more are asked for. */
function fleetWith(services: number): Fleet {
  const demo = loadDemoFleet();
  const more = services - demo.services.length;
  return more > 0 ? generateFleet({ services: more, tasksPerService: 1 }) : demo;
}

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** A storm of `events` deliveries over `services` services, the same for the same options. */
export function stormEvents(options: StormOptions): Storm {
  const random = seededRandom(options.seed ?? 23);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const hex = (length: number) =>
    Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;

  const fleet = options.fleet ?? fleetWith(options.services);
  const chosen = fleet.services.slice(0, options.services);
  if (chosen.length < options.services || options.services < 1) {
    throw new RangeError(`stormEvents: the fleet has ${fleet.services.length} services`);
  }
  const seconds = options.seconds ?? 60;
  const window = seconds * 1000;
  const start = new Date(options.start ?? DEFAULT_START).getTime();
  const duplicates = Math.round(options.events * (options.duplicates ?? 0.03));
  const late = Math.round(options.events * (options.late ?? 0.02));
  const stops = options.events - duplicates - late;
  if (stops < 1) throw new RangeError("stormEvents: no room for a stop");
  const published = JSON.parse(readFileSync(PUBLISHED, "utf8")) as TaskStateChangeEvent;
  const { region, accountId } = fleet;
  const services: StormService[] = chosen.map((s) => {
    const cluster = nameOf(s.clusterArn);
    return {
      cluster,
      service: s.serviceName,
      serviceArn: s.serviceArn,
      key: `${accountId}/${region}/${cluster}/${s.serviceName}`,
    };
  });
  const usual = chosen.map((_, i) => FAILURES[i % FAILURES.length] as Stop);

  /** One task of `service` in state `lastStatus` at `ms`, as ECS sends it. */
  function taskEvent(
    service: FleetService,
    taskId: string,
    stop: Stop,
    version: number,
    lastStatus: "STOPPED" | "STOPPING",
    ms: number,
    createdMs: number,
  ): TaskStateChangeEvent {
    const cluster = nameOf(service.clusterArn);
    const taskArn = `arn:aws:ecs:${region}:${accountId}:task/${cluster}/${taskId}`;
    const definition = fleet.taskDefinitions.find(
      (d) => d.taskDefinitionArn === service.taskDefinition,
    );
    const subnets = service.networkConfiguration?.awsvpcConfiguration?.subnets ?? [];
    const subnet = fleet.vpcs?.[0]?.subnets?.find((s) => s.subnetId === subnets[0]);
    const ip = `${(subnet?.cidrBlock ?? "10.0.1.0/24").split(".").slice(0, 3).join(".")}.${int(10, 250)}`;
    const stopped = lastStatus === "STOPPED";
    const started = stop.exitCode !== undefined;
    const at = (offset: number) => new Date(createdMs + offset).toISOString();
    const time = new Date(ms).toISOString();
    // The published example's own times and attachments are replaced, not kept.
    const {
      attachments: _a,
      containers: _c,
      connectivityAt: _t1,
      pullStartedAt: _t2,
      pullStoppedAt: _t3,
      startedAt: _t4,
      ...shape
    } = published.detail;
    const attachment = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
    const containers = (definition?.containerDefinitions ?? [{ name: "app" }]).map((c) => ({
      containerArn: `arn:aws:ecs:${region}:${accountId}:container/${cluster}/${taskId}/${uuid()}`,
      lastStatus: stopped ? "STOPPED" : "RUNNING",
      name: c.name,
      image: c.image,
      taskArn,
      ...(stopped && stop.exitCode !== undefined ? { exitCode: stop.exitCode } : {}),
      ...(stopped && stop.containerReason ? { reason: stop.containerReason } : {}),
      networkInterfaces: [{ attachmentId: attachment, privateIpv4Address: ip }],
      cpu: "0",
    }));
    return {
      ...published,
      id: uuid(),
      account: accountId,
      time,
      region,
      resources: [taskArn],
      detail: {
        ...shape,
        attachments: [
          {
            id: attachment,
            type: "eni",
            status: stopped ? "DELETED" : "DETACHED",
            details: [
              { name: "subnetId", value: subnet?.subnetId ?? subnets[0] ?? "subnet-unknown" },
              { name: "networkInterfaceId", value: `eni-${hex(17)}` },
              { name: "privateIPv4Address", value: ip },
            ],
          },
        ],
        availabilityZone: subnet?.availabilityZone ?? `${region}a`,
        clusterArn: service.clusterArn,
        containers,
        createdAt: at(0),
        launchType: service.launchType ?? "FARGATE",
        desiredStatus: "STOPPED",
        group: `service:${service.serviceName}`,
        lastStatus,
        overrides: { containerOverrides: containers.map((c) => ({ name: c.name })) },
        connectivityAt: at(1_000),
        pullStartedAt: at(2_000),
        ...(started ? { pullStoppedAt: at(6_000), startedAt: at(8_000) } : {}),
        ...(stopped ? { stoppedAt: time, executionStoppedAt: time } : { stoppingAt: time }),
        stopCode: stop.stopCode,
        stoppedReason: stop.stoppedReason,
        updatedAt: time,
        startedBy: service.deployments?.find((d) => d.status === "PRIMARY")?.id,
        taskArn,
        taskDefinitionArn: service.taskDefinition,
        version,
        platformVersion: service.platformVersion ?? "1.4.0",
      },
    };
  }

  const routineShare = options.routine ?? 0.2;
  const events: StormEvent[] = [];
  const incidentStops: Record<string, number> = {};
  // The stops, spread evenly over the services, at random moments of the storm (the last seconds
  // left for redeliveries), each delivered within 1.5 s of happening.
  for (let i = 0; i < stops; i++) {
    const index = i % chosen.length;
    const service = chosen[index] as FleetService;
    const label = `${services[index]?.cluster}/${service.serviceName}`;
    const routine = random() < routineShare;
    const stop = routine ? pick(ROUTINE) : random() < 0.9 ? (usual[index] as Stop) : pick(FAILURES);
    const ms = Math.floor(random() * (window - 6_000));
    const version = stop.exitCode === undefined ? int(3, 4) : int(5, 8);
    const event = taskEvent(
      service,
      hex(32),
      stop,
      version,
      "STOPPED",
      start + ms,
      start + ms - 60_000,
    );
    if (!routine) incidentStops[label] = (incidentStops[label] ?? 0) + 1;
    events.push({
      event,
      delivery: routine ? "routine" : "incident",
      service: label,
      at: ms + int(200, 1_500),
    });
  }
  // A few tasks' STOPPING state (one version earlier), delivered after their STOPPED.
  const stopped = [...events];
  for (let i = 0; i < late; i++) {
    const original = pick(stopped);
    const detail = original.event.detail;
    const service = chosen.find(
      (s) => `service:${s.serviceName}` === detail.group && s.clusterArn === detail.clusterArn,
    ) as FleetService;
    const taskId = nameOf(String(detail.taskArn));
    const stop = {
      stopCode: String(detail.stopCode),
      stoppedReason: String(detail.stoppedReason),
    };
    const time = Date.parse(original.event.time) - int(1_000, 20_000);
    const event = taskEvent(
      service,
      taskId,
      stop,
      Number(detail.version) - 1,
      "STOPPING",
      Math.max(start, time),
      Date.parse(String(detail.createdAt)),
    );
    events.push({
      event,
      delivery: "older",
      service: original.service,
      at: original.at + int(100, 3_000),
    });
  }
  // EventBridge's redeliveries: the same event, same id, again a little later.
  for (let i = 0; i < duplicates; i++) {
    const original = pick(stopped);
    events.push({ ...original, delivery: "duplicate", at: original.at + int(500, 4_500) });
  }
  events.sort((a, b) => a.at - b.at);
  const counts: Record<Delivery, number> = { incident: 0, routine: 0, duplicate: 0, older: 0 };
  for (const e of events) counts[e.delivery]++;
  return { fleet, services, events, counts, incidentStops };
}

/**
 * AWS's published `SERVICE_STEADY_STATE` service action (test/fixtures/events/) for `service` at
 * `time`: what resolves its incident.
 */
export function steadyStateEvent(service: StormService, time: Date, id: string) {
  const published = JSON.parse(
    readFileSync(
      new URL("../../test/fixtures/events/ecs-service-action-steady-state.json", import.meta.url),
      "utf8",
    ),
  ) as TaskStateChangeEvent;
  const [account, region] = service.key.split("/");
  return {
    ...published,
    id,
    account,
    region,
    time: time.toISOString(),
    resources: [service.serviceArn],
    detail: {
      ...published.detail,
      clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${service.cluster}`,
      createdAt: time.toISOString(),
    },
  };
}

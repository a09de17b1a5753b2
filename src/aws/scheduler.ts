// Incident digests: `/ecs digest … --every 15m --for 2h` creates one EventBridge Scheduler
// schedule in the bot's own schedule group, which invokes the digest function at that rate until
// its end date and is then deleted by Scheduler itself (ActionAfterCompletion DELETE: "deleted
// after its last invocation … closest to the EndDate", EventBridge Scheduler user guide,
// managing-schedule-delete). `/ecs digest stop` deletes it. One schedule per channel, named after
// it, so a second start is refused instead of doubling the posts.
//
// These are the bot's only writes, on its own resources: the schedule group it deploys, and a
// role that may invoke nothing but the digest function.
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { OWN_RESOURCE_CLIENT } from "./clients.ts";
import { read } from "./errors.ts";

export interface IncidentDigest {
  channel: string;
  region: string;
  clusters: string[] | "all";
  namespaces: string[];
  everyMinutes: number;
  /** The last digest is posted at or before this time. */
  until: Date;
}

/** What the digest function receives from the schedule. */
export interface IncidentEvent {
  incident: Omit<IncidentDigest, "until"> & { until: string };
  /** Scheduler's own `<aws.scheduler.scheduled-time>`, filled in at each invocation. */
  time: string;
}

export interface IncidentScheduler {
  start(digest: IncidentDigest, signal?: AbortSignal): Promise<"started" | "already-running">;
  stop(channel: string, signal?: AbortSignal): Promise<"stopped" | "not-running">;
}

const scheduleName = (channel: string) => `incident-${channel}`;

let client: SchedulerClient | undefined;

/** For tests, which point the client elsewhere between runs. */
export function forgetSchedulerClient(): void {
  client?.destroy();
  client = undefined;
}

/** The deployed schedule group, digest function and role; undefined where none is (the CLI). */
export function incidentScheduler(
  env: NodeJS.ProcessEnv = process.env,
): IncidentScheduler | undefined {
  const group = env.DIGEST_SCHEDULE_GROUP;
  const target = env.DIGEST_FUNCTION_ARN;
  const role = env.DIGEST_SCHEDULER_ROLE_ARN;
  if (!group || !target || !role) return undefined;
  const scheduler = () => {
    client ??= new SchedulerClient(OWN_RESOURCE_CLIENT);
    return client;
  };
  return {
    async start(digest, signal) {
      const { until, ...rest } = digest;
      const input: IncidentEvent = {
        incident: { ...rest, until: until.toISOString() },
        time: "<aws.scheduler.scheduled-time>",
      };
      try {
        await read(`start the incident digest of ${digest.channel}`, "CreateSchedule", () =>
          scheduler().send(
            new CreateScheduleCommand({
              Name: scheduleName(digest.channel),
              GroupName: group,
              ScheduleExpression: `rate(${digest.everyMinutes} minutes)`,
              // The command has just posted the first digest: the schedule posts the next ones.
              StartDate: new Date(Date.now() + digest.everyMinutes * 60_000),
              EndDate: until,
              ActionAfterCompletion: "DELETE",
              FlexibleTimeWindow: { Mode: "OFF" },
              State: "ENABLED",
              Description: `ECS digest every ${digest.everyMinutes} min in ${digest.channel}`,
              Target: {
                Arn: target,
                RoleArn: role,
                Input: JSON.stringify(input),
                // A missed quarter hour is not retried: the next one is on its way.
                RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
              },
            }),
            { abortSignal: signal },
          ),
        );
        return "started";
      } catch (error) {
        if ((error as { cause?: unknown }).cause instanceof ConflictException) {
          return "already-running";
        }
        throw error;
      }
    },
    async stop(channel, signal) {
      try {
        await read(`stop the incident digest of ${channel}`, "DeleteSchedule", () =>
          scheduler().send(
            new DeleteScheduleCommand({ Name: scheduleName(channel), GroupName: group }),
            { abortSignal: signal },
          ),
        );
        return "stopped";
      } catch (error) {
        if ((error as { cause?: unknown }).cause instanceof ResourceNotFoundException) {
          return "not-running";
        }
        throw error;
      }
    },
  };
}

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { classify } from "../../../src/domain/incidents/classify.ts";
import { type IncidentState, step } from "../../../src/domain/incidents/machine.ts";
import { incidentFacts, matchRoutes, routesFrom } from "../../../src/domain/incidents/routes.ts";
import { actionLine } from "../../../src/domain/incidents/summary.ts";
import { deploymentStop, type Event, oomStop, sample, serviceEvent, withId } from "./events.ts";

// AWS's published events played in the order a bad deployment unfolds, routed, as the lines the
// demo will print for each Slack call.

const ROUTES = routesFrom(
  "demo",
  `
routes:
  - channel: C0OPS000001
  - channel: C0ONCALL001
    match: { service: "service*", severity: error }
`,
  parse,
).routes;

const T0 = Date.parse("2020-05-23T12:30:00Z");
const time = (s: number) => new Date(T0 + s * 1000).toISOString();

function play(events: [number, Event][]): string[] {
  let state: IncidentState | undefined;
  const lines: string[] = [];
  for (const [seconds, event] of events) {
    const classified = classify(event);
    const channels =
      classified.outcome === "incident"
        ? matchRoutes(ROUTES, incidentFacts(classified.subject, classified.signal)).channels
        : [];
    const result = step(state, classified, {
      now: new Date(T0 + seconds * 1000),
      channels,
      mutes: [],
    });
    state = result.state;
    lines.push(...result.actions.map(actionLine));
  }
  return lines;
}

describe("a bad deployment, as AWS publishes its events", () => {
  it("is one message per channel, replies for what is new, and a recovery", () => {
    const lines = play([
      [0, serviceEvent("ecs-deployment-state-change-in-progress", "p", time(0))],
      [60, oomStop({ id: "s1", task: "a", time: time(60) })],
      [65, oomStop({ id: "s2", task: "b", time: time(65) })],
      [120, serviceEvent("ecs-service-action-task-start-impaired", "i", time(120))],
      [180, serviceEvent("ecs-deployment-state-change-failed", "f", time(180))],
      [200, serviceEvent("ecs-deployment-state-change-in-progress-rollback", "r", time(200))],
      [210, deploymentStop({ id: "d1", task: "c", time: time(210) })],
      [900, serviceEvent("ecs-deployment-state-change-completed", "c", time(900))],
    ]);

    expect(lines).toEqual([
      "post C0OPS000001 ▲ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage)",
      "thread C0OPS000001 Also: tasks cannot start consistently",
      "update C0OPS000001 ▲ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage) (3 events, 2 task stops, 2020-05-23 12:31 UTC to 12:32 UTC)",
      "post C0ONCALL001 ✖ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage)",
      "thread C0OPS000001 Also: deployment failed: ECS deployment circuit breaker: task failed to start. · New deployment: ecs-svc/123",
      "update C0OPS000001 ✖ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage) (4 events, 2 task stops, 2020-05-23 12:31 UTC to 12:33 UTC)",
      "thread C0OPS000001 Also: rollback started: ECS deployment circuit breaker: rolling back to deploymentId deploymentID.",
      "thread C0ONCALL001 Also: rollback started: ECS deployment circuit breaker: rolling back to deploymentId deploymentID.",
      "update C0OPS000001 ✖ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage) (5 events, 2 task stops, 2020-05-23 12:31 UTC to 12:33 UTC)",
      "update C0ONCALL001 ✖ servicetest (default): task stopped 2020-05-23 12:31 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage) (5 events, 2 task stops, 2020-05-23 12:31 UTC to 12:33 UTC)",
      "resolve C0OPS000001 ✔ recovered after 14 min: deployment ecs-svc/123 completed: ECS deployment deploymentID completed. (5 events)",
      "resolve C0ONCALL001 ✔ recovered after 14 min: deployment ecs-svc/123 completed: ECS deployment deploymentID completed. (5 events)",
    ]);
  });

  it("routes an alarm only where a route names it, and resolves it when it is OK again", () => {
    const routes = routesFrom(
      "p",
      'routes: [{ channel: C0ALARMS001, match: { alarm: "Service*" } }]',
      parse,
    ).routes;
    const alarm = withId(sample("cloudwatch-alarm-state-change-composite"), "a1");
    const ok = withId(sample("cloudwatch-alarm-state-change-composite"), "a2");
    (ok.detail as { state: { value: string } }).state.value = "OK";
    ok.time = "2022-07-22T16:20:00Z";

    let state: IncidentState | undefined;
    const lines: string[] = [];
    for (const event of [alarm, ok]) {
      const c = classify(event);
      const channels =
        c.outcome === "incident"
          ? matchRoutes(routes, incidentFacts(c.subject, c.signal)).channels
          : [];
      const result = step(state, c, { now: new Date("2022-07-22T16:30:00Z"), channels, mutes: [] });
      state = result.state;
      lines.push(...result.actions.map(actionLine));
    }
    expect(lines).toEqual([
      "post C0ALARMS001 ✖ alarm ServiceAggregatedAlarm: alarm ServiceAggregatedAlarm is ALARM: arn:aws:cloudwatch:us-east-1:123456789012:alarm:SuppressionDemo.EventBridge.FirstChild transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC",
      "resolve C0ALARMS001 ✔ recovered after 22 min: alarm ServiceAggregatedAlarm is OK: arn:aws:cloudwatch:us-east-1:123456789012:alarm:SuppressionDemo.EventBridge.FirstChild transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC (1 event)",
    ]);
  });
});

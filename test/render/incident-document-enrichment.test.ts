import { describe, expect, it } from "vitest";
import { classify } from "../../src/domain/incidents/classify.ts";
import type { Enrichment } from "../../src/domain/incidents/enrichment.ts";
import { type IncidentState, step } from "../../src/domain/incidents/machine.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { incidentDocument } from "../../src/render/incident-document.ts";
import { renderText } from "../../src/render/text.ts";
import { oomStop } from "../domain/incidents/events.ts";
import { blockKitViolations } from "../support/block-limits.ts";

// An enriched incident's message: the headline is what happened and health's deciding cause;
// first the next step and the task definition change; a read that failed is said, never a cause.

function opened(enrichment: Enrichment): IncidentState {
  const result = step(undefined, classify(oomStop({ id: "s1", task: "abc123" })), {
    now: new Date("2026-12-06T10:00:00Z"),
    channels: ["C0OPS000001"],
    mutes: [],
  });
  const incident = result.state?.incident;
  if (!result.state || !incident) throw new Error("no incident");
  return { ...result.state, incident: { ...incident, enrichment } };
}

const LOGS =
  "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/log-group/$252Fecs$252Fservicetest/log-events/ecs$252Fapp$252Fabc123";

const DOWN: Enrichment = {
  readAt: "2026-12-06T10:00:02Z",
  place: "us-west-2",
  level: "down",
  cause: "0 of 2 tasks running; last stop: app exit 137: OutOfMemoryError",
  next: "App: raise memory in the task definition of default/servicetest or fix the leak.",
  counts: { running: 0, desired: 2 },
  deployment: { id: "ecs-svc/2", startedAt: "2026-12-06T09:55:00Z", rolloutState: "IN_PROGRESS" },
  taskDefinition: { from: "servicetest:6", to: "servicetest:7" },
  logs: { label: "Logs of stopped task abc123", url: LOGS },
  gaps: [],
};

function view(enrichment: Enrichment) {
  const state = opened(enrichment);
  if (!state.incident) throw new Error("no incident");
  return incidentDocument({ incident: state.incident, subject: state.subject });
}

describe("an enriched incident's message", () => {
  it("leads with what happened and the deciding cause, then the next step and the task definition change", () => {
    const text = renderText(view(DOWN));
    expect(text.split("\n").slice(0, 6)).toEqual([
      "✖ servicetest (default): task stopped — DOWN: 0 of 2 tasks running; last stop: app exit 137: OutOfMemoryError:",
      "  What happened: task stopped 2026-12-06 10:00 UTC: Essential container in task exited (app exit 137: OutOfMemoryError: Container killed due to memory usage)",
      "  Next: App: raise memory in the task definition of default/servicetest or fix the leak.",
      "  Task definition servicetest:6 → servicetest:7, deployment ecs-svc/2 started 2026-12-06 09:55 UTC, 5 min before, IN_PROGRESS",
      "  0 of 2 tasks running when read in us-west-2",
      "  Stop code: EssentialContainerExited",
    ]);
    // The change replaces the event's own task definition line.
    expect(text).not.toContain("Task definition servicetest:7\n");
  });

  it("offers the stopped task's log stream beside the service and task pages", () => {
    const doc = view(DOWN);
    expect(doc.console?.map((l) => l.label)).toEqual([
      "Service in console",
      "Stopped task in console",
      "Logs of stopped task abc123",
    ]);
    expect(doc.console?.[2]?.url).toBe(LOGS);
    expect(blockKitViolations(renderBlocks(doc, { view: "full" }))).toEqual([]);
  });

  it("says a read that failed, and keeps the event's own headline", () => {
    const text = renderText(
      view({ readAt: "", gaps: ["health not read: AWS denied DescribeServices (AccessDenied)"] }),
    );
    expect(text).toMatch(/^▲ servicetest \(default\): task stopped 2026-12-06 10:00 UTC/);
    expect(text).toContain("Health not read: AWS denied DescribeServices (AccessDenied)");
    expect(text).toContain("Task definition servicetest:7");
  });

  it("never makes an unknown verdict the headline's cause", () => {
    const text = renderText(
      view({
        readAt: "",
        level: "unknown",
        cause: "unknown: the tasks could not be read",
        gaps: [],
      }),
    );
    expect(text).toMatch(/^▲ servicetest \(default\): task stopped 2026-12-06 10:00 UTC/);
    expect(text).toContain("Health: unknown: the tasks could not be read");
  });

  it("says a service found healthy again as such, not as the cause of the stop", () => {
    const text = renderText(
      view({ readAt: "", level: "healthy", cause: "2 of 2 tasks running", gaps: [] }),
    );
    expect(text).toMatch(
      /^▲ servicetest \(default\): task stopped — now HEALTHY: 2 of 2 tasks running:/,
    );
  });
});

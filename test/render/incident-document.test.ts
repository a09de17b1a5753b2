import { describe, expect, it } from "vitest";
import { classify } from "../../src/domain/incidents/classify.ts";
import { type IncidentState, step } from "../../src/domain/incidents/machine.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { incidentDocument } from "../../src/render/incident-document.ts";
import { renderText } from "../../src/render/text.ts";
import { oomStop } from "../domain/incidents/events.ts";
import { blockKitViolations } from "../support/block-limits.ts";

// An incident's message: what happened and the deciding cause first, then the facts a reader
// acts on, and the buttons to look closer or keep it quiet.

function opened(): IncidentState {
  const result = step(undefined, classify(oomStop({ id: "s1", task: "abc123" })), {
    now: new Date("2026-12-06T10:00:00Z"),
    channels: ["C0OPS000001"],
    mutes: [],
  });
  if (!result.state) throw new Error("no state");
  return result.state;
}

describe("an incident's message", () => {
  const state = opened();
  const incident = state.incident;
  if (!incident) throw new Error("no incident");
  const doc = incidentDocument({ incident, subject: state.subject });

  it("says the stop, its exit code, the image and the task definition", () => {
    const text = renderText(doc);
    expect(text).toMatch(/^▲ servicetest \(default\): task stopped 2026-12-06 10:00 UTC/);
    expect(text).toContain("Stop code: EssentialContainerExited");
    expect(text).toContain(
      "Container app exit 137: OutOfMemoryError: Container killed due to memory usage, image 111122223333.dkr.ecr.us-west-2.amazonaws.com/servicetest:v2",
    );
    expect(text).toContain("Task definition servicetest:7");
    expect(text).toContain(
      "1 event, 1 task stop, 2026-12-06 10:00 UTC, last seen 2026-12-06 10:00 UTC",
    );
  });

  it("offers Health, Traffic, Details (health's whole answer of this cluster's service), Mute 1 h and the console pages", () => {
    expect(doc.links?.map((l) => [l.actionId, l.label, l.command])).toEqual([
      ["ecs_health", "Health", "health servicetest"],
      ["ecs_traffic", "Traffic", "traffic servicetest"],
      ["ecs_details", "Details", "health default/servicetest"],
      ["ecs_mute", "Mute 1 h", "111122223333/us-west-2/default/servicetest 1h"],
    ]);
    expect(doc.console).toEqual([
      {
        label: "Service in console",
        url: "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/services/servicetest/health?region=us-west-2",
      },
      {
        label: "Stopped task in console",
        url: "https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/default/tasks/abc123/configuration?region=us-west-2",
      },
    ]);
    expect(blockKitViolations(renderBlocks(doc, { view: "full" }))).toEqual([]);
  });

  it("leads with the recovery once resolved, the first headline kept below it", () => {
    const resolved = incidentDocument({
      incident: { ...incident, resolution: "the service reached a steady state" },
      subject: state.subject,
      resolved: "✔ recovered after 12 min",
    });
    const text = renderText(resolved);
    expect(text.split("\n").slice(0, 2)).toEqual([
      "✔ recovered after 12 min:",
      expect.stringMatching(/^ +▲ servicetest \(default\): task stopped/),
    ]);
    expect(resolved.summary).toMatch(/^✔ recovered after 12 min: ▲ servicetest/);
    expect(text).toContain("Resolved: the service reached a steady state");
  });
});

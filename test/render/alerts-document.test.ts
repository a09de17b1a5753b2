import { describe, expect, it } from "vitest";
import { classify } from "../../src/domain/incidents/classify.ts";
import { type IncidentState, step } from "../../src/domain/incidents/machine.ts";
import { muteFor } from "../../src/domain/incidents/mute.ts";
import { alertsDocument } from "../../src/render/alerts-document.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { oomStop } from "../domain/incidents/events.ts";

const now = new Date("2026-12-06T12:00:00Z");

function incident(task: string): IncidentState {
  const at = "2026-12-06T10:00:00Z";
  const result = step(undefined, classify(oomStop({ task, id: task, time: at })), {
    now: new Date(at),
    channels: ["C0OPS000001"],
    mutes: [],
  });
  if (!result.state) throw new Error("no state");
  return result.state;
}

const noRoutes = { configured: false, routes: [], errors: [] };

describe("the /ecs alerts document", () => {
  it("is short without a glance when little is open", () => {
    const doc = alertsDocument({
      kind: "list",
      routes: noRoutes,
      incidents: [incident("a")],
      mutes: [],
      now,
    });
    expect(doc.glance).toBeUndefined();
    expect(doc.summary).toBe("Alerts: 0 routes, 1 open incident, 0 mutes");
    const text = renderText(doc);
    expect(text).toContain("No routes configured: no incident is posted to any channel.");
    expect(text).toContain("(2 h)");
    expect(text).toContain("No mute.");
  });

  it("shows a glance first when the answer is long: the counts and the first incidents", () => {
    const mutes = Array.from({ length: 12 }, (_, i) =>
      muteFor(`111122223333/us-west-2/default/s${i}`, "C0OPS000001", 3600, now),
    );
    const doc = alertsDocument({
      kind: "list",
      routes: noRoutes,
      incidents: [incident("a")],
      mutes,
      now,
    });
    expect(doc.glance?.headline.map((s) => (typeof s === "string" ? s : "")).join("")).toBe(
      "Alerts: 0 routes, 1 open incident, 12 mutes",
    );
    const facts = doc.glance?.facts.map(plain) ?? [];
    expect(facts.join("\n")).toContain("servicetest (default)");
    expect(facts.every((f) => f.length <= 200)).toBe(true);
  });

  it("answers bad input with the usage, the user's text escaped in Slack", () => {
    const doc = alertsDocument({
      kind: "invalid",
      query: "<!channel>",
      reason: '"<!channel>" is not mute or unmute',
    });
    expect(renderText(doc)).toContain("Usage: /ecs alerts");
    expect(JSON.stringify(renderBlocks(doc))).not.toContain("<!channel>");
  });

  it("never says there is no incident when there is no table to know", () => {
    const doc = alertsDocument({ kind: "no-table" });
    expect(doc.summary).toContain("not set up here (no incidents table)");
    expect(renderText(doc)).not.toMatch(/no open incident/i);
  });
});

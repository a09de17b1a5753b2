import { describe, expect, it } from "vitest";
import type { Doc } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";

// The terminal rendering: the same content as the Slack message, without markup.

const doc: Doc = {
  summary: "api.internal.local → 2 of 3 endpoints healthy",
  sections: [
    { lines: [[{ bold: "api.internal.local → 2 of 3 endpoints healthy" }]] },
    {
      heading: "Endpoints",
      lines: [
        ["✖ UNHEALTHY ", { code: "10.0.3.103:8080" }],
        ["✔ healthy ", { code: "10.0.1.101:8080" }],
      ],
      links: [{ actionId: "ecs_health", label: "Health", command: "health api.internal.local" }],
    },
  ],
  notes: [["Partial answer: could not read cluster staging: denied."]],
  links: [
    { actionId: "ecs_health", label: "Health", command: "health api.internal.local" },
    { actionId: "ecs_traffic", label: "Traffic", command: "traffic api.internal.local" },
  ],
  asOf: new Date("2026-11-23T16:05:12.345Z"),
};

describe("renderText", () => {
  it("prints headings with a colon, their lines indented, a blank line between sections", () => {
    expect(renderText(doc).split("\n").slice(0, 6)).toEqual([
      "api.internal.local → 2 of 3 endpoints healthy",
      "",
      "Endpoints:",
      "  ✖ UNHEALTHY 10.0.3.103:8080",
      "  ✔ healthy 10.0.1.101:8080",
      "  /ecs health api.internal.local",
    ]);
  });

  it("turns buttons into the commands to type, then the notes and the time read, last", () => {
    expect(renderText(doc).split("\n").slice(6)).toEqual([
      "",
      "More: /ecs health api.internal.local · /ecs traffic api.internal.local",
      "",
      "Partial answer: could not read cluster staging: denied.",
      "As of 2026-11-23 16:05:12 UTC",
      "",
    ]);
  });

  it("prints user text as typed: no escapes, no markup", () => {
    const text = renderText({
      summary: "",
      sections: [{ lines: [["Not found: ", { code: "<!here> & `x`" }, " ", { bold: "*" }]] }],
      notes: [],
    });

    expect(text).toBe("Not found: <!here> & `x` *\n");
  });

  it("prints neither a More line nor a foot when there is nothing to put there", () => {
    expect(
      renderText({ summary: "s", sections: [{ lines: [["one"]] }], notes: [], links: [] }),
    ).toBe("one\n");
  });
});

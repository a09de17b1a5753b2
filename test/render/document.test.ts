import { describe, expect, it } from "vitest";
import { clock, crossLinks, plain } from "../../src/render/document.ts";

// The renderer-neutral document's small parts: the buttons to the other answers, the time read.

describe("crossLinks", () => {
  it("offers the other two answers for the same name, never the one shown", () => {
    expect(crossLinks("traffic", "api.internal.local")).toEqual([
      { actionId: "ecs_whois", label: "Whois", command: "whois api.internal.local" },
      { actionId: "ecs_health", label: "Health", command: "health api.internal.local" },
    ]);
  });
});

describe("clock", () => {
  it("says the date and the time to the second, in UTC", () => {
    expect(clock(new Date("2026-11-23T16:05:12.987Z"))).toBe("2026-11-23 16:05:12 UTC");
  });
});

describe("plain", () => {
  it("joins a line's spans without their markup", () => {
    expect(plain(["see ", { code: "a`b" }, " and ", { bold: "*c*" }])).toBe("see a`b and *c*");
  });
});

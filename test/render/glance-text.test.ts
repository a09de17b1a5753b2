import { describe, expect, it } from "vitest";
import { clip, splitAt } from "../../src/render/glance-text.ts";

describe("splitAt, cutting words to fit a first view", () => {
  it("leaves a text that fits as it is", () => {
    expect(splitAt("short", 10)).toEqual({ head: "short", rest: "" });
  });

  it("ends at the latest clause that fits, and keeps the rest", () => {
    const text = "0 of 2 tasks running; last stop: task stopped 15:33: exit 137 OutOfMemoryError";

    expect(splitAt(text, 60)).toEqual({
      head: "0 of 2 tasks running; last stop: task stopped 15:33…",
      rest: "exit 137 OutOfMemoryError",
    });
  });

  it("ends a sentence with its full stop, not an ellipsis", () => {
    expect(splitAt("It stopped. Then it started again and again and again.", 20).head).toBe(
      "It stopped.",
    );
  });

  it("never ends inside parentheses", () => {
    const text = "10.0.3.103 (container health check failing: api) and 2 more unhealthy ones";

    expect(splitAt(text, 60).head).not.toContain("failing…");
  });

  it("cuts at a word when no clause keeps enough", () => {
    const head = clip("a verylongwordwithoutanyclauseatall and more words here", 30);

    expect(head.length).toBeLessThanOrEqual(30);
    expect(head).toMatch(/…$/);
  });
});

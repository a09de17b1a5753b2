import { describe, expect, it } from "vitest";
import { cutMrkdwn, cutPlain } from "../../src/render/escape.ts";

describe("cutMrkdwn", () => {
  it("leaves text within the limit as it is", () => {
    expect(cutMrkdwn("`a` &lt; *b*", 12)).toBe("`a` &lt; *b*");
  });

  it("cuts before an escape rather than inside it, the marker included in the limit", () => {
    expect(cutMrkdwn("ab &lt;&lt;", 8)).toBe("ab &lt;…");
    expect(cutMrkdwn("ab &lt;&lt;", 7)).toBe("ab…");
  });

  it.each([
    ["a user mention", "see <@U123ABC> now", "see…"],
    ["a broadcast", "see the <!here> now", "see the…"],
    ["a labelled link", "see <https://example.com/a|the runbook> now", "see…"],
    ["a code span", "see `kubectl get pods` now", "see…"],
    ["a bold span", "see *Unknown command* now", "see…"],
  ])("drops %s that would be cut", (_label, text, cut) => {
    expect(cutMrkdwn(text, 12)).toBe(cut);
  });

  it("keeps a whole span that fits before the cut", () => {
    expect(cutMrkdwn("see <@U123> and `x` then more", 20)).toBe("see <@U123> and `x`…");
  });

  it("treats a lone backtick or star as one character", () => {
    expect(cutMrkdwn("5 * 3 is fifteen", 8)).toBe("5 * 3 i…");
  });

  it("never splits an emoji", () => {
    expect(cutMrkdwn("ab😀😀", 4)).toBe("ab…");
  });
});

describe("cutPlain", () => {
  it("never splits an emoji, with or without a marker", () => {
    expect(cutPlain("ab😀", 3)).toBe("ab");
    expect(cutPlain("ab😀cd", 4, "…")).toBe("ab…");
    expect(cutPlain("ab😀cd", 5, "…")).toBe("ab😀…");
  });
});

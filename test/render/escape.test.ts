import { describe, expect, it } from "vitest";
import { codeSpan, escapeMrkdwn } from "../../src/render/escape.ts";

// What Slack must never read as markup in text a user or AWS wrote. (Cutting is in cut.test.ts.)

describe("escapeMrkdwn", () => {
  it.each([
    ["a broadcast", "<!channel>", "&lt;!channel&gt;"],
    ["a user mention", "<@U0ADMIN>", "&lt;@U0ADMIN&gt;"],
    [
      "a labelled link",
      "<https://evil.example|the runbook>",
      "&lt;https://evil.example|the runbook&gt;",
    ],
    ["an ampersand", "R&D", "R&amp;D"],
  ])("neutralises %s", (_name, text, escaped) => {
    expect(escapeMrkdwn(text)).toBe(escaped);
  });

  it("escapes an ampersand before the brackets, so an escape is not escaped twice", () => {
    expect(escapeMrkdwn("&lt; <")).toBe("&amp;lt; &lt;");
  });

  it("leaves plain text, stars and backticks as they are", () => {
    expect(escapeMrkdwn("api.internal.local:8080 *bold* `x`")).toBe(
      "api.internal.local:8080 *bold* `x`",
    );
  });
});

describe("codeSpan", () => {
  it("wraps text in backticks with Slack's escapes inside", () => {
    expect(codeSpan("<@U1> & co")).toBe("`&lt;@U1&gt; &amp; co`");
  });

  it("swaps a backtick for a look-alike so the span cannot be closed early", () => {
    const span = codeSpan("a`b` <!here>");

    expect(span).toBe("`aˋbˋ &lt;!here&gt;`");
    expect(span.split("`")).toHaveLength(3);
  });
});

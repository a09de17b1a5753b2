import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { mrkdwnProblems, mrkdwnTexts } from "../support/mrkdwn.ts";

// Every answer of the demo, as Slack draws it: a star, underscore or tilde Slack misreads shows
// as a literal character or turns half a line bold, and a bold paragraph is no headline.

/** The demo's commands as docs/demo.md lists them, without the demo's and the CLI's own flags. */
function demoCommands(): string[] {
  const page = readFileSync(new URL("../../docs/demo.md", import.meta.url), "utf8");
  const ownFlags = /\s--(json|stats|warm|accounts)\b|\s--(recover|latency|fleet-size)\s+\S+/g;
  const listed = [...page.matchAll(/`npm run demo -- ([^`<]+)`/g)].map((m) =>
    (m[1] ?? "").replace(ownFlags, "").trim(),
  );
  // And the answers the page leaves to the reader: help and the other traffic answers.
  const more = ["help", "traffic nginx.service-connect", "traffic api.service-connect 1h"];
  return [...new Set([...listed, ...more])];
}

describe("Every demo answer as Slack draws it", () => {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });

  it("lists the demo's commands", () => {
    expect(demoCommands().length).toBeGreaterThan(30);
  });

  it.each(demoCommands())("draws well-formed mrkdwn for %s", async (command) => {
    const doc: Doc = (await runEcsCommand(command, () => awsContext("ap-northeast-1"))).doc;

    expect(mrkdwnTexts(renderBlocks(doc)).flatMap(mrkdwnProblems)).toEqual([]);
  });
});

describe("mrkdwnProblems, the check itself", () => {
  it.each([
    ["*Not found: *`ngnix`", "bold closes on a space"],
    ["* Not found:*", "bold opens on a space"],
    ["**", "empty bold span"],
    ["*a**b*", "bold closes in a word"],
    ["a *b", "unbalanced *"],
    [`*${"x".repeat(151)}*`, "bold paragraph"],
    ["<!channel> a", "unescaped"],
    ["a _b c_ d", "unintended _ span"],
  ])("finds what Slack misreads in %s", (text, problem) => {
    expect(mrkdwnProblems(text).join("\n")).toContain(problem);
  });

  it.each([
    "*Not found:* `ngnix`",
    "ecs_service_discovery/api_service and ~2 tasks",
    "&lt;!channel&gt; &amp;",
    "`a * b` *bold*: x",
  ])("passes what Slack draws as meant: %s", (text) => {
    expect(mrkdwnProblems(text)).toEqual([]);
  });
});

/** The first section's text of a one-line document. */
const drawn = (line: Doc["sections"][number]["lines"][number], heading?: string) => {
  const doc: Doc = { summary: "s", sections: [{ heading, lines: [line] }], notes: [] };
  const [first] = renderBlocks(doc).blocks;
  return first?.type === "section" ? (first.text?.text ?? "") : "";
};

describe("Bold spans in Block Kit", () => {
  it("moves the spaces at a bold span's ends outside its stars", () => {
    expect(drawn([{ bold: "Not found: " }, { code: "ngnix" }])).toBe("*Not found:* `ngnix`");
    expect(drawn(["a", { bold: " b " }, "c"])).toBe("a *b* c");
  });

  it("draws nothing for an empty or blank bold span", () => {
    expect(drawn(["a ", { bold: "" }, "b"])).toBe("a b");
    expect(drawn(["a", { bold: " " }, "b"])).toBe("a b");
  });

  it("draws two bold spans side by side as one", () => {
    expect(drawn([{ bold: "api matches" }, { bold: " 3 names." }])).toBe("*api matches 3 names.*");
  });

  it("keeps a bold span touching a word apart from it with a zero-width space", () => {
    expect(drawn(["x", { bold: "y" }, "z"])).toBe("x\u200B*y*\u200Bz");
  });

  it("never lets a star in the words open or close a bold span", () => {
    expect(drawn(["allows ecs:List* and ", { bold: "Describe*" }, " *x*"])).toBe(
      "allows ecs:List∗ and *Describe∗* ∗x∗",
    );
    expect(drawn(["a"], "Heading * with a star ")).toBe("*Heading ∗ with a star*\na");
  });

  it("makes a bold paragraph bold up to its first clause only, and the words stay whole", () => {
    const verdict =
      "✖ legacy-report cannot reach api.internal.local:8080: no rule of sg-0c0ffee00000b0001 (api-service-tasks) allows TCP 8080 from legacy-report (10.0.2.88, sg-0c0ffee00000a0004): it allows TCP 8080 only from sg-0c0ffee00000a0002";

    expect(drawn([{ bold: verdict }])).toBe(
      `*✖ legacy-report cannot reach api.internal.local:8080*${verdict.slice(52)}`,
    );
  });

  it("prefers a sentence, then a dash, as the headline of a bold paragraph", () => {
    const sentence = `✖ a cannot reach b:80: 2 broken links. First, ${"x ".repeat(80)}`;
    const dash = `▲ DEGRADED c/api: 1 of 3 endpoints unhealthy — the task you asked about ${"y ".repeat(80)}`;

    expect(drawn([{ bold: sentence }])).toMatch(
      /^\*✖ a cannot reach b:80: 2 broken links\*\. First/,
    );
    expect(drawn([{ bold: dash }])).toMatch(
      /^\*▲ DEGRADED c\/api: 1 of 3 endpoints unhealthy\* — the/,
    );
  });

  it("draws a bold paragraph with no clause to end its headline in plain words", () => {
    const words = "z".repeat(200);

    expect(drawn([{ bold: words }])).toBe(words);
  });
});

describe("Any document in Block Kit", () => {
  // Words with Slack's markup characters and spaces at the ends, as AWS and users write them.
  const words = fc.string({
    unit: fc.constantFrom(
      "a",
      "Z",
      "1",
      " ",
      "*",
      "_",
      "~",
      "`",
      "<",
      ">",
      "&",
      ":",
      ".",
      "—",
      "(",
      ")",
    ),
    maxLength: 200,
  });
  const span = fc.oneof(
    words,
    words.map((code) => ({ code })),
    words.map((bold) => ({ bold })),
  );

  it("draws every line, heading and note as well-formed mrkdwn", () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 6 }), words, (line, heading) => {
        const doc: Doc = {
          summary: heading,
          sections: [{ heading: heading.trim() ? heading : undefined, lines: [line] }],
          notes: [line],
        };
        // Words alone may pair _ or ~ as Slack would: the renderer draws no italics to check.
        const problems = mrkdwnTexts(renderBlocks(doc))
          .flatMap(mrkdwnProblems)
          .filter((p) => !/unintended [_~] span/.test(p));
        expect(problems).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

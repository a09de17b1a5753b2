import { readFileSync } from "node:fs";
import type { KnownBlock } from "@slack/types";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks, type SlackMessage } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// Every answer of the demo, as Slack draws it: a star, underscore or tilde Slack misreads shows
// as a literal character or turns half a line bold, and a bold paragraph is no headline.

/** A bold span is a label or a headline: over this, it is a paragraph. */
const BOLD_MAX = 150;

/** Whatever Slack does not count as a word character next to a delimiter. */
const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

/** What Slack misreads in one mrkdwn text: each problem with the text around it. */
function mrkdwnProblems(text: string): string[] {
  const problems: string[] = [];
  const at = (line: string, i: number) => JSON.stringify(line.slice(Math.max(0, i - 30), i + 30));
  // Escapes: a raw < > or & is Slack's control syntax (a mention, a link, an entity).
  const unescaped = text.replace(/&(amp|lt|gt);/g, "");
  if (/[<>&]/.test(unescaped)) problems.push(`unescaped < > or &: ${JSON.stringify(text)}`);
  for (const raw of text.split("\n")) {
    if ((raw.match(/`/g) ?? []).length % 2 === 1) problems.push(`unclosed code: ${at(raw, 0)}`);
    // Code is literal: a word in its place (a delimiter touching it touches a word).
    const line = raw.replace(/`[^`]*`/g, "C");
    const stars = [...line.matchAll(/\*/g)].map((m) => m.index);
    if (stars.length % 2 === 1) problems.push(`unbalanced *: ${at(line, stars[0] ?? 0)}`);
    for (let k = 0; k + 1 < stars.length; k += 2) {
      const open = stars[k] as number;
      const close = stars[k + 1] as number;
      const inner = line.slice(open + 1, close);
      const before = line[open - 1];
      const after = line[close + 1];
      if (inner.length === 0) problems.push(`empty bold span: ${at(line, open)}`);
      else if (isSpace(inner[0])) problems.push(`bold opens on a space: ${at(line, open)}`);
      else if (isSpace(inner.at(-1))) problems.push(`bold closes on a space: ${at(line, close)}`);
      if (isWord(before) || before === "*")
        problems.push(`bold opens in a word: ${at(line, open)}`);
      if (isWord(after) || after === "*")
        problems.push(`bold closes in a word: ${at(line, close)}`);
      if (inner.length > BOLD_MAX)
        problems.push(`bold paragraph (${inner.length}): ${at(line, open)}`);
    }
    // No italics or strike are drawn: an underscore or tilde that opens must find no closer.
    for (const mark of ["_", "~"]) {
      const opens: number[] = [];
      for (let i = 0; i < line.length; i++) {
        if (line[i] !== mark) continue;
        const before = line[i - 1];
        const after = line[i + 1];
        if (opens.length > 0 && !isSpace(before) && !isWord(after) && after !== mark) {
          problems.push(`unintended ${mark} span: ${at(line, i)}`);
          break;
        }
        if (!isWord(before) && before !== mark && !isSpace(after)) opens.push(i);
      }
    }
  }
  return problems;
}

/** Every mrkdwn text of a message: the fallback, the sections' and the context blocks'. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks as KnownBlock[]) {
    if (block.type === "section" && block.text?.type === "mrkdwn") texts.push(block.text.text);
    if (block.type === "context") {
      for (const e of block.elements) if (e.type === "mrkdwn") texts.push(e.text);
    }
  }
  return texts;
}

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

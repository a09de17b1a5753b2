import { describe, expect, it } from "vitest";
import { buildResolution } from "../../src/domain/resolution.ts";
import { type RenderOptions, renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { escapeMrkdwn } from "../../src/render/escape.ts";
import { renderText } from "../../src/render/text.ts";
import { whoisDocument } from "../../src/render/whois-document.ts";
import { apiFacts } from "../support/facts.ts";

function sectionTexts(doc: Doc, options: RenderOptions = {}): string[] {
  return renderBlocks(doc, options).blocks.flatMap((b) =>
    b.type === "section" && b.text ? [b.text.text] : [],
  );
}

const apiAnswer = () => {
  const r = buildResolution(
    {
      query: "api.internal.local",
      subject: { kind: "name", name: "api.internal.local" },
      focusName: { name: "api.internal.local" },
    },
    apiFacts(),
  );
  return whoisDocument({ kind: "found", query: "api.internal.local", resolutions: [r], gaps: [] });
};

describe("escapeMrkdwn", () => {
  it("neutralises channel and user mentions", () => {
    expect(escapeMrkdwn("<!channel> <@U123> & co")).toBe("&lt;!channel&gt; &lt;@U123&gt; &amp; co");
  });
});

describe("whois rendering", () => {
  it("says the same thing in Block Kit and in text", () => {
    const doc = apiAnswer();
    const text = renderText(doc);
    const blocks = sectionTexts(doc, { view: "full" }).join("\n");

    for (const fragment of ["10.0.3.103:8080", "vpc-0b1e2c3d4e5f60718", "Next check", "api:7"]) {
      expect(text).toContain(fragment);
      expect(blocks).toContain(fragment);
    }
  });

  it("starts with the verdict and lists the unhealthy endpoint before the healthy ones", () => {
    const text = renderText(apiAnswer());

    expect(text.split("\n")[0]).toBe(
      "api.internal.local → Service Discovery DNS name (A, TTL 60s) of ecs_service_discovery/api-service, port api (8080/http), 2 of 3 endpoints healthy",
    );
    expect(text.indexOf("10.0.3.103")).toBeLessThan(text.indexOf("10.0.1.101"));
    expect(text).toContain("✖ UNHEALTHY 10.0.3.103:8080 ap-northeast-1d");
  });

  it("escapes a hostile query inside the not-found answer", () => {
    const doc = whoisDocument({
      kind: "not-found",
      query: "<!channel>",
      suggestions: [],
      searched: { regions: ["ap-northeast-1"], namespaces: [], clusters: [] },
      gaps: [],
    });
    const message = renderBlocks(doc);

    expect(JSON.stringify(message)).not.toContain("<!channel>");
    expect(message.text).toContain("&lt;!channel&gt;");
  });

  it("keeps every section under 3,000 characters and says how many lines were cut", () => {
    const lines = Array.from({ length: 200 }, (_, i) => [
      `✔ healthy 10.0.${i}.1:80 ap-northeast-1a · Cloud Map HEALTHY · ECS RUNNING/HEALTHY`,
    ]);
    const texts = sectionTexts({
      summary: "big",
      sections: [{ heading: "Endpoints", lines }],
      notes: [],
    });

    expect(texts.every((t) => t.length <= 3000)).toBe(true);
    expect(texts.at(-1)).toMatch(/… and \d+ more$/);
  });

  it("does not call a name missing when the search could not read everything", () => {
    const doc = whoisDocument({
      kind: "not-found",
      query: "nginx.service-connect",
      suggestions: [],
      searched: { regions: ["ap-northeast-1"], namespaces: [], clusters: [] },
      gaps: [
        {
          what: "the Cloud Map namespaces",
          why: "ListNamespaces could not reach AWS (ECONNREFUSED)",
        },
      ],
    });

    expect(renderText(doc)).toMatch(
      /^Not found, but the search was incomplete: nginx\.service-connect/,
    );
    expect(renderText(doc)).toContain(
      "could not read the Cloud Map namespaces: ListNamespaces could not reach AWS (ECONNREFUSED)",
    );
  });

  it("offers Health and Traffic buttons for the same name on a whois answer", () => {
    const message = renderBlocks(apiAnswer(), { view: "full" });
    const actions = message.blocks.find((b) => b.type === "actions");

    // Then its AWS console links (issue 22), each a URL button.
    expect(actions).toEqual({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "ecs_health",
          text: { type: "plain_text", text: "Health" },
          value: "health api.internal.local",
        },
        {
          type: "button",
          action_id: "ecs_traffic",
          text: { type: "plain_text", text: "Traffic" },
          value: "traffic api.internal.local",
        },
        ...(apiAnswer().console ?? []).map((l, i) =>
          expect.objectContaining({ action_id: `ecs_console_${i}`, url: l.url }),
        ),
      ],
    });
  });

  it("lists the partial-answer gaps as context", () => {
    const doc = whoisDocument({
      kind: "found",
      query: "api.internal.local",
      resolutions: [],
      gaps: [
        {
          what: "the tasks of ecs_service_discovery/api-service",
          why: "AWS throttled DescribeTasks (ThrottlingException) even after retries",
        },
      ],
    });

    expect(renderText(doc)).toContain(
      "Partial answer: could not read the tasks of ecs_service_discovery/api-service: AWS throttled DescribeTasks (ThrottlingException) even after retries.",
    );
  });
});

// What a user would see broken if a cut landed in the middle of markup.
const partialEntity = /&(?!(?:amp|lt|gt);)/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const count = (text: string, char: string) => text.split(char).length - 1;
const oneLine = (line: Doc["sections"][number]["lines"][number]): Doc => ({
  summary: "cut",
  sections: [{ lines: [line] }],
  notes: [],
});

describe("cutting an answer to Slack's limits", () => {
  const shifts = (n: number) => Array.from({ length: n }, (_, i) => i);

  it("never leaves half an escape at the end of a line full of < and &", () => {
    const texts = shifts(9).flatMap((shift) =>
      sectionTexts(oneLine([`${"x".repeat(shift)}${"<&>".repeat(1500)}`])),
    );

    for (const text of texts) expect(text).not.toMatch(partialEntity);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    for (const text of texts) expect(text).toMatch(/…$/);
  });

  it("drops a code span that would be cut rather than leave a backtick open", () => {
    const texts = shifts(30).flatMap((shift) =>
      sectionTexts(
        oneLine(["x".repeat(2870 + shift), { code: "kubectl get <pods> --all" }, " and after"]),
      ),
    );

    for (const text of texts) expect(count(text, "`") % 2).toBe(0);
    for (const text of texts) expect(text).not.toMatch(partialEntity);
    for (const text of texts) expect(text).toMatch(/…$/);
  });

  it("never leaves a bold span open", () => {
    const texts = shifts(20).flatMap((shift) =>
      sectionTexts(oneLine(["x".repeat(2880 + shift), { bold: "Unknown command" }, " and after"])),
    );

    for (const text of texts) expect(count(text, "*") % 2).toBe(0);
    for (const text of texts) expect(text).toMatch(/…$/);
  });

  it("never splits an emoji in a line, a note, the text fallback or a button value", () => {
    const emoji = "😀".repeat(20);
    const texts = [0, 1].flatMap((shift) => {
      const message = renderBlocks({
        summary: `${"x".repeat(2990 + shift)}${emoji}`,
        sections: [{ lines: [[`${"x".repeat(2890 + shift)}${emoji}`]] }],
        notes: [[`${"x".repeat(2990 + shift)}${emoji}`]],
        links: [
          {
            actionId: "ecs_health",
            label: "Health",
            command: `${"x".repeat(1990 + shift)}${emoji}`,
          },
        ],
      });
      return [
        message.text,
        ...message.blocks.flatMap((b) =>
          b.type === "section" && b.text
            ? [b.text.text]
            : b.type === "context"
              ? b.elements.flatMap((e) => ("text" in e ? [e.text] : []))
              : b.type === "actions"
                ? b.elements.flatMap((e) => (e.type === "button" && e.value ? [e.value] : []))
                : [],
        ),
      ];
    });

    expect(texts).toHaveLength(8);
    for (const text of texts) expect(text).not.toMatch(loneSurrogate);
  });

  it("cuts the summary text fallback without splitting an escape", () => {
    const texts = shifts(4).map(
      (shift) =>
        renderBlocks({
          summary: `${"x".repeat(shift)}${"<".repeat(1000)}`,
          sections: [],
          notes: [],
        }).text,
    );

    for (const text of texts) expect(text).not.toMatch(partialEntity);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    for (const text of texts) expect(text).toMatch(/…$/);
  });

  it("cuts a long note without splitting an escape", () => {
    const texts = shifts(5).map((shift) => {
      const context = renderBlocks({
        summary: "cut",
        sections: [],
        notes: [[`${"x".repeat(shift)}${"&".repeat(1000)}`]],
      }).blocks.find((b) => b.type === "context");
      const note = context?.type === "context" ? context.elements[0] : undefined;
      return note && "text" in note ? note.text : "";
    });

    for (const text of texts) expect(text).not.toMatch(partialEntity);
    for (const text of texts) expect(text.length).toBeGreaterThan(2900);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    for (const text of texts) expect(text).toMatch(/…$/);
  });
});

describe("the first view", () => {
  const withGlance = (): Doc => ({
    summary: "✖ DOWN api.service-connect: 0 of 3 endpoints healthy",
    sections: [{ lines: [["every endpoint, one per line"]] }],
    notes: [["Cloud Map health could not be read (AccessDenied)"]],
    command: "health api.service-connect",
    asOf: new Date("2026-12-06T03:00:00Z"),
    glance: {
      headline: ["✖ DOWN api.service-connect: 0 of 3 endpoints healthy"],
      facts: [["10.0.3.103 ", { code: "container health check failing" }]],
      next: ["look at task 5e6f's logs"],
      links: [
        { actionId: "ecs_traffic", label: "Traffic", command: "traffic api.service-connect" },
      ],
      copy: [{ label: "Copy fix", text: "aws ecs update-service --force-new-deployment" }],
    },
    console: [
      { label: "Service in console", url: "https://console.example/service" },
      { label: "Log stream", url: "https://console.example/logs" },
    ],
  });

  it("shows the headline, the facts and the next step, and leaves the sections to Details", () => {
    const texts = sectionTexts(withGlance());
    expect(texts).toEqual([
      "*✖ DOWN api.service-connect: 0 of 3 endpoints healthy*\n10.0.3.103 `container health check failing`\n*Next:* look at task 5e6f's logs",
    ]);
  });

  it("offers the answer's own buttons, Details, one console page, Refresh and Share", () => {
    const message = renderBlocks(withGlance());
    const labels = message.blocks.flatMap((b) =>
      b.type === "actions" ? b.elements.map((e) => (e.type === "button" ? e.text.text : "")) : [],
    );
    expect(labels).toEqual([
      "Traffic",
      "Copy fix",
      "Details",
      "Service in console",
      "Refresh",
      "Share in channel",
    ]);
  });

  it("marks one button primary: the answer's own first", () => {
    const styles = renderBlocks(withGlance()).blocks.flatMap((b) =>
      b.type === "actions"
        ? b.elements.map((e) => (e.type === "button" ? (e.style ?? "") : ""))
        : [],
    );
    expect(styles).toEqual(["primary", "", "", "", "", ""]);
  });

  it("keeps what could not be read in the first view", () => {
    const context = renderBlocks(withGlance()).blocks.find((b) => b.type === "context");
    expect(JSON.stringify(context)).toContain("Cloud Map health could not be read");
  });

  it("draws the whole answer for Details, with every console page and no Details button", () => {
    const message = renderBlocks(withGlance(), { view: "full" });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain("every endpoint, one per line");
    expect(json).toContain("https://console.example/logs");
    expect(json).not.toContain("ecs_details");
  });

  it("draws the whole answer when there is no command to ask Details of (a scheduled post)", () => {
    const json = JSON.stringify(renderBlocks({ ...withGlance(), command: undefined }).blocks);
    expect(json).toContain("every endpoint, one per line");
    expect(json).not.toContain("ecs_details");
  });

  it("prints the console pages in the terminal", () => {
    expect(renderText(withGlance())).toContain("Log stream: https://console.example/logs");
  });
});

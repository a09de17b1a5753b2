import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkArchitecture, describeViolation, importsOf, lineCount } from "./support/imports.ts";

// The flow rules of the source tree (README: verbs on top of shared reads, pure domain, render
// from documents, transport apart from entry points), checked on the real tree and, first, on
// small trees that each break one rule.

const root = fileURLToPath(new URL("../", import.meta.url));

/** {path → source} of every .ts file under the given top-level folders. */
function readTree(...dirs: string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const dir of dirs) {
    for (const entry of readdirSync(`${root}${dir}`, { recursive: true, encoding: "utf8" })) {
      const path = `${dir}/${entry.split("\\").join("/")}`;
      if (path.endsWith(".ts")) files[path] = readFileSync(`${root}${path}`, "utf8");
    }
  }
  return files;
}

/** A tree that keeps every rule, using each kind of import a layer is allowed. */
const CLEAN: Record<string, string> = {
  "src/entry/slack.ts": `import { app } from "../slack/app.ts";\nexport const handler = app;\n`,
  "src/slack/app.ts": [
    `import { runEcsCommand } from "../commands/router.ts";`,
    `import { renderBlocks } from "../render/blocks.ts";`,
    `import { App } from "@slack/bolt";`,
    `export const app = { runEcsCommand, renderBlocks, App };`,
  ].join("\n"),
  "src/commands/router.ts": [
    `import { whois } from "./whois.ts";`,
    `import { health } from "./health.ts";`,
    `import { helpDocument } from "./help.ts";`,
    `export const runEcsCommand = [whois, health, helpDocument];`,
  ].join("\n"),
  "src/commands/whois.ts": `import { targets } from "./reads/targets.ts";\nexport const whois = targets;\n`,
  "src/commands/health.ts": [
    `import { targets } from "./reads/targets.ts";`,
    `import { report } from "./reads/health-report.ts";`,
    `export const health = [targets, report];`,
  ].join("\n"),
  "src/commands/help.ts": `import type { Doc } from "../render/document.ts";\nexport const helpDocument = {} as Doc;\n`,
  "src/commands/reads/targets.ts": [
    `import { describeServices } from "../../aws/ecs.ts";`,
    `import { buildResolution } from "../../domain/resolution.ts";`,
    `export const targets = [describeServices, buildResolution];`,
  ].join("\n"),
  "src/commands/reads/health-report.ts": `import { targets } from "./targets.ts";\nexport const report = targets;\n`,
  "src/aws/ecs.ts": [
    `import { ECSClient } from "@aws-sdk/client-ecs";`,
    `import type { Endpoint } from "../domain/resolution.ts";`,
    `export const describeServices = (e: Endpoint) => [ECSClient, e];`,
  ].join("\n"),
  "src/domain/resolution.ts": [
    `import { distance } from "fastest-levenshtein";`,
    `import { clock } from "./time.ts";`,
    `export type Endpoint = string;`,
    `export const buildResolution = () => [distance, clock];`,
  ].join("\n"),
  "src/domain/time.ts": `export const clock = () => 0;\n`,
  "src/render/blocks.ts": [
    `import type { KnownBlock } from "@slack/types";`,
    `import type { Endpoint } from "../domain/resolution.ts";`,
    `import type { Doc } from "./document.ts";`,
    `export const renderBlocks = (d: Doc, e: Endpoint): KnownBlock[] => [];`,
  ].join("\n"),
  "src/render/document.ts": `export interface Doc { summary: string }\n`,
  "emulator/server.ts": `${"// line\n".repeat(600)}`,
};

/** The clean tree with one file added or replaced. */
const plant = (path: string, source: string) => ({ ...CLEAN, [path]: source });

describe("reading the imports of a file", () => {
  it("finds static, re-exported, type-only, dynamic and type-level imports with their lines", () => {
    const source = [
      `import { a } from "./a.ts";`,
      `import type { B } from "../domain/b.ts";`,
      `export { c } from "./c.ts";`,
      `export * from "./d.ts";`,
      `const e = await import("./e.ts");`,
      `type F = typeof import("@aws-sdk/client-ec2");`,
      `type G = import("./g.ts").G;`,
      `import "node:fs";`,
    ].join("\n");

    const found = importsOf("src/render/x.ts", source);

    expect(found.map((i) => [i.line, i.target, i.package])).toEqual([
      [1, "src/render/a.ts", false],
      [2, "src/domain/b.ts", false],
      [3, "src/render/c.ts", false],
      [4, "src/render/d.ts", false],
      [5, "src/render/e.ts", false],
      [6, "@aws-sdk/client-ec2", true],
      [7, "src/render/g.ts", false],
      [8, "node:fs", true],
    ]);
  });

  it("ignores import-like text in strings, templates and comments", () => {
    const source = [
      `const what = direction === "ingress" ? "from" : "to";`,
      `// import { x } from "../commands/whois.ts";`,
      'const s = `import("../slack/app.ts")`;',
      `/* export * from "../entry/slack.ts"; */`,
    ].join("\n");

    expect(importsOf("src/domain/x.ts", source)).toEqual([]);
  });

  it("names a package by its scope and name, not by the file inside it", () => {
    const found = importsOf("src/aws/x.ts", `import { x } from "@smithy/core/protocols";`);

    expect(found[0]?.target).toBe("@smithy/core");
  });

  it("resolves a specifier without extension to the .ts file of the tree", () => {
    const known = new Set(["src/domain/time.ts"]);

    expect(importsOf("src/domain/x.ts", `import "./time";`, known)[0]?.target).toBe(
      "src/domain/time.ts",
    );
  });

  it("counts lines as an editor does, a final newline ending the last line", () => {
    expect([lineCount(""), lineCount("a"), lineCount("a\n"), lineCount("a\nb")]).toEqual([
      0, 1, 1, 2,
    ]);
  });
});

describe("the architecture rules on a planted tree", () => {
  it("find nothing wrong in a tree that keeps every rule", () => {
    expect(checkArchitecture(CLEAN).map(describeViolation)).toEqual([]);
  });

  it.each([
    [
      "a verb importing a verb",
      plant(
        "src/commands/why.ts",
        `import { health } from "./health.ts";\nexport const why = health;\n`,
      ),
      "src/commands/why.ts:1 → src/commands/health.ts: a verb imports a verb (share it through src/commands/reads)",
    ],
    [
      "help importing a verb, help counting as one",
      plant("src/commands/help.ts", `\n\nimport { whois } from "./whois.ts";\n`),
      "src/commands/help.ts:3 → src/commands/whois.ts: a verb imports a verb (share it through src/commands/reads)",
    ],
    [
      "a shared read importing a verb",
      plant("src/commands/reads/scope.ts", `import { health } from "../health.ts";\n`),
      "src/commands/reads/scope.ts:1 → src/commands/health.ts: src/commands/reads imports a verb",
    ],
    [
      "render importing a command, even for a type",
      plant(
        "src/render/progress.ts",
        `import type { CommandProgress } from "../commands/call.ts";\n`,
      ),
      "src/render/progress.ts:1 → src/commands/call.ts: src/render imports outside src/render and src/domain",
    ],
    [
      "render importing a package beyond the Block Kit types",
      plant("src/render/blocks.ts", `import { WebClient } from "@slack/web-api";\n`),
      "src/render/blocks.ts:1 → @slack/web-api: src/render imports outside src/render and src/domain",
    ],
    [
      "domain importing an adapter",
      plant("src/domain/time.ts", `import { describeServices } from "../aws/ecs.ts";\n`),
      "src/domain/time.ts:1 → src/aws/ecs.ts: src/domain imports outside src/domain (domain is pure: no SDK, no Slack, no I/O)",
    ],
    [
      "domain importing the SDK through a type",
      plant("src/domain/time.ts", `type C = typeof import("@aws-sdk/client-ecs");\n`),
      "src/domain/time.ts:1 → @aws-sdk/client-ecs: src/domain imports outside src/domain (domain is pure: no SDK, no Slack, no I/O)",
    ],
    [
      "domain importing a node: module",
      plant("src/domain/time.ts", `import { readFileSync } from "node:fs";\n`),
      "src/domain/time.ts:1 → node:fs: src/domain imports outside src/domain (domain is pure: no SDK, no Slack, no I/O)",
    ],
    [
      "an adapter importing render",
      plant("src/aws/ecs.ts", `export { renderBlocks } from "../render/blocks.ts";\n`),
      "src/aws/ecs.ts:1 → src/render/blocks.ts: src/aws imports src/commands, src/slack, src/entry or src/render",
    ],
    [
      "an adapter importing a command",
      plant("src/aws/ecs.ts", `const r = await import("../commands/router.ts");\n`),
      "src/aws/ecs.ts:1 → src/commands/router.ts: src/aws imports src/commands, src/slack, src/entry or src/render",
    ],
    [
      "the transport importing an entry point",
      plant("src/slack/app.ts", `import { handler } from "../entry/slack.ts";\n`),
      "src/slack/app.ts:1 → src/entry/slack.ts: src/slack imports src/entry",
    ],
    [
      "an emulator file over 600 lines",
      plant("emulator/server.ts", "// line\n".repeat(601)),
      "emulator/server.ts: a file over 600 lines (601 lines)",
    ],
    [
      "a source file over 600 lines",
      plant("src/domain/why.ts", "// line\n".repeat(1356)),
      "src/domain/why.ts: a file over 600 lines (1,356 lines)",
    ],
  ])("report %s", (_name, tree, expected) => {
    expect(checkArchitecture(tree).map(describeViolation)).toEqual([expected]);
  });

  it("let the dispatcher import every verb", () => {
    const tree = plant(
      "src/commands/router.ts",
      ["whois", "health", "traffic", "why", "digest", "help"]
        .map((verb) => `import "./${verb}.ts";`)
        .join("\n"),
    );

    expect(checkArchitecture(tree)).toEqual([]);
  });

  it("leave test, script and bench files out of the rules", () => {
    const tree = {
      ...CLEAN,
      "test/commands/why.test.ts": `import "../../src/commands/whois.ts";\n${"//\n".repeat(900)}`,
    };

    expect(checkArchitecture(tree)).toEqual([]);
  });
});

describe("the source tree", () => {
  const tree = readTree("src", "emulator");

  it("is read whole, every relative import resolving to one of its files", () => {
    const known = new Set(Object.keys(tree));
    const unresolved = Object.entries(tree)
      .flatMap(([path, source]) => importsOf(path, source, known).map((i) => ({ path, ...i })))
      .filter((i) => !i.package && !known.has(i.target))
      .map((i) => `${i.path}:${i.line} → ${i.specifier}`);

    expect(known.has("src/commands/router.ts")).toBe(true);
    expect(known.size).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it("keeps the flow rules and the 600-line limit", () => {
    expect(checkArchitecture(tree).map(describeViolation)).toEqual([]);
  });
});

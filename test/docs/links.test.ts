// Every relative link in the repository's markdown must land on a file of the repository (and a
// `#anchor` on a heading of it), so a clone's README and docs/ never point outside the clone.
// Absolute URLs are not fetched: tests reach no network.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Folders that are not the project's own prose: dependencies, build output, the demo's state. */
const SKIPPED = new Set(["node_modules", ".git", "dist", ".demo", ".serverless", "coverage"]);

/** Every *.md under `dir`, repository-relative, in a stable order. */
function markdownFiles(dir: string = ROOT): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...markdownFiles(path));
    else if (entry.isFile() && entry.name.endsWith(".md")) found.push(relative(ROOT, path));
  }
  return found.sort();
}

/** The text outside fenced code blocks and inline code spans: links there are not links. */
function prose(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
    .replace(/(`+)[\s\S]*?\1/g, "");
}

/** Inline links and images: `[text](target)`, `![alt](target "title")`, `<target>` kept whole. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of prose(markdown).matchAll(
    /!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g,
  )) {
    const target = match[1] ?? "";
    targets.push(target.startsWith("<") ? target.slice(1, -1) : target);
  }
  return targets;
}

/** GitHub's heading anchors (github-slugger): lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  for (const match of withoutFences.matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    // Code spans keep their text as written; elsewhere links keep their text and HTML tags vanish.
    const text = (match[1] ?? "")
      .split(/(`[^`]*`)/)
      .map((part, i) =>
        i % 2 === 1
          ? part.slice(1, -1)
          : part
              .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
              .replace(/<[^>]+>/g, "")
              .replace(/[*~]/g, ""),
      )
      .join("");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What is wrong with one link of `file` (repository-relative), or undefined when it resolves. */
function brokenLink(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto: …: not ours to check
  const [pathPart = "", anchor] = target.split("#", 2);
  const path = decodeURIComponent(pathPart);
  const absolute =
    path === ""
      ? join(ROOT, file)
      : path.startsWith("/")
        ? join(ROOT, path)
        : resolve(ROOT, dirname(file), path);
  if (absolute !== ROOT && !absolute.startsWith(ROOT + sep))
    return `${target}: outside the repository`;
  if (!existsSync(absolute)) return `${target}: no such file`;
  if (anchor === undefined || anchor === "") return undefined;
  if (!absolute.endsWith(".md") || statSync(absolute).isDirectory()) return undefined;
  const anchors = headingAnchors(readFileSync(absolute, "utf8"));
  return anchors.has(anchor) ? undefined : `${target}: no heading with the anchor #${anchor}`;
}

describe("markdown links", () => {
  const files = markdownFiles();

  it("finds the README and the docs", () => {
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.startsWith("docs/")).length).toBeGreaterThan(0);
  });

  it.each(files)("every relative link of %s resolves inside the repository", (file) => {
    const broken = linkTargets(readFileSync(join(ROOT, file), "utf8"))
      .map((target) => brokenLink(file, target))
      .filter((problem): problem is string => problem !== undefined);
    expect(broken).toEqual([]);
  });

  it("reads links the way GitHub renders them", () => {
    const doc =
      '# ECS `whois`: names\n## Try it: two commands\n## Try it: two commands\n```\n[x](nowhere.md)\n```\nsee `[y](nowhere.md)` and [z](docs/a.md#b "t")';
    expect([...headingAnchors(doc)]).toEqual([
      "ecs-whois-names",
      "try-it-two-commands",
      "try-it-two-commands-1",
    ]);
    expect(linkTargets(doc)).toEqual(["docs/a.md#b"]);
  });

  it("names a link to a missing file or heading", () => {
    expect(brokenLink("README.md", "docs/no-such-file.md")).toMatch(/no such file/);
    expect(brokenLink("README.md", "#no-such-heading")).toMatch(/no heading/);
    expect(brokenLink("README.md", "../shared/aws-semantics.md")).toMatch(/outside the repository/);
    expect(brokenLink("README.md", "https://docs.aws.amazon.com/")).toBeUndefined();
  });
});

describe("README", () => {
  it("is short enough to read whole: at most 300 lines", () => {
    const lines = readFileSync(join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length;
    expect(lines).toBeLessThanOrEqual(300);
  });
});

import { posix } from "node:path";
import ts from "typescript";

// The architecture rules as a pure function over {path → source text}: the test reads the tree,
// this module only parses and judges, so it can be tested on small synthetic trees.
// Paths are repository-relative with forward slashes ("src/commands/why.ts").

/** One module specifier of a file: where it points and how the file asked for it. */
export interface Import {
  /** As written: "./health.ts", "@slack/types", "node:fs". */
  specifier: string;
  /** A repository path for a relative specifier, the package name ("@aws-sdk/client-ecs") else. */
  target: string;
  package: boolean;
  line: number;
}

export interface Violation {
  rule: string;
  file: string;
  /** The offending import; absent for a rule about the file itself (its size). */
  import?: Import;
  detail?: string;
}

export const MAX_LINES = 600;

/**
 * Packages allowed where the rules otherwise allow none, each with why it keeps the layer pure.
 * Domain: judgement over plain data, testable without AWS or Slack. Render: documents → Block Kit.
 */
export const PURE_PACKAGES: Record<"domain" | "render", Record<string, string>> = {
  domain: {
    "fastest-levenshtein":
      "edit distance between two strings for name suggestions: no I/O, no state",
  },
  render: {
    "@slack/types": "the Block Kit types the renderer builds: type definitions, no client, no I/O",
  },
};

/** Every static, re-exported, dynamic and type-level import of one file, in source order. */
export function importsOf(path: string, source: string, known: ReadonlySet<string> = new Set()) {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    found.push({ ...resolve(path, literal.text, known), specifier: literal.text, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      // `typeof import("@aws-sdk/client-ec2")`, `import("./x.ts").Type`
      add(node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function resolve(from: string, specifier: string, known: ReadonlySet<string>) {
  if (!specifier.startsWith(".") && !specifier.startsWith("/")) {
    return { target: packageName(specifier), package: true };
  }
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [joined, joined.replace(/\.js$/, ".ts"), `${joined}.ts`, `${joined}/index.ts`];
  return { target: candidates.find((c) => known.has(c)) ?? joined, package: false };
}

/** "@aws-sdk/client-ecs/dist" → "@aws-sdk/client-ecs", "node:fs/promises" → "node:fs/promises". */
function packageName(specifier: string): string {
  if (specifier.startsWith("node:")) return specifier;
  const parts = specifier.split("/");
  return (specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

export function lineCount(source: string): number {
  if (source === "") return 0;
  return source.split("\n").length - (source.endsWith("\n") ? 1 : 0);
}

const under = (path: string, dir: string) => path.startsWith(`${dir}/`);
const underAny = (path: string, dirs: string[]) => dirs.some((d) => under(path, d));

/** A verb: a file directly in src/commands, the dispatcher (router.ts) apart. */
export const isVerb = (path: string) =>
  /^src\/commands\/[^/]+\.ts$/.test(path) && path !== "src/commands/router.ts";

interface ImportRule {
  rule: string;
  breaks(file: string, imported: Import): boolean;
}

const IMPORT_RULES: ImportRule[] = [
  {
    rule: "a verb imports a verb (share it through src/commands/reads)",
    breaks: (file, i) => isVerb(file) && !i.package && isVerb(i.target) && i.target !== file,
  },
  {
    rule: "src/commands/reads imports a verb",
    breaks: (file, i) => under(file, "src/commands/reads") && !i.package && isVerb(i.target),
  },
  {
    rule: "src/render imports outside src/render and src/domain",
    breaks: (file, i) =>
      under(file, "src/render") &&
      (i.package
        ? !(i.target in PURE_PACKAGES.render)
        : !underAny(i.target, ["src/render", "src/domain"])),
  },
  {
    rule: "src/domain imports outside src/domain (domain is pure: no SDK, no Slack, no I/O)",
    breaks: (file, i) =>
      under(file, "src/domain") &&
      (i.package ? !(i.target in PURE_PACKAGES.domain) : !under(i.target, "src/domain")),
  },
  {
    rule: "src/aws imports src/commands, src/slack, src/entry or src/render",
    breaks: (file, i) =>
      under(file, "src/aws") &&
      !i.package &&
      underAny(i.target, ["src/commands", "src/slack", "src/entry", "src/render"]),
  },
  {
    rule: "src/slack imports src/entry",
    breaks: (file, i) => under(file, "src/slack") && !i.package && under(i.target, "src/entry"),
  },
];

/** Every broken rule in a tree of .ts files, ordered by rule, then file, then line. */
export function checkArchitecture(files: Readonly<Record<string, string>>): Violation[] {
  const known = new Set(Object.keys(files));
  const paths = [...known].filter((p) => p.endsWith(".ts")).sort();
  const violations: Violation[] = [];
  for (const rule of IMPORT_RULES) {
    for (const file of paths.filter((p) => under(p, "src"))) {
      for (const imported of importsOf(file, files[file] ?? "", known)) {
        if (rule.breaks(file, imported))
          violations.push({ rule: rule.rule, file, import: imported });
      }
    }
  }
  for (const file of paths.filter((p) => underAny(p, ["src", "emulator"]))) {
    const lines = lineCount(files[file] ?? "");
    if (lines > MAX_LINES) {
      violations.push({
        rule: `a file over ${MAX_LINES} lines`,
        file,
        detail: `${lines.toLocaleString("en-US")} lines`,
      });
    }
  }
  return violations;
}

/** "src/commands/why.ts:27 → src/commands/health.ts: a verb imports a verb (…)" */
export function describeViolation(v: Violation): string {
  if (!v.import) return `${v.file}: ${v.rule}${v.detail ? ` (${v.detail})` : ""}`;
  return `${v.file}:${v.import.line} → ${v.import.target}: ${v.rule}`;
}

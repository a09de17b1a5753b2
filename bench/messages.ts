// `npm run bench:messages [-- --write]`: what a Slack user is sent for each demo question, in
// characters and lines: the first view Slack shows, beside the full answer Details posts and the
// terminal's lines. Issue 22 asks for a first view a person reads in five seconds (a 150-character
// headline, at most 900 characters for whois/health/traffic/why, 1,500 for the demo digest, the
// rest one click away); this prints each answer beside those targets. `--write` puts the table into
// docs/benchmarks.md between its message markers.
import "./harness.ts";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadDemoFleet } from "../emulator/fleet/demo.ts";
import { startEmulator } from "../emulator/server.ts";
import { awsContext } from "../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../src/commands/router.ts";
import { renderBlocks } from "../src/render/blocks.ts";
import { DETAILS_ACTION_ID, plain } from "../src/render/document.ts";
import { renderText } from "../src/render/text.ts";
import { REGION, useEmulator } from "./harness.ts";
import { type ViewSize, viewSize } from "./slack-texts.ts";

/** The questions of issue 22's report, and the first view's character target of each. */
const QUESTIONS: { text: string; target: number }[] = [
  { text: "whois nginx.service-connect", target: 900 },
  { text: "whois api", target: 900 },
  { text: "whois 10.0.3.103", target: 900 },
  { text: "health api.service-connect", target: 900 },
  { text: "health nginx.service-connect", target: 900 },
  { text: "traffic api.service-connect", target: 900 },
  { text: "traffic api.service-connect 7d", target: 900 },
  { text: "why tutorial/legacy-report api.service-connect", target: 900 },
  { text: "digest", target: 1500 },
];
const HEADLINE_MAX = 150;

export interface MessageSize {
  question: string;
  headline: number;
  first: ViewSize;
  full: ViewSize;
  /** Whether the first view offers Details (it leaves something out). */
  details: boolean;
  textLines: number;
  target: number;
}

async function measure(): Promise<MessageSize[]> {
  const emulator = await startEmulator({ fleet: loadDemoFleet() });
  useEmulator(emulator);
  try {
    const sizes: MessageSize[] = [];
    for (const { text, target } of QUESTIONS) {
      const { doc } = await runEcsCommand(text, () => awsContext(REGION));
      const first = renderBlocks(doc).blocks;
      sizes.push({
        question: text,
        // What the first view shows in bold first: the glance's headline, else the summary.
        headline: doc.glance ? plain(doc.glance.headline).length : doc.summary.length,
        first: viewSize(first),
        full: viewSize(renderBlocks(doc, { view: "full" }).blocks),
        details: JSON.stringify(first).includes(DETAILS_ACTION_ID),
        textLines: renderText(doc).split("\n").length,
        target,
      });
    }
    return sizes;
  } finally {
    await emulator.close();
  }
}

const mark = (value: number, max: number) =>
  `${value.toLocaleString("en-US")}${value > max ? " ✖" : ""}`;

export function table(sizes: MessageSize[]): string {
  const rows = sizes.map(
    (s) =>
      `| \`${s.question}\` | ${mark(s.headline, HEADLINE_MAX)} | ${mark(s.first.chars, s.target)} | ${s.target.toLocaleString("en-US")} | ${s.first.lines} | ${s.first.buttons}${s.details ? " (Details)" : ""} | ${s.full.chars.toLocaleString("en-US")} | ${s.full.lines} | ${s.textLines} |`,
  );
  return [
    `| question | headline chars (≤ ${HEADLINE_MAX}) | first view chars | first-view target | first view lines | first view buttons | full answer chars (Details) | full answer lines | terminal lines |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n");
}

const sizes = await measure();
const printed = table(sizes);
console.log(printed);
console.log(
  "\n✖: over issue 22's target. Slack is sent the first view; Details posts the full answer (an answer with no Details button is its own first view). The terminal prints the full answer.",
);

if (process.argv.includes("--write")) {
  const file = new URL("../docs/benchmarks.md", import.meta.url);
  const begin = "<!-- messages:begin -->";
  const end = "<!-- messages:end -->";
  const doc = readFileSync(file, "utf8");
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${begin} … ${end}`);
  writeFileSync(file, `${doc.slice(0, from + begin.length)}\n${printed}\n${doc.slice(to)}`);
  // Aligned as the linter wants it, so a --write never fails CI's format check.
  execFileSync("npx", ["--no-install", "biome", "format", "--write", fileURLToPath(file)], {
    stdio: "ignore",
  });
}

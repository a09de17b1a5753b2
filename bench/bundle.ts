// `npx tsx bench/bundle.ts`: the Lambda artefact against a bundle of its bare dependencies, side by
// side in one run: both built by scripts/bundle.mjs (the production build), with and without minify, and
// each one's cold module load (a fresh Node process importing it, median of 5). Issue 11's target:
// the bot's bundle no larger than its dependencies' and no slower to load.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
// What src/ imports, the way it imports it (the EC2 client on first use only).
const BARE = `
export * as bolt from "@slack/bolt";
export * as web from "@slack/web-api";
export * as ecs from "@aws-sdk/client-ecs";
export * as cloudMap from "@aws-sdk/client-servicediscovery";
export * as cloudWatch from "@aws-sdk/client-cloudwatch";
export * as route53 from "@aws-sdk/client-route-53";
export * as lambda from "@aws-sdk/client-lambda";
export * as ssm from "@aws-sdk/client-ssm";
export * as dynamodb from "@aws-sdk/client-dynamodb";
export * as scheduler from "@aws-sdk/client-scheduler";
export * as idempotency from "@aws-lambda-powertools/idempotency";
export * as idempotencyDynamo from "@aws-lambda-powertools/idempotency/dynamodb";
export * as retry from "@smithy/core/retry";
export * as yaml from "yaml";
export * as levenshtein from "fastest-levenshtein";
export const ec2 = () => import("@aws-sdk/client-ec2");
`;

/** The production build itself (scripts/bundle.mjs), into `outdir`: the options cannot drift. */
function build(entry: string, outdir: string, minify: boolean) {
  execFileSync(
    process.execPath,
    [
      path.join(root, "scripts/bundle.mjs"),
      entry,
      "--outdir",
      outdir,
      ...(minify ? ["--minify"] : []),
    ],
    { stdio: "ignore" },
  );
}

function sizes(dir: string, entryFile: string) {
  const chunks = path.join(dir, "chunks");
  const chunkBytes = readdirSync(chunks, { withFileTypes: true })
    .filter((f) => f.name.endsWith(".mjs"))
    .reduce((n, f) => n + statSync(path.join(chunks, f.name)).size, 0);
  const entry = statSync(path.join(dir, entryFile)).size;
  return { entry, total: entry + chunkBytes };
}

/** Median of five cold imports, each in a fresh process. */
function coldLoad(file: string): number {
  const runs = Array.from({ length: 5 }, () =>
    Number(
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`,
        ],
        { encoding: "utf8" },
      ).trim(),
    ),
  );
  return runs.sort((a, b) => a - b)[2] ?? Number.NaN;
}

const work = mkdtempSync(path.join(tmpdir(), "ecs-chatops-bundle-"));
const bareEntry = path.join(work, "bare.ts");
writeFileSync(bareEntry, BARE);
const rows: string[] = [];
for (const minify of [false, true]) {
  const botDir = path.join(work, `bot-${minify}`);
  const bareDir = path.join(work, `bare-${minify}`);
  build(path.join(root, "src/entry/lambda.ts"), botDir, minify);
  build(bareEntry, bareDir, minify);
  const bot = sizes(botDir, "handler.mjs");
  const bare = sizes(bareDir, "bare.mjs");
  const botMs = coldLoad(path.join(botDir, "handler.mjs"));
  const bareMs = coldLoad(path.join(bareDir, "bare.mjs"));
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  rows.push(
    `| ${minify ? "minified" : "not minified"} | ${kib(bot.entry)} / ${kib(bot.total)} | ${kib(bare.entry)} / ${kib(bare.total)} | ${(bot.total / bare.total).toFixed(2)}× | ${Math.round(botMs)} ms | ${Math.round(bareMs)} ms | ${(botMs / bareMs).toFixed(2)}× |`,
  );
}
console.log(
  "| build | bot: entry / all | bare dependencies: entry / all | size ratio | bot cold load | bare cold load | load ratio |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);

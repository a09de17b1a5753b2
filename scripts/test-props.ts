// `npm run test:props -- --runs 200 [--seed S --path P] [--test NAME] [--no-examples] [file…]`:
// the property tests
// (test/properties/) with more runs than CI's bounded default, or replaying one failure: fast-check
// prints `{ seed, path }` when a property fails; pass both back to run that counterexample first.

import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    runs: { type: "string" },
    seed: { type: "string" },
    path: { type: "string" },
    // One property by (part of) its name: a path replays only the property that printed it.
    test: { type: "string" },
    // Random runs only: past the known counterexamples, which stop a property at the first.
    "no-examples": { type: "boolean" },
  },
});
const env = { ...process.env };
if (values.runs) env.PROPS_RUNS = values.runs;
if (values.seed) env.PROPS_SEED = values.seed;
if (values.path) env.PROPS_PATH = values.path;
if (values["no-examples"]) env.PROPS_NO_EXAMPLES = "1";
const files = positionals.length > 0 ? positionals : ["test/properties/"];
const filter = values.test ? ["-t", values.test] : [];
const run = spawnSync("npx", ["vitest", "run", ...files, ...filter], { env, stdio: "inherit" });
process.exit(run.status ?? 1);

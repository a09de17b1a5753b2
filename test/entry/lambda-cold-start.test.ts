import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

// What each Lambda's cold start loads: dist/handler.mjs is one file for every entry (the Slack
// function, the digest, the address book, the notifications), with what only one entry needs in
// chunks loaded on first use. Built here as scripts/bundle.mjs builds it (splitting, ESM), in memory.

const root = fileURLToPath(new URL("../..", import.meta.url));
let loadedAtStart: Set<string>;
let everything: Set<string>;

beforeAll(async () => {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [{ in: "src/entry/lambda.ts", out: "handler" }],
    outdir: path.join(root, "dist-cold-start-test"),
    write: false,
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((o) => o.endsWith("handler.js"));
  if (!entry) throw new Error("no handler output");
  // The entry and what it imports statically, transitively: what every cold start reads.
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]?.imports ?? []) {
      if (i.kind === "import-statement" && !i.external) visit(i.path);
    }
  };
  visit(entry);
  const inputsOf = (files: Iterable<string>) =>
    new Set([...files].flatMap((f) => Object.keys(outputs[f]?.inputs ?? {})));
  loadedAtStart = inputsOf(seen);
  everything = inputsOf(Object.keys(outputs));
}, 60_000);

const loads = (set: Set<string>, prefix: string) => [...set].some((f) => f.startsWith(prefix));

describe("the Lambda entries' cold start", () => {
  it.each([
    ["the notification entry", "src/entry/notify.ts"],
    // machine.ts, mute.ts, routes.ts (and classify.ts, whose kinds routes.ts checks) stay:
    // /ecs alerts and Mute 1 h are the Slack function's own.
    ["the routing decision", "src/domain/incidents/decide.ts"],
    ["the incident poster", "src/slack/incident-poster.ts"],
    ["the flush timer", "src/entry/notify-flush.ts"],
    ["the digest's runtime", "src/entry/digest/"],
  ])("leaves %s out of every function's cold start, loaded on first use", (_, file) => {
    expect(loads(everything, file)).toBe(true);
    expect(loads(loadedAtStart, file)).toBe(false);
  });
});

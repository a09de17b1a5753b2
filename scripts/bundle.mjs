#!/usr/bin/env node
// Bundles the Lambda entries (src/entry/lambda.ts) into dist/handler.mjs for the nodejs22.x runtime,
// and the terminal CLI (src/entry/cli.ts) into dist-cli/cli.mjs, which bin/ecs-chatops.mjs runs.
//
//   npm run bundle                      # src/entry/lambda.ts -> dist/handler.mjs (+ .map, + chunks/)
//   npm run build                       # --cli: src/entry/cli.ts -> dist-cli/cli.mjs (+ .map, + chunks/)
//   node scripts/bundle.mjs <entry.ts>  # another entry, for packaging trials only
//   node scripts/bundle.mjs <entry.ts> --outdir DIR [--minify]   # trials elsewhere (bench/bundle.ts)
//
// Decisions:
// - ESM output (the package is "type": "module"; Lambda loads dist/handler.mjs as ESM from the
//   handler string `dist/handler.handler`).
// - The AWS SDK is BUNDLED, not left external, although nodejs22.x ships SDK v3: the runtime's
//   copy is whatever version AWS last rolled out, so our lockfile-pinned clients (the ones the tests
//   and the emulator exercise) would not be the ones running in production, and a runtime update
//   could change retry, endpoint or serialisation behaviour under us. Bundling costs some hundreds
//   of kilobytes of zip; only the three or four clients we import are included.
// - Nothing is external: node: built-ins are never bundled anyway (platform "node").
// - Bolt and several of its dependencies are CommonJS and call require() for Node built-ins
//   (stream, crypto, http...); ESM has no `require`, so the banner defines one with createRequire.
//   Nothing bundled reads __dirname/__filename today, so the banner does not define them (a
//   banner declaration could collide with an ESM dependency that declares its own).
// - Minify off (readable stack traces and hot-fixes in the console), linked source map on; the
//   function sets NODE_OPTIONS=--enable-source-maps so traces point at src/*.ts. sourcesContent is
//   left out: Node needs only the mappings, and it would double the size of the zip.
// - The CLI is built the same way into its own folder, dist-cli/: `npm run bundle` empties dist/, and
//   serverless.yml packages dist/handler.mjs and dist/chunks/ only, so the CLI never reaches the zip.
//   Its target is Node 20.19 (package.json's engines), not the Lambda's 22.
// - emulator/ and test/ must never reach the artefact: a plugin refuses to load anything from them,
//   and the metafile is checked again after the build.
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    outdir: { type: "string" },
    minify: { type: "boolean" },
    cli: { type: "boolean" },
  },
});
const cli = values.cli ?? false;
// The CLI runs where its users' Node does: package.json's engines, not the Lambda runtime's 22.
const CLI_TARGET = "node20.19";
const outdir = path.resolve(root, values.outdir ?? (cli ? "dist-cli" : "dist"));
const LAMBDA_ENTRY = path.resolve(root, "src/entry/lambda.ts");
const CLI_ENTRY = path.resolve(root, "src/entry/cli.ts");
const entry = path.resolve(root, cli ? CLI_ENTRY : (positionals[0] ?? LAMBDA_ENTRY));
// serverless.yml names the entries dist/handler.<export>: the Lambda entry file is built as handler.
const out = entry === LAMBDA_ENTRY ? "handler" : path.basename(entry, path.extname(entry));

const FORBIDDEN_DIRS = ["emulator", "test"];
const forbidden = (file) => {
  const rel = path.relative(root, file);
  return FORBIDDEN_DIRS.some((dir) => rel === dir || rel.startsWith(`${dir}${path.sep}`));
};

/** Fails the build as soon as anything under emulator/ or test/ is imported. */
const refuseTestCode = {
  name: "refuse-test-code",
  setup(build) {
    build.onLoad({ filter: /.*/ }, (args) => {
      if (!forbidden(args.path)) return undefined;
      return {
        errors: [
          {
            text: `${path.relative(root, args.path)} must not be bundled into the Lambda artefact (emulator/ and test/ are dev-only)`,
          },
        ],
      };
    });
  },
};

const banner = [
  'import { createRequire as __bundleCreateRequire } from "node:module";',
  "const require = __bundleCreateRequire(import.meta.url);",
].join("\n");

async function main() {
  try {
    await stat(entry);
  } catch {
    console.error(`bundle: entry ${path.relative(root, entry) || entry} does not exist`);
    process.exit(1);
  }

  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });

  const result = await esbuild
    .build({
      absWorkingDir: root,
      entryPoints: [{ in: entry, out }],
      outdir,
      // One file per entry (dist/handler.mjs) plus chunks for what is imported on first use only:
      // the EC2 client (/ecs why) is 2.4 MB that a cold start would otherwise read and parse.
      splitting: true,
      entryNames: "[name]",
      chunkNames: "chunks/[name]-[hash]",
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      target: "node22",
      ...(cli ? { target: CLI_TARGET } : {}),
      format: "esm",
      // Prefer the ESM builds (AWS SDK v3 ships dist-es) so unused code can be tree-shaken.
      mainFields: ["module", "main"],
      // Lets a trial entry outside the repository resolve the repository's dependencies.
      nodePaths: [path.join(root, "node_modules")],
      banner: { js: banner },
      minify: values.minify ?? false,
      sourcemap: "linked",
      sourcesContent: false,
      legalComments: "none",
      metafile: true,
      logLevel: "warning",
      plugins: [refuseTestCode],
    })
    .catch((error) => {
      // esbuild has already printed its diagnostics; a stack trace would only add noise.
      if (Array.isArray(error?.errors)) process.exit(1);
      throw error;
    });

  const leaked = Object.keys(result.metafile.inputs).filter((input) =>
    forbidden(path.resolve(root, input)),
  );
  if (leaked.length > 0) {
    await rm(outdir, { recursive: true, force: true });
    console.error(`bundle: emulator/test code reached the bundle:\n  ${leaked.join("\n  ")}`);
    process.exit(1);
  }

  const outputs = Object.keys(result.metafile.outputs);
  if (cli) {
    // One line: `npm ci` runs this (prepare), and the chunks' names say nothing to an operator.
    const { size } = await stat(path.resolve(root, outdir, `${out}.mjs`));
    const rel = path.relative(root, path.join(outdir, `${out}.mjs`));
    console.log(`build: ${rel} ${(size / 1024).toFixed(0)} KiB (+${outputs.length - 2} files)`);
    return;
  }
  for (const file of outputs) {
    const { size } = await stat(path.resolve(root, file));
    console.log(`bundle: ${file} ${(size / 1024).toFixed(0)} KiB`);
  }
}

await main();

#!/usr/bin/env node
// Runs the CLI's build (`npm run build`: src/entry/cli.ts bundled into dist-cli/cli.mjs by
// scripts/bundle.mjs), the same source Slack runs, compiled: no TypeScript loader at run time.
import { existsSync } from "node:fs";

const build = new URL("../dist-cli/cli.mjs", import.meta.url);
if (!existsSync(build)) {
  // 253, as for any other unusable set-up (docs/operations.md, the CLI's exit status).
  process.stderr.write(
    "ecs-chatops: the CLI is not built (no dist-cli/cli.mjs); run `npm run build` in the repository\n",
  );
  process.exit(253);
}
// Stack traces point at src/*.ts when asked for them (the source map costs a read otherwise).
if (process.env.ECS_CHATOPS_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import(build.href);
process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the terminal runs exactly the source Slack runs.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/entry/cli.ts");
process.exitCode = await main(process.argv.slice(2));

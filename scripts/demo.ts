// `npm run demo -- whois nginx.service-connect`: starts the loopback AWS emulator with the demo
// fleet, points the real AWS SDK clients at it through AWS_ENDPOINT_URL, and runs the very CLI
// (and so the very command code) Slack runs. No AWS account, no Slack workspace.
import { parseArgs } from "node:util";
import { generateFleet, loadDemoFleet } from "../emulator/fleet.ts";
import { startEmulator } from "../emulator/server.ts";

const { values, tokens } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  strict: false,
  tokens: true,
  options: {
    latency: { type: "string" },
    "fleet-size": { type: "string" },
    warm: { type: "boolean" },
  },
});
const ours = new Set(["latency", "fleet-size", "warm"]);
// Everything that is not a demo option goes to the CLI unchanged.
const cliArgs: string[] = [];
for (const token of tokens ?? []) {
  if (token.kind === "positional") cliArgs.push(token.value);
  else if (token.kind === "option" && !ours.has(token.name)) {
    cliArgs.push(token.rawName, ...(token.value !== undefined ? [token.value] : []));
  }
}

const size = Number(values["fleet-size"] ?? 0);
const emulator = await startEmulator({
  fleet: size > 0 ? generateFleet({ services: size }) : loadDemoFleet(),
  latencyMs: Number(values.latency ?? 0),
});
Object.assign(process.env, {
  AWS_ENDPOINT_URL: emulator.url,
  AWS_REGION: "ap-northeast-1",
  AWS_ACCESS_KEY_ID: "demo",
  AWS_SECRET_ACCESS_KEY: "demo",
  AWS_EC2_METADATA_DISABLED: "true",
  // The lockfile pins SDK versions that support Node 20; the notice is about future releases.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
});
delete process.env.AWS_PROFILE;

try {
  const { main } = await import("../src/cli.ts");
  if (values.warm) {
    // A first run fills the caches, as an earlier request would on a warm Lambda.
    await main(cliArgs, { out: () => undefined, err: () => undefined });
    process.stderr.write("(warm: caches filled by an earlier identical request)\n");
  }
  process.exitCode = await main(cliArgs);
} finally {
  await emulator.close();
}

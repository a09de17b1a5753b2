// `npm run dev`: the bot in Slack over Socket Mode, from this machine, against real AWS (default
// credential chain) or, with --demo, against the loopback emulator and its demo fleet.
//   SLACK_APP_TOKEN=xapp-… SLACK_BOT_TOKEN=xoxb-… npm run dev [-- --demo] [-- --region R]
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { demo: { type: "boolean", default: false }, region: { type: "string" } },
});

let stopEmulator: (() => Promise<void>) | undefined;
if (values.demo) {
  const { loadDemoFleet } = await import("../emulator/fleet/demo.ts");
  const { startEmulator } = await import("../emulator/server.ts");
  const emulator = await startEmulator({ fleet: loadDemoFleet() });
  stopEmulator = () => emulator.close();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.url,
    AWS_ACCESS_KEY_ID: "demo",
    AWS_SECRET_ACCESS_KEY: "demo",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
}
const region = values.region ?? process.env.AWS_REGION ?? "ap-northeast-1";

const { awsContext } = await import("../src/commands/reads/aws-context.ts");
const { runEcsCommand } = await import("../src/commands/router.ts");
const { graphOfOutput } = await import("../src/commands/reads/traffic-graph.ts");
const { startSocketMode } = await import("../src/slack/socket-mode.ts");
const { readBotSettings } = await import("../src/slack/settings.ts");

const aws = () => awsContext(region);
try {
  await startSocketMode({
    env: process.env,
    run: (text) => runEcsCommand(text, aws),
    graphOf: graphOfOutput(aws),
    settings: readBotSettings(),
  });
  console.log(
    `ecs-chatops is connected over Socket Mode (${values.demo ? "demo fleet" : `AWS ${region}`}). Ctrl-C stops it.`,
  );
} catch (error) {
  console.error((error as Error).message);
  await stopEmulator?.();
  process.exitCode = 2;
}

// `npm run demo -- whois nginx.service-connect`: starts the loopback AWS emulator with the demo
// fleet, points the real AWS SDK clients at it through AWS_ENDPOINT_URL, and runs the very CLI
// (and so the very command code) Slack runs. No AWS account, no Slack workspace. `npm run demo --
// event FILE` plays EventBridge events through the notification path instead (scripts/demo-event.ts).

import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadDemoFleet } from "../emulator/fleet/demo.ts";
import { generateFleet } from "../emulator/fleet/generate.ts";
import { relocateFleet } from "../emulator/fleet/relocate.ts";
import type { Fleet } from "../emulator/fleet/types.ts";
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
    recover: { type: "string" },
    accounts: { type: "boolean" },
  },
});
const ours = new Set(["latency", "fleet-size", "warm", "recover", "accounts"]);
// Everything that is not a demo option goes to the CLI unchanged.
const cliArgs: string[] = [];
for (const token of tokens ?? []) {
  if (token.kind === "positional") cliArgs.push(token.value);
  else if (token.kind === "option" && !ours.has(token.name)) {
    cliArgs.push(token.rawName, ...(token.value !== undefined ? [token.value] : []));
  }
}

// `event FILE`: the notification path, with no AWS call to make (no emulator needed).
if (cliArgs[0] === "event") {
  const { playEvents } = await import("./demo-event.ts");
  const statePath = new URL("../.demo/incidents.json", import.meta.url).pathname;
  const code = await playEvents(cliArgs.slice(1), {
    statePath: process.env.ECS_CHATOPS_DEMO_INCIDENTS ?? statePath,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  await new Promise((resolve) => process.stdout.write("", resolve));
  process.exit(code);
}

const size = Number(values["fleet-size"] ?? 0);
const fleet = size > 0 ? generateFleet({ services: size }) : loadDemoFleet();
// --recover billing-worker: the service runs again (for a second digest that says what changed).
if (typeof values.recover === "string") recoverService(fleet, values.recover);
// --accounts: three places, as BOT_TARGETS lists them. This account's region; a member account in
// us-east-1 (through its role) running the same stack plus 20 services more; and a sandbox account
// whose role does not trust the bot (STS AssumeRole answers AccessDenied).
const SANDBOX_ROLE = "arn:aws:iam::333333333333:role/ecs-chatops-read";
const emulator = await startEmulator({
  fleet,
  latencyMs: Number(values.latency ?? 0),
  ...(values.accounts
    ? {
        otherFleets: [relocateFleet(generateFleet({ services: 20 }), "210987654321", "us-east-1")],
        denyOperations: [`STS.AssumeRole:${SANDBOX_ROLE}`],
      }
    : {}),
});
if (values.accounts) {
  process.env.BOT_TARGETS = JSON.stringify([
    { name: "tokyo", region: "ap-northeast-1" },
    {
      name: "prod-us",
      account: "arn:aws:iam::210987654321:role/ecs-chatops-read",
      region: "us-east-1",
    },
    { name: "sandbox", account: SANDBOX_ROLE, region: "eu-west-1" },
  ]);
}
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
// Digests keep the previous one of each scope: a DynamoDB wire protocol on loopback (dynalite),
// stored under .demo/ so that the next `npm run demo -- digest` says what changed.
const history = cliArgs[0] === "digest" ? await startDigestHistory() : undefined;

try {
  const { main } = await import("../src/entry/cli.ts");
  if (values.warm) {
    // A first run fills the caches, as an earlier request would on a warm Lambda.
    await main(cliArgs, { out: () => undefined, err: () => undefined });
    process.stderr.write("(warm: caches filled by an earlier identical request)\n");
  }
  process.exitCode = await main(cliArgs);
} finally {
  await emulator.close();
  await history?.close();
}

function recoverService(fleet: Fleet, name: string): void {
  const service = fleet.services.find((s) => s.serviceName === name);
  if (!service) throw new Error(`--recover: no service ${name} in the demo fleet`);
  const stopped = fleet.tasks.filter(
    (t) => t.group === `service:${name}` && t.lastStatus === "STOPPED",
  );
  const desired = service.desiredCount ?? 1;
  stopped.slice(0, desired).forEach((task, i) => {
    const id = `${"e".repeat(8)}${String(i).padStart(24, "0")}`;
    fleet.tasks.push({
      ...task,
      taskArn: task.taskArn.replace(/[^/]+$/, id),
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
      healthStatus: "UNKNOWN",
      stopCode: undefined,
      stoppedReason: undefined,
      stoppedAt: undefined,
      stoppingAt: undefined,
      executionStoppedAt: undefined,
      startedAt: new Date().toISOString(),
      containers: task.containers?.map((c) => ({
        ...c,
        lastStatus: "RUNNING",
        exitCode: undefined,
        reason: undefined,
      })),
    });
  });
  service.runningCount = desired;
  for (const d of service.deployments ?? []) {
    d.runningCount = desired;
    d.failedTasks = 0;
    d.rolloutState = "COMPLETED";
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
  }
}

async function startDigestHistory() {
  const dynalite = createRequire(import.meta.url)("dynalite") as (options: {
    path?: string;
    createTableMs?: number;
  }) => Server;
  const path = new URL("../.demo/digests", import.meta.url).pathname;
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: url,
    DIGEST_TABLE: "ecs-chatops-demo-digests",
  });
  const client = new DynamoDBClient({
    region: "ap-northeast-1",
    credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
    endpoint: url,
  });
  await client
    .send(
      new CreateTableCommand({
        TableName: "ecs-chatops-demo-digests",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "target", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "target", KeyType: "HASH" }],
      }),
    )
    .catch((error: { name?: string }) => {
      if (error.name !== "ResourceInUseException") throw error;
    });
  client.destroy();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

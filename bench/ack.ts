// `npm run bench:ack`: when the Lambda handler's HTTP answer leaves, counted from API Gateway's
// receipt of Slack's request (requestContext.timeEpoch), when AWS is slow. Slack drops a slash
// command not answered within 3 seconds. Scenarios, side by side in one run:
//   every AWS call 3 s         the lookup cannot finish: the handler must hand it over in time
//   Invoke 6 s (AWS 3 s)       the hand-over itself is slow: it must be abandoned in time
//   SSM 1 s, cold start        the secrets read counts against the same 3 seconds
// Counts the outcomes too (answered inline, "Looking up…", "could not start").
import { createHmac } from "node:crypto";
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { loadDemoFleet } from "../emulator/fleet/demo.ts";
import { startEmulator } from "../emulator/server.ts";
import { BENCH_ENV } from "./env.ts";

const SECRET = "bench-signing-secret";
const PARAMS = {
  secret: "/ecs-chatops/bench/slack-signing-secret",
  token: "/ecs-chatops/bench/slack-bot-token",
};
const RUNS = Number(process.argv[2] ?? 10);

const emulator = await startEmulator({
  fleet: loadDemoFleet(),
  parameters: { [PARAMS.secret]: SECRET, [PARAMS.token]: "fake-bench-bot-token" },
});
Object.assign(process.env, {
  AWS_ENDPOINT_URL: emulator.url,
  ...BENCH_ENV,
  AWS_LAMBDA_FUNCTION_NAME: "ecs-chatops-bench-slack",
  SLACK_SIGNING_SECRET_PARAM: PARAMS.secret,
  SLACK_BOT_TOKEN_PARAM: PARAMS.token,
});
// The bench measures the HTTP path only: the request log would drown the table.
console.log = () => undefined;
console.error = () => undefined;
console.warn = () => undefined;
const print = (line: string) => process.stdout.write(`${line}\n`);
const { handler, forgetContainerState } = await import("../src/entry/slack.ts");

function slashCommand(text: string): APIGatewayProxyEventV2 {
  const body = new URLSearchParams({
    token: "bench",
    team_id: "T0001BENCH",
    channel_id: "C0001BENCH",
    channel_name: "bench",
    user_id: "U0001BENCH",
    command: "/ecs",
    text,
    response_url: "https://hooks.slack.com/commands/T0001BENCH/1/abc",
    trigger_id: "1.2.3",
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return {
    version: "2.0",
    routeKey: "POST /slack/events",
    rawPath: "/slack/events",
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    },
    requestContext: { timeEpoch: Date.now() } as APIGatewayProxyEventV2["requestContext"],
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

const context = {
  functionName: "ecs-chatops-bench-slack",
  getRemainingTimeInMillis: () => 29_000,
} as Context;

function outcome(result: APIGatewayProxyStructuredResultV2): string {
  const text = String(JSON.parse(result.body || "{}").text ?? "");
  if (text.startsWith("Looking up")) return "looking-up";
  if (text.startsWith("AWS is answering slowly")) return "could-not-start";
  if (text.includes("could not read its configuration")) return "no-secrets";
  return result.statusCode === 200 ? "inline" : `http-${result.statusCode}`;
}

interface Scenario {
  name: string;
  aws: number;
  invoke: number;
  ssm: number;
  cold: boolean;
}
const scenarios: Scenario[] = [
  { name: "AWS answers at once (warm)", aws: 0, invoke: 0, ssm: 0, cold: false },
  { name: "every AWS call 3 s (warm)", aws: 3_000, invoke: 50, ssm: 0, cold: false },
  { name: "Invoke 6 s, every AWS call 3 s (warm)", aws: 3_000, invoke: 6_000, ssm: 0, cold: false },
  {
    name: "SSM 1 s, every AWS call 3 s (cold start)",
    aws: 3_000,
    invoke: 50,
    ssm: 1_000,
    cold: true,
  },
];

print(
  `HTTP answer time from API Gateway's receipt, ${RUNS} requests per scenario (Slack's limit: 3,000 ms)\n`,
);
print("| scenario | p50 ms | p100 ms | outcomes |");
print("|---|---:|---:|---|");
for (const s of scenarios) {
  emulator.setLatency(s.aws);
  emulator.setLatency(s.invoke, "Lambda.Invoke");
  emulator.setLatency(s.ssm, "SSM.GetParameters");
  const times: number[] = [];
  const outcomes: Record<string, number> = {};
  forgetContainerState();
  for (let i = 0; i < RUNS; i++) {
    if (s.cold) forgetContainerState();
    const event = slashCommand("whois nginx.service-connect");
    const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
    times.push(Date.now() - (event.requestContext.timeEpoch ?? 0));
    const o = outcome(result);
    outcomes[o] = (outcomes[o] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor((times.length - 1) / 2)] ?? 0;
  const p100 = times[times.length - 1] ?? 0;
  print(
    `| ${s.name} | ${p50} | ${p100} | ${Object.entries(outcomes)
      .map(([k, n]) => `${k}×${n}`)
      .join(" ")} |`,
  );
}
await emulator.close();
process.exit(0);

// The notify function's read actions are the calls of one service's health report: every service
// of the demo fleet judged through the real SDK clients against the emulator, the operations the
// call log saw compared with HEALTH_REPORT_ACTIONS (the list NotifyFunctionRole grants). An
// enrichment that starts calling something new fails here before it fails with AccessDenied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { callLog } from "../../src/aws/call-log.ts";
import { HEALTH_REPORT_ACTIONS, READ_ACTIONS } from "../../src/aws/iam-actions.ts";
import { awsContext, clearSharedCache, Gaps } from "../../src/commands/reads/aws-context.ts";
import { reportFor } from "../../src/commands/reads/health-report.ts";
import { bridgeFleet } from "../support/bridge-fleet.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

const SERVICES: [string, string][] = [
  ["tutorial", "service-connect-nginx-service"],
  ["tutorial", "web-frontend"],
  ["tutorial", "session-cache"],
  ["tutorial", "legacy-report"],
  ["ecs_service_discovery", "api-service"],
  ["ecs_service_discovery", "billing-worker"],
  ["ecs_service_discovery", "invoice-renderer"],
  ["staging", "api-service"],
  // Behind checkout-tg: its target groups and target health.
  ["tutorial", "checkout"],
];

/** The demo fleet with a checkout target in a zone its balancer does not use: its balancer is read. */
function notInUseFleet() {
  const fleet = loadDemoFleet();
  const [first] = fleet.targetHealth ?? [];
  if (first) first.TargetHealth = { State: "unused", Reason: "Target.NotInUse" };
  return fleet;
}

let stop: () => Promise<void>;
let operations: string[];

beforeAll(async () => {
  const aws = await useEmulatedAws();
  stop = aws.stop;
  callLog.reset();
  const runs = [
    ...SERVICES.map((s) => [...s, "demo"] as const),
    ["tutorial", "checkout", "not-in-use"] as const,
    // Bridge mode behind an instance target group: its tasks' container instances.
    ["legacy", "storefront", "bridge"] as const,
  ];
  for (const [cluster, service, fleet] of runs) {
    if (fleet === "not-in-use" || fleet === "bridge") {
      aws.emulator.setFleet(fleet === "bridge" ? bridgeFleet() : notInUseFleet());
      clearSharedCache();
    }
    const ctx = awsContext("ap-northeast-1");
    const gaps = new Gaps();
    const report = await reportFor(ctx, gaps, {
      cluster,
      service,
      request: { query: service, subject: { kind: "service" } },
    });
    expect(report, `${cluster}/${service}`).toBeDefined();
  }
  operations = Object.keys(callLog.stats().calls).sort();
}, 60_000);
afterAll(async () => {
  await stop();
});

// The call log names operations without their service ("ListServices" is ECS's and Cloud Map's).
const operationOf = (action: string) => action.split(":")[1] ?? action;

describe("the notify function's reads", () => {
  it("cover every call of a health report of each demo service, and name no call it never makes", () => {
    const granted = [...new Set(HEALTH_REPORT_ACTIONS.map(operationOf))].sort();
    expect(operations.filter((op) => !granted.includes(op))).toEqual([]);
    expect(granted.filter((op) => !operations.includes(op))).toEqual([]);
  });

  it("are reads the member accounts' role grants already", () => {
    for (const action of HEALTH_REPORT_ACTIONS) expect(READ_ACTIONS).toContain(action);
  });
});

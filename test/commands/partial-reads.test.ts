import { beforeAll, describe, expect, it } from "vitest";
import { health } from "../../src/commands/health.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import type { HealthAnswer } from "../../src/domain/answer.ts";
import type { HealthLevel } from "../../src/domain/health.ts";
import { healthDocument } from "../../src/render/health-document.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// Unknown is not absent: with any one AWS operation denied, or 30 % of all calls throttled past
// the SDK's retries, /ecs health is never worse than the truth. It may say less (unknown, a
// partial answer, "not found, but the search was incomplete"), never DOWN, stale or "0 healthy"
// from data it could not read.

const TARGETS = [
  "nginx.service-connect",
  "api.internal.local",
  "api.service-connect",
  "api.staging",
  "billing-worker",
  "invoice-renderer",
  "redis.service-connect",
  "tutorial/web-frontend",
];

/** Every operation the bot calls, as the emulator names them. */
const OPERATIONS = [
  "ECS.ListClusters",
  "ECS.ListServices",
  "ECS.ListServicesByNamespace",
  "ECS.DescribeServices",
  "ECS.ListTasks",
  "ECS.DescribeTasks",
  "ECS.DescribeTaskDefinition",
  "ServiceDiscovery.ListNamespaces",
  "ServiceDiscovery.ListServices",
  "ServiceDiscovery.GetService",
  "ServiceDiscovery.DiscoverInstances",
  "Route53.GetHostedZone",
  "CloudWatch.GetMetricData",
];

const RANK: Record<HealthLevel, number> = { unknown: -1, healthy: 0, degraded: 1, down: 2 };

const aws = useEmulatorPerFile();
const ctx = () => awsContext("ap-northeast-1");

async function judge(target: string): Promise<HealthAnswer> {
  clearSharedCache();
  return health(ctx, target);
}

/** The worst level per subject: a bare name may judge several services. */
function levels(answer: HealthAnswer): Map<string, HealthLevel> {
  if (answer.kind !== "found") return new Map();
  return new Map(
    answer.reports.map((r) => [
      `${r.resolution.publisher.cluster}/${r.resolution.publisher.service}`,
      r.level,
    ]),
  );
}

const truth = new Map<string, Map<string, HealthLevel>>();

beforeAll(async () => {
  for (const target of TARGETS) {
    const answer = await judge(target);
    expect(answer.kind, target).toBe("found");
    truth.set(target, levels(answer));
  }
});

function expectNeverWorse(target: string, answer: HealthAnswer, fault: string): void {
  const expected = truth.get(target) ?? new Map<string, HealthLevel>();
  const text = renderText(healthDocument(answer));
  if (answer.kind === "not-found") {
    // Allowed only as "the search was incomplete", never a plain "not found".
    expect(text, `${target} with ${fault}`).toContain("Not found, but the search was incomplete");
    return;
  }
  if (answer.kind !== "found") throw new Error(`${target} with ${fault}: ${answer.kind}`);
  for (const [subject, level] of levels(answer)) {
    const real = expected.get(subject);
    expect(real, `${target} with ${fault}: ${subject} is not in the true answer`).toBeDefined();
    expect(
      RANK[level],
      `${target} with ${fault}: ${subject} ${level}, truly ${real}`,
    ).toBeLessThanOrEqual(RANK[real ?? "unknown"]);
  }
  if (answer.gaps.length > 0) expect(text).toMatch(/Partial answer: could not read/);
}

describe("/ecs health with one AWS operation denied", () => {
  it.each(OPERATIONS)("is never worse than the truth with %s denied", async (operation) => {
    aws.emulator.setDenied([operation]);
    for (const target of TARGETS)
      expectNeverWorse(target, await judge(target), `${operation} denied`);
  });
});

describe("/ecs health without the task definition (the port's appProtocol unknown)", () => {
  it("still reads the callers' HTTP codes: an unknown protocol is not TCP", async () => {
    aws.emulator.setDenied(["ECS.DescribeTaskDefinition"]);

    const answer = await judge("api.staging");
    const text = renderText(healthDocument(answer));

    expect(levels(answer).get("staging/api-service")).toBe("degraded");
    expect(text.split("\n")[0]).toContain("callers see 40.0% 5xx");
    expect(text).toContain("could not read the task definition api:9");
    clearSharedCache();
    const traffic = renderText((await runEcsCommand("traffic api.staging", ctx)).doc);
    expect(traffic).toContain("HTTP and TCP figures were both read, and HTTP ones exist");
  });

  it("says so in the digest too: the service is not counted healthy", async () => {
    aws.emulator.setDenied(["ECS.DescribeTaskDefinition"]);
    clearSharedCache();

    const output = await runEcsCommand("digest staging", ctx);

    expect(renderText(output.doc)).toContain(
      "▲ DEGRADED staging/api-service: callers see 40.0% 5xx",
    );
  });
});

describe("/ecs health under 30 % throttling", () => {
  it("is never worse than the truth, whatever is throttled", { timeout: 120_000 }, async () => {
    aws.emulator.setThrottleRate(0.3);
    // Two rounds: the emulator's seeded draws continue, so each round throttles other calls.
    for (const round of [1, 2]) {
      for (const target of TARGETS) {
        expectNeverWorse(target, await judge(target), `30% throttling (round ${round})`);
      }
    }
  });
});

// Every answer is complete or says what is missing: whois and traffic too, any operation denied.
describe("/ecs whois and traffic with one AWS operation denied", () => {
  const ASKED = [
    "whois nginx.service-connect",
    "whois api.internal.local",
    "whois 10.0.2.47",
    "whois api",
    "traffic api.service-connect",
    "traffic redis.service-connect",
  ];

  it.each(OPERATIONS)("says what is missing whenever %s is denied", async (operation) => {
    aws.emulator.setDenied([operation]);
    for (const text of ASKED) {
      clearSharedCache();
      aws.emulator.resetStats();
      const output = await runEcsCommand(text, ctx);
      const answer = output.answer as { kind: string; gaps?: unknown[] };
      const shown = renderText(output.doc);

      if (aws.emulator.stats().denied > 0) {
        expect(answer.gaps?.length, `${text} with ${operation} denied`).toBeGreaterThan(0);
      }
      if ((answer.gaps?.length ?? 0) > 0) {
        expect(shown, `${text} with ${operation} denied`).toMatch(
          /Partial answer: could not read .*: the bot's IAM role may not call/,
        );
      }
      expect(answer.kind, `${text} with ${operation} denied`).not.toBe("invalid");
    }
  });
});

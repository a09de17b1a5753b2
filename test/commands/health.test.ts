import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsContext, clearSharedCache } from "../../src/commands/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const health = async (name: string) =>
  renderText((await runEcsCommand(`health ${name}`, () => awsContext("ap-northeast-1"))).doc);

beforeAll(async () => {
  aws = await useEmulatedAws();
});
afterAll(async () => {
  await aws.stop();
});
beforeEach(() => {
  clearSharedCache();
  aws.emulator.resetStats();
  aws.emulator.setDenied([]);
});

describe("/ecs health on the demo fleet", () => {
  it("says api.internal.local is degraded and names the unhealthy task and its reason", async () => {
    const text = await health("api.internal.local");

    expect(text.split("\n")[0]).toBe(
      "▲ DEGRADED api.internal.local: 1 of 3 endpoints unhealthy: 10.0.3.103 (container health check failing: api)",
    );
    expect(text).toContain("task 5e6f7a8b9c0d41e2f3a4b5c6d7e8f906's container health check");
    expect(text).toMatch(/callers see \d+\.\d% 5xx in the last 15m/);
  });

  it("says billing-worker is down with the stop reason and exit code", async () => {
    const text = await health("billing-worker");

    expect(text.split("\n")[0]).toMatch(
      /^✖ DOWN ecs_service_discovery\/billing-worker: 0 of 2 tasks running; last stop: .*Essential container in task exited \(worker exit 137: OutOfMemoryError/,
    );
    expect(text).toContain(
      "deployment failed: ECS deployment circuit breaker: tasks failed to start. (3 failed tasks)",
    );
    expect(text).toContain("Recently stopped tasks:");
  });

  it("says nginx.service-connect is healthy and that every client can resolve it", async () => {
    const text = await health("nginx.service-connect");

    expect(text.split("\n")[0]).toBe(
      "✔ HEALTHY nginx.service-connect: 2 of 2 endpoints healthy, 2 of 2 tasks running, deployment COMPLETED",
    );
    expect(text).toContain("all can resolve it");
  });

  it("still answers when CloudWatch denies access, and says traffic is missing and why", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData"]);

    const text = await health("api.internal.local");

    expect(text.split("\n")[0]).toContain(
      "▲ DEGRADED api.internal.local: 1 of 3 endpoints unhealthy",
    );
    expect(text).not.toContain("Service Connect traffic, last 15m");
    expect(text).toMatch(
      /Partial answer: could not read the Service Connect traffic of api \(last 15m\): the bot's IAM role may not call GetMetricData \(AccessDenied\)/,
    );
  });
});

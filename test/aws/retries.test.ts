import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERACTIVE_ATTEMPTS, interactiveBackoff } from "../../src/aws/clients.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { whois } from "../../src/commands/whois.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
beforeAll(async () => {
  aws = await useEmulatedAws();
});
afterAll(async () => {
  await aws.stop();
});

describe("interactive retries", () => {
  it("wait 100, 200, 400, then 800 ms at most, never less than half of that", () => {
    const bounds = [1, 2, 3, 4, 5, 6].map((attempt) => {
      const waits = Array.from({ length: 200 }, () => interactiveBackoff(attempt));
      return [Math.min(...waits), Math.max(...waits)];
    });

    [100, 200, 400, 800, 800, 800].forEach((cap, i) => {
      expect(bounds[i]?.[0]).toBeGreaterThanOrEqual(cap / 2);
      expect(bounds[i]?.[1]).toBeLessThanOrEqual(cap);
    });
  });

  it(`ask a throttled read ${INTERACTIVE_ATTEMPTS} times, then name it as missing`, async () => {
    clearSharedCache();
    aws.emulator.resetStats();
    aws.emulator.setThrottleRate(1, ["ECS.DescribeTaskDefinition"]);
    try {
      const answer = await whois(() => awsContext("ap-northeast-1"), "nginx.service-connect");

      expect(aws.emulator.stats().calls["ECS.DescribeTaskDefinition"]).toBe(INTERACTIVE_ATTEMPTS);
      expect(answer.kind === "found" && answer.gaps.map((g) => g.why)).toEqual([
        "AWS throttled DescribeTaskDefinition (ThrottlingException) even after retries",
      ]);
    } finally {
      aws.emulator.setThrottleRate(0);
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../emulator/fleet.ts";
import { IN_FLIGHT_PER_OPERATION } from "../../src/aws/clients.ts";
import { Semaphore } from "../../src/aws/concurrency.ts";
import { awsContext, clearSharedCache } from "../../src/commands/aws-context.ts";
import { runDigest } from "../../src/commands/digest.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

describe("Semaphore", () => {
  it("lets `limit` holders in, queues the rest in order, and hands each freed slot to the next", async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    const a = await semaphore.acquire();
    const b = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => {
      order.push("c");
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push("d");
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);

    a();
    a(); // a second release of the same slot frees nothing more
    await c;
    expect(order).toEqual(["c"]);
    b();
    (await d)();
    expect(order).toEqual(["c", "d"]);
  });
});

describe("requests in flight per operation", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    clearSharedCache();
  });

  it(`never exceed ${IN_FLIGHT_PER_OPERATION} at the emulator, even for a digest of 600 services at once`, async () => {
    const aws = await useEmulatedAws(generateFleet({ services: 600, clusters: 4 }), 20);
    stop = aws.stop;

    const { digest } = await runDigest(
      awsContext("ap-northeast-1"),
      { name: "load", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );

    const inFlight = aws.emulator.stats().maxInFlight;
    expect(digest.counts.unknown).toBe(0);
    // The digest fans out: many operations reach the limit, none passes it.
    expect(Math.max(...Object.values(inFlight))).toBe(IN_FLIGHT_PER_OPERATION);
    for (const [operation, most] of Object.entries(inFlight)) {
      expect(most, operation).toBeLessThanOrEqual(IN_FLIGHT_PER_OPERATION);
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import { IN_FLIGHT_PER_OPERATION } from "../../src/aws/clients.ts";
import { AdaptiveLimit, Semaphore } from "../../src/aws/concurrency.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../src/commands/reads/digest-of-scope.ts";
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

describe("Semaphore with a changing limit", () => {
  it("admits no one new while more than a lowered limit hold slots, and admits waiters when it rises", async () => {
    const semaphore = new Semaphore(3);
    const held = [await semaphore.acquire(), await semaphore.acquire(), await semaphore.acquire()];
    let admitted = 0;
    const waiters = [semaphore.acquire(), semaphore.acquire()].map((w) =>
      w.then((release) => {
        admitted++;
        return release;
      }),
    );
    semaphore.limit = 1;
    held[0]?.();
    held[1]?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(admitted).toBe(0); // one still holds a slot: the limit of one is reached
    held[2]?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(admitted).toBe(1);
    semaphore.limit = 2;
    await Promise.all(waiters);
    expect(admitted).toBe(2);
  });
});

describe("AdaptiveLimit", () => {
  it("cuts the limit to 70 % once per burst of throttling, never below one", () => {
    let now = 0;
    const adaptive = new AdaptiveLimit(16, 100, () => now);
    adaptive.throttled();
    adaptive.throttled(); // the same burst
    expect(adaptive.semaphore.limit).toBe(11);
    for (const at of [200, 400, 600, 800, 1000, 1200, 1400, 1600]) {
      now = at;
      adaptive.throttled();
    }
    expect(adaptive.semaphore.limit).toBe(1);
  });

  it("raises the limit by one per window of successes, up to its maximum", () => {
    let now = 0;
    const adaptive = new AdaptiveLimit(4, 100, () => now);
    adaptive.throttled();
    now = 1000;
    adaptive.throttled();
    expect(adaptive.semaphore.limit).toBe(1);
    adaptive.succeeded();
    expect(adaptive.semaphore.limit).toBe(2);
    adaptive.succeeded();
    expect(adaptive.semaphore.limit).toBe(2);
    adaptive.succeeded();
    expect(adaptive.semaphore.limit).toBe(3);
    for (let i = 0; i < 20; i++) adaptive.succeeded();
    expect(adaptive.semaphore.limit).toBe(4);
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

    const { digest } = await makeDigest(
      awsContext("ap-northeast-1"),
      { name: "load", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );

    const inFlight = aws.emulator.stats().maxInFlight;
    expect(digest.counts.unknown).toBe(0);
    // The digest fans out (on a quiet machine operations reach the limit; on a loaded one fewer
    // requests overlap), and none passes the limit.
    expect(Math.max(...Object.values(inFlight))).toBeGreaterThanOrEqual(
      IN_FLIGHT_PER_OPERATION / 2,
    );
    for (const [operation, most] of Object.entries(inFlight)) {
      expect(most, operation).toBeLessThanOrEqual(IN_FLIGHT_PER_OPERATION);
    }
    // It counts calls in flight, not time: a loaded machine (CI shares its cores) only slows it.
  }, 90_000);
});

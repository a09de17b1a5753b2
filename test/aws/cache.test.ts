import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/aws/cache.ts";

describe("TtlCache", () => {
  it("drops expired entries as new keys come, so a warm container's cache stays bounded", async () => {
    let now = 0;
    const cache = new TtlCache(() => now);
    const fill = (prefix: string) =>
      Promise.all(
        Array.from({ length: 1_500 }, (_, i) =>
          cache.getOrLoad(`${prefix}${i}`, 60_000, async () => i),
        ),
      );

    await fill("task-definition:");
    now = 60_000;
    await fill("ip-index:");

    expect(cache.size).toBeLessThan(2_000);
    expect(cache.has("ip-index:1499")).toBe(true);
    expect(cache.has("task-definition:0")).toBe(false);
  });

  it("shares one load between concurrent callers and serves it until it expires", async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache(() => now);
    const load = async () => ++loads;

    const [a, b] = await Promise.all([
      cache.getOrLoad("k", 1000, load),
      cache.getOrLoad("k", 1000, load),
    ]);
    now = 999;
    const c = await cache.getOrLoad("k", 1000, load);
    now = 1000;
    const d = await cache.getOrLoad("k", 1000, load);

    expect([a, b, c, d]).toEqual([1, 1, 1, 2]);
  });

  it("in a snapshot, serves a listing for the whole run, and leaves the process-wide copy its TTL", async () => {
    let now = 0;
    let loads = 0;
    const shared = new TtlCache(() => now);
    const run = new TtlCache(() => now, shared);
    const load = async () => ++loads;

    const first = await run.getOrLoad("services", 60_000, load);
    now = 5 * 60_000; // a digest of thousands of services, minutes later
    const later = await run.getOrLoad("services", 60_000, load);
    const outside = await shared.getOrLoad("services", 60_000, load);

    expect([first, later, outside]).toEqual([1, 1, 2]);
  });

  it("does not keep a failed load", async () => {
    const cache = new TtlCache();
    await expect(
      cache.getOrLoad("k", 1000, () => Promise.reject(new Error("throttled"))),
    ).rejects.toThrow();

    expect(await cache.getOrLoad("k", 1000, async () => "fresh")).toBe("fresh");
  });

  it("forgets loads still in flight, so new work does not wait on an abandoned request", async () => {
    const cache = new TtlCache();
    void cache.getOrLoad("stuck", 1000, () => new Promise(() => undefined));
    await cache.getOrLoad("done", 1000, async () => "kept");

    cache.dropPending();

    expect(await cache.getOrLoad("stuck", 1000, async () => "reloaded")).toBe("reloaded");
    expect(await cache.getOrLoad("done", 1000, async () => "not reloaded")).toBe("kept");
  });
});

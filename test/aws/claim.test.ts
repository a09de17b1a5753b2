import { describe, expect, it, vi } from "vitest";
import { claimOrAnyway, memoryOnceStore, type OnceStore } from "../../src/aws/idempotency.ts";

const unreachable: OnceStore = {
  once: async () => {
    throw new Error("ECONNREFUSED");
  },
};

describe("claimOrAnyway", () => {
  it("runs the work once per key and drops the second claim", async () => {
    const store = memoryOnceStore();
    const work = vi.fn(async () => "answered");
    const storeFailed = vi.fn(() => "run" as const);

    const first = await claimOrAnyway(store, "job:1", work, storeFailed);
    const second = await claimOrAnyway(store, "job:1", work, storeFailed);

    expect(first).toEqual({ ran: true, value: "answered" });
    expect(second).toEqual({ ran: false, reason: "done" });
    expect(work).toHaveBeenCalledTimes(1);
    expect(storeFailed).not.toHaveBeenCalled();
  });

  it("says the store failed and runs the work anyway", async () => {
    const storeFailed = vi.fn(() => "run" as const);

    const outcome = await claimOrAnyway(unreachable, "job:2", async () => 42, storeFailed);

    expect(outcome).toEqual({ ran: true, value: 42 });
    expect(storeFailed).toHaveBeenCalledWith(new Error("ECONNREFUSED"));
  });

  it("skips the work when the caller says skipping is the lesser harm", async () => {
    const work = vi.fn(async () => undefined);

    const outcome = await claimOrAnyway(unreachable, "event:1", work, () => "skip");

    expect(outcome).toEqual({ ran: false, reason: "skipped" });
    expect(work).not.toHaveBeenCalled();
  });

  it("rethrows the work's own error without running it again", async () => {
    const storeFailed = vi.fn(() => "run" as const);
    const work = vi.fn(async () => {
      throw new Error("chat.postMessage: channel_not_found");
    });

    await expect(claimOrAnyway(memoryOnceStore(), "job:3", work, storeFailed)).rejects.toThrow(
      "channel_not_found",
    );
    expect(work).toHaveBeenCalledTimes(1);
    expect(storeFailed).not.toHaveBeenCalled();
  });
});

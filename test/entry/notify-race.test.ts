import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_MACHINE_OPTIONS } from "../../src/domain/incidents/machine.ts";
import { type NotifyDeps, notifyEvent } from "../../src/entry/notify.ts";
import { serviceEvent } from "../domain/incidents/events.ts";
import { KEY, notifyDeps, slackApi, time, useNotifyPath } from "./support/notify-path.ts";

// Never twice: EventBridge may deliver an event twice at once, to two containers. The post of an
// incident is claimed in the same revision-checked write that opens it; a duplicate re-posts
// only a post whose claim is older than the lease (the notify function's timeout and a margin),
// so the first attempt is surely dead, never one that is still waiting for Slack.

const calls = useNotifyPath();

const failed = serviceEvent("ecs-deployment-state-change-failed", "f", time(0));
const posts = () => calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts);
/** Another container, its clock `seconds` after the event. */
const container = (seconds: number): NotifyDeps => ({
  ...notifyDeps(),
  now: () => new Date(time(seconds)),
});

describe("two deliveries of one event", () => {
  it("post once when they race while Slack is slow, and the loser is retried, not lost", async () => {
    slackApi(calls, { delayMs: 800 });
    const [first, second] = await Promise.allSettled([
      notifyEvent(failed, container(0)),
      notifyEvent(failed, container(1)),
    ]);
    expect(posts()).toHaveLength(1);
    // One made the post; the other left it to the attempt that claimed it, and failed so that
    // Lambda retries it (in case the claimant dies before it writes Slack's ts back).
    const outcomes = [first.status, second.status].sort();
    expect(outcomes).toEqual(["fulfilled", "rejected"]);
    const loser = [first, second].find((r) => r.status === "rejected");
    expect(String((loser as PromiseRejectedResult).reason)).toMatch(/claimed .* ago/);

    // Lambda's retry of the loser, a minute later: the post has its ts, nothing more to do.
    await notifyEvent(failed, container(61));
    expect(posts()).toHaveLength(1);
  });

  it("posts again, after the lease, a post whose attempt died before Slack's ts was written back", async () => {
    // The first attempt claims the post and dies waiting on Slack (its Lambda timed out).
    const dead: NotifyDeps = {
      ...container(0),
      slack: () => ({ carry: () => new Promise(() => {}) }),
    };
    void notifyEvent(failed, dead);
    await vi.waitFor(async () => {
      const stored = await dead.store.get(KEY, new Date(time(0)));
      expect(stored.state?.incident?.channels).toBeDefined();
    });
    slackApi(calls);
    // Lambda's first retry within the lease: the attempt might still be alive, so no post, and
    // the retry fails to be retried again.
    await expect(notifyEvent(failed, container(60))).rejects.toThrow(/claimed/);
    expect(posts()).toEqual([]);

    const afterLease = DEFAULT_MACHINE_OPTIONS.postLeaseSeconds + 1;
    await notifyEvent(failed, container(afterLease));
    expect(posts()).toHaveLength(1);
    await notifyEvent(failed, container(afterLease + 120)); // the ts is kept: nothing more
    expect(posts()).toHaveLength(1);
  });

  it("posts at the first retry a post Slack refused: the failed attempt gives its claim back", async () => {
    nock("https://slack.com")
      .post("/api/chat.postMessage")
      .reply(200, { ok: false, error: "channel_not_found" });
    await expect(notifyEvent(failed, container(0))).rejects.toThrow(/channel_not_found/);
    slackApi(calls);
    await notifyEvent(failed, container(5));
    expect(posts()).toHaveLength(1);
  });
});

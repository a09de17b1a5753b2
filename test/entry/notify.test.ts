import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { muteFor } from "../../src/domain/incidents/mute.ts";
import { notifyEvent } from "../../src/entry/notify.ts";
import { muteFromButton } from "../../src/slack/incident-mute.ts";
import { deploymentStop, type Event, oomStop, serviceEvent } from "../domain/incidents/events.ts";
import {
  CHANNEL,
  notifyDeps,
  ROUTES,
  slackApi,
  summary,
  time,
  useNotifyPath,
} from "./support/notify-path.ts";

// The notification path end to end: an EventBridge event → the incidents table (dynalite) →
// Slack's Web API (nock on slack.com), as the Lambda runs it.

const calls = useNotifyPath();
const slack = () => slackApi(calls);

/** This file's Slack calls are retried twice. */
const deps = (routes = ROUTES, load = vi.fn()) => notifyDeps(load, { routes, retries: 2 });

async function play(events: Event[], d = deps()) {
  for (const event of events) await notifyEvent(event, d);
}

describe("the notification path", () => {
  it("posts AWS's failed deployment once, replies for the rollback, and edits it resolved", async () => {
    slack();
    await play([
      serviceEvent("ecs-deployment-state-change-failed", "f", time(0)),
      serviceEvent("ecs-deployment-state-change-in-progress-rollback", "r", time(30)),
      serviceEvent("ecs-deployment-state-change-completed", "c", time(720)),
    ]);

    expect(calls.map(summary)).toEqual([
      "chat.postMessage ✖ servicetest (default): deployment failed: ECS deployment circuit breaker: task failed to start.",
      "chat.postMessage (thread) Also: rollback started: ECS deployment circuit breaker: rolling back to deploymentId deploymentID.",
      "chat.update ✖ servicetest (default): deployment failed: ECS deployment circuit breaker: task failed to start.",
      "chat.update ✔ recovered after 12 min: ✖ servicetest (default): deployment failed: ECS deployment circuit breaker: task failed to start.",
      "chat.postMessage (thread) ✔ recovered after 12 min: deployment ecs-svc/123 completed: ECS deployment deploymentID completed. (2 events)",
    ]);
    const [post, reply, edit, resolved, done] = calls;
    expect(post?.channel).toBe(CHANNEL);
    // Replies and edits find the message by the ts Slack gave the post.
    expect([reply?.thread_ts, edit?.ts, resolved?.ts, done?.thread_ts]).toEqual(
      Array(4).fill("1700000000.000001"),
    );
    expect(edit?.blocks).toContain("2 events, 2020-05-23 12:30 UTC");
    const blocks = String(post?.blocks);
    expect(blocks).toContain('"action_id":"ecs_mute"');
    expect(blocks).toContain('"value":"111122223333/us-west-2/default/servicetest 1h"');
    expect(blocks).toContain('"value":"health servicetest"');
    expect(blocks).toContain("Deployment `ecs-svc/123`");
  });

  it("folds a storm of 200 stops of one service into one message and a few edits", async () => {
    slack();
    const storm = Array.from({ length: 200 }, (_, i) =>
      oomStop({ id: `s${i}`, task: `t${i}`, time: time(i * 0.15) }),
    );
    await play(storm);

    const posts = calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts);
    const updates = calls.filter((c) => c.method === "chat.update");
    expect(posts).toHaveLength(1);
    // 30 s of stops, an edit at most every 10 s.
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(updates.at(-1)?.blocks).toMatch(/\d+ events, \d+ task stops/);
  }, 120_000);

  it("says nothing for a deployment's routine scale-in", async () => {
    slack();
    const info = vi.spyOn(console, "log");
    await play([deploymentStop({ id: "d1", task: "a", time: time(0) })]);
    expect(calls).toEqual([]);
    expect(info.mock.calls.flat().join("\n")).toContain("routine: deployment-or-scale-in");
  });

  it("posts a duplicate delivery once", async () => {
    slack();
    const event = serviceEvent("ecs-deployment-state-change-failed", "f", time(0));
    await play([event, event, event]);
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
  });

  it("waits out Slack's 429 as Retry-After says, then posts", async () => {
    nock("https://slack.com")
      .post("/api/chat.postMessage")
      .reply(429, { ok: false, error: "ratelimited" }, { "Retry-After": "1" });
    slack();
    const started = Date.now();
    await play([serviceEvent("ecs-deployment-state-change-failed", "f", time(0))]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
  });

  it("throws when Slack refuses a post, and the retried event posts it then", async () => {
    nock("https://slack.com")
      .post("/api/chat.postMessage")
      .reply(200, { ok: false, error: "channel_not_found" });
    const d = deps();
    const event = serviceEvent("ecs-deployment-state-change-failed", "f", time(0));
    await expect(notifyEvent(event, d)).rejects.toThrow(/channel_not_found/);

    slack();
    await notifyEvent(event, d); // Lambda's async retry: the same event again
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
    await notifyEvent(event, d); // the post's ts is kept: nothing more
    expect(calls).toHaveLength(1);
  });

  it("skips a route with an error, logged once per read with its field, and uses the valid one", async () => {
    slack();
    const warn = vi.spyOn(console, "warn");
    const load = vi.fn();
    const d = deps(
      `routes:\n  - channel: ${CHANNEL}\n  - channel: C0OTHER0001\n    match: { severity: loud }\n`,
      load,
    );
    await play(
      [
        serviceEvent("ecs-deployment-state-change-failed", "f", time(0)),
        serviceEvent("ecs-deployment-state-change-in-progress-rollback", "r", time(30)),
      ],
      d,
    );
    expect(load).toHaveBeenCalledTimes(1); // kept a minute
    const skipped = warn.mock.calls.flat().filter((l) => String(l).includes("route skipped"));
    expect(skipped).toHaveLength(1);
    expect(String(skipped[0])).toContain('"field":"routes[1].match.severity"');
    expect(calls.map((c) => `${c.method} ${c.channel}`)).toEqual([
      `chat.postMessage ${CHANNEL}`,
      `chat.postMessage ${CHANNEL}`,
      `chat.update ${CHANNEL}`,
    ]);
  });

  it("keeps a muted channel silent", async () => {
    slack();
    const d = deps();
    const key = "111122223333/us-west-2/default/servicetest";
    await d.store.mute(muteFor(key, CHANNEL, 60, new Date(time(0))));
    await play([serviceEvent("ecs-deployment-state-change-failed", "f", time(10))], d);
    expect(calls).toEqual([]);
  });

  it("stores Mute 1 h from the message's button: the message is left alone for the hour", async () => {
    slack();
    const d = deps();
    await play([serviceEvent("ecs-deployment-state-change-failed", "f", time(0))], d);
    const blocks = JSON.parse(String(calls[0]?.blocks)) as {
      elements?: Record<string, string>[];
    }[];
    const mute = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === "ecs_mute");
    const value = mute?.value;
    expect(value).toBe("111122223333/us-west-2/default/servicetest 1h");

    const said = await muteFromButton(value ?? "", CHANNEL, "U0ONCALL", d.store, new Date(time(5)));
    expect(said).toBe(
      "Muted servicetest (default) in this channel until 13:30 UTC, by <@U0ONCALL>.",
    );
    await play(
      [serviceEvent("ecs-deployment-state-change-in-progress-rollback", "r", time(30))],
      d,
    );
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(await muteFromButton("default/other 1h", CHANNEL, "U1", d.store)).toBe(
      "No open incident of other in this channel to mute.",
    );
    // The key names the account and region: the same service name elsewhere is another incident.
    expect(
      await muteFromButton("444455556666/us-west-2/default/servicetest 1h", CHANNEL, "U1", d.store),
    ).toBe("No open incident of servicetest in this channel to mute.");
  });
});

import nock from "nock";
import { describe, expect, it, vi } from "vitest";
import { type NotifyDeps, onNotifyEvent } from "../../src/entry/notify.ts";
import { oomStop, serviceEvent } from "../domain/incidents/events.ts";
import {
  CHANNEL,
  KEY,
  notifyDeps,
  slackApi,
  summary,
  tick,
  time,
  useNotifyPath,
} from "./support/notify-path.ts";

// The flush timer: EventBridge's schedule ticks the notify function every minute, and each tick
// makes the pending edit of every open incident whose 10 s are over, the edit no further event
// of the service would make.

const calls = useNotifyPath();

async function play(events: Record<string, unknown>[], d: NotifyDeps) {
  for (const event of events) await onNotifyEvent(event, d);
}

/** Ten stops in three seconds: posted at the first, the other nine folded into a pending edit. */
const stormTail = () =>
  Array.from({ length: 10 }, (_, i) =>
    oomStop({ id: `s${i}`, task: `t${i}`, time: time(i * 0.3) }),
  );

const edits = () => calls.filter((c) => c.method === "chat.update");

describe("the flush timer", () => {
  it("makes a storm's last edit on the next tick, when no further event comes", async () => {
    slackApi(calls);
    const d = notifyDeps();
    await play(stormTail(), d);
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(calls[0]?.blocks).not.toContain("10 events");

    await play([tick(time(60))], d);
    expect(edits()).toHaveLength(1);
    expect(edits()[0]?.ts).toBe("1700000000.000001");
    expect(edits()[0]?.channel).toBe(CHANNEL);
    expect(edits()[0]?.blocks).toContain("10 events, 10 task stops");

    await play([tick(time(120))], d); // nothing pending any more
    expect(edits()).toHaveLength(1);
  });

  it("leaves an edit that is not due yet to a later tick", async () => {
    slackApi(calls);
    const d = notifyDeps();
    await play(stormTail(), d);
    await play([tick(time(5))], d); // 5 s after the post: within the 10 s between edits
    expect(edits()).toEqual([]);
    // (The test's clock is the incident's: the record expires a month after it in real time.)
    const stored = await d.store.get(KEY, new Date(time(5)));
    expect(stored.state?.incident?.updatePending).toBe(true);

    await play([tick(time(65))], d);
    expect(edits()).toHaveLength(1);
  });

  it("calls neither Slack nor the config when nothing is pending", async () => {
    slackApi(calls);
    await play([oomStop({ id: "one", task: "a", time: time(0) })], notifyDeps());
    const load = vi.fn();
    await play([tick(time(60))], notifyDeps(load));
    expect(calls.map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(load).not.toHaveBeenCalled();
  });

  it("does not edit a resolved incident", async () => {
    slackApi(calls);
    const d = notifyDeps();
    await play(
      [...stormTail(), serviceEvent("ecs-service-action-steady-state", "steady", time(4))],
      d,
    );
    const before = calls.map(summary);
    expect(before.at(-1)).toContain("✔ recovered after");
    // Even a resolved incident stored with an edit pending (an older writer's) stays as resolved.
    const stored = await d.store.get(KEY, new Date(time(5)));
    const incident = stored.state?.incident;
    if (!stored.state || !incident) throw new Error("no incident stored");
    await d.store.put(
      { ...stored.state, incident: { ...incident, updatePending: true } },
      stored.revision,
      new Date(time(5)),
    );
    await play([tick(time(60))], d);
    expect(calls.map(summary)).toEqual(before);
  });

  it("throws when Slack refuses an edit, after making the other incidents' edits, and the next tick makes it", async () => {
    const d = notifyDeps();
    slackApi(calls);
    const other = Array.from({ length: 3 }, (_, i) =>
      oomStop({ id: `o${i}`, task: `o${i}`, service: "other", time: time(i) }),
    );
    await play([...stormTail(), ...other], d);
    // Slack's ts of each post, in order: servicetest's, then other's.
    const [servicetest, otherPost] = [{ ts: "1700000000.000001" }, { ts: "1700000000.000002" }];
    expect(calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts)).toHaveLength(2);
    nock.cleanAll();
    nock("https://slack.com")
      .post("/api/chat.update", (body) => JSON.stringify(body).includes(`${servicetest?.ts}`))
      .reply(200, { ok: false, error: "internal_error" });
    slackApi(calls);
    const error = vi.spyOn(console, "error");
    await expect(onNotifyEvent(tick(time(60)), d)).rejects.toThrow(/internal_error/);
    expect(error.mock.calls.flat().join("\n")).toContain("slack call failed");
    expect(edits().map((c) => c.ts)).toEqual([otherPost?.ts]);

    await play([tick(time(120))], d);
    expect(edits().map((c) => c.ts)).toEqual([otherPost?.ts, servicetest?.ts]);
    expect(edits().at(-1)?.blocks).toContain("10 events");
  });
});

import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyOver,
  dynamoIncidentsStore,
  IncidentConflictError,
} from "../../src/aws/incidents-store.ts";
import { forgetOwnDynamo } from "../../src/aws/own-dynamo.ts";
import { classify } from "../../src/domain/incidents/classify.ts";
import { type IncidentState, step } from "../../src/domain/incidents/machine.ts";
import { muteFor } from "../../src/domain/incidents/mute.ts";
import { oomStop, serviceEvent } from "../domain/incidents/events.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";

const TABLE = "incidents";
const KEY = "111122223333/us-west-2/default/servicetest";
const now = new Date("2026-12-06T10:00:00Z");

let dynamo: RunningDynalite;
beforeEach(async () => {
  // The incidents table as serverless.yml declares it.
  dynamo = await useDynalite(TABLE, "IncidentsTable");
  forgetOwnDynamo();
});
afterEach(async () => {
  forgetOwnDynamo();
  await dynamo.stop();
});

/** The state after one out-of-memory stop (an open incident). */
function opened(id = "a", at = now): IncidentState {
  const result = step(undefined, classify(oomStop({ task: id, id, time: at.toISOString() })), {
    now: at,
    channels: ["C0OPS000001"],
    mutes: [],
  });
  if (!result.state) throw new Error("no state");
  return result.state;
}

/** `state` resolved by a steady state at `time`. */
function resolvedAt(state: IncidentState, time: string): IncidentState {
  const event = classify(serviceEvent("ecs-service-action-steady-state", "s", time));
  const result = step(state, event, { now, channels: [], mutes: [] });
  if (!result.state) throw new Error("no state");
  return result.state;
}

describe("the incidents table", () => {
  it("reads nothing for a service without incidents", async () => {
    expect(await dynamoIncidentsStore(TABLE).get(KEY, now)).toEqual({ revision: 0 });
  });

  it("writes a new state only where there is none, then only over the revision it read", async () => {
    const store = dynamoIncidentsStore(TABLE);
    const state = opened();

    expect(await store.put(state, 0, now)).toBe("written");
    expect(await store.get(KEY, now)).toEqual({ state, revision: 1 });
    expect(await store.put(state, 0, now)).toBe("conflict");
    expect(await store.put(state, 5, now)).toBe("conflict");
    expect(await store.put(state, 1, now)).toBe("written");
    expect((await store.get(KEY, now)).revision).toBe(2);
  });

  it("keeps an open incident a month after its last event, a resolved one a week after", async () => {
    const store = dynamoIncidentsStore(TABLE);
    const state = opened();
    await store.put(state, 0, now);
    const ttl = async () =>
      Number(
        (
          await dynamo.client.send(
            new GetItemCommand({
              TableName: TABLE,
              Key: { pk: { S: "incident" }, sk: { S: KEY } },
            }),
          )
        ).Item?.expiration?.N,
      );
    expect(await ttl()).toBe(now.getTime() / 1000 + 30 * 86_400);

    const resolved = resolvedAt(state, "2026-12-06T10:12:00Z");
    await store.put(resolved, 1, now);
    expect(await ttl()).toBe(Date.parse("2026-12-06T10:12:00Z") / 1000 + 7 * 86_400);
  });

  it("counts an item past its TTL as none, and writes over it", async () => {
    const store = dynamoIncidentsStore(TABLE);
    await store.put(opened(), 0, now);
    const later = new Date(now.getTime() + 31 * 86_400_000);

    expect(await store.get(KEY, later)).toEqual({ revision: 1 });
    expect(await store.openIncidents(later)).toEqual([]);
    expect(await store.put(opened("b", later), 1, later)).toBe("written");
  });

  it("re-reads and re-applies an event when another writer won the race", async () => {
    const store = dynamoIncidentsStore(TABLE);
    await store.put(opened("a"), 0, now);
    const ours = classify(oomStop({ task: "b", id: "b", time: "2026-12-06T10:00:05Z" }));
    const theirs = classify(oomStop({ task: "c", id: "c", time: "2026-12-06T10:00:06Z" }));
    let raced = false;
    // Another container writes its event between this one's read and its write.
    const racing = {
      put: store.put,
      async get(key: string, at?: Date) {
        const read = await store.get(key, at);
        if (!raced && read.state) {
          raced = true;
          const next = step(read.state, theirs, { now, channels: [], mutes: [] }).state;
          if (next) await store.put(next, read.revision, now);
        }
        return read;
      },
    };

    const applied = await applyOver(racing, KEY, (current) =>
      step(current, ours, { now, channels: [], mutes: [] }),
    );

    expect(applied).toMatchObject({ attempts: 2, revision: 3 });
    const stored = await store.get(KEY, now);
    expect(stored.state?.incident?.events).toBe(3);
    expect(stored.state?.seenIds).toEqual(["a", "c", "b"]);
  });

  it("gives up with an error after losing every attempt", async () => {
    const store = dynamoIncidentsStore(TABLE);
    await store.put(opened("a"), 0, now);
    const alwaysStale = { put: store.put, get: async () => ({ state: opened("a"), revision: 0 }) };

    await expect(
      applyOver(alwaysStale, KEY, (current) => ({ state: current, changed: true }), {
        maxAttempts: 3,
      }),
    ).rejects.toThrow(IncidentConflictError);
  });

  it("keeps both events when two containers apply at once", async () => {
    const store = dynamoIncidentsStore(TABLE);
    await store.put(opened("a"), 0, now);
    const event = (id: string) => classify(oomStop({ task: id, id, time: "2026-12-06T10:00:05Z" }));

    await Promise.all(
      ["b", "c", "d"].map((id) =>
        dynamoIncidentsStore(TABLE).apply(
          KEY,
          (current) => step(current, event(id), { now, channels: [], mutes: [] }),
          { now },
        ),
      ),
    );

    const stored = await store.get(KEY, now);
    expect(stored.state?.incident?.events).toBe(4);
    expect(stored.revision).toBe(4);
  });

  it("does not write when the event changed nothing", async () => {
    const store = dynamoIncidentsStore(TABLE);
    const applied = await store.apply(KEY, () => ({ state: undefined, changed: false }), { now });
    expect(applied).toMatchObject({ revision: 0, attempts: 1 });
    expect(await store.get(KEY, now)).toEqual({ revision: 0 });
  });

  it("lists open incidents, not resolved ones", async () => {
    const store = dynamoIncidentsStore(TABLE);
    await store.put(opened(), 0, now);
    const other = { ...opened("z"), key: `${KEY}-2` };
    const resolved = resolvedAt(other, "2026-12-06T10:05:00Z");
    await store.put(resolved, 0, now);

    expect((await store.openIncidents(now)).map((s) => s.key)).toEqual([KEY]);
  });
});

describe("mutes in the incidents table", () => {
  it("keeps a mute until it ends, lists it, and forgets it on unmute", async () => {
    const store = dynamoIncidentsStore(TABLE);
    const hour = muteFor(KEY, "C0OPS000001", 3600, now, "U0ALICE");
    const minute = muteFor(KEY, "C0TEAM00001", 60, now);
    await store.mute(hour);
    await store.mute(minute);

    expect(await store.mutes(now)).toEqual([hour, minute]);
    expect(await store.mutes(new Date(now.getTime() + 120_000))).toEqual([hour]);
    await store.unmute(KEY, "C0OPS000001");
    expect(await store.mutes(now)).toEqual([minute]);
  });
});

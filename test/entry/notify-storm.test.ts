import fc from "fast-check";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type Storm, stormEvents } from "../../emulator/fleet/storm-events.ts";
import {
  applyOver,
  dynamoIncidentsStore,
  type IncidentsStore,
} from "../../src/aws/incidents-store.ts";
import { notifyEvent } from "../../src/entry/notify.ts";
import type { IncidentSlack } from "../../src/slack/incident-poster.ts";
import { propsParameters } from "../properties/support.ts";
import { type Played, playStorm, unaccounted } from "../support/storm-play.ts";
import {
  CHANNEL,
  freshIncidentsTable,
  notifyDeps,
  slackApi,
  TABLE,
  useNotifyPath,
} from "./support/notify-path.ts";

// A storm of task stops (emulator/fleet/storm-events.ts: AWS's published task event, the demo
// fleet's services, redeliveries and late earlier states) through the notification path as the
// Lambda runs it: five at once (reservedConcurrency), the incidents table on dynalite, Slack's Web
// API nock'ed. What a user sees: one message per service, a bounded number of edits, every stop
// counted, nothing posted for a redelivery.
//
// Replaying the property: npm run test:props -- --seed S --path P --test "storm" test/entry/notify-storm.test.ts

const CONCURRENCY = 5;

const calls = useNotifyPath();

beforeEach(() => {
  // The path logs each routine stop and each lost race: not this test's subject.
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  slackApi(calls);
});

/**
 * Delivered at their moments, `speed` times faster than real time: 300 stops of a minute in 6 s
 * at 10×, about as many events in flight per service as the bench's 1,000 a minute over 10
 * services at 50 ms a call. A redelivery may race its original: it then finds the post claimed,
 * fails, and Lambda's retry finds the post made.
 */
function play(storm: Storm, speed = 10): Promise<Played[]> {
  const start = performance.now();
  const arrive = async ({ at }: { at: number }) => {
    const wait = start + at / speed - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
  return playStorm(storm.events, {
    containers: CONCURRENCY,
    deps: () => notifyDeps(),
    arrive,
  });
}

const posts = () => calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts);
const edits = () => calls.filter((c) => c.method === "chat.update");

/** Each service's incident as the table holds it: stops and events counted. */
async function counted(storm: Storm): Promise<Record<string, { stops: number; events: number }>> {
  const store = dynamoIncidentsStore(TABLE);
  const out: Record<string, { stops: number; events: number }> = {};
  for (const s of storm.services) {
    const incident = (await store.get(s.key)).state?.incident;
    out[`${s.cluster}/${s.service}`] = {
      stops: incident?.stops ?? 0,
      events: incident?.events ?? 0,
    };
  }
  return out;
}

const expected = (storm: Storm) =>
  Object.fromEntries(
    Object.entries(storm.incidentStops).map(([service, n]) => [service, { stops: n, events: n }]),
  );

describe("a storm of 300 stops over 3 services, five at a time", () => {
  it("is one message per service, a few edits each, every stop counted, nothing posted twice", async () => {
    const storm = stormEvents({ events: 300, services: 3, seed: 23 });
    expect(storm.counts).toEqual({ incident: 214, routine: 71, duplicate: 9, older: 6 });

    const played = await play(storm);

    // One message per service, each naming its service.
    expect(posts().map((c) => c.channel)).toEqual([CHANNEL, CHANNEL, CHANNEL]);
    expect(
      posts()
        .map((c) => c.text.split(":")[0])
        .sort(),
    ).toEqual([
      "▲ service-connect-nginx-service (tutorial)",
      "▲ web-frontend (tutorial)",
      "✖ api-service (ecs_service_discovery)",
    ]);
    // A minute of stops: an edit at most every 10 s per service.
    expect(edits().length).toBeGreaterThan(0);
    expect(edits().length).toBeLessThanOrEqual(3 * 7);
    // Nothing lost: every delivery accounted for, every incident stop in its service's count.
    expect(unaccounted(played)).toEqual([]);
    expect(await counted(storm)).toEqual(expected(storm));
    // Redeliveries and late earlier states made no call, or only a pending edit's.
    const quiet = played.filter(
      (p) => p.storm.delivery === "duplicate" || p.storm.delivery === "older",
    );
    expect(quiet.flatMap((p) => p.actions).filter((a) => a.type !== "update")).toEqual([]);
  }, 120_000);
});

describe("any storm, five at a time (property, store-backed)", () => {
  it("storm: one incident per service, every incident stop counted once, none given up", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.nat(),
          events: fc.integer({ min: 10, max: 60 }),
          services: fc.integer({ min: 1, max: 3 }),
        }),
        async ({ seed, events, services }) => {
          await freshIncidentsTable();
          calls.length = 0;
          const storm = stormEvents({ events, services, seed, duplicates: 0.1, late: 0.1 });
          const played = await play(storm, 20);

          // Every stop counted once, none given up, no message posted twice; every post of a
          // service is of its one incident.
          expect(unaccounted(played)).toEqual([]);
          const all = await counted(storm);
          const some = Object.fromEntries(Object.entries(all).filter(([, c]) => c.stops > 0));
          expect(some).toEqual(expected(storm));
          const incidents = new Map<string, Set<string>>();
          for (const p of played) {
            for (const a of p.actions.filter((x) => x.type === "post")) {
              incidents.set(
                p.storm.service,
                (incidents.get(p.storm.service) ?? new Set()).add(a.incident.id),
              );
            }
          }
          expect([...incidents.keys()].sort()).toEqual(Object.keys(storm.incidentStops).sort());
          expect([...incidents.values()].every((ids) => ids.size === 1)).toBe(true);
        },
      ),
      propsParameters(3),
    );
  }, 240_000);
});

// Two races that once posted an incident's message a second time: a post's ts is written back after
// the post, and until then the message has "no ts". A post is claimed in the write that asks for
// it (claims.ts), and the ts is written back with more patience than one event's apply.
describe("the opening post, raced", () => {
  const opening = () => {
    const storm = stormEvents({ events: 1, services: 1, duplicates: 0, late: 0, routine: 0 });
    return storm.events[0]?.event;
  };

  it("is not posted again when EventBridge redelivers its event while the post is in flight", async () => {
    const event = opening();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const posted: string[] = [];
    const slack: IncidentSlack = {
      async carry(action) {
        if (action.type !== "post") return undefined;
        posted.push(action.incident.id);
        if (posted.length === 1) await held; // Slack is slow to answer the first post
        return `1765000000.00000${posted.length}`;
      },
    };
    const d = { ...notifyDeps(), slack: () => slack };
    const first = notifyEvent(event, d);
    while (posted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The redelivery finds the post claimed: it fails, for Lambda to retry, and posts nothing.
    await expect(notifyEvent(event, d)).rejects.toThrow(/claimed/);
    release();
    await first;
    await notifyEvent(event, d); // Lambda's retry of the redelivery: the post has its ts now

    expect(posted).toHaveLength(1);
  });

  it("is not posted again when writing its ts back loses races to other containers", async () => {
    const event = opening();
    const table = dynamoIncidentsStore(TABLE);
    // Other containers win every race on the item while the ts is being written back.
    let lost = 0;
    const store: IncidentsStore = {
      ...table,
      async put(state, expected, now) {
        const writesTs = Object.values(state.incident?.channels ?? {}).some((m) => m.ts);
        if (writesTs && lost < 5) {
          lost++;
          return "conflict";
        }
        return table.put(state, expected, now);
      },
      apply: (key, change, options) => applyOver(store, key, change, options),
    };
    const d = { ...notifyDeps(), store };
    await notifyEvent(event, d); // the write-back is patient: it outlasts five lost races
    await notifyEvent(event, d); // a redelivery

    expect(lost).toBe(5);
    expect(posts()).toHaveLength(1);
  });
});

// A third race: an event handled while the opening post is in flight asks for a thread reply (news:
// another exit code) or an edit, with no ts to make it on. It is kept in the channel's message
// (deferCalls) and made by the attempt that writes the ts back (settlePosts).
it("tells the thread what an event learned while the opening post was in flight", async () => {
  const storm = stormEvents({ events: 40, services: 1, duplicates: 0, late: 0, routine: 0 });
  const stops = storm.events.map((e) => e.event);
  const exit = (e: (typeof stops)[number] | undefined) =>
    (e?.detail.containers as { exitCode?: number }[] | undefined)?.[0]?.exitCode;
  const first = stops[0];
  const other = stops.find((e) => exit(e) !== exit(first));
  if (!first || !other) throw new Error("the storm has no second exit code");
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const said: string[] = [];
  const slack: IncidentSlack = {
    async carry(action) {
      said.push(action.type === "thread" ? action.text : action.type);
      if (action.type === "post") await held; // Slack is slow to answer the post
      return action.type === "post" ? "1765000000.000001" : undefined;
    },
  };
  const d = { ...notifyDeps(), slack: () => slack };
  const opening = notifyEvent(first, d);
  while (said.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await notifyEvent(other, d); // another container, another exit code
  release();
  await opening;
  await notifyEvent(stops.at(-1) ?? first, d); // the storm goes on

  expect(said.filter((s) => s.startsWith("New exit code"))).toHaveLength(1);
});

// The once-store, through the real @aws-sdk/client-dynamodb on the wire to dynalite (an
// in-process implementation of DynamoDB's protocol), and its in-memory twin: the same table of
// behaviours runs against both.
import { createHash, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  dynamoOnceStore,
  forgetOnceStoreClients,
  memoryOnceStore,
  type OnceOutcome,
  type OnceStore,
  type OnceStoreOptions,
} from "../../src/aws/idempotency.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";

const TABLE = "ecs-chatops-test-idempotency";
const HOUR = 3_600;

let dynamo: RunningDynalite;
beforeAll(async () => {
  dynamo = await useDynalite(TABLE);
});
afterAll(async () => {
  await dynamo?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** A work function that counts its runs and, optionally, waits for a gate before finishing. */
function counted<T>(value: T, wait?: Promise<void>) {
  const work = async () => {
    work.runs++;
    work.started.open();
    if (wait) await wait;
    return value;
  };
  work.runs = 0;
  work.started = gate();
  return work;
}

const key = () => `job:${randomUUID()}`;

const STORES: { name: string; make: (options: OnceStoreOptions) => OnceStore }[] = [
  {
    name: "dynamoOnceStore (dynalite)",
    make: (options) => dynamoOnceStore({ tableName: TABLE, ...options }),
  },
  { name: "memoryOnceStore", make: (options) => memoryOnceStore(options) },
];

describe.each(STORES)("$name", ({ make }) => {
  it("runs a key once: the second call says done and does not run", async () => {
    const store = make({ expiresAfterSeconds: HOUR });
    const k = key();
    const work = counted({ answer: 42 });
    expect(await store.once(k, work)).toEqual({ ran: true, value: { answer: 42 } });
    expect(await store.once(k, work)).toEqual({ ran: false, reason: "done" });
    expect(work.runs).toBe(1);
  });

  it("runs once among concurrent calls with one key; the others see it in progress", async () => {
    const store = make({ expiresAfterSeconds: HOUR });
    const k = key();
    const release = gate();
    const work = counted("v", release.opened);
    const calls = Array.from({ length: 4 }, () => store.once(k, work));
    // The run that won waits for the gate, so the first calls to settle are the losers.
    const settled: OnceOutcome<string>[] = [];
    for (const call of calls) void call.then((outcome) => settled.push(outcome));
    await vi.waitFor(() => expect(settled).toHaveLength(3), { timeout: 5_000, interval: 5 });
    expect(settled).toEqual(Array(3).fill({ ran: false, reason: "in-progress" }));
    release.open();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o.ran)).toEqual([{ ran: true, value: "v" }]);
    expect(work.runs).toBe(1);
    expect(await store.once(k, work)).toEqual({ ran: false, reason: "done" });
  });

  it("runs different keys independently", async () => {
    const store = make({ expiresAfterSeconds: HOUR });
    const a = counted("a");
    const b = counted("b");
    const [ra, rb] = await Promise.all([store.once(key(), a), store.once(key(), b)]);
    expect(ra).toEqual({ ran: true, value: "a" });
    expect(rb).toEqual({ ran: true, value: "b" });
  });

  it("removes the record when the work throws, rethrows, and lets the next call run", async () => {
    const store = make({ expiresAfterSeconds: HOUR });
    const k = key();
    const boom = new Error("boom");
    await expect(store.once(k, () => Promise.reject(boom))).rejects.toBe(boom);
    const work = counted("second time");
    expect(await store.once(k, work)).toEqual({ ran: true, value: "second time" });
    expect(work.runs).toBe(1);
  });

  it("runs a key again once its record has expired", async () => {
    const store = make({ expiresAfterSeconds: 60 });
    const k = key();
    const work = counted("v");
    vi.useFakeTimers({ toFake: ["Date"] });
    expect((await store.once(k, work)).ran).toBe(true);
    vi.setSystemTime(Date.now() + 59_000);
    expect(await store.once(k, work)).toEqual({ ran: false, reason: "done" });
    vi.setSystemTime(Date.now() + 2_000);
    expect(await store.once(k, work)).toEqual({ ran: true, value: "v" });
    expect(work.runs).toBe(2);
  });

  it("stops honouring an in-progress record after inProgressExpiryMs (a run that died)", async () => {
    const store = make({ expiresAfterSeconds: HOUR, inProgressExpiryMs: 30_000 });
    const k = key();
    const release = gate();
    const stuck = counted("stuck", release.opened);
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = store.once(k, stuck);
    await stuck.started.opened;
    const next = counted("next");
    vi.setSystemTime(Date.now() + 29_000);
    expect(await store.once(k, next)).toEqual({ ran: false, reason: "in-progress" });
    vi.setSystemTime(Date.now() + 2_000);
    expect(await store.once(k, next)).toEqual({ ran: true, value: "next" });
    release.open();
    await first;
  });

  it("refuses an empty key", async () => {
    const store = make({ expiresAfterSeconds: HOUR });
    await expect(store.once("", counted("v"))).rejects.toThrow(TypeError);
  });
});

describe("dynamoOnceStore: the records in the table", () => {
  /** Powertools' record id: the function name (empty here), "#", md5 of the JSON key, base64. */
  const recordId = (k: string) =>
    `${process.env.AWS_LAMBDA_FUNCTION_NAME ?? ""}#${createHash("md5").update(JSON.stringify(k)).digest("base64")}`;

  async function recordOf(k: string) {
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { id: { S: recordId(k) } },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const number = (name: string) =>
      Item[name]?.N === undefined ? undefined : Number(Item[name].N);
    return {
      status: Item.status?.S,
      expiration: number("expiration"),
      in_progress_expiration: number("in_progress_expiration"),
      attributes: Object.keys(Item).sort(),
    };
  }

  it("writes INPROGRESS with both expiries, then COMPLETED with `expiration` ahead", async () => {
    const expiresAfterSeconds = 900;
    const store = dynamoOnceStore({
      tableName: TABLE,
      expiresAfterSeconds,
      inProgressExpiryMs: 20_000,
    });
    const k = key();
    const release = gate();
    const work = counted({ big: "x".repeat(1_000) }, release.opened);
    const before = Date.now();
    const run = store.once(k, work);
    await work.started.opened;
    const inProgress = await recordOf(k);
    expect(inProgress?.status).toBe("INPROGRESS");
    expect(inProgress?.expiration).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) + expiresAfterSeconds - 1,
    );
    expect(inProgress?.expiration).toBeLessThanOrEqual(
      Math.ceil(Date.now() / 1000) + expiresAfterSeconds + 1,
    );
    expect(inProgress?.in_progress_expiration).toBeGreaterThanOrEqual(before + 20_000);
    expect(inProgress?.in_progress_expiration).toBeLessThanOrEqual(Date.now() + 20_000);

    release.open();
    expect((await run).ran).toBe(true);
    const done = await recordOf(k);
    expect(done?.status).toBe("COMPLETED");
    const now = Date.now() / 1000;
    expect(done?.expiration).toBeGreaterThan(now + expiresAfterSeconds - 2);
    expect(done?.expiration).toBeLessThan(now + expiresAfterSeconds + 2);
    // No result is stored, only the fact that the key ran.
    expect(done?.attributes).toEqual(["expiration", "id", "in_progress_expiration", "status"]);
  });

  it("deletes the record of a failed run", async () => {
    const store = dynamoOnceStore({ tableName: TABLE, expiresAfterSeconds: HOUR });
    const k = key();
    await expect(store.once(k, async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await recordOf(k)).toBeUndefined();
  });

  it("reaches dynalite through AWS_ENDPOINT_URL_DYNAMODB even when AWS_ENDPOINT_URL points elsewhere", async () => {
    const global = process.env.AWS_ENDPOINT_URL;
    // Port 9 (discard) on loopback: nothing listens, so a request sent there would fail.
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:9";
    forgetOnceStoreClients();
    try {
      const store = dynamoOnceStore({ tableName: TABLE, expiresAfterSeconds: HOUR });
      const k = key();
      expect(await store.once(k, counted("v"))).toEqual({ ran: true, value: "v" });
      expect((await recordOf(k))?.status).toBe("COMPLETED");
    } finally {
      if (global === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = global;
      forgetOnceStoreClients();
    }
  });

  it("fails fast, without running the work, when DynamoDB does not answer", async () => {
    // A server that accepts connections and never answers: only the request timeout ends a call.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    forgetOnceStoreClients();
    try {
      const store = dynamoOnceStore({ tableName: TABLE, expiresAfterSeconds: HOUR });
      const work = counted("v");
      const start = performance.now();
      await expect(store.once(key(), work)).rejects.toThrow();
      // Two attempts of 1 s each plus the standard backoff between them.
      expect(performance.now() - start).toBeLessThan(3_500);
      expect(work.runs).toBe(0);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
      forgetOnceStoreClients();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

// Where the parts of a fanned-out digest meet (src/entry/digest/fanout.ts): items of the digest history
// table, kept a day. `gather:<target>:<tick>` says how many parts there are and which have
// finished; `part:<target>:<tick>:<i>` holds one part's judgements, gzipped (a thousand services
// are about 300 KB of JSON, DynamoDB items at most 400 KB).
import { gunzipSync, gzipSync } from "node:zlib";
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { DigestEntry } from "../domain/digest.ts";
import type { PartService } from "../domain/digest-parts.ts";
import type { Gap } from "../domain/facts.ts";
import type { ClientService } from "../domain/health.ts";
import { read } from "./errors.ts";
import { ownDynamo as dynamo } from "./own-dynamo.ts";

const KEEP_SECONDS = 86_400;
/** BatchGetItem takes at most 100 keys. */
const BATCH_KEYS = 100;

export interface PartResult {
  entries: DigestEntry[];
  gaps: Gap[];
}

const gatherKey = (target: string, tick: string) => `gather:${target}:${tick}`;
const partKey = (target: string, tick: string, index: number) => `part:${target}:${tick}:${index}`;
const expiration = () => ({ N: String(Math.floor(Date.now() / 1000) + KEEP_SECONDS) });

export interface DigestParts {
  /**
   * Records that the digest of `target` at `tick` has these parts, with the gaps of its listing.
   * False when it was already recorded (a redelivered tick): then nothing is to be fanned out.
   */
  begin(
    target: string,
    tick: string,
    parts: PartService[][],
    gaps: Gap[],
    clients?: NamespaceClients,
  ): Promise<boolean>;
  /**
   * The Service Connect clients of each namespace, as read once by the invocation that fanned
   * out (so that no part reads them again); empty when they were not kept.
   */
  clients(target: string, tick: string): Promise<NamespaceClients>;
  /** The services of part `index`, as recorded by begin; undefined past the last part. */
  plan(target: string, tick: string, index: number): Promise<PartService[] | undefined>;
  /**
   * Keeps one part's judgements (a redelivered part writes the same item again). With
   * `unlessKept`, only if none are kept yet (false then): what a failed part is counted as never
   * replaces what it did keep.
   */
  save(
    target: string,
    tick: string,
    index: number,
    result: PartResult,
    unlessKept?: boolean,
  ): Promise<boolean>;
  /**
   * Marks part `index` finished: "last" for exactly one caller, the one whose part was the last
   * to finish, who gathers and posts; "duplicate" for a part already marked (counted once).
   */
  finish(target: string, tick: string, index: number): Promise<"last" | "counted" | "duplicate">;
  /** Every part's judgements and the listing's gaps, in part order. */
  gather(target: string, tick: string): Promise<PartResult>;
}

/** Service Connect clients by namespace ARN. */
export type NamespaceClients = Map<string, ClientService[]>;

/** DynamoDB items hold at most 400 KB; what the plan leaves is for the clients. */
const ITEM_MAX_BYTES = 390_000;

/** The clients, gzipped as [namespace ARN, [cluster, service, ARN, deployed at (ms)][]][]. */
function packClients(clients: NamespaceClients): Buffer {
  return gzipSync(
    JSON.stringify(
      [...clients].map(([ns, list]) => [
        ns,
        list.map((c) => [c.cluster, c.service, c.arn ?? null, c.deployedAt?.getTime() ?? null]),
      ]),
    ),
  );
}

function unpackClients(data: Uint8Array): NamespaceClients {
  const rows = JSON.parse(gunzipSync(data).toString("utf8")) as [
    string,
    [string, string, string | null, number | null][],
  ][];
  return new Map(
    rows.map(([ns, list]) => [
      ns,
      list.map(([cluster, service, arn, at]) => ({
        cluster,
        service,
        ...(arn === null ? {} : { arn }),
        ...(at === null ? {} : { deployedAt: new Date(at) }),
      })),
    ]),
  );
}

export function dynamoDigestParts(tableName: string): DigestParts {
  return {
    async begin(target, tick, parts, gaps, clients) {
      const plan = gzipSync(JSON.stringify(parts));
      const packed = clients && clients.size > 0 ? packClients(clients) : undefined;
      // Clients too many for the item are left out: each part then reads its namespaces itself.
      const fits = packed && plan.length + packed.length < ITEM_MAX_BYTES;
      try {
        await read(`record the parts of ${target}`, "PutItem", () =>
          dynamo().send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                target: { S: gatherKey(target, tick) },
                parts: { N: String(parts.length) },
                plan: { B: plan },
                ...(fits && packed ? { clients: { B: packed } } : {}),
                finished: { N: "0" },
                gaps: { S: JSON.stringify(gaps) },
                expiration: expiration(),
              },
              ConditionExpression: "attribute_not_exists(target)",
            }),
          ),
        );
        return true;
      } catch (error) {
        if (refused(error)) return false;
        throw error;
      }
    },
    async plan(target, tick, index) {
      const data = (await gatherItem(tableName, target, tick))?.plan?.B;
      if (!data) throw new Error(`no parts recorded for ${target}`);
      const parts = JSON.parse(gunzipSync(data).toString("utf8")) as PartService[][];
      return parts[index];
    },
    async clients(target, tick) {
      const data = (await gatherItem(tableName, target, tick))?.clients?.B;
      return data ? unpackClients(data) : new Map();
    },
    async save(target, tick, index, result, unlessKept = false) {
      try {
        await read(`keep part ${index + 1} of ${target}`, "PutItem", () =>
          dynamo().send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                target: { S: partKey(target, tick, index) },
                result: { B: gzipSync(JSON.stringify(result)) },
                expiration: expiration(),
              },
              ...(unlessKept ? { ConditionExpression: "attribute_not_exists(target)" } : {}),
            }),
          ),
        );
        return true;
      } catch (error) {
        if (refused(error)) return false;
        throw error;
      }
    },
    async finish(target, tick, index) {
      try {
        const out = await read(`count the parts of ${target}`, "UpdateItem", () =>
          dynamo().send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { target: { S: gatherKey(target, tick) } },
              // The set of finished parts makes a second mark of the same part a no-op.
              UpdateExpression: "ADD finished :one, done :part",
              ConditionExpression: "attribute_exists(target) AND NOT contains(done, :index)",
              ExpressionAttributeValues: {
                ":one": { N: "1" },
                ":part": { NS: [String(index)] },
                ":index": { N: String(index) },
              },
              ReturnValues: "ALL_NEW",
            }),
          ),
        );
        return Number(out.Attributes?.finished?.N) === Number(out.Attributes?.parts?.N)
          ? "last"
          : "counted";
      } catch (error) {
        if (refused(error)) return "duplicate";
        throw error;
      }
    },
    async gather(target, tick) {
      const record = await gatherItem(tableName, target, tick);
      const parts = Number(record?.parts?.N ?? Number.NaN);
      if (!record || !Number.isInteger(parts)) throw new Error(`no parts recorded for ${target}`);
      const keys = Array.from({ length: parts }, (_, i) => partKey(target, tick, i));
      const items = await read(`read the parts of ${target}`, "BatchGetItem", () =>
        getAll(tableName, keys),
      );
      const out: PartResult = { entries: [], gaps: JSON.parse(record.gaps?.S ?? "[]") as Gap[] };
      keys.forEach((key, i) => {
        const data = items.get(key)?.result?.B;
        if (!data) {
          out.gaps.push({ what: `part ${i + 1} of ${parts}`, why: "its judgements were not kept" });
          return;
        }
        const part = JSON.parse(gunzipSync(data).toString("utf8")) as PartResult;
        // JSON keeps a failure's start as its ISO string: a Date again for the digest.
        out.entries.push(
          ...part.entries.map((e) => (e.since ? { ...e, since: new Date(e.since) } : e)),
        );
        out.gaps.push(...part.gaps);
      });
      return out;
    },
  };
}

type Item = Record<string, { S?: string; N?: string; B?: Uint8Array }>;

/** A conditional write DynamoDB refused because its condition did not hold: an answer, not a failure. */
const refused = (error: unknown) =>
  error instanceof Error && error.cause instanceof ConditionalCheckFailedException;

/** The item that records a fanned-out digest's parts (plan, clients, what has finished). */
async function gatherItem(tableName: string, target: string, tick: string) {
  const head = await read(`read the parts of ${target}`, "BatchGetItem", () =>
    getAll(tableName, [gatherKey(target, tick)]),
  );
  return head.get(gatherKey(target, tick));
}

/** BatchGetItem over any number of keys, 100 at a time, until nothing is left unprocessed. */
async function getAll(tableName: string, keys: string[]): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += BATCH_KEYS) {
    let pending: { target: { S: string } }[] | undefined = keys
      .slice(i, i + BATCH_KEYS)
      .map((k) => ({ target: { S: k } }));
    for (let round = 0; pending && pending.length > 0 && round < 5; round++) {
      const answer = await dynamo().send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of answer.Responses?.[tableName] ?? []) {
        const key = item.target?.S;
        if (key) out.set(key, item as Item);
      }
      pending = answer.UnprocessedKeys?.[tableName]?.Keys as typeof pending;
    }
  }
  return out;
}

/** The parts store in the digest history table (DIGEST_TABLE); none without one. */
export function digestParts(env: NodeJS.ProcessEnv = process.env): DigestParts | undefined {
  return env.DIGEST_TABLE ? dynamoDigestParts(env.DIGEST_TABLE) : undefined;
}

// The incidents table: one item per service key holding its incident state (open, or the last
// resolved one until TTL removes it), and one item per mute. Written with optimistic concurrency:
// each item carries a revision, a write succeeds only over the revision it read, and a writer
// that lost the race re-reads and re-applies its event (`apply`), so two Lambda containers
// handling two events of one service never overwrite each other's counts.
//
// Items (partition key `pk`, sort key `sk`, TTL on `expiration` in epoch seconds):
//   pk "incident", sk = incident key   state (JSON of IncidentState), revision
//   pk "mute",     sk = key#channel    key, channel, until, by
// One partition per item type keeps `/ecs alerts` to one Query each (open incidents, mutes).
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import type { IncidentState } from "../domain/incidents/machine.ts";
import { activeMutes, type Mute } from "../domain/incidents/mute.ts";
import { read } from "./errors.ts";
import { ownDynamo } from "./own-dynamo.ts";

/** The table's keys and TTL attribute, for its declaration in serverless.yml and for tests. */
export const INCIDENTS_TABLE_SCHEMA = {
  AttributeDefinitions: [
    { AttributeName: "pk", AttributeType: "S" },
    { AttributeName: "sk", AttributeType: "S" },
  ],
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  TimeToLiveAttribute: "expiration",
} as const;

/** dynamodb actions the store needs on the table (for the notification function's role). */
export const INCIDENTS_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query",
] as const;

const DAY = 86_400;
/** A resolved incident is kept a week (late events find it and reopen nothing). */
const KEEP_RESOLVED = 7 * DAY;
/** An open incident no event touched for a month is let go. */
const KEEP_OPEN = 30 * DAY;

export interface StoredIncident {
  /** Undefined when the item exists but has expired (DynamoDB's TTL sweeper may lag). */
  state?: IncidentState;
  /** The item's revision: 0 when there is none; a write must name it. */
  revision: number;
}

export type PutOutcome = "written" | "conflict";

export interface Applied<R> {
  result: R;
  /** The revision now stored (unchanged when nothing was written). */
  revision: number;
  /** Reads it took: more than one when another writer won a race. */
  attempts: number;
}

export class IncidentConflictError extends Error {
  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`incident ${key}: still losing the race after ${attempts} attempts`);
    this.name = "IncidentConflictError";
  }
}

export interface IncidentsStore {
  get(key: string, now?: Date): Promise<StoredIncident>;
  /** Writes `state` over revision `expected` (0: none yet); "conflict" when another writer won. */
  put(state: IncidentState, expected: number, now?: Date): Promise<PutOutcome>;
  /**
   * Reads the key's state, applies `change`, and writes the result when it says `changed`;
   * on a lost race, reads again and re-applies (at most `maxAttempts` times, then throws
   * IncidentConflictError). Act on the result (Slack calls) only after this returns.
   */
  apply<R extends { state: IncidentState | undefined; changed: boolean }>(
    key: string,
    change: (current: IncidentState | undefined) => R,
    options?: { now?: Date; maxAttempts?: number },
  ): Promise<Applied<R>>;
  /** Incidents not resolved yet, for `/ecs alerts`. */
  openIncidents(now?: Date): Promise<IncidentState[]>;
  mutes(now?: Date): Promise<Mute[]>;
  mute(mute: Mute): Promise<void>;
  unmute(key: string, channel: string): Promise<void>;
}

/** When the item may go: a week after resolution, a month after the last event while open. */
export function expirationOf(state: IncidentState, now: Date): number {
  const incident = state.incident;
  const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  if (incident?.resolvedAt) return seconds(incident.resolvedAt) + KEEP_RESOLVED;
  if (incident) return Math.max(seconds(incident.lastSeen), seconds(now.toISOString())) + KEEP_OPEN;
  return Math.floor(now.getTime() / 1000) + DAY;
}

/**
 * Read, change, write over the revision read; on a lost race read again (the store's `apply`,
 * apart so a test can put a competing writer between the read and the write).
 */
export async function applyOver<R extends { state: IncidentState | undefined; changed: boolean }>(
  store: Pick<IncidentsStore, "get" | "put">,
  key: string,
  change: (current: IncidentState | undefined) => R,
  options: { now?: Date; maxAttempts?: number } = {},
): Promise<Applied<R>> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const now = options.now ?? new Date();
    const current = await store.get(key, now);
    const result = change(current.state);
    if (!result.changed || !result.state) {
      return { result, revision: current.revision, attempts: attempt };
    }
    if ((await store.put(result.state, current.revision, now)) === "written") {
      return { result, revision: current.revision + 1, attempts: attempt };
    }
    // Containers racing on one service's item in a storm: a jittered pause, growing per attempt,
    // lets the winner's write land instead of every loser reading and losing again at once.
    if (attempt < maxAttempts) await sleep(Math.random() * 20 * attempt);
  }
  throw new IncidentConflictError(key, maxAttempts);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isConflict = (error: unknown) =>
  (error as { name?: string }).name === "ConditionalCheckFailedException";

const expired = (item: Record<string, unknown>, now: Date) =>
  typeof item.expiration === "number" && item.expiration * 1000 <= now.getTime();

export function dynamoIncidentsStore(tableName: string): IncidentsStore {
  const documents = () =>
    DynamoDBDocumentClient.from(ownDynamo(), { marshallOptions: { removeUndefinedValues: true } });

  async function query(pk: string, what: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await read(what, "Query", () =>
        documents().send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": pk },
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  const store: IncidentsStore = {
    async get(key, now = new Date()) {
      const out = await read(`read the incident of ${key}`, "GetItem", () =>
        documents().send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: "incident", sk: key },
            ConsistentRead: true,
          }),
        ),
      );
      const item = out.Item;
      if (!item) return { revision: 0 };
      const revision = typeof item.revision === "number" ? item.revision : 0;
      if (expired(item, now) || typeof item.state !== "string") return { revision };
      return { state: JSON.parse(item.state) as IncidentState, revision };
    },

    async put(state, expected, now = new Date()) {
      const condition =
        expected === 0
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : {
              ConditionExpression: "#revision = :expected",
              ExpressionAttributeNames: { "#revision": "revision" },
              ExpressionAttributeValues: { ":expected": expected },
            };
      return read(`keep the incident of ${state.key}`, "PutItem", () =>
        documents()
          .send(
            new PutCommand({
              TableName: tableName,
              Item: {
                pk: "incident",
                sk: state.key,
                state: JSON.stringify(state),
                revision: expected + 1,
                open: Boolean(state.incident && !state.incident.resolvedAt),
                expiration: expirationOf(state, now),
              },
              ...condition,
            }),
          )
          .then(
            (): PutOutcome => "written",
            (error: unknown): PutOutcome => {
              if (isConflict(error)) return "conflict";
              throw error;
            },
          ),
      );
    },

    apply: (key, change, options) => applyOver(store, key, change, options),

    async openIncidents(now = new Date()) {
      const items = await query("incident", "list the open incidents");
      return items
        .filter(
          (item) => item.open === true && !expired(item, now) && typeof item.state === "string",
        )
        .map((item) => JSON.parse(item.state as string) as IncidentState);
    },

    async mutes(now = new Date()) {
      const items = await query("mute", "list the mutes");
      return activeMutes(
        items.flatMap((item) =>
          typeof item.key === "string" &&
          typeof item.channel === "string" &&
          typeof item.until === "string"
            ? [
                {
                  key: item.key,
                  channel: item.channel,
                  until: item.until,
                  ...(typeof item.by === "string" ? { by: item.by } : {}),
                },
              ]
            : [],
        ),
        now,
      );
    },

    async mute(mute) {
      await read(`mute ${mute.key} in ${mute.channel}`, "PutItem", () =>
        documents().send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: "mute",
              sk: `${mute.key}#${mute.channel}`,
              ...mute,
              expiration: Math.ceil(Date.parse(mute.until) / 1000),
            },
          }),
        ),
      );
    },

    async unmute(key, channel) {
      await read(`unmute ${key} in ${channel}`, "DeleteItem", () =>
        documents().send(
          new DeleteCommand({ TableName: tableName, Key: { pk: "mute", sk: `${key}#${channel}` } }),
        ),
      );
    },
  };
  return store;
}

/** The incidents table named by INCIDENTS_TABLE; none without one. */
export function incidentsStore(env: NodeJS.ProcessEnv = process.env): IncidentsStore | undefined {
  return env.INCIDENTS_TABLE ? dynamoIncidentsStore(env.INCIDENTS_TABLE) : undefined;
}

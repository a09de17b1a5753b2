// Runs a piece of work at most once per key, across Lambda containers.
//
// Two things reach this function more than once: Lambda redelivers an asynchronous (Event)
// invocation (up to two retries after an error, and occasionally a duplicate without one), and
// Slack retries an Events API delivery it got no 2xx for. Both are answered once by recording the
// key in DynamoDB before the work starts (Powertools for AWS Lambda's idempotency utility, a
// conditional PutItem), so a second container that gets the same key sees the record and stops.
//
// Records (partition key `id`, the key hashed by Powertools):
//   status                 INPROGRESS, then COMPLETED
//   expiration             epoch seconds; the table's TTL attribute. An expired record counts as
//                          absent at once (the conditional write checks it), whenever DynamoDB's
//                          TTL sweeper gets round to deleting it.
//   in_progress_expiration epoch milliseconds; after it an INPROGRESS record no longer blocks, so a
//                          run that died (timeout, crash) does not lock its key until `expiration`.
// No result is stored: callers need only "ran or not", and a result could be large or sensitive.
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { logger } from "./logger.ts";

export type OnceOutcome<T> =
  | { ran: true; value: T }
  | { ran: false; reason: "in-progress" | "done" };

export interface OnceStore {
  /**
   * Runs `work` unless a run with the same key is in progress or has completed (and its record
   * has not expired). If `work` throws, its record is removed, so a later delivery may run it
   * again, and the error is rethrown. If the store itself cannot be reached before the work
   * starts, that error is thrown and `work` has not run.
   */
  once<T>(key: string, work: () => Promise<T>): Promise<OnceOutcome<T>>;
}

export interface OnceStoreOptions {
  /** How long a record (in progress or completed) keeps its key from running again. */
  expiresAfterSeconds: number;
  /**
   * How long an in-progress record blocks its key before a run that never finished is presumed
   * dead. Default 30 s: longer than the function's timeout (29 s), so a live run is never
   * overtaken, and shorter than Lambda's first retry (1 min) and Slack's (1 min).
   */
  inProgressExpiryMs?: number;
}

export const DEFAULT_IN_PROGRESS_EXPIRY_MS = 30_000;

function checkKey(key: string): void {
  if (key.length === 0) throw new TypeError("once(): the key must not be empty");
}

function warn(message: string, key: string, error: unknown): void {
  logger.warn(message, { key, error: String(error) });
}

// One client per table, at module scope: warm invocations reuse it and its connections.
const clients = new Map<string, DynamoDBClient>();

function sharedClient(tableName: string): DynamoDBClient {
  let client = clients.get(tableName);
  if (!client) {
    client = new DynamoDBClient({
      // Region and endpoint come from the environment (AWS_REGION; AWS_ENDPOINT_URL_DYNAMODB or
      // AWS_ENDPOINT_URL), as for every other client. The record sits in front of Slack's 3 s:
      // fail fast rather than retry long.
      retryMode: "standard",
      maxAttempts: 2,
      // @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes unless
      // throwOnRequestTimeout is set.
      requestHandler: {
        connectionTimeout: 500,
        requestTimeout: 1_000,
        throwOnRequestTimeout: true,
      },
    });
    clients.set(tableName, client);
  }
  return client;
}

/** For tests: drops (and closes) the shared clients so the next store reads the environment anew. */
export function forgetOnceStoreClients(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
}

/**
 * A once-store backed by a DynamoDB table (partition key `id` of type S, TTL on `expiration`),
 * shared by every container of the function. Needs dynamodb:GetItem, PutItem, UpdateItem and
 * DeleteItem on the table (IDEMPOTENCY_ACTIONS in iam-actions.ts).
 */
export function dynamoOnceStore(
  options: OnceStoreOptions & { tableName: string; client?: DynamoDBClient },
): OnceStore {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: options.client ?? sharedClient(options.tableName),
  });
  const lockMs = options.inProgressExpiryMs ?? DEFAULT_IN_PROGRESS_EXPIRY_MS;
  // Powertools sets `in_progress_expiration` from the Lambda context's remaining time, and warns on
  // every call when it has no context. Only getRemainingTimeInMillis is read (IdempotencyHandler),
  // so a stand-in with the lock duration is registered instead of a real context.
  const lock: Pick<Context, "getRemainingTimeInMillis"> = {
    getRemainingTimeInMillis: () => lockMs,
  };
  const config = new IdempotencyConfig({
    expiresAfterSeconds: options.expiresAfterSeconds,
    lambdaContext: lock as Context,
  });

  return {
    async once<T>(key: string, work: () => Promise<T>): Promise<OnceOutcome<T>> {
      checkKey(key);
      let finished: { value: T } | undefined;
      let failed: { error: unknown } | undefined;
      // The key (the only argument) is what Powertools hashes into the record's id.
      const idempotent = makeIdempotent(
        async (_key: string): Promise<undefined> => {
          try {
            finished = { value: await work() };
          } catch (error) {
            failed = { error };
            throw error;
          }
          // Nothing is stored as the record's result (see the top of this file).
          return undefined;
        },
        { persistenceStore, config },
      );
      try {
        await idempotent(key);
      } catch (error) {
        if (error instanceof IdempotencyAlreadyInProgressError) {
          return { ran: false, reason: "in-progress" };
        }
        if (failed) {
          // The work's own error, even when removing the record failed as well (Powertools then
          // throws a persistence error instead; the record keeps blocking until it expires).
          if (error !== failed.error)
            warn("once: could not remove a failed run's record", key, error);
          throw failed.error;
        }
        if (finished) {
          // The work ran and finished but "completed" could not be written. Throwing would make
          // Lambda run it again once the in-progress record expires: report it as run.
          warn("once: could not mark a finished run as completed", key, error);
          return { ran: true, value: finished.value };
        }
        throw error;
      }
      return finished ? { ran: true, value: finished.value } : { ran: false, reason: "done" };
    },
  };
}

interface MemoryRecord {
  status: "in-progress" | "done";
  /** Epoch seconds, like the DynamoDB `expiration` attribute. */
  expiresAt: number;
  /** Epoch milliseconds, for in-progress records. */
  inProgressUntil: number;
}

/**
 * The same semantics in this process's memory, for local runs without a table (the Socket Mode
 * dev server, tests). SINGLE PROCESS ONLY: another process or Lambda container does not see its
 * records, so it gives no protection against Lambda or Slack redeliveries in production.
 */
export function memoryOnceStore(options: Partial<OnceStoreOptions> = {}): OnceStore {
  const expiresAfterSeconds = options.expiresAfterSeconds ?? 3_600;
  const lockMs = options.inProgressExpiryMs ?? DEFAULT_IN_PROGRESS_EXPIRY_MS;
  const records = new Map<string, MemoryRecord>();

  const blocking = (record: MemoryRecord | undefined, now: number): record is MemoryRecord =>
    record !== undefined &&
    record.expiresAt >= now / 1_000 &&
    (record.status === "done" || record.inProgressUntil >= now);

  return {
    async once<T>(key: string, work: () => Promise<T>): Promise<OnceOutcome<T>> {
      checkKey(key);
      const now = Date.now();
      for (const [k, record] of records) if (!blocking(record, now)) records.delete(k);
      const existing = records.get(key);
      if (blocking(existing, now)) return { ran: false, reason: existing.status };
      // Claimed synchronously (no await since the check): a concurrent call sees this record.
      const mine: MemoryRecord = {
        status: "in-progress",
        expiresAt: Math.round(now / 1_000 + expiresAfterSeconds),
        inProgressUntil: now + lockMs,
      };
      records.set(key, mine);
      let value: T;
      try {
        value = await work();
      } catch (error) {
        if (records.get(key) === mine) records.delete(key);
        throw error;
      }
      records.set(key, {
        status: "done",
        expiresAt: Math.round(Date.now() / 1_000 + expiresAfterSeconds),
        inProgressUntil: 0,
      });
      return { ran: true, value };
    },
  };
}

/**
 * The once-store of a function: its DynamoDB table where IDEMPOTENCY_TABLE names one, else this
 * process's memory (local runs, tests).
 */
export function onceStoreFromEnv(
  options: OnceStoreOptions,
  env: NodeJS.ProcessEnv = process.env,
): OnceStore {
  const table = env.IDEMPOTENCY_TABLE;
  return table ? dynamoOnceStore({ tableName: table, ...options }) : memoryOnceStore(options);
}

/** What `claimOrAnyway` returns: as `once`, or "skipped" when the caller chose not to run anyway. */
export type ClaimOutcome<T> = OnceOutcome<T> | { ran: false; reason: "skipped" };

/**
 * Claims `key` and runs `work` once; if the store itself fails before the work starts,
 * `storeFailed` says so (it logs) and the work runs anyway: a duplicate is the lesser harm than no
 * answer at all. `storeFailed` returns "skip" where skipping is the lesser harm. An error of the
 * work itself is rethrown as is.
 */
export async function claimOrAnyway<T>(
  store: OnceStore,
  key: string,
  work: () => Promise<T>,
  storeFailed: (error: unknown) => "run" | "skip",
): Promise<ClaimOutcome<T>> {
  let started = false;
  try {
    return await store.once(key, () => {
      started = true;
      return work();
    });
  } catch (error) {
    if (started) throw error;
    if (storeFailed(error) === "skip") return { ran: false, reason: "skipped" };
    return { ran: true, value: await work() };
  }
}

// The previous digest of each target, for "what changed": one DynamoDB item per target (key
// `target`), holding the failing services of its last digest, removed by the table's TTL
// (`expiration`) a month after it was written.
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { DigestSnapshot } from "../domain/digest.ts";
import { read } from "./errors.ts";
import { ownDynamo as dynamo } from "./own-dynamo.ts";

export interface DigestHistory {
  /**
   * The last digest of this target; undefined when there is none, or when it had expired at
   * `now` (the new digest's own time, its tick: a late or replayed tick judges as of itself).
   */
  load(target: string, now?: Date): Promise<DigestSnapshot | undefined>;
  save(snapshot: DigestSnapshot): Promise<void>;
}

const KEEP_SECONDS = 30 * 86_400;

interface Stored {
  at: number;
  /** `aws`: `since` is the failure's own start as AWS told it (absent in older records). */
  services: Record<string, { level: string; reason: string; since: number; aws?: true }>;
}

function encode(snapshot: DigestSnapshot): string {
  const services: Stored["services"] = {};
  for (const [key, s] of Object.entries(snapshot.services)) {
    services[key] = {
      level: s.level,
      reason: s.reason,
      since: s.since.getTime(),
      ...(s.sinceFromAws ? { aws: true as const } : {}),
    };
  }
  return JSON.stringify({ at: snapshot.at.getTime(), services } satisfies Stored);
}

function decode(target: string, text: string): DigestSnapshot {
  const stored = JSON.parse(text) as Stored;
  const services: DigestSnapshot["services"] = {};
  for (const [key, s] of Object.entries(stored.services)) {
    if (s.level === "down" || s.level === "degraded" || s.level === "noisy") {
      services[key] = {
        level: s.level,
        reason: s.reason,
        since: new Date(s.since),
        ...(s.aws ? { sinceFromAws: true } : {}),
      };
    }
  }
  return { target, at: new Date(stored.at), services };
}

export function dynamoDigestHistory(tableName: string): DigestHistory {
  return {
    async load(target, now = new Date()) {
      const out = await read(`read the last digest of ${target}`, "GetItem", () =>
        dynamo().send(
          new GetItemCommand({
            TableName: tableName,
            Key: { target: { S: target } },
            ConsistentRead: true,
          }),
        ),
      );
      const item = out.Item;
      const expires = Number(item?.expiration?.N ?? 0);
      // DynamoDB's TTL sweeper may lag: an expired record counts as none.
      if (!item?.snapshot?.S || (expires && expires * 1000 < now.getTime())) return undefined;
      return decode(target, item.snapshot.S);
    },
    async save(snapshot) {
      await read(`keep the digest of ${snapshot.target}`, "PutItem", () =>
        dynamo().send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              target: { S: snapshot.target },
              snapshot: { S: encode(snapshot) },
              expiration: { N: String(Math.floor(snapshot.at.getTime() / 1000) + KEEP_SECONDS) },
            },
          }),
        ),
      );
    },
  };
}

/** Where the bot keeps digests: the table named by DIGEST_TABLE; none without one. */
export function digestHistory(env: NodeJS.ProcessEnv = process.env): DigestHistory | undefined {
  return env.DIGEST_TABLE ? dynamoDigestHistory(env.DIGEST_TABLE) : undefined;
}

// Wire-level helpers shared by the emulated services: errors, input reading, paging, timestamps.

/**
 * An AWS error as the service would send it: its code (`__type` / `<Code>`) and HTTP status. For an
 * awsQueryCompatible service (CloudWatch), `code` is the Query error code the SDK surfaces (sent in
 * `x-amzn-query-error`) and `type` the JSON `__type` when the two differ.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export type JsonBody = Record<string, unknown>;
/** One emulated operation: the parsed request body in, the response object out. */
export type Operation = (body: JsonBody) => unknown;

// Every timestamp member of the ECS and Cloud Map shapes (from the SDK schemas). The JSON
// protocols carry them as epoch seconds; the fleet stores ISO strings.
const TIMESTAMP_KEYS = new Set([
  "connectivityAt",
  "createdAt",
  "deleteRequestedAt",
  "deregisteredAt",
  "executionStoppedAt",
  "expiresAt",
  "finishedAt",
  "lastStartedAt",
  "lastStatusChange",
  "lastUpdated",
  "pullStartedAt",
  "pullStoppedAt",
  "registeredAt",
  "stabilityStatusAt",
  "startedAt",
  "stoppedAt",
  "stoppingAt",
  "updatedAt",
  "CreateDate",
  "UpdateDate",
]);

/** JSON for the AWS JSON 1.1 wire: ISO timestamps become epoch seconds. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (typeof v === "string" && TIMESTAMP_KEYS.has(key)) {
      const ms = Date.parse(v);
      return Number.isNaN(ms) ? v : ms / 1000;
    }
    return v;
  });
}

/** Reads request members, raising the service's validation error for a wrong type. */
export class Input {
  constructor(
    private readonly body: JsonBody,
    private readonly invalid: (message: string) => AwsError,
  ) {}

  string(key: string): string | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw this.invalid(`${key} must be a string.`);
    return v;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === undefined || v === "") throw this.invalid(`${key} is required.`);
    return v;
  }

  int(key: string): number | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw this.invalid(`${key} must be an integer.`);
    }
    return v;
  }

  strings(key: string): string[] | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
      throw this.invalid(`${key} must be a list of strings.`);
    }
    return v as string[];
  }

  stringMap(key: string): Record<string, string> | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) throw this.invalid(`${key} must be a map.`);
    for (const s of Object.values(v)) {
      if (typeof s !== "string") throw this.invalid(`${key} values must be strings.`);
    }
    return v as Record<string, string>;
  }

  list(key: string): JsonBody[] | undefined {
    const v = this.body[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== "object" || s === null)) {
      throw this.invalid(`${key} must be a list of structures.`);
    }
    return v as JsonBody[];
  }
}

export interface PageOptions {
  /** Ties a token to the query that issued it: a token from another query is rejected. */
  scope: string;
  maxResults: number | undefined;
  nextToken: string | undefined;
  defaultMax: number;
  limit: number;
  invalid: (message: string) => AwsError;
  maxResultsName?: string;
}

/** One page of `items` and the opaque token of the next one (absent on the last page). */
export function paginate<T>(
  items: readonly T[],
  options: PageOptions,
): {
  page: T[];
  nextToken: string | undefined;
} {
  const max = options.maxResults ?? options.defaultMax;
  if (max < 1 || max > options.limit) {
    const name = options.maxResultsName ?? "maxResults";
    throw options.invalid(`${name} must be between 1 and ${options.limit}.`);
  }
  let offset = 0;
  if (options.nextToken !== undefined) {
    offset = decodeToken(options.nextToken, options.scope) ?? -1;
    if (offset < 0) throw options.invalid("The specified nextToken is not valid.");
  }
  const page = items.slice(offset, offset + max);
  const next = offset + max;
  return {
    page,
    nextToken: next < items.length ? encodeToken(options.scope, next) : undefined,
  };
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString("base64url");
}

function decodeToken(token: string, scope: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { s, o } = parsed as { s?: unknown; o?: unknown };
    return s === scope && typeof o === "number" && Number.isInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps only `keys` of `object` (a summary shape of a stored object). */
export function pick<T extends object>(object: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = (object as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as Partial<T>;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

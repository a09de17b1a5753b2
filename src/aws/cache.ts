// Lives at module scope, so it survives warm Lambda invocations. Namespaces, service lists and
// task definitions change rarely; task endpoints and health are never cached here.

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
  settled: boolean;
}

/** Entries added between two sweeps of the expired ones. */
const SWEEP_EVERY = 1_000;

export class TtlCache {
  private readonly entries = new Map<string, Entry<unknown>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** The number of entries the last sweep left (see sweep). */
  private sweptAt = 0;

  /**
   * A cache over a parent belongs to one digest reading a whole scope at one instant: its
   * `shared` keeps what it loaded for the digest (`keep`), so a service's state is read once
   * however many judgements look at it. What the process-wide cache keeps with a TTL (topology,
   * immutable task definitions) it leaves there, so warm digests still skip them. (Whether an
   * adapter reads a whole scope is its read mode, not this.)
   */
  private readonly forOneDigest: boolean;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly parent?: TtlCache,
  ) {
    this.forOneDigest = parent !== undefined;
  }

  /** A cache for one digest over a whole scope (see `forOneDigest`), over the process-wide one. */
  static snapshotOver(parent: TtlCache): TtlCache {
    return new TtlCache(Date.now, parent);
  }

  /** For the cache's lifetime (one digest's): one load per key, a failed one forgotten. */
  keep<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.load(key, Number.POSITIVE_INFINITY, load);
  }

  /**
   * Shares one in-flight load between concurrent callers; a failed load is not cached. A cache
   * for one digest also keeps what it got for the rest of the digest, even once the process-wide
   * copy expires: a digest of thousands of services takes minutes and reads its scope as of one
   * instant, so a listing is read once per digest, not once a minute.
   */
  getOrLoad<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const parent = this.parent;
    if (!parent) return this.load(key, ttlMs, load);
    return this.keep(key, () => parent.getOrLoad(key, ttlMs, load));
  }

  private load<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key) as Entry<T> | undefined;
    if (hit && hit.expiresAt > this.now()) return hit.value;
    const value = load();
    const entry: Entry<T> = { expiresAt: this.now() + ttlMs, value, settled: false };
    this.sweep();
    this.entries.set(key, entry);
    value.then(
      () => {
        entry.settled = true;
      },
      () => {
        entry.settled = true;
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  /**
   * Shares a load that is still in flight, and keeps nothing once it settles: for reads that must
   * be fresh (service state, tasks, endpoints, metrics) but that several lookups running at the
   * same time in one container ask for identically.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.forOneDigest) return this.keep(key, load);
    const flying = this.inFlight.get(key) as Promise<T> | undefined;
    if (flying) return flying;
    const value = load();
    this.inFlight.set(key, value);
    const forget = () => {
      if (this.inFlight.get(key) === value) this.inFlight.delete(key);
    };
    value.then(forget, forget);
    return value;
  }

  /**
   * Forgets loads still in flight. A Lambda container frozen mid-request may thaw for the next
   * invocation with sockets that will only time out: new work must not wait on them.
   */
  dropPending(): void {
    for (const [key, entry] of this.entries) if (!entry.settled) this.entries.delete(key);
    this.inFlight.clear();
  }

  /** What this cache itself holds for this key (kept or in flight, not expired), if anything. */
  peek<T>(key: string): Promise<T> | undefined {
    const hit = this.entries.get(key);
    return hit !== undefined && hit.expiresAt > this.now() ? (hit.value as Promise<T>) : undefined;
  }

  /** Whether this cache itself holds a load for this key (kept or in flight, not expired). */
  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Entries held, expired ones included until a sweep drops them. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops expired entries once the cache has grown by SWEEP_EVERY since the last sweep: a warm
   * container lives for hours, and keys (task definitions, IP indexes, namespaces' pages) come
   * and go with the fleet; an expired entry is never read again, only replaced.
   */
  private sweep(): void {
    if (this.entries.size < this.sweptAt + SWEEP_EVERY) return;
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.settled && entry.expiresAt <= now) this.entries.delete(key);
    }
    this.sweptAt = this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }
}

export const TTL = {
  /** Namespaces and clusters: created by infrastructure changes, not by deploys. */
  topology: 5 * 60_000,
  /** Which services exist: changes on service create/delete. */
  serviceList: 60_000,
  /**
   * Security groups, network ACLs and route tables: an engineer fixing a rule during an incident
   * asks again a minute later and must see the new rule.
   */
  networkRules: 60_000,
  /** A task definition revision is immutable. */
  immutable: 24 * 60 * 60_000,
} as const;

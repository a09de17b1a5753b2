// At most N requests of one operation in flight per SDK client (one client per region and pace,
// so per account and region): a health answer with 500 clients, or a digest of thousands of
// services, never fires hundreds of DescribeServices at once. AWS throttles by rate; a burst of
// hundreds only spends the retry quota, while a queue of N keeps calls moving at AWS's pace.

/** A counting semaphore whose limit may change: `acquire` resolves with the function that releases the slot. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private current: number) {}

  get limit(): number {
    return this.current;
  }

  /** A lower limit lets in no one new until enough holders leave; a higher one admits waiters. */
  set limit(limit: number) {
    this.current = limit;
    while (this.active < this.current && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()?.();
    }
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.current) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter (`active` stays counted), unless the limit
      // was lowered below what is held.
      const next = this.active <= this.current ? this.waiting.shift() : undefined;
      if (next) next();
      else this.active--;
    };
  }
}

/** The factor a throttled attempt cuts the limit by: the SDK's adaptive mode's CUBIC beta. */
const DECREASE = 0.7;

/**
 * An operation's in-flight limit, additive increase and multiplicative decrease (as TCP, and
 * as the SDK's adaptive mode does for its send rate): a throttled attempt cuts it to 70 %, a window of
 * `limit` successful attempts raises it by one, up to `max`. AWS throttles by rate: at a few
 * requests a second, 16 in flight spend their retries against each other and fail every attempt,
 * where a queue of one or two keeps every call moving at the rate AWS accepts.
 */
export class AdaptiveLimit {
  readonly semaphore: Semaphore;
  private successes = 0;
  private lastCut = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly max: number,
    /** Throttles within this many ms of a cut are the same burst: one halving for them all. */
    private readonly coolDownMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.semaphore = new Semaphore(max);
  }

  throttled(): void {
    const at = this.now();
    if (at - this.lastCut < this.coolDownMs) return;
    this.lastCut = at;
    this.successes = 0;
    this.semaphore.limit = Math.max(1, Math.floor(this.semaphore.limit * DECREASE));
  }

  succeeded(): void {
    if (this.semaphore.limit >= this.max) return;
    this.successes++;
    if (this.successes >= this.semaphore.limit) {
      this.successes = 0;
      this.semaphore.limit = this.semaphore.limit + 1;
    }
  }
}

type Handler<I, O> = (args: I) => Promise<O>;

/**
 * SDK middlewares sharing one AdaptiveLimit per operation: `slots` (step "initialize", so a slot
 * is held through the SDK's own retries: a throttled call backing off does not let another one
 * in) and `attempts` (step "finalizeRequest", priority "low": inside the SDK's retry loop, it sees
 * each attempt, and a throttled one lowers the limit).
 */
export function concurrencyMiddleware<I, O>(
  limit: number,
  isThrottling: (error: unknown) => boolean = () => false,
) {
  const byOperation = new Map<string, AdaptiveLimit>();
  const of = (context: { commandName?: string }) => {
    const operation = context.commandName ?? "Unknown";
    let adaptive = byOperation.get(operation);
    if (!adaptive) {
      adaptive = new AdaptiveLimit(limit);
      byOperation.set(operation, adaptive);
    }
    return adaptive;
  };
  return {
    slots:
      (next: Handler<I, O>, context: { commandName?: string }) =>
      async (args: I): Promise<O> => {
        const release = await of(context).semaphore.acquire();
        try {
          return await next(args);
        } finally {
          release();
        }
      },
    attempts:
      (next: Handler<I, O>, context: { commandName?: string }) =>
      async (args: I): Promise<O> => {
        try {
          const out = await next(args);
          of(context).succeeded();
          return out;
        } catch (error) {
          if (isThrottling(error)) of(context).throttled();
          throw error;
        }
      },
  };
}

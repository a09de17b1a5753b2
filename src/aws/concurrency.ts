// At most N requests of one operation in flight per SDK client (one client per region and pace,
// so per account and region): a health answer with 500 clients, or a digest of thousands of
// services, never fires hundreds of DescribeServices at once. AWS throttles by rate; a burst of
// hundreds only spends the retry quota, while a queue of N keeps calls moving at AWS's pace.

/** A counting semaphore: `acquire` resolves with the function that releases the slot. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter: `active` stays counted.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

type Handler<I, O> = (args: I) => Promise<O>;

/**
 * SDK middleware (step "initialize", so a slot is held through the SDK's own retries: a throttled
 * call backing off does not let another one in). One semaphore per operation.
 */
export function concurrencyMiddleware<I, O>(limit: number) {
  const byOperation = new Map<string, Semaphore>();
  return (next: Handler<I, O>, context: { commandName?: string }) =>
    async (args: I): Promise<O> => {
      const operation = context.commandName ?? "Unknown";
      let semaphore = byOperation.get(operation);
      if (!semaphore) {
        semaphore = new Semaphore(limit);
        byOperation.set(operation, semaphore);
      }
      const release = await semaphore.acquire();
      try {
        return await next(args);
      } finally {
        release();
      }
    };
}

// Counts AWS calls and their overlap, for the CLI's --stats and the request log. Attached as
// SDK middleware, so it sees exactly what the real clients send (retries count once).

export interface CallRecord {
  operation: string;
  start: number;
  end: number;
  ok: boolean;
  /** A failed call's error code (ECONNREFUSED, ExpiredTokenException…): why AWS was not read. */
  code?: string;
}

export interface CallStats {
  calls: Record<string, number>;
  total: number;
  /** Longest chain of calls each started after the previous ended: the critical path. */
  sequentialRoundTrips: number;
}

export class CallLog {
  private records: CallRecord[] = [];

  record(entry: CallRecord): void {
    this.records.push(entry);
  }

  reset(): void {
    this.records = [];
  }

  /** The calls that failed, in the order they ended: the CLI tells "AWS unreadable" from an answer. */
  failures(): { operation: string; code: string }[] {
    return [...this.records]
      .filter((r) => !r.ok)
      .sort((a, b) => a.end - b.end)
      .map((r) => ({ operation: r.operation, code: r.code ?? "UnknownError" }));
  }

  /** How many calls AWS answered. */
  answered(): number {
    return this.records.filter((r) => r.ok).length;
  }

  stats(): CallStats {
    const calls: Record<string, number> = {};
    for (const r of this.records) calls[r.operation] = (calls[r.operation] ?? 0) + 1;
    return { calls, total: this.records.length, sequentialRoundTrips: criticalPath(this.records) };
  }
}

export function criticalPath(records: readonly CallRecord[]): number {
  const sorted = [...records].sort((a, b) => a.end - b.end);
  const depth: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const current = sorted[i] as CallRecord;
    let best = 0;
    for (let j = 0; j < i; j++) {
      const before = sorted[j] as CallRecord;
      if (before.end <= current.start) best = Math.max(best, depth[j] ?? 0);
    }
    depth.push(best + 1);
  }
  return Math.max(0, ...depth);
}

/** One log per process; a Lambda container serves one request at a time. */
export const callLog = new CallLog();

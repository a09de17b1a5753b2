// What the emulator saw: every request to a known operation, the calls per operation, the most
// served at once, and the critical path (sequential round trips) that the benchmarks report.

import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";

export type EmulatedService =
  | "ECS"
  | "ServiceDiscovery"
  | "CloudWatch"
  | "Route53"
  | "Lambda"
  | "SSM"
  | "EC2"
  | "ELBv2"
  | "STS"
  | "Route53Resolver"
  | "Route53Profiles";

export interface RecordedRequest {
  /** Operation name, e.g. "DescribeServices". */
  operation: string;
  service: EmulatedService;
  /**
   * The parsed JSON body; for Route 53 and Lambda GetFunctionConfiguration, the URI parameters
   * (`{ Id }`, `{ FunctionName, Qualifier }`); for EC2 and ELBv2, the form parameters
   * (`{ Action, … }`).
   */
  body: unknown;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** HTTP status sent, once the response is out. */
  status?: number;
  throttled?: boolean;
  /** Answered with an access-denied error (see `denyOperations`). */
  denied?: boolean;
}

export interface EmulatorStats {
  /**
   * Requests per operation, keyed "ECS.DescribeServices", "ServiceDiscovery.DiscoverInstances",
   * "CloudWatch.GetMetricData", "Route53.GetHostedZone", "EC2.DescribeSubnets".
   */
  calls: Record<string, number>;
  total: number;
  throttled: number;
  /** Requests answered with an access-denied error. */
  denied: number;
  /** Longest chain of requests each started after the previous one finished (the critical path). */
  sequentialRoundTrips: number;
  /** Requests refused before reaching an operation (unsigned, badly signed, unknown operation, bad JSON). */
  rejected: number;
  /** The most requests of each operation the emulator was serving at one moment. */
  maxInFlight: Record<string, number>;
}

interface Span {
  start: number;
  end: number;
}

/** Length of the longest chain of spans where each starts after the previous one ended. */
export function longestSequentialChain(spans: readonly Span[]): number {
  const events = spans.flatMap((s, i) => [
    { t: s.start, isStart: true, i },
    { t: s.end, isStart: false, i },
  ]);
  // At equal times a start sorts first: touching spans do not chain.
  events.sort((a, b) => a.t - b.t || Number(b.isStart) - Number(a.isStart));
  const depth: number[] = [];
  let finished = 0;
  let longest = 0;
  for (const e of events) {
    if (e.isStart) {
      depth[e.i] = finished + 1;
      longest = Math.max(longest, finished + 1);
    } else {
      finished = Math.max(finished, depth[e.i] ?? 0);
    }
  }
  return longest;
}

export class Recorder {
  readonly requests: RecordedRequest[] = [];
  private readonly calls: Record<string, number> = {};
  /** Requests of each operation being served right now, and the most ever at once. */
  private readonly inFlight: Record<string, number> = {};
  private readonly maxInFlight: Record<string, number> = {};
  private spans: Span[] = [];
  private throttled = 0;
  private denied = 0;
  private rejected = 0;

  /** Counts and records a request to `key`; its span and status are taken when `res` finishes. */
  begin(res: ServerResponse, start: number, key: string, record: RecordedRequest): void {
    this.calls[key] = (this.calls[key] ?? 0) + 1;
    this.requests.push(record);
    this.inFlight[key] = (this.inFlight[key] ?? 0) + 1;
    this.maxInFlight[key] = Math.max(this.maxInFlight[key] ?? 0, this.inFlight[key] ?? 0);
    res.on("close", () => {
      this.inFlight[key] = (this.inFlight[key] ?? 1) - 1;
    });
    res.on("finish", () => {
      this.spans.push({ start, end: performance.now() });
      record.status = res.statusCode;
    });
  }

  countThrottled(): void {
    this.throttled++;
  }

  countDenied(): void {
    this.denied++;
  }

  /** A request refused before reaching an operation. */
  countRejected(): void {
    this.rejected++;
  }

  stats(): EmulatorStats {
    const total = Object.values(this.calls).reduce((sum, n) => sum + n, 0);
    return {
      calls: { ...this.calls },
      total,
      throttled: this.throttled,
      denied: this.denied,
      sequentialRoundTrips: longestSequentialChain(this.spans),
      rejected: this.rejected,
      maxInFlight: { ...this.maxInFlight },
    };
  }

  reset(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
    for (const key of Object.keys(this.maxInFlight)) delete this.maxInFlight[key];
    this.requests.length = 0;
    this.spans = [];
    this.throttled = 0;
    this.denied = 0;
    this.rejected = 0;
  }
}

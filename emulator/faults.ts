// The fault layer: what befalls a request before its operation runs. Latency, random throttling,
// per-operation rate limits (token buckets, one per account, as AWS throttles each account on its
// own) and access denial. The protocols only say how their service spells each fault (`FaultErrors`).

import { performance } from "node:perf_hooks";
import { type AwsError, seededRandom } from "./wire.ts";

export interface FaultOptions {
  /** Delay before every response, in milliseconds. */
  latencyMs?: number;
  /**
   * Per-operation delay, keyed "ECS.DescribeServices" (or just "DescribeServices"); for one
   * cluster or namespace only, "ECS.DescribeServices:tutorial" or
   * "ServiceDiscovery.DiscoverInstances:staging" (the request's cluster or NamespaceName).
   */
  latencyByOperation?: Record<string, number>;
  /** Probability (0-1) that a request is answered with the service's throttling error. */
  throttleRate?: number;
  /** Operations the throttle applies to (keys or bare names); default all. */
  throttleOperations?: string[];
  /**
   * Requests per second each operation accepts, as AWS throttles: a token bucket per operation
   * (burst = the rate, refilled continuously); a request finding it empty gets the service's
   * throttling error. Keys like "ECS.DescribeServices" or bare names; "*" for every operation.
   */
  rateLimits?: Record<string, number>;
  /** Seed of the PRNGs behind throttling and the DiscoverInstances order; default 1. */
  seed?: number;
  /**
   * Operations answered with the service's access-denied error, as for a role missing the IAM
   * permission (keys like "CloudWatch.GetMetricData" or bare names; "ECS.ListServices:tutorial"
   * for one cluster only; "STS.AssumeRole:arn:aws:iam::…:role/…" for one role, as a role whose
   * trust policy does not name the bot; "ELBv2.DescribeTargetHealth:checkout-tg" for one target
   * group; "222222222222/ECS.ListClusters" in one account only): ECS, Cloud Map and Lambda
   * `AccessDeniedException`, CloudWatch, Route 53 and ELBv2 `AccessDenied`, EC2
   * `UnauthorizedOperation`.
   */
  denyOperations?: string[];
  /** The rate buckets' clock, in milliseconds (default `performance.now`): a test's own clock. */
  clock?: () => number;
}

/** How one service spells a throttled and a denied request. */
export interface FaultErrors {
  throttle: () => AwsError;
  denied: (operation: string, account: string) => AwsError;
}

/** What the fault layer decided for one request. */
export interface Verdict {
  throttled: boolean;
  denied: boolean;
  delayMs: number;
}

/** The identity named in access-denied messages. */
const DENIED_PRINCIPAL = "assumed-role/ecs-chatops/emulator";

/** IAM's access-denied sentence for `action` in `account`. */
export const notAuthorizedIn = (account: string, action: string) =>
  `User: arn:aws:sts::${account}:${DENIED_PRINCIPAL} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;

// "ECS.ListServices:tutorial" denies that operation on one cluster only, as an IAM policy
// scoped with the ecs:cluster condition key (or a cluster ARN) does: the rest still answers.
// "STS.AssumeRole:<role ARN>" denies one role, as its trust policy not naming the bot does.
// "ServiceDiscovery.DiscoverInstances:staging" names one namespace (see latencyByOperation).
// "ELBv2.DescribeTargetHealth:checkout-tg" names one target group (by the name in its ARN).
const qualifierOf = (body: unknown) => {
  const b = body as {
    cluster?: unknown;
    RoleArn?: unknown;
    NamespaceName?: unknown;
    TargetGroupArn?: unknown;
  } | null;
  if (typeof b?.RoleArn === "string") return b.RoleArn;
  if (typeof b?.TargetGroupArn === "string") return b.TargetGroupArn.split("/")[1];
  if (typeof b?.NamespaceName === "string") return b.NamespaceName;
  return typeof b?.cluster === "string" ? b.cluster.split("/").pop() : undefined;
};

const matchesOperation = (list: readonly string[], key: string, operation: string) =>
  list.includes(key) || list.includes(operation);

export class Faults {
  private latencyMs: number;
  private readonly latencyByOperation: Record<string, number>;
  private throttleRate: number;
  private throttleOperations: string[] | undefined;
  private rateLimits: Record<string, number>;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private throttleRandom: () => number;
  private deniedOperations: string[];
  private readonly clock: () => number;

  constructor(options: FaultOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.latencyByOperation = { ...options.latencyByOperation };
    this.throttleRate = options.throttleRate ?? 0;
    this.throttleOperations = options.throttleOperations;
    this.rateLimits = { ...options.rateLimits };
    this.throttleRandom = seededRandom(options.seed ?? 1);
    this.deniedOperations = [...(options.denyOperations ?? [])];
    this.clock = options.clock ?? (() => performance.now());
  }

  /**
   * Judges one request to `key` ("ECS.DescribeServices"). A request over its rate does not draw
   * from the throttling PRNG, and a throttled one is never also denied.
   */
  judge(key: string, operation: string, body: unknown, account: string): Verdict {
    const throttled =
      !this.withinRate(key, operation, account) || this.shouldThrottle(key, operation);
    const denied = !throttled && this.isDenied(key, operation, body, account);
    return { throttled, denied, delayMs: this.latencyFor(key, operation, body) };
  }

  setLatency(ms: number, operation?: string): void {
    if (operation === undefined) this.latencyMs = ms;
    else this.latencyByOperation[operation] = ms;
  }

  setThrottleRate(rate: number, operations?: string[]): void {
    this.throttleRate = rate;
    this.throttleOperations = operations;
  }

  setRateLimits(limits: Record<string, number>): void {
    this.rateLimits = { ...limits };
    this.buckets.clear();
  }

  setDenied(operations: string[]): void {
    this.deniedOperations = [...operations];
  }

  /** Restarts the throttling PRNG from `seed` and refills the rate buckets (a fresh emulator). */
  reseed(seed: number): void {
    this.throttleRandom = seededRandom(seed);
    this.buckets.clear();
  }

  /** Takes a token from the operation's bucket; false when AWS would throttle by rate. */
  private withinRate(key: string, operation: string, account: string): boolean {
    const rate = this.rateLimits[key] ?? this.rateLimits[operation] ?? this.rateLimits["*"];
    if (rate === undefined || rate <= 0) return true;
    const t = this.clock();
    const bucketKey = `${account}/${key}`;
    const bucket = this.buckets.get(bucketKey) ?? { tokens: rate, at: t };
    bucket.tokens = Math.min(rate, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    this.buckets.set(bucketKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private shouldThrottle(key: string, operation: string): boolean {
    if (this.throttleRate <= 0) return false;
    if (this.throttleOperations && !matchesOperation(this.throttleOperations, key, operation)) {
      return false;
    }
    return this.throttleRandom() < this.throttleRate;
  }

  private isDenied(key: string, operation: string, body: unknown, account: string): boolean {
    return (
      matchesOperation(this.deniedOperations, key, operation) ||
      this.deniedOperations.includes(`${key}:${qualifierOf(body) ?? ""}`) ||
      this.deniedOperations.includes(`${account}/${key}`)
    );
  }

  private latencyFor(key: string, operation: string, body: unknown): number {
    return (
      this.latencyByOperation[`${key}:${qualifierOf(body) ?? ""}`] ??
      this.latencyByOperation[key] ??
      this.latencyByOperation[operation] ??
      this.latencyMs
    );
  }
}

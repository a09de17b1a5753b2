import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { Route53Client } from "@aws-sdk/client-route-53";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { callLog } from "./call-log.ts";
import { concurrencyMiddleware } from "./concurrency.ts";
import { assumedRole, forgetOwnCredentials, ownCredentials } from "./credentials.ts";
import type { Ec2Sdk } from "./ec2.ts";
import { failureCode, isThrottling } from "./errors.ts";
import { type JsonService, SignedJsonClient } from "./signed-json.ts";

export interface AwsClients {
  region: string;
  ecs: ECSClient;
  cloudMap: ServiceDiscoveryClient;
  route53: Route53Client;
  cloudWatch: CloudWatchClient;
  /**
   * /ecs why: security groups, network ACLs, subnets, routes, VPC DNS attributes. Loaded on first
   * use: the EC2 client is 2.4 MB of bundle whose evaluation would add ~145 ms to every cold start
   * (measured: module load 211 → 355 ms), and only /ecs why needs it.
   */
  ec2: LazyEc2;
  /**
   * Application and Network Load Balancers: balancers, listeners, target groups, target health
   * (src/aws/elbv2.ts). A small client (~145 KB): created with the others.
   */
  elbv2: ElasticLoadBalancingV2Client;
  /** /ecs why: a Lambda client's VPC attachment (not the bot's own Invoke: src/aws/lambda.ts). */
  lambda: LambdaClient;
  /** /ecs why for a private DNS name: the VPC's Resolver rules. Created on first use. */
  route53Resolver: LazyJson;
  /** /ecs why for a private DNS name: the VPC's Route 53 Profile. Created on first use. */
  route53Profiles: LazyJson;
}

/**
 * Three attempts, and a request that hangs throws after 3 s instead of holding the invocation:
 * for the clients of what the bot inspects and of its own resources (tables, schedules).
 */
export const OWN_RESOURCE_CLIENT = {
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    throwOnRequestTimeout: true,
  },
} as const;

// Created once per region and pace and kept at module scope: warm Lambda invocations reuse the
// clients, their connections and their retry quota.
const byRegion = new Map<string, AwsClients>();

/**
 * How a read may wait on throttling: "interactive" (a Slack answer: standard retries, bounded)
 * or "fleet" (a scheduled digest reading thousands of services: adaptive retries, whose
 * client-side rate limiter slows the client down to what AWS accepts, and more attempts, so a
 * burst of throttling costs time, not services judged unknown).
 */
export type Pace = "interactive" | "fleet";

/**
 * How much a read covers: "request" (one answer: bounded reads, a page of a namespace, fresh
 * state shared only while in flight) or "scope" (a digest reading a whole scope at one instant:
 * whole listings, each service and task described once for the digest, batched reads serving single
 * ones). Given to the adapters when a context is built.
 */
export type ReadMode = "request" | "scope";

/**
 * Attempts of one interactive read. At 30 % random throttling a call fails all 7 with probability
 * 0.3^7 (0.02 %): a 15-call answer comes back whole 99.7 % of the time (bench/throttle.ts).
 */
export const INTERACTIVE_ATTEMPTS = 7;

/**
 * The wait before retry `attempt` (1-based): 100, 200, 400, then 800 ms, each jittered down to
 * half. The SDK's own standard mode waits from 1 s on throttling (retries-2026 config) and stops
 * at 3 attempts: at 30 % throttling a quarter of the answers came back partial, some after 9 s.
 * Worst case here, 3.1 s of waiting for one call. The request's deadline aborts the call in
 * flight; a retry still waiting then fails as soon as it is sent (at most 0.8 s later).
 */
export function interactiveBackoff(attempt: number): number {
  const base = Math.min(800, 100 * 2 ** (attempt - 1));
  return base / 2 + (Math.random() * base) / 2;
}

/**
 * The SDK's own retry settings, per client. "interactive": the SDK's ConfiguredRetryStrategy
 * (standard retries: a retry quota that refunds what a retried success cost, so only calls that
 * fail every attempt drain it) with more attempts and short backoff, bounded by the deadline.
 * "fleet": adaptive retries, whose client-side rate limiter slows the client down to what AWS
 * accepts and can hold a throttled request for many seconds, which suits fleet-wide digests,
 * not a Slack reply.
 */
let sdkDefaultRetries = false;

/**
 * Benchmarks only (bench/throttle.ts): interactive clients created from now on use the SDK's
 * default standard retries (3 attempts), to measure the tuned ones against them in one run.
 */
export function useSdkDefaultRetries(on: boolean): void {
  sdkDefaultRetries = on;
  forgetAwsClients();
}

// One credentials provider per role, for every client of it in every region: one AssumeRole,
// shared until shortly before it expires (temporary credentials are valid in every region).
const roles = new Map<string, ReturnType<typeof assumedRole>>();

function roleCredentials(roleArn: string, region: string) {
  let provider = roles.get(roleArn);
  if (!provider) {
    provider = assumedRole(roleArn, process.env.AWS_REGION ?? region, OWN_RESOURCE_CLIENT);
    roles.set(roleArn, provider);
  }
  return provider;
}

function sharedConfig(region: string, pace: Pace, roleArn?: string) {
  // One provider for all clients: the SDK's default, per client, would run a profile's
  // credential_process or SSO exchange once per client.
  const credentials = roleArn ? roleCredentials(roleArn, region) : ownCredentials();
  const base = { region, ...OWN_RESOURCE_CLIENT, credentials };
  // throwOnRequestTimeout (in OWN_RESOURCE_CLIENT): without it the installed
  // @smithy/node-http-handler only logs a warning when requestTimeout passes and the call waits
  // on: a hung socket would hold a deferred answer until the Lambda timeout.
  if (pace === "interactive" && sdkDefaultRetries) {
    return () => ({ ...base, retryMode: "standard" });
  }
  return pace === "fleet"
    ? () => ({ ...base, retryMode: "adaptive", maxAttempts: 8 })
    : () => ({
        ...base,
        maxAttempts: INTERACTIVE_ATTEMPTS,
        retryStrategy: new ConfiguredRetryStrategy(INTERACTIVE_ATTEMPTS, interactiveBackoff),
      });
}

/**
 * DiscoverInstances is sent to a `data-` host prefix. Behind an endpoint override (the loopback
 * emulator, a VPC endpoint) that prefix would break the host name, so it is turned off there.
 */
function endpointOverridden(service: string): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL || process.env[`AWS_ENDPOINT_URL_${service}`]);
}

type Handler<I, O> = (args: I) => Promise<O>;

/** Records each logical call (retries included in its duration) in the process's call log. */
function callLogMiddleware<I, O>() {
  return (next: Handler<I, O>, context: { commandName?: string }) =>
    async (args: I): Promise<O> => {
      const start = performance.now();
      let ok = false;
      let code: string | undefined;
      try {
        const out = await next(args);
        ok = true;
        return out;
      } catch (error) {
        code = failureCode(error);
        throw error;
      } finally {
        const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
        callLog.record({ operation, start, end: performance.now(), ok, ...(code ? { code } : {}) });
      }
    };
}

/**
 * Requests of one operation in flight at once, per client (see concurrency.ts). 16 keeps a
 * digest's DescribeServices batches and a big health answer moving (16 × 10 services per call at
 * 50 ms is 3,200 services a second) without bursts of hundreds.
 */
export const IN_FLIGHT_PER_OPERATION = 16;

interface MiddlewareStackLike {
  // biome-ignore lint/suspicious/noExplicitAny: each SDK client's stack has its own input/output types; these two middlewares are generic over them
  add(middleware: any, options: { step: "initialize"; name: string }): void;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  add(middleware: any, options: { step: "finalizeRequest"; priority: "low"; name: string }): void;
}

/** The call log (outermost: a call's time includes its wait for a slot) and the limit per operation. */
function instrument(stack: MiddlewareStackLike): void {
  stack.add(callLogMiddleware(), { step: "initialize", name: "ecsChatopsCallLog" });
  const concurrency = concurrencyMiddleware(IN_FLIGHT_PER_OPERATION, isThrottling);
  stack.add(concurrency.slots, { step: "initialize", name: "ecsChatopsConcurrency" });
  stack.add(concurrency.attempts, {
    step: "finalizeRequest",
    priority: "low",
    name: "ecsChatopsThrottleSignal",
  });
}

/** The EC2 client, created with the module on the first call and then reused. */
interface LazyEc2 {
  (): Promise<Ec2Sdk>;
  /** Destroys the client if it was ever created; never loads the module to do so. */
  destroy(): void;
}

function lazyEc2(config: ReturnType<typeof sharedConfig>): LazyEc2 {
  let loading: Promise<Ec2Sdk> | undefined;
  const get = () => {
    loading ??= import("@aws-sdk/client-ec2").then((sdk) => {
      const client = new sdk.EC2Client(config());
      instrument(client.middlewareStack);
      return { client, sdk };
    });
    return loading;
  };
  return Object.assign(get, {
    destroy: () => void loading?.then(({ client }) => client.destroy()),
  });
}

/** A signed JSON client (see signed-json.ts), created on the first call and then reused. */
interface LazyJson {
  (): SignedJsonClient;
  destroy(): void;
}

function lazyJson(service: JsonService, region: string, roleArn: string | undefined): LazyJson {
  let client: SignedJsonClient | undefined;
  const get = () => {
    client ??= new SignedJsonClient(
      service,
      region,
      roleArn ? roleCredentials(roleArn, region) : ownCredentials(),
      // Only interactive answers read them (/ecs why): the interactive retries.
      sdkDefaultRetries
        ? { attempts: 3, backoff: interactiveBackoff }
        : { attempts: INTERACTIVE_ATTEMPTS, backoff: interactiveBackoff },
      OWN_RESOURCE_CLIENT.requestHandler,
    );
    return client;
  };
  return Object.assign(get, { destroy: () => client?.destroy() });
}

export function awsClients(
  region: string,
  pace: Pace = "interactive",
  /** Clients of their own (their own retry quota and rate limiter): one per Lambda, in a bench. */
  group = "",
  /** Another account's read-only role, assumed through STS; the bot's own credentials without. */
  roleArn?: string,
): AwsClients {
  const key = `${pace}:${group}:${region}:${roleArn ?? ""}`;
  let clients = byRegion.get(key);
  if (!clients) {
    const config = sharedConfig(region, pace, roleArn);
    clients = {
      region,
      ecs: new ECSClient(config()),
      cloudMap: new ServiceDiscoveryClient({
        ...config(),
        disableHostPrefix: endpointOverridden("SERVICEDISCOVERY"),
      }),
      // Route 53 is a global service; its API lives in us-east-1.
      route53: new Route53Client({ ...config(), region: "us-east-1" }),
      cloudWatch: new CloudWatchClient(config()),
      ec2: lazyEc2(config),
      elbv2: new ElasticLoadBalancingV2Client(config()),
      lambda: new LambdaClient(config()),
      route53Resolver: lazyJson(
        { signingName: "route53resolver", endpointEnv: "ROUTE53RESOLVER" },
        region,
        roleArn,
      ),
      route53Profiles: lazyJson(
        { signingName: "route53profiles", endpointEnv: "ROUTE53PROFILES" },
        region,
        roleArn,
      ),
    };
    for (const client of [
      clients.ecs,
      clients.cloudMap,
      clients.route53,
      clients.cloudWatch,
      clients.elbv2,
      clients.lambda,
    ]) {
      instrument(client.middlewareStack);
    }
    byRegion.set(key, clients);
  }
  return clients;
}

/** For tests, the demo and each CLI run, which change endpoints or credentials between runs. */
export function forgetAwsClients(): void {
  for (const c of byRegion.values()) {
    c.ecs.destroy();
    c.cloudMap.destroy();
    c.route53.destroy();
    c.cloudWatch.destroy();
    c.ec2.destroy();
    c.elbv2.destroy();
    c.lambda.destroy();
    c.route53Resolver.destroy();
    c.route53Profiles.destroy();
  }
  byRegion.clear();
  roles.clear();
  forgetOwnCredentials();
}

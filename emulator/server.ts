// A loopback AWS emulator: a node:http server on 127.0.0.1 speaking the real wire protocols of the
// operations the bot calls, so the real SDK v3 clients reach it unchanged (through `endpoint` or
// AWS_ENDPOINT_URL). Test and demo infrastructure only, never shipped; see README.md beside it.
// This file composes the parts: accounts (which fleet a request reads), the fault layer, the
// recorder, and one handler per wire protocol (protocols/), routed by the request's shape.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Accounts, type ServiceOperations } from "./accounts.ts";
import { cloudMapOperations } from "./cloud-map.ts";
import { cloudWatchOperations } from "./cloudwatch/operations.ts";
import { ec2Operations } from "./ec2.ts";
import { ecsOperations } from "./ecs.ts";
import { elbv2Operations } from "./elbv2.ts";
import { type FaultOptions, Faults } from "./faults.ts";
import type { Fleet } from "./fleet/types.ts";
import { Pipeline } from "./pipeline.ts";
import { awsJsonProtocol } from "./protocols/aws-json.ts";
import { ec2QueryProtocol } from "./protocols/ec2-query.ts";
import { ELBV2_SIGNING_NAME, elbv2QueryProtocol } from "./protocols/elbv2-query.ts";
import { FORM, readBody, sendJsonError } from "./protocols/http.ts";
import { type Invocation, lambdaRestJsonProtocol } from "./protocols/lambda-rest-json.ts";
import { profilesRestJsonProtocol } from "./protocols/profiles-rest-json.ts";
import { route53RestXmlProtocol } from "./protocols/route53-rest-xml.ts";
import { credentialScope } from "./protocols/signature.ts";
import { stsQueryProtocol } from "./protocols/sts-query.ts";
import { type EmulatorStats, type RecordedRequest, Recorder } from "./recorder.ts";
import { route53ResolverOperations } from "./route53-resolver.ts";
import { ssmOperations } from "./ssm.ts";
import { AwsError, seededRandom } from "./wire.ts";

export type { FaultOptions } from "./faults.ts";
export type { Invocation } from "./protocols/lambda-rest-json.ts";
export {
  type EmulatedService,
  type EmulatorStats,
  longestSequentialChain,
  type RecordedRequest,
} from "./recorder.ts";

/** Faults (latency, throttling, rate limits, denial: see faults.ts) and what the emulator serves. */
export interface EmulatorOptions extends FaultOptions {
  /** The bot's own account and region: what its own credentials read. */
  fleet: Fleet;
  /**
   * Fleets of other accounts and regions. A request reads the fleet of its credentials' account
   * (the role's, for credentials from STS AssumeRole; the bot's own otherwise) in the region of its
   * signature's credential scope; an account and region with no fleet is empty, as AWS answers.
   * Without these, a request signed for another region than `fleet`'s is refused.
   */
  otherFleets?: Fleet[];
  /** Port on 127.0.0.1; default 0 (any free port, see `url`). */
  port?: number;
  /** Return DiscoverInstances results in a (seeded) random order, as AWS does; default true. */
  shuffleDiscoverInstances?: boolean;
  /** The clock behind the synthetic CloudWatch series, epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Series one CloudWatch SEARCH returns at most; default 500, as AWS. */
  searchSeriesMax?: number;
  /** Metrics one GetMetricData call retrieves, search series included; default 500, as AWS. */
  metricsPerCallMax?: number;
  /** SSM parameters (name → value) that GetParameters serves, as SecureStrings. */
  parameters?: Record<string, string>;
  /**
   * Called for each Lambda Invoke after its answer has left, as Lambda runs an "Event" invocation
   * after accepting it. Tests hand the payload to the handler to play the asynchronous run.
   */
  onInvoke?: (invocation: Invocation) => void;
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  stats(): EmulatorStats;
  requests: RecordedRequest[];
  resetStats(): void;
  setLatency(ms: number, operation?: string): void;
  setThrottleRate(rate: number, operations?: string[]): void;
  /** Replaces the per-operation rate limits (see `rateLimits`); `{}` lifts them. */
  setRateLimits(limits: Record<string, number>): void;
  /** Replaces the denied operations (see `denyOperations`); `[]` allows everything again. */
  setDenied(operations: string[]): void;
  /**
   * Serves another fleet as the bot's own from the next request on (the other accounts' stay),
   * and restarts the throttling and shuffling PRNGs from `seed` (default: the emulator's), so one
   * emulator replays a seeded fleet as a fresh one would. Rate-limit buckets are refilled.
   */
  setFleet(fleet: Fleet, seed?: number): void;
  /** Replaces the Lambda Invoke callback (see `onInvoke`). */
  setOnInvoke(callback: ((invocation: Invocation) => void) | undefined): void;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  // Cloud Map's DiscoverInstances order has its own PRNG, restarted with the throttling one.
  let shuffleRandom = seededRandom(seed ^ 0x5bd1e995);
  const operationsOf = (f: Fleet): ServiceOperations => ({
    json: {
      AmazonEC2ContainerServiceV20141113: ecsOperations(f),
      Route53AutoNaming_v20170314: cloudMapOperations(f, {
        shuffle: options.shuffleDiscoverInstances === false ? undefined : () => shuffleRandom(),
      }),
      GraniteServiceVersion20100801: cloudWatchOperations({
        now,
        fleet: f,
        searchSeriesMax: options.searchSeriesMax,
        metricsPerCallMax: options.metricsPerCallMax,
      }),
      AmazonSSM: ssmOperations(options.parameters ?? {}, f),
      Route53Resolver: route53ResolverOperations(f),
    },
    ec2: ec2Operations(f),
    elbv2: elbv2Operations(f),
  });
  const accounts = new Accounts(options.fleet, options.otherFleets ?? [], now, operationsOf);
  const faults = new Faults(options);
  const recorder = new Recorder();
  const pipeline = new Pipeline(accounts, faults, recorder);
  const invokes = { onInvoke: options.onInvoke };

  const handleJson = awsJsonProtocol(pipeline);
  const handleEc2 = ec2QueryProtocol(pipeline);
  const handleElbv2 = elbv2QueryProtocol(pipeline);
  const handleSts = stsQueryProtocol(pipeline);
  const handleRoute53 = route53RestXmlProtocol(pipeline);
  const handleLambda = lambdaRestJsonProtocol(pipeline, invokes);
  const handleProfiles = profilesRestJsonProtocol(pipeline);

  // Query-protocol services share the form POST: the signature's service tells them apart.
  const queryHandler = (service: string | undefined) =>
    service === "sts" ? handleSts : service === ELBV2_SIGNING_NAME ? handleElbv2 : handleEc2;

  const server = createServer((req, res) => {
    const start = performance.now();
    const target = req.headers["x-amz-target"];
    const url = req.url ?? "";
    const work =
      typeof target === "string"
        ? handleJson(req, res, start, target)
        : req.method === "POST" && (req.headers["content-type"] ?? "").startsWith(FORM)
          ? queryHandler(credentialScope(req)?.service)(req, res, start)
          : url.startsWith("/2013-04-01/")
            ? handleRoute53(req, res, start)
            : url.startsWith("/2015-03-31/")
              ? handleLambda(req, res, start)
              : url.startsWith("/profileassociations")
                ? handleProfiles(req, res, start)
                : readBody(req).then(() => {
                    pipeline.reject();
                    sendJsonError(
                      res,
                      new AwsError("UnknownOperationException", "Missing X-Amz-Target header."),
                    );
                  });
    work.catch((error: unknown) => {
      console.error("emulator: request failed", error);
      if (!res.headersSent)
        sendJsonError(res, new AwsError("InternalFailure", "Internal error.", 500));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: recorder.requests,
    stats: () => recorder.stats(),
    resetStats: () => recorder.reset(),
    setLatency: (ms, operation) => faults.setLatency(ms, operation),
    setRateLimits: (limits) => faults.setRateLimits(limits),
    setThrottleRate: (rate, operations) => faults.setThrottleRate(rate, operations),
    setDenied: (operations) => faults.setDenied(operations),
    setFleet(next, nextSeed = seed) {
      accounts.setOwn(next);
      faults.reseed(nextSeed);
      shuffleRandom = seededRandom(nextSeed ^ 0x5bd1e995);
    },
    setOnInvoke(callback) {
      invokes.onInvoke = callback;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

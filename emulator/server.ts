// A loopback AWS emulator: a node:http server on 127.0.0.1 speaking the real wire protocols of the
// operations the bot calls, so the real SDK v3 clients reach it unchanged (through `endpoint` or
// AWS_ENDPOINT_URL): ECS, Cloud Map, CloudWatch and SSM (AWS JSON), Route 53 GetHostedZone
// (REST-XML), EC2 DescribeSecurityGroups/NetworkAcls/RouteTables/Subnets/VpcAttribute/Vpcs/
// DhcpOptions and DescribeNetworkInterfaces (EC2 Query, see ec2.ts), Route 53 Resolver's rule reads
// (AWS JSON 1.1), Route 53 Profiles ListProfileAssociations and Lambda Invoke and
// GetFunctionConfiguration (REST-JSON). Test and demo infrastructure only, never shipped.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { cloudMapOperations } from "./cloud-map.ts";
import { cloudWatchOperations, cloudWatchThrottle } from "./cloudwatch.ts";
import { ec2AuthError, ec2ErrorXml, ec2Operations, ec2ResponseXml, runEc2 } from "./ec2.ts";
import { ecsOperations } from "./ecs.ts";
import type { Fleet } from "./fleet.ts";
import { errorXml, getHostedZoneXml } from "./route53.ts";
import { listProfileAssociations, PROFILE_ASSOCIATIONS_PATH } from "./route53-profiles.ts";
import { route53ResolverOperations } from "./route53-resolver.ts";
import { ssmOperations } from "./ssm.ts";
import { CredentialIssuer, stsErrorXml, stsResponseXml } from "./sts.ts";
import { AwsError, type JsonBody, type Operation, seededRandom, toWireJson } from "./wire.ts";

export type EmulatedService =
  | "ECS"
  | "ServiceDiscovery"
  | "CloudWatch"
  | "Route53"
  | "Lambda"
  | "SSM"
  | "EC2"
  | "STS"
  | "Route53Resolver"
  | "Route53Profiles";

/** What an emulated Lambda Invoke hands over: the function, the raw payload and the invocation type. */
export interface Invocation {
  functionName: string;
  payload: unknown;
  invocationType: string;
}

export interface EmulatorOptions {
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
  /** Return DiscoverInstances results in a (seeded) random order, as AWS does; default true. */
  shuffleDiscoverInstances?: boolean;
  /**
   * Operations answered with the service's access-denied error, as for a role missing the IAM
   * permission (keys like "CloudWatch.GetMetricData" or bare names; "ECS.ListServices:tutorial"
   * for one cluster only; "STS.AssumeRole:arn:aws:iam::…:role/…" for one role, as a role whose
   * trust policy does not name the bot; "222222222222/ECS.ListClusters" in one account only): ECS, Cloud Map and Lambda `AccessDeniedException`, CloudWatch and
   * Route 53 `AccessDenied`, EC2 `UnauthorizedOperation`.
   */
  denyOperations?: string[];
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

export interface RecordedRequest {
  /** Operation name, e.g. "DescribeServices". */
  operation: string;
  service: EmulatedService;
  /**
   * The parsed JSON body; for Route 53 and Lambda GetFunctionConfiguration, the URI parameters
   * (`{ Id }`, `{ FunctionName, Qualifier }`); for EC2, the form parameters (`{ Action, … }`).
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

interface JsonProtocol {
  service: Exclude<EmulatedService, "Route53" | "Lambda" | "Route53Profiles">;
  signingName: string;
  /** AWS JSON 1.1 (ECS, Cloud Map) or 1.0 (CloudWatch). */
  contentType: string;
  /**
   * CloudWatch keeps its Query-protocol error codes: JSON errors carry them in `x-amzn-query-error`
   * (`<Code>;Sender`), the header the SDK reads first.
   */
  queryCompatible: boolean;
  throttle: () => AwsError;
  denied: (operation: string, account: string) => AwsError;
  /** Cloud Map's error shapes use `Message`, ECS's and CloudWatch's `message`. */
  messageKey: "message" | "Message";
}

interface Span {
  start: number;
  end: number;
}

const JSON_1_1 = "application/x-amz-json-1.1";
const JSON_1_0 = "application/x-amz-json-1.0";
/** The identity named in access-denied messages. */
const DENIED_PRINCIPAL = "assumed-role/ecs-chatops/emulator";
const HOSTED_ZONE_PATH = /^\/2013-04-01\/hostedzone\/([^/?]+)$/;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations$/;
const CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/configuration$/;
// ListFunctions: GET /2015-03-31/functions (API_ListFunctions; the SDK sends no trailing slash).
const LIST_FUNCTIONS_PATH = /^\/2015-03-31\/functions\/?$/;
/** "ListFunctions returns a maximum of 50 items in each response" (API_ListFunctions, MaxItems). */
const LIST_FUNCTIONS_MAX = 50;
const FORM = "application/x-www-form-urlencoded";

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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The credential scope of a SigV4 Authorization header (keyid/date/region/service/aws4_request). */
function credentialScope(
  req: IncomingMessage,
): { accessKeyId: string; region: string; service: string } | undefined {
  const credential = /Credential=([^,\s]+)/.exec(req.headers.authorization ?? "")?.[1];
  const [accessKeyId, , region, service] = (credential ?? "").split("/");
  return accessKeyId && region && service ? { accessKeyId, region, service } : undefined;
}

/** Checks the SigV4 Authorization header's form and credential scope (not the signature itself). */
function checkSignature(
  req: IncomingMessage,
  signingName: string,
  region: string | undefined,
): AwsError | undefined {
  const header = req.headers.authorization;
  if (header === undefined) {
    return new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  }
  const incomplete = (message: string) =>
    new AwsError("IncompleteSignatureException", message, 403);
  if (!header.startsWith("AWS4-HMAC-SHA256 ")) {
    return incomplete(
      `Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${header.split(" ")[0]}`,
    );
  }
  const params = new Map(
    header
      .slice("AWS4-HMAC-SHA256 ".length)
      .split(",")
      .map((part) => {
        const [k = "", ...v] = part.trim().split("=");
        return [k, v.join("=")] as const;
      }),
  );
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!params.get(name)) {
      return incomplete(
        `Authorization header requires '${name}' parameter. Authorization=${header}`,
      );
    }
  }
  if (req.headers["x-amz-date"] === undefined && req.headers.date === undefined) {
    return incomplete(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const scope = (params.get("Credential") ?? "").split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    return incomplete(
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
    );
  }
  if (!(params.get("SignedHeaders") ?? "").split(";").includes("host")) {
    return new AwsError("InvalidSignatureException", "'Host' must be a signed header.", 403);
  }
  if (scope[3] !== signingName) {
    return new AwsError(
      "InvalidSignatureException",
      `Credential should be scoped to correct service: '${signingName}'. `,
      403,
    );
  }
  if (region !== undefined && scope[2] !== region) {
    return new AwsError(
      "InvalidSignatureException",
      "Credential should be scoped to a valid region. ",
      403,
    );
  }
  return undefined;
}

// A function named as Lambda accepts it: `name`, `name:qualifier`, `123456789012:function:name` or
// the full ARN, each with an optional `:qualifier` (API_GetFunctionConfiguration, FunctionName).
const FUNCTION_REF =
  /^(?:(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;

/** Lambda GetFunctionConfiguration: the stored configuration of `ref` (a name or an ARN). */
function functionConfiguration(fleet: Fleet, ref: string, qualifierParam: string | undefined) {
  const match = FUNCTION_REF.exec(ref);
  const name = match?.[1] ?? ref;
  const qualifier = qualifierParam ?? match?.[2];
  const found = fleet.lambdaFunctions?.find(
    (f) =>
      f.FunctionName === name &&
      (qualifier === undefined || qualifier === "$LATEST" || qualifier === f.Version),
  );
  if (!found) {
    const arn = `arn:aws:lambda:${fleet.region}:${fleet.accountId}:function:${name}`;
    throw new AwsError(
      "ResourceNotFoundException",
      `Function not found: ${qualifier === undefined ? arn : `${arn}:${qualifier}`}`,
      404,
    );
  }
  return found;
}

/** Lambda ListFunctions: one page of the stored configurations; NextMarker while more remain. */
function listFunctions(fleet: Fleet, marker: string | undefined, maxItems: string | undefined) {
  const all = fleet.lambdaFunctions ?? [];
  const start = marker ? Number(marker) : 0;
  if (!Number.isInteger(start) || start < 0 || start > all.length) {
    throw new AwsError("InvalidParameterValueException", `Invalid marker: ${marker}`);
  }
  const size = Math.min(
    Math.max(1, Number(maxItems ?? LIST_FUNCTIONS_MAX) || 1),
    LIST_FUNCTIONS_MAX,
  );
  const end = start + size;
  return {
    Functions: all.slice(start, end),
    ...(end < all.length ? { NextMarker: String(end) } : {}),
  };
}

export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  // `let`: setFleet swaps the bot's own fleet (property tests ask many fleets of one emulator).
  let fleet = options.fleet;
  const fleets = [fleet, ...(options.otherFleets ?? [])];
  let latencyMs = options.latencyMs ?? 0;
  const latencyByOperation: Record<string, number> = { ...options.latencyByOperation };
  let throttleRate = options.throttleRate ?? 0;
  let rateLimits: Record<string, number> = { ...options.rateLimits };
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Takes a token from the operation's bucket; false when AWS would throttle by rate. */
  // AWS throttles each account on its own: one bucket per operation and account.
  const withinRate = (key: string, operation: string, account: string): boolean => {
    const rate = rateLimits[key] ?? rateLimits[operation] ?? rateLimits["*"];
    if (rate === undefined || rate <= 0) return true;
    const t = performance.now();
    const bucketKey = `${account}/${key}`;
    const bucket = buckets.get(bucketKey) ?? { tokens: rate, at: t };
    bucket.tokens = Math.min(rate, bucket.tokens + ((t - bucket.at) / 1000) * rate);
    bucket.at = t;
    buckets.set(bucketKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  let throttleOperations = options.throttleOperations;
  const seed = options.seed ?? 1;
  let throttleRandom = seededRandom(seed);
  let shuffleRandom = seededRandom(seed ^ 0x5bd1e995);
  let deniedOperations = [...(options.denyOperations ?? [])];
  const now = options.now ?? Date.now;
  const issuer = new CredentialIssuer(now);
  const notAuthorizedIn = (account: string, action: string) =>
    `User: arn:aws:sts::${account}:${DENIED_PRINCIPAL} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;

  /** An account and region without a fleet: every list empty, as a fresh account answers. */
  const empty = new Map<string, Fleet>();
  const fleetIn = (account: string, region: string | undefined): Fleet => {
    const found = fleets.find(
      (f) => f.accountId === account && (region === undefined || f.region === region),
    );
    if (found) return found;
    const key = `${account}:${region}`;
    const none: Fleet = empty.get(key) ?? {
      region: region ?? fleet.region,
      accountId: account,
      clusters: [],
      services: [],
      tasks: [],
      taskDefinitions: [],
      namespaces: [],
      cloudMapServices: [],
      instances: [],
      hostedZones: [],
    };
    empty.set(key, none);
    return none;
  };
  /**
   * The fleet a signed request reads (see `otherFleets`), or the AwsError its credentials get
   * (expired). `anyRegion`: a global service (Route 53), or several fleets to choose from.
   */
  const fleetOf = (req: IncomingMessage, global = false): Fleet => {
    const scope = credentialScope(req);
    const account = issuer.accountOf(scope?.accessKeyId ?? "") ?? fleet.accountId;
    return fleetIn(account, global ? undefined : (scope?.region ?? fleet.region));
  };
  const fleetOrError = (req: IncomingMessage, global = false): Fleet | AwsError => {
    try {
      return fleetOf(req, global);
    } catch (error) {
      if (error instanceof AwsError) return error;
      throw error;
    }
  };
  /** The region a request must be signed for: any, once other fleets exist. */
  const signedRegion = fleets.length > 1 ? undefined : fleet.region;

  const perFleet = new Map<Fleet, ReturnType<typeof operationsOf>>();
  const operationsOf = (f: Fleet) => ({
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
    } as Record<string, Record<string, Operation>>,
    ec2: ec2Operations(f),
  });
  const operationsFor = (f: Fleet) => {
    let ops = perFleet.get(f);
    if (!ops) {
      ops = operationsOf(f);
      perFleet.set(f, ops);
    }
    return ops;
  };

  const protocols: Record<string, JsonProtocol> = {
    AmazonEC2ContainerServiceV20141113: {
      service: "ECS",
      signingName: "ecs",
      contentType: JSON_1_1,
      queryCompatible: false,
      throttle: () => new AwsError("ThrottlingException", "Rate exceeded"),
      // Modelled by ECS, with HTTP 403.
      denied: (op, account) =>
        new AwsError("AccessDeniedException", notAuthorizedIn(account, `ecs:${op}`), 403),
      messageKey: "message",
    },
    Route53AutoNaming_v20170314: {
      service: "ServiceDiscovery",
      signingName: "servicediscovery",
      contentType: JSON_1_1,
      queryCompatible: false,
      throttle: () => new AwsError("RequestLimitExceeded", "Rate exceeded"),
      // Not modelled by Cloud Map: the SDK raises ServiceDiscoveryServiceException with this name.
      denied: (op, account) =>
        new AwsError(
          "AccessDeniedException",
          notAuthorizedIn(account, `servicediscovery:${op}`),
          400,
        ),
      messageKey: "Message",
    },
    GraniteServiceVersion20100801: {
      service: "CloudWatch",
      signingName: "monitoring",
      contentType: JSON_1_0,
      queryCompatible: true,
      throttle: cloudWatchThrottle,
      // The Query code AccessDenied (not modelled: CloudWatchServiceException named AccessDenied).
      denied: (op, account) =>
        new AwsError(
          "AccessDenied",
          notAuthorizedIn(account, `cloudwatch:${op}`),
          403,
          "com.amazon.coral.service#AccessDeniedException",
        ),
      messageKey: "message",
    },
    AmazonSSM: {
      service: "SSM",
      signingName: "ssm",
      contentType: JSON_1_1,
      queryCompatible: false,
      throttle: () => new AwsError("ThrottlingException", "Rate exceeded"),
      denied: (op, account) =>
        new AwsError("AccessDeniedException", notAuthorizedIn(account, `ssm:${op}`), 400),
      messageKey: "message",
    },
    // Its error shapes carry `Message` (botocore route53resolver model).
    Route53Resolver: {
      service: "Route53Resolver",
      signingName: "route53resolver",
      contentType: JSON_1_1,
      queryCompatible: false,
      throttle: () => new AwsError("ThrottlingException", "Rate exceeded"),
      denied: (op, account) =>
        new AwsError(
          "AccessDeniedException",
          notAuthorizedIn(account, `route53resolver:${op}`),
          400,
        ),
      messageKey: "Message",
    },
  };

  const calls: Record<string, number> = {};
  /** Requests of each operation being served right now, and the most ever at once. */
  const inFlight: Record<string, number> = {};
  const maxInFlight: Record<string, number> = {};
  const requests: RecordedRequest[] = [];
  let spans: Span[] = [];
  let throttled = 0;
  let denied = 0;
  let rejected = 0;

  const matchesOperation = (list: readonly string[], key: string, operation: string) =>
    list.includes(key) || list.includes(operation);
  const latencyFor = (key: string, operation: string, body: unknown) =>
    latencyByOperation[`${key}:${qualifierOf(body) ?? ""}`] ??
    latencyByOperation[key] ??
    latencyByOperation[operation] ??
    latencyMs;
  const shouldThrottle = (key: string, operation: string) => {
    if (throttleRate <= 0) return false;
    if (throttleOperations && !matchesOperation(throttleOperations, key, operation)) return false;
    return throttleRandom() < throttleRate;
  };
  // "ECS.ListServices:tutorial" denies that operation on one cluster only, as an IAM policy
  // scoped with the ecs:cluster condition key (or a cluster ARN) does: the rest still answers.
  // "STS.AssumeRole:<role ARN>" denies one role, as its trust policy not naming the bot does.
  // "ServiceDiscovery.DiscoverInstances:staging" names one namespace (see latencyByOperation).
  const qualifierOf = (body: unknown) => {
    const b = body as { cluster?: unknown; RoleArn?: unknown; NamespaceName?: unknown } | null;
    if (typeof b?.RoleArn === "string") return b.RoleArn;
    if (typeof b?.NamespaceName === "string") return b.NamespaceName;
    return typeof b?.cluster === "string" ? b.cluster.split("/").pop() : undefined;
  };
  const isDenied = (key: string, operation: string, body: unknown, account: string) =>
    matchesOperation(deniedOperations, key, operation) ||
    deniedOperations.includes(`${key}:${qualifierOf(body) ?? ""}`) ||
    deniedOperations.includes(`${account}/${key}`);

  const sendJson = (
    res: ServerResponse,
    status: number,
    payload: string,
    contentType = JSON_1_1,
    errorHeaders: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      "content-type": contentType,
      "content-length": Buffer.byteLength(payload),
      "x-amzn-requestid": randomUUID(),
      ...errorHeaders,
    });
    res.end(payload);
  };
  const sendJsonError = (res: ServerResponse, error: AwsError, protocol?: JsonProtocol) => {
    const type = error.type ?? error.code;
    const messageKey = error.status === 500 ? "message" : (protocol?.messageKey ?? "message");
    const headers: Record<string, string> = { "x-amzn-errortype": type.split("#").pop() ?? type };
    if (protocol?.queryCompatible) {
      headers["x-amzn-query-error"] =
        `${error.code};${error.status >= 500 ? "Receiver" : "Sender"}`;
    }
    sendJson(
      res,
      error.status,
      JSON.stringify({ __type: type, [messageKey]: error.message }),
      protocol?.contentType,
      headers,
    );
  };
  const sendXml = (res: ServerResponse, status: number, payload: string, requestId: string) => {
    res.writeHead(status, {
      "content-type": "text/xml",
      "content-length": Buffer.byteLength(payload),
      "x-amzn-requestid": requestId,
    });
    res.end(payload);
  };
  const sendXmlError = (res: ServerResponse, error: AwsError) => {
    const requestId = randomUUID();
    sendXml(
      res,
      error.status,
      errorXml(error.code, error.message, requestId, error.status),
      requestId,
    );
  };

  /** Counts, records, throttles, denies, delays, runs and times one request to a known operation. */
  const serve = async (
    res: ServerResponse,
    start: number,
    record: RecordedRequest,
    errors: { throttle: () => AwsError; denied: (operation: string, account: string) => AwsError },
    run: () => void,
    fail: (error: AwsError) => void,
    /** The account whose rate limit and denials apply. */
    account: string,
  ) => {
    const key = `${record.service}.${record.operation}`;
    calls[key] = (calls[key] ?? 0) + 1;
    requests.push(record);
    inFlight[key] = (inFlight[key] ?? 0) + 1;
    maxInFlight[key] = Math.max(maxInFlight[key] ?? 0, inFlight[key] ?? 0);
    res.on("close", () => {
      inFlight[key] = (inFlight[key] ?? 1) - 1;
    });
    res.on("finish", () => {
      spans.push({ start, end: performance.now() });
      record.status = res.statusCode;
    });
    record.throttled =
      !withinRate(key, record.operation, account) || shouldThrottle(key, record.operation);
    if (!record.throttled && isDenied(key, record.operation, record.body, account))
      record.denied = true;
    const delay = latencyFor(key, record.operation, record.body);
    if (delay > 0) await sleep(delay);
    if (record.throttled) {
      throttled++;
      fail(errors.throttle());
      return;
    }
    if (record.denied) {
      denied++;
      fail(errors.denied(record.operation, account));
      return;
    }
    try {
      run();
    } catch (error) {
      if (error instanceof AwsError) fail(error);
      else {
        console.error("emulator: operation failed", error);
        fail(
          new AwsError(
            "InternalFailure",
            "The request processing has failed because of an unknown error.",
            500,
          ),
        );
      }
    }
  };

  const handleJson = async (
    req: IncomingMessage,
    res: ServerResponse,
    start: number,
    target: string,
  ) => {
    const dot = target.lastIndexOf(".");
    const prefix = target.slice(0, dot);
    const protocol = protocols[prefix];
    const operationName = target.slice(dot + 1);
    // Every fleet has the same operations: the bot's own tells which exist.
    const known = Object.hasOwn(operationsFor(fleet).json[prefix] ?? {}, operationName);
    const raw = await readBody(req);
    if (!protocol || !known) {
      rejected++;
      sendJsonError(
        res,
        new AwsError("UnknownOperationException", `Unknown operation ${target}`),
        protocol,
      );
      return;
    }
    const where = checkSignature(req, protocol.signingName, signedRegion) ?? fleetOrError(req);
    if (where instanceof AwsError) {
      rejected++;
      sendJsonError(res, where, protocol);
      return;
    }
    const operation = operationsFor(where).json[prefix]?.[operationName];
    if (!operation) throw new Error(`no ${target} for account ${where.accountId}`);
    let body: JsonBody;
    try {
      const parsed: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as JsonBody;
    } catch {
      rejected++;
      sendJsonError(
        res,
        new AwsError(
          "SerializationException",
          "Start of structure or map found where not expected.",
        ),
        protocol,
      );
      return;
    }
    await serve(
      res,
      start,
      { operation: operationName, service: protocol.service, body, at: Date.now() },
      protocol,
      () => sendJson(res, 200, toWireJson(operation(body)), protocol.contentType),
      (error) => sendJsonError(res, error, protocol),
      where.accountId,
    );
  };

  const handleRoute53 = async (req: IncomingMessage, res: ServerResponse, start: number) => {
    await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const match = req.method === "GET" ? HOSTED_ZONE_PATH.exec(path) : null;
    if (!match) {
      rejected++;
      sendXmlError(
        res,
        new AwsError("UnknownOperationException", `Unknown operation ${req.method} ${path}`),
      );
      return;
    }
    // Route 53 is global (signed for us-east-1 in AWS); with a custom endpoint the SDK signs for the
    // client's region, so only the service name of the scope is checked.
    const where = checkSignature(req, "route53", undefined) ?? fleetOrError(req, true);
    if (where instanceof AwsError) {
      rejected++;
      sendXmlError(res, where);
      return;
    }
    const id = decodeURIComponent(match[1] ?? "");
    await serve(
      res,
      start,
      { operation: "GetHostedZone", service: "Route53", body: { Id: id }, at: Date.now() },
      {
        throttle: () => new AwsError("Throttling", "Rate exceeded"),
        denied: (op, account) =>
          new AwsError("AccessDenied", notAuthorizedIn(account, `route53:${op}`), 403),
      },
      () => {
        const requestId = randomUUID();
        sendXml(res, 200, getHostedZoneXml(where, id), requestId);
      },
      (error) => sendXmlError(res, error),
      where.accountId,
    );
  };

  // EC2 (EC2 Query protocol, see ec2.ts): a form-encoded POST naming its Action, answered in XML.
  const ec2 = operationsFor(fleet).ec2;
  const sendEc2Error = (res: ServerResponse, error: AwsError) => {
    const requestId = randomUUID();
    sendXml(res, error.status, ec2ErrorXml(error.code, error.message, requestId), requestId);
  };
  const handleEc2 = async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const known = Object.hasOwn(ec2, action);
    const authError = checkSignature(req, "ec2", signedRegion) ?? fleetOrError(req);
    const where = authError instanceof AwsError ? undefined : authError;
    const operation = where && known ? operationsFor(where).ec2[action] : undefined;
    if (!where || !operation) {
      rejected++;
      sendEc2Error(
        res,
        authError instanceof AwsError
          ? ec2AuthError(authError)
          : new AwsError(
              "InvalidAction",
              `The action ${action} is not valid for this web service.`,
            ),
      );
      return;
    }
    await serve(
      res,
      start,
      { operation: action, service: "EC2", body: Object.fromEntries(params), at: Date.now() },
      {
        throttle: () => new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503),
        denied: (op, account) =>
          new AwsError(
            "UnauthorizedOperation",
            `You are not authorized to perform this operation. ${notAuthorizedIn(account, `ec2:${op}`)}`,
            403,
          ),
      },
      () => {
        const requestId = randomUUID();
        sendXml(res, 200, ec2ResponseXml(action, requestId, runEc2(operation, params)), requestId);
      },
      (error) => sendEc2Error(res, error),
      where.accountId,
    );
  };

  // STS AssumeRole (Query protocol, see sts.ts), signed with the bot's own credentials.
  const sendStsError = (res: ServerResponse, error: AwsError) => {
    const requestId = randomUUID();
    sendXml(res, error.status, stsErrorXml(error, requestId), requestId);
  };
  const handleSts = async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const authError =
      checkSignature(req, "sts", undefined) ??
      (action === "AssumeRole"
        ? undefined
        : new AwsError(
            "InvalidAction",
            `Could not find operation ${action} for version 2011-06-15`,
          ));
    if (authError) {
      rejected++;
      sendStsError(res, authError);
      return;
    }
    await serve(
      res,
      start,
      { operation: action, service: "STS", body: Object.fromEntries(params), at: Date.now() },
      {
        throttle: () => new AwsError("Throttling", "Rate exceeded"),
        denied: (op, account) =>
          new AwsError(
            "AccessDenied",
            `${notAuthorizedIn(account, `sts:${op}`).split(" because")[0]} on resource: ${params.get("RoleArn")}`,
            403,
          ),
      },
      () => {
        const requestId = randomUUID();
        sendXml(res, 200, stsResponseXml(requestId, issuer.assumeRole(params)), requestId);
      },
      (error) => sendStsError(res, error),
      fleet.accountId,
    );
  };

  // Lambda (REST-JSON). Invoke: the payload is the raw body; an "Event" invocation is accepted with
  // 202 and no body, then runs on its own. GetFunctionConfiguration: the stored configuration.
  // Lambda's errors carry `x-amzn-errortype` and a `{"Type","Message"}` body
  // (https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html#API_GetFunctionConfiguration_Errors).
  let onInvoke = options.onInvoke;
  const lambdaErrors = {
    throttle: () => new AwsError("TooManyRequestsException", "Rate exceeded", 429),
    // IAM actions: lambda:InvokeFunction for Invoke, the operation's own name otherwise.
    denied: (op: string, account: string) =>
      new AwsError(
        "AccessDeniedException",
        notAuthorizedIn(account, `lambda:${op === "Invoke" ? "InvokeFunction" : op}`),
        403,
      ),
  };
  const sendLambdaError = (res: ServerResponse, error: AwsError) =>
    sendJson(
      res,
      error.status,
      JSON.stringify({ Type: error.status >= 500 ? "Service" : "User", Message: error.message }),
      "application/json",
      { "x-amzn-errortype": error.code },
    );
  const handleLambda = async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const raw = await readBody(req);
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    const invoke = req.method === "POST" ? INVOKE_PATH.exec(path) : null;
    const configuration = req.method === "GET" ? CONFIGURATION_PATH.exec(path) : null;
    const list = req.method === "GET" && LIST_FUNCTIONS_PATH.test(path);
    const where = checkSignature(req, "lambda", signedRegion) ?? fleetOrError(req);
    if (!(invoke || configuration || list) || where instanceof AwsError) {
      rejected++;
      sendJsonError(
        res,
        where instanceof AwsError
          ? where
          : new AwsError("UnknownOperationException", `Unknown operation ${path}`),
      );
      return;
    }
    // Both reads answer JSON with 200, and Lambda's own error shape.
    const read = (operation: string, body: Record<string, unknown>, answer: () => unknown) =>
      serve(
        res,
        start,
        { operation, service: "Lambda", body, at: Date.now() },
        lambdaErrors,
        () => sendJson(res, 200, JSON.stringify(answer()), "application/json"),
        (error) => sendLambdaError(res, error),
        where.accountId,
      );
    if (list) {
      const params = new URLSearchParams(query);
      const marker = params.get("Marker") ?? undefined;
      const maxItems = params.get("MaxItems") ?? undefined;
      await read("ListFunctions", { Marker: marker, MaxItems: maxItems }, () =>
        listFunctions(where, marker, maxItems),
      );
      return;
    }
    if (configuration) {
      const functionName = decodeURIComponent(configuration[1] ?? "");
      const qualifier = new URLSearchParams(query).get("Qualifier") ?? undefined;
      await read(
        "GetFunctionConfiguration",
        { FunctionName: functionName, Qualifier: qualifier },
        () => functionConfiguration(where, functionName, qualifier),
      );
      return;
    }
    const functionName = decodeURIComponent(invoke?.[1] ?? "");
    const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    let payload: unknown = null;
    try {
      payload = raw.trim() === "" ? null : JSON.parse(raw);
    } catch {
      rejected++;
      sendLambdaError(
        res,
        new AwsError("InvalidRequestContentException", "Could not parse request body into json"),
      );
      return;
    }
    await serve(
      res,
      start,
      {
        operation: "Invoke",
        service: "Lambda",
        body: { FunctionName: functionName, InvocationType: invocationType, Payload: payload },
        at: Date.now(),
      },
      lambdaErrors,
      () => {
        res.writeHead(invocationType === "Event" ? 202 : 200, {
          "x-amzn-requestid": randomUUID(),
          "content-length": 0,
        });
        res.end();
        res.on("finish", () => onInvoke?.({ functionName, payload, invocationType }));
      },
      (error) => sendLambdaError(res, error),
      where.accountId,
    );
  };

  // Route 53 Profiles (REST-JSON): errors carry `x-amzn-errortype` and a `{"Message"}` body.
  const sendProfilesError = (res: ServerResponse, error: AwsError) =>
    sendJson(res, error.status, JSON.stringify({ Message: error.message }), "application/json", {
      "x-amzn-errortype": error.code,
    });
  const handleProfiles = async (req: IncomingMessage, res: ServerResponse, start: number) => {
    await readBody(req);
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    const where = checkSignature(req, "route53profiles", signedRegion) ?? fleetOrError(req);
    if (
      req.method !== "GET" ||
      !PROFILE_ASSOCIATIONS_PATH.test(path) ||
      where instanceof AwsError
    ) {
      rejected++;
      sendProfilesError(
        res,
        where instanceof AwsError
          ? where
          : new AwsError("UnknownOperationException", `Unknown operation ${req.method} ${path}`),
      );
      return;
    }
    const params = new URLSearchParams(query);
    await serve(
      res,
      start,
      {
        operation: "ListProfileAssociations",
        service: "Route53Profiles",
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      {
        throttle: () => new AwsError("ThrottlingException", "Rate exceeded", 429),
        denied: (op, account) =>
          new AwsError(
            "AccessDeniedException",
            notAuthorizedIn(account, `route53profiles:${op}`),
            403,
          ),
      },
      () =>
        sendJson(
          res,
          200,
          JSON.stringify(listProfileAssociations(where, params)),
          "application/json",
        ),
      (error) => sendProfilesError(res, error),
      where.accountId,
    );
  };

  const server = createServer((req, res) => {
    const start = performance.now();
    const target = req.headers["x-amz-target"];
    const work =
      typeof target === "string"
        ? handleJson(req, res, start, target)
        : req.method === "POST" && (req.headers["content-type"] ?? "").startsWith(FORM)
          ? credentialScope(req)?.service === "sts"
            ? handleSts(req, res, start)
            : handleEc2(req, res, start)
          : (req.url ?? "").startsWith("/2013-04-01/")
            ? handleRoute53(req, res, start)
            : (req.url ?? "").startsWith("/2015-03-31/")
              ? handleLambda(req, res, start)
              : (req.url ?? "").startsWith("/profileassociations")
                ? handleProfiles(req, res, start)
                : readBody(req).then(() => {
                    rejected++;
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
    requests,
    stats() {
      const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
      return {
        calls: { ...calls },
        total,
        throttled,
        denied,
        sequentialRoundTrips: longestSequentialChain(spans),
        rejected,
        maxInFlight: { ...maxInFlight },
      };
    },
    resetStats() {
      for (const key of Object.keys(calls)) delete calls[key];
      for (const key of Object.keys(maxInFlight)) delete maxInFlight[key];
      requests.length = 0;
      spans = [];
      throttled = 0;
      denied = 0;
      rejected = 0;
    },
    setLatency(ms, operation) {
      if (operation === undefined) latencyMs = ms;
      else latencyByOperation[operation] = ms;
    },
    setRateLimits(limits) {
      rateLimits = { ...limits };
      buckets.clear();
    },
    setThrottleRate(rate, operations) {
      throttleRate = rate;
      throttleOperations = operations;
    },
    setDenied(operations) {
      deniedOperations = [...operations];
    },
    setFleet(next, nextSeed = seed) {
      perFleet.delete(fleet);
      fleet = next;
      fleets[0] = next;
      throttleRandom = seededRandom(nextSeed);
      shuffleRandom = seededRandom(nextSeed ^ 0x5bd1e995);
      buckets.clear();
    },
    setOnInvoke(callback) {
      onInvoke = callback;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

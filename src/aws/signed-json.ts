// A small SigV4-signed JSON client, for the two AWS APIs whose SDK clients the npm registry this
// project installs from does not offer at the SDK's current version: Route 53 Resolver (AWS JSON
// 1.1; only 3.654.0, with its own older copy of the whole SDK runtime) and Route 53 Profiles
// (REST-JSON; not at all). It uses the pieces the SDK clients themselves are built of (SigV4 signer,
// Node HTTP handler, the default credential chain or the place's role) and keeps what the bot
// relies on from them: the same timeouts, retries with the interactive backoff on throttling and
// 5xx, the request's deadline, AWS_ENDPOINT_URL(_<SERVICE>) and the call log. Errors carry the
// AWS error code as `name`, as SDK exceptions do, so errors.ts classifies them alike.

import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/transport";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { callLog } from "./call-log.ts";
import { failureCode, isThrottling } from "./errors.ts";

type Credentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/** One of the APIs: how it signs, and the name of its AWS_ENDPOINT_URL_<NAME> variable. */
export interface JsonService {
  /** SigV4 signing name and endpoint prefix: "route53resolver". */
  signingName: string;
  /** The SDK's service ID upper-cased: "ROUTE53RESOLVER". */
  endpointEnv: string;
}

export interface JsonRequest {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  /** AWS JSON: `X-Amz-Target` ("Route53Resolver.ListResolverRules") and the body. */
  target?: string;
  body?: unknown;
}

/** An error AWS answered, named by its code like an SDK exception. */
export class AwsServiceError extends Error {
  constructor(
    code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

const RETRYABLE_NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

function retryable(error: unknown): boolean {
  if (isThrottling(error)) return true;
  if (error instanceof AwsServiceError) return error.status >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE_NETWORK.has(code);
}

/** "Code", "Code:http://…" or "aws.protocol#Code" (x-amzn-errortype, __type): the code. */
function codeOf(raw: string): string {
  return raw.split(":")[0]?.split("#").pop() || "UnknownError";
}

async function text(body: unknown): Promise<string> {
  if (!body || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== "function") {
    return "";
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

let ownCredentials: Credentials | undefined;

/** The bot's own credentials (the SDK clients' default chain), resolved once per process. */
export function defaultCredentials(): Credentials {
  ownCredentials ??= fromNodeProviderChain();
  return ownCredentials;
}

export class SignedJsonClient {
  private readonly handler: NodeHttpHandler;
  private readonly signer: SignatureV4;
  private readonly endpoint: URL;

  constructor(
    service: JsonService,
    region: string,
    credentials: Credentials,
    private readonly retry: { attempts: number; backoff: (attempt: number) => number },
    timeouts: { connectionTimeout: number; requestTimeout: number },
  ) {
    this.handler = new NodeHttpHandler({ ...timeouts, throwOnRequestTimeout: true });
    this.signer = new SignatureV4({
      credentials,
      region,
      service: service.signingName,
      sha256: Sha256,
    });
    this.endpoint = new URL(
      process.env[`AWS_ENDPOINT_URL_${service.endpointEnv}`] ??
        process.env.AWS_ENDPOINT_URL ??
        `https://${service.signingName}.${region}.amazonaws.com`,
    );
  }

  /** One logical call, its retries included (recorded once in the call log, as SDK calls are). */
  async send<T>(operation: string, request: JsonRequest, signal?: AbortSignal): Promise<T> {
    const start = performance.now();
    let ok = false;
    let code: string | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await this.once<T>(request, signal);
          ok = true;
          return out;
        } catch (error) {
          if (attempt >= this.retry.attempts || signal?.aborted || !retryable(error)) throw error;
          await sleep(this.retry.backoff(attempt), signal);
        }
      }
    } catch (error) {
      code = failureCode(error);
      throw error;
    } finally {
      callLog.record({ operation, start, end: performance.now(), ok, ...(code ? { code } : {}) });
    }
  }

  private async once<T>(request: JsonRequest, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) {
      const error = new Error("The request's deadline passed");
      error.name = "AbortError";
      throw error;
    }
    const { protocol, hostname, port, pathname } = this.endpoint;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = { host: port ? `${hostname}:${port}` : hostname };
    if (request.target) {
      headers["x-amz-target"] = request.target;
      headers["content-type"] = "application/x-amz-json-1.1";
    }
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const unsigned = new HttpRequest({
      protocol,
      hostname,
      port: port ? Number(port) : undefined,
      method: request.method,
      path: `${pathname.replace(/\/$/, "")}${request.path}`,
      query: request.query ?? {},
      headers,
      body,
    });
    const signed = await this.signer.sign(unsigned);
    const { response } = await this.handler.handle(signed as HttpRequest, {
      abortSignal: signal,
    });
    const raw = await text(response.body);
    if (response.statusCode >= 300) {
      let parsed: { __type?: string; code?: string; message?: string; Message?: string } = {};
      try {
        parsed = raw ? JSON.parse(raw) : {};
      } catch {
        // Not JSON (a proxy's page): the status alone tells.
      }
      const header = response.headers["x-amzn-errortype"];
      const code = codeOf(header ?? parsed.__type ?? parsed.code ?? `Http${response.statusCode}`);
      throw new AwsServiceError(
        code,
        parsed.message ?? parsed.Message ?? raw.slice(0, 200),
        response.statusCode,
      );
    }
    return (raw ? JSON.parse(raw) : {}) as T;
  }

  destroy(): void {
    this.handler.destroy();
  }
}

// The one reader of SSM Parameter Store: a single GetParameters call (with decryption: the Slack
// secrets are SecureStrings), on a client made for the call and closed after it. Values are never
// logged.
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";

export interface ParameterReadOptions {
  /** Aborts the read at the caller's deadline. */
  signal?: AbortSignal;
  /** Attempts in all (the SDK's standard retry). */
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface Parameters {
  /** The value of each parameter read, by name. */
  values: Map<string, string>;
  /** The names SSM did not find. */
  invalid: string[];
}

/** Reads up to ten parameters at once; throws when SSM cannot be read (denied, throttled, late). */
export async function readParameters(
  names: string[],
  options: ParameterReadOptions,
): Promise<Parameters> {
  const ssm = new SSMClient({
    maxAttempts: options.maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // @smithy/node-http-handler 4.x only warns when requestTimeout passes unless this is set.
      throwOnRequestTimeout: true,
    },
  });
  try {
    const out = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }), {
      abortSignal: options.signal,
    });
    const values = new Map<string, string>();
    for (const p of out.Parameters ?? []) {
      if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
    }
    return { values, invalid: out.InvalidParameters ?? [] };
  } finally {
    ssm.destroy();
  }
}

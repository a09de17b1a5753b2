import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { read } from "./errors.ts";

// One client per process, in the function's own region (where it invokes itself).
let client: LambdaClient | undefined;

function lambda(): LambdaClient {
  client ??= new LambdaClient({
    maxAttempts: 2,
    // throwOnRequestTimeout: without it the installed @smithy/node-http-handler only logs a
    // warning when requestTimeout passes, and the call goes on.
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
  });
  return client;
}

export function forgetLambdaClient(): void {
  client?.destroy();
  client = undefined;
}

/**
 * Hands a job to an asynchronous run of a function ("Event": Lambda queues it and answers 202 at
 * once). This is how an answer outlives Slack's 3 seconds: work after a Lambda's response is frozen.
 */
export async function invokeAsync(
  functionName: string,
  payload: object,
  /** Aborts the call (and its retry) at the caller's deadline. */
  signal?: AbortSignal,
): Promise<void> {
  await read(`hand the lookup to ${functionName}`, "Invoke", () =>
    lambda().send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
      { abortSignal: signal },
    ),
  );
}

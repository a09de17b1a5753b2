// Lambda (REST-JSON). Invoke: the payload is the raw body; an "Event" invocation is accepted with
// 202 and no body, then runs on its own. GetFunctionConfiguration and ListFunctions: the stored
// configurations (see ../lambda.ts). Lambda's errors carry `x-amzn-errortype` and a
// `{"Type","Message"}` body
// (https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html#API_GetFunctionConfiguration_Errors).

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type FaultErrors, notAuthorizedIn } from "../faults.ts";
import { functionConfiguration, listFunctions } from "../lambda.ts";
import type { Pipeline } from "../pipeline.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendJson, sendJsonError } from "./http.ts";
import { checkSignature } from "./signature.ts";

/** What an emulated Lambda Invoke hands over: the function, the raw payload and the invocation type. */
export interface Invocation {
  functionName: string;
  payload: unknown;
  invocationType: string;
}

/** Where the handler finds the current Invoke callback (tests replace it). */
export interface InvokeListener {
  onInvoke: ((invocation: Invocation) => void) | undefined;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations$/;
const CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/configuration$/;
// ListFunctions: GET /2015-03-31/functions (API_ListFunctions; the SDK sends no trailing slash).
const LIST_FUNCTIONS_PATH = /^\/2015-03-31\/functions\/?$/;

const lambdaErrors: FaultErrors = {
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

/** The handler of `/2015-03-31/` requests over `pipeline`. */
export function lambdaRestJsonProtocol(pipeline: Pipeline, listener: InvokeListener) {
  const { accounts } = pipeline;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const raw = await readBody(req);
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    const invoke = req.method === "POST" ? INVOKE_PATH.exec(path) : null;
    const configuration = req.method === "GET" ? CONFIGURATION_PATH.exec(path) : null;
    const list = req.method === "GET" && LIST_FUNCTIONS_PATH.test(path);
    const where =
      checkSignature(req, "lambda", accounts.signedRegion) ?? accounts.fleetOrError(req);
    if (!(invoke || configuration || list) || where instanceof AwsError) {
      pipeline.reject();
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
      pipeline.serve({
        res,
        start,
        record: { operation, service: "Lambda", body, at: Date.now() },
        errors: lambdaErrors,
        run: () => sendJson(res, 200, JSON.stringify(answer()), "application/json"),
        fail: (error) => sendLambdaError(res, error),
        account: where.accountId,
      });
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
      pipeline.reject();
      sendLambdaError(
        res,
        new AwsError("InvalidRequestContentException", "Could not parse request body into json"),
      );
      return;
    }
    await pipeline.serve({
      res,
      start,
      record: {
        operation: "Invoke",
        service: "Lambda",
        body: { FunctionName: functionName, InvocationType: invocationType, Payload: payload },
        at: Date.now(),
      },
      errors: lambdaErrors,
      run: () => {
        res.writeHead(invocationType === "Event" ? 202 : 200, {
          "x-amzn-requestid": randomUUID(),
          "content-length": 0,
        });
        res.end();
        res.on("finish", () => listener.onInvoke?.({ functionName, payload, invocationType }));
      },
      fail: (error) => sendLambdaError(res, error),
      account: where.accountId,
    });
  };
}

// AWS JSON 1.0 / 1.1: a signed POST naming its operation in X-Amz-Target (`<prefix>.<Operation>`)
// with a JSON body, answered in JSON. ECS, Cloud Map, CloudWatch (JSON 1.0, Query-compatible
// errors), SSM and Route 53 Resolver speak it; each spells its throttling and denial its own way.

import type { IncomingMessage, ServerResponse } from "node:http";
import { cloudWatchThrottle } from "../cloudwatch/errors.ts";
import { type FaultErrors, notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import type { EmulatedService } from "../recorder.ts";
import { AwsError, type JsonBody, toWireJson } from "../wire.ts";
import {
  JSON_1_0,
  JSON_1_1,
  type JsonErrorStyle,
  readBody,
  sendJson,
  sendJsonError,
} from "./http.ts";
import { checkSignature } from "./signature.ts";

interface JsonProtocol extends JsonErrorStyle, FaultErrors {
  service: Exclude<EmulatedService, "Route53" | "Lambda" | "Route53Profiles">;
  signingName: string;
}

/** The services of each X-Amz-Target prefix. */
const PROTOCOLS: Record<string, JsonProtocol> = {
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
      new AwsError("AccessDeniedException", notAuthorizedIn(account, `route53resolver:${op}`), 400),
    messageKey: "Message",
  },
};

/** The handler of X-Amz-Target requests over `pipeline`. */
export function awsJsonProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  return async (req: IncomingMessage, res: ServerResponse, start: number, target: string) => {
    const dot = target.lastIndexOf(".");
    const prefix = target.slice(0, dot);
    const protocol = PROTOCOLS[prefix];
    const operationName = target.slice(dot + 1);
    // Every fleet has the same operations: the bot's own tells which exist.
    const known = Object.hasOwn(
      accounts.operationsFor(accounts.own).json[prefix] ?? {},
      operationName,
    );
    const raw = await readBody(req);
    if (!protocol || !known) {
      pipeline.reject();
      sendJsonError(
        res,
        new AwsError("UnknownOperationException", `Unknown operation ${target}`),
        protocol,
      );
      return;
    }
    const where =
      checkSignature(req, protocol.signingName, accounts.signedRegion) ??
      accounts.fleetOrError(req);
    if (where instanceof AwsError) {
      pipeline.reject();
      sendJsonError(res, where, protocol);
      return;
    }
    const operation = accounts.operationsFor(where).json[prefix]?.[operationName];
    if (!operation) throw new Error(`no ${target} for account ${where.accountId}`);
    let body: JsonBody;
    try {
      const parsed: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as JsonBody;
    } catch {
      pipeline.reject();
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
    await pipeline.serve({
      res,
      start,
      record: { operation: operationName, service: protocol.service, body, at: Date.now() },
      errors: protocol,
      run: () => sendJson(res, 200, toWireJson(operation(body)), protocol.contentType),
      fail: (error) => sendJsonError(res, error, protocol),
      account: where.accountId,
    });
  };
}

// The AWS Query protocols: a signed form-encoded `POST /` naming its `Action` (and `Version`),
// answered in XML. Requests are alike in both dialects; the answers differ, and each service module
// writes its own documents (../ec2.ts, ../elbv2.ts, ../sts.ts):
// - awsQuery (ELBv2, STS; https://smithy.io/2.0/aws/protocols/aws-query-protocol.html): members
//   inside `<{Action}Result>`, then `<ResponseMetadata><RequestId>`; errors as
//   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
// - ec2Query (EC2; https://smithy.io/2.0/aws/protocols/aws-ec2-query-protocol.html): no Result
//   wrapper, `<requestId>` first; errors as `<Response><Errors><Error><Code/><Message/></Error>
//   </Errors><RequestID/>` (no Type, capital ID).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceOperations } from "../accounts.ts";
import type { FaultErrors } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import type { EmulatedService } from "../recorder.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";

/** Where a Query call runs: the account it is charged to and its answer's XML. */
export interface QueryTarget {
  account: string;
  /** The answer around a request ID (may throw the AwsError the service would send). */
  answer: (requestId: string) => string;
}

/** What one Query service adds to the protocol. */
export interface QueryService {
  /** The service's name in the recorder. */
  name: EmulatedService;
  /** The call's target, or the error refused before any operation (signature, unknown action). */
  target: (req: IncomingMessage, action: string, params: URLSearchParams) => QueryTarget | AwsError;
  /** The fault layer's errors under this service's codes. */
  errors: (params: URLSearchParams) => FaultErrors;
  /** The service's error document (its dialect's). */
  errorXml: (error: AwsError, requestId: string) => string;
}

/** The handler of one Query service's requests over `pipeline`. */
export function queryProtocol(pipeline: Pipeline, service: QueryService) {
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const sendError = (error: AwsError) =>
      sendXmlWithId(res, error.status, (requestId) => service.errorXml(error, requestId));
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const target = service.target(req, action, params);
    if (target instanceof AwsError) {
      pipeline.reject();
      sendError(target);
      return;
    }
    await pipeline.serve({
      res,
      start,
      record: {
        operation: action,
        service: service.name,
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: service.errors(params),
      run: () => sendXmlWithId(res, 200, target.answer),
      fail: sendError,
      account: target.account,
    });
  };
}

/** How a regional service finds and answers a signed call's operation. */
export interface FleetLookup<Op> {
  signingName: string;
  operations: (all: ServiceOperations) => Record<string, Op>;
  /** A signature or credentials error under the service's codes. */
  authError: (error: AwsError) => AwsError;
  invalidAction: (action: string) => AwsError;
  answer: (operation: Op, action: string, params: URLSearchParams, requestId: string) => string;
}

/**
 * A regional service's targets: the operation a signed call names, over the fleet of its
 * credentials and region, or the error the service answers (the signature's or credentials'
 * first, then an unknown action's).
 */
export function fleetTarget<Op>(
  pipeline: Pipeline,
  lookup: FleetLookup<Op>,
): QueryService["target"] {
  const { accounts } = pipeline;
  // Every fleet has the same actions: the bot's own at start tells which exist.
  const known = lookup.operations(accounts.operationsFor(accounts.own));
  return (req, action, params) => {
    const where =
      checkSignature(req, lookup.signingName, accounts.signedRegion) ?? accounts.fleetOrError(req);
    if (where instanceof AwsError) return lookup.authError(where);
    const operation = Object.hasOwn(known, action)
      ? lookup.operations(accounts.operationsFor(where))[action]
      : undefined;
    if (!operation) return lookup.invalidAction(action);
    return {
      account: where.accountId,
      answer: (requestId) => lookup.answer(operation, action, params, requestId),
    };
  };
}

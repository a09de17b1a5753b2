// Elastic Load Balancing v2 Query (see ../elbv2.ts): a form-encoded signed POST naming its Action,
// answered in XML, errors as the Query protocol's `<ErrorResponse>` document.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ec2AuthError } from "../ec2.ts";
import { ELBV2_VERSION, elbv2ErrorXml, elbv2ResponseXml } from "../elbv2.ts";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";

/** The name SigV4 scopes ELBv2 requests to (its endpoint prefix). */
export const ELBV2_SIGNING_NAME = "elasticloadbalancing";

const sendElbError = (res: ServerResponse, error: AwsError) =>
  sendXmlWithId(res, error.status, (requestId) => elbv2ErrorXml(error, requestId));

/** The handler of ELBv2 Query requests over `pipeline`. */
export function elbv2QueryProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  // Every fleet has the same actions: the bot's own at start tells which exist.
  const known = accounts.operationsFor(accounts.own).elbv2;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const authError =
      checkSignature(req, ELBV2_SIGNING_NAME, accounts.signedRegion) ?? accounts.fleetOrError(req);
    const where = authError instanceof AwsError ? undefined : authError;
    const operation =
      where && Object.hasOwn(known, action)
        ? accounts.operationsFor(where).elbv2[action]
        : undefined;
    if (!where || !operation) {
      pipeline.reject();
      sendElbError(
        res,
        authError instanceof AwsError
          ? ec2AuthError(authError)
          : new AwsError(
              "InvalidAction",
              `Could not find operation ${action} for version ${ELBV2_VERSION}`,
            ),
      );
      return;
    }
    await pipeline.serve({
      res,
      start,
      record: {
        operation: action,
        service: "ELBv2",
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: {
        // ELBv2 throttles with the Query protocol's `Throttling` (400, "Rate exceeded"), as
        // CloudWatch's Query API does; the SDK retries it as throttling.
        throttle: () => new AwsError("Throttling", "Rate exceeded"),
        denied: (op, account) =>
          new AwsError(
            "AccessDenied",
            notAuthorizedIn(account, `${ELBV2_SIGNING_NAME}:${op}`),
            403,
          ),
      },
      run: () =>
        sendXmlWithId(res, 200, (requestId) =>
          elbv2ResponseXml(action, requestId, operation(params)),
        ),
      fail: (error) => sendElbError(res, error),
      account: where.accountId,
    });
  };
}

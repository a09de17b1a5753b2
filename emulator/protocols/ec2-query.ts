// EC2 Query (see ../ec2.ts): a form-encoded signed POST naming its Action, answered in XML, errors
// as EC2's `<Response><Errors>` document.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ec2AuthError, ec2ErrorXml, ec2ResponseXml, runEc2 } from "../ec2.ts";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";

const sendEc2Error = (res: ServerResponse, error: AwsError) =>
  sendXmlWithId(res, error.status, (requestId) =>
    ec2ErrorXml(error.code, error.message, requestId),
  );

/** The handler of EC2 Query requests over `pipeline`. */
export function ec2QueryProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  // Every fleet has the same actions: the bot's own at start tells which exist.
  const ec2 = accounts.operationsFor(accounts.own).ec2;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const known = Object.hasOwn(ec2, action);
    const authError =
      checkSignature(req, "ec2", accounts.signedRegion) ?? accounts.fleetOrError(req);
    const where = authError instanceof AwsError ? undefined : authError;
    const operation = where && known ? accounts.operationsFor(where).ec2[action] : undefined;
    if (!where || !operation) {
      pipeline.reject();
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
    await pipeline.serve({
      res,
      start,
      record: {
        operation: action,
        service: "EC2",
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: {
        throttle: () => new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503),
        denied: (op, account) =>
          new AwsError(
            "UnauthorizedOperation",
            `You are not authorized to perform this operation. ${notAuthorizedIn(account, `ec2:${op}`)}`,
            403,
          ),
      },
      run: () =>
        sendXmlWithId(res, 200, (requestId) =>
          ec2ResponseXml(action, requestId, runEc2(operation, params)),
        ),
      fail: (error) => sendEc2Error(res, error),
      account: where.accountId,
    });
  };
}

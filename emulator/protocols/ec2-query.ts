// EC2 over the ec2Query protocol (./query.ts, ../ec2.ts): a form-encoded signed POST naming its
// Action, answered in XML, errors as EC2's `<Response><Errors>` document.

import { EC2_XMLNS, ec2AuthError, runEc2 } from "../ec2.ts";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { AwsError } from "../wire.ts";
import { ec2QueryErrorXml, ec2QueryResponseXml, fleetTarget, queryProtocol } from "./query.ts";

/** The handler of EC2 Query requests over `pipeline`. */
export function ec2QueryProtocol(pipeline: Pipeline) {
  return queryProtocol(pipeline, {
    name: "EC2",
    target: fleetTarget(pipeline, {
      signingName: "ec2",
      operations: (all) => all.ec2,
      authError: ec2AuthError,
      invalidAction: (action) =>
        new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`),
      answer: (operation, action, params, requestId) =>
        ec2QueryResponseXml(EC2_XMLNS, action, requestId, runEc2(operation, params)),
    }),
    errors: () => ({
      throttle: () => new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503),
      denied: (op, account) =>
        new AwsError(
          "UnauthorizedOperation",
          `You are not authorized to perform this operation. ${notAuthorizedIn(account, `ec2:${op}`)}`,
          403,
        ),
    }),
    errorXml: ec2QueryErrorXml,
  });
}

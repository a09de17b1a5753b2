// Elastic Load Balancing v2 over the awsQuery protocol (./query.ts, ../elbv2.ts): a form-encoded
// signed POST naming its Action, answered in XML, errors as the Query protocol's `<ErrorResponse>`.

import { ec2AuthError } from "../ec2.ts";
import { ELBV2_DOCUMENTS, ELBV2_VERSION } from "../elbv2.ts";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { AwsError } from "../wire.ts";
import {
  AWS_QUERY_SHAPES,
  awsQueryErrorXml,
  awsQueryResponseXml,
  fleetTarget,
  queryProtocol,
  shapeXml,
} from "./query.ts";

/** The name SigV4 scopes ELBv2 requests to (its endpoint prefix). */
export const ELBV2_SIGNING_NAME = "elasticloadbalancing";

/** The handler of ELBv2 Query requests over `pipeline`. */
export function elbv2QueryProtocol(pipeline: Pipeline) {
  return queryProtocol(pipeline, {
    name: "ELBv2",
    target: fleetTarget(pipeline, {
      signingName: ELBV2_SIGNING_NAME,
      operations: (all) => all.elbv2,
      authError: ec2AuthError,
      invalidAction: (action) =>
        new AwsError(
          "InvalidAction",
          `Could not find operation ${action} for version ${ELBV2_VERSION}`,
        ),
      answer: (operation, action, params, requestId) =>
        awsQueryResponseXml(
          ELBV2_DOCUMENTS,
          action,
          requestId,
          shapeXml(operation(params), AWS_QUERY_SHAPES),
        ),
    }),
    errors: () => ({
      // ELBv2 throttles with the Query protocol's `Throttling` (400, "Rate exceeded"), as
      // CloudWatch's Query API does; the SDK retries it as throttling.
      throttle: () => new AwsError("Throttling", "Rate exceeded"),
      denied: (op, account) =>
        new AwsError("AccessDenied", notAuthorizedIn(account, `${ELBV2_SIGNING_NAME}:${op}`), 403),
    }),
    errorXml: (error, requestId) => awsQueryErrorXml(ELBV2_DOCUMENTS, error, requestId),
  });
}

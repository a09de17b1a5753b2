// STS AssumeRole over the awsQuery protocol (./query.ts, ../sts.ts), signed with the bot's own
// credentials: the credentials it issues then read the role's account (see ../accounts.ts).

import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { STS_DOCUMENTS } from "../sts.ts";
import { AwsError } from "../wire.ts";
import {
  AWS_QUERY_SHAPES,
  awsQueryErrorXml,
  awsQueryResponseXml,
  queryProtocol,
  shapeXml,
} from "./query.ts";
import { checkSignature } from "./signature.ts";

/** The handler of STS Query requests over `pipeline`. */
export function stsQueryProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  return queryProtocol(pipeline, {
    name: "STS",
    target: (req, action, params) =>
      checkSignature(req, "sts", undefined) ??
      (action === "AssumeRole"
        ? {
            account: accounts.own.accountId,
            answer: (requestId) =>
              awsQueryResponseXml(
                STS_DOCUMENTS,
                action,
                requestId,
                shapeXml(accounts.issuer.assumeRole(params), AWS_QUERY_SHAPES),
              ),
          }
        : new AwsError(
            "InvalidAction",
            `Could not find operation ${action} for version 2011-06-15`,
          )),
    errors: (params) => ({
      throttle: () => new AwsError("Throttling", "Rate exceeded"),
      denied: (op, account) =>
        new AwsError(
          "AccessDenied",
          `${notAuthorizedIn(account, `sts:${op}`).split(" because")[0]} on resource: ${params.get("RoleArn")}`,
          403,
        ),
    }),
    errorXml: (error, requestId) => awsQueryErrorXml(STS_DOCUMENTS, error, requestId),
  });
}

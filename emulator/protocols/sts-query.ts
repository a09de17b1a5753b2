// STS AssumeRole (Query protocol, see ../sts.ts), signed with the bot's own credentials: the
// credentials it issues then read the role's account (see ../accounts.ts).

import type { IncomingMessage, ServerResponse } from "node:http";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { stsErrorXml, stsResponseXml } from "../sts.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";

const sendStsError = (res: ServerResponse, error: AwsError) =>
  sendXmlWithId(res, error.status, (requestId) => stsErrorXml(error, requestId));

/** The handler of STS Query requests over `pipeline`. */
export function stsQueryProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    const params = new URLSearchParams(await readBody(req));
    const action = params.get("Action") ?? "";
    const authError =
      checkSignature(req, "sts", undefined) ??
      (action === "AssumeRole"
        ? undefined
        : new AwsError(
            "InvalidAction",
            `Could not find operation ${action} for version 2011-06-15`,
          ));
    if (authError) {
      pipeline.reject();
      sendStsError(res, authError);
      return;
    }
    await pipeline.serve({
      res,
      start,
      record: {
        operation: action,
        service: "STS",
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: {
        throttle: () => new AwsError("Throttling", "Rate exceeded"),
        denied: (op, account) =>
          new AwsError(
            "AccessDenied",
            `${notAuthorizedIn(account, `sts:${op}`).split(" because")[0]} on resource: ${params.get("RoleArn")}`,
            403,
          ),
      },
      run: () =>
        sendXmlWithId(res, 200, (requestId) =>
          stsResponseXml(requestId, accounts.issuer.assumeRole(params)),
        ),
      fail: (error) => sendStsError(res, error),
      account: accounts.own.accountId,
    });
  };
}

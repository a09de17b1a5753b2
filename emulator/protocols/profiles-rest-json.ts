// Route 53 Profiles (REST-JSON, see ../route53-profiles.ts): `GET /profileassociations`; errors
// carry `x-amzn-errortype` and a `{"Message"}` body.

import type { IncomingMessage, ServerResponse } from "node:http";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import { listProfileAssociations, PROFILE_ASSOCIATIONS_PATH } from "../route53-profiles.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendJson } from "./http.ts";
import { checkSignature } from "./signature.ts";

const sendProfilesError = (res: ServerResponse, error: AwsError) =>
  sendJson(res, error.status, JSON.stringify({ Message: error.message }), "application/json", {
    "x-amzn-errortype": error.code,
  });

/** The handler of `/profileassociations` requests over `pipeline`. */
export function profilesRestJsonProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    await readBody(req);
    const [path = "/", query = ""] = (req.url ?? "/").split("?");
    const where =
      checkSignature(req, "route53profiles", accounts.signedRegion) ?? accounts.fleetOrError(req);
    if (
      req.method !== "GET" ||
      !PROFILE_ASSOCIATIONS_PATH.test(path) ||
      where instanceof AwsError
    ) {
      pipeline.reject();
      sendProfilesError(
        res,
        where instanceof AwsError
          ? where
          : new AwsError("UnknownOperationException", `Unknown operation ${req.method} ${path}`),
      );
      return;
    }
    const params = new URLSearchParams(query);
    await pipeline.serve({
      res,
      start,
      record: {
        operation: "ListProfileAssociations",
        service: "Route53Profiles",
        body: Object.fromEntries(params),
        at: Date.now(),
      },
      errors: {
        throttle: () => new AwsError("ThrottlingException", "Rate exceeded", 429),
        denied: (op, account) =>
          new AwsError(
            "AccessDeniedException",
            notAuthorizedIn(account, `route53profiles:${op}`),
            403,
          ),
      },
      run: () =>
        sendJson(
          res,
          200,
          JSON.stringify(listProfileAssociations(where, params)),
          "application/json",
        ),
      fail: (error) => sendProfilesError(res, error),
      account: where.accountId,
    });
  };
}

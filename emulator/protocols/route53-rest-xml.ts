// Route 53 (REST-XML): `GET /2013-04-01/hostedzone/{Id}`, `GET …/hostedzone/{Id}/rrset` and
// `GET /2013-04-01/hostedzonesbyname`
// answered in XML, errors as Route 53's `<ErrorResponse>` document.

import type { IncomingMessage, ServerResponse } from "node:http";
import { notAuthorizedIn } from "../faults.ts";
import type { Pipeline } from "../pipeline.ts";
import {
  errorXml,
  getHostedZoneXml,
  listHostedZonesByNameXml,
  listResourceRecordSetsXml,
} from "../route53.ts";
import { AwsError } from "../wire.ts";
import { readBody, sendXmlWithId } from "./http.ts";
import { checkSignature } from "./signature.ts";

const HOSTED_ZONE_PATH = /^\/2013-04-01\/hostedzone\/([^/?]+)(\/rrset\/?)?$/;
const BY_NAME_PATH = /^\/2013-04-01\/hostedzonesbyname\/?$/;

const sendXmlError = (res: ServerResponse, error: AwsError) =>
  sendXmlWithId(res, error.status, (requestId) =>
    errorXml(error.code, error.message, requestId, error.status),
  );

/** The handler of `/2013-04-01/` requests over `pipeline`. */
export function route53RestXmlProtocol(pipeline: Pipeline) {
  const { accounts } = pipeline;
  return async (req: IncomingMessage, res: ServerResponse, start: number) => {
    await readBody(req);
    const [path = "/", search = ""] = (req.url ?? "/").split("?");
    const byName = req.method === "GET" && BY_NAME_PATH.test(path);
    const match = req.method === "GET" ? HOSTED_ZONE_PATH.exec(path) : null;
    if (!match && !byName) {
      pipeline.reject();
      sendXmlError(
        res,
        new AwsError("UnknownOperationException", `Unknown operation ${req.method} ${path}`),
      );
      return;
    }
    // Route 53 is global (signed for us-east-1 in AWS); with a custom endpoint the SDK signs for the
    // client's region, so only the service name of the scope is checked.
    const where = checkSignature(req, "route53", undefined) ?? accounts.fleetOrError(req, true);
    if (where instanceof AwsError) {
      pipeline.reject();
      sendXmlError(res, where);
      return;
    }
    const id = decodeURIComponent(match?.[1] ?? "");
    const query = new URLSearchParams(search);
    const rrset = match?.[2] !== undefined;
    const operation = byName
      ? "ListHostedZonesByName"
      : rrset
        ? "ListResourceRecordSets"
        : "GetHostedZone";
    await pipeline.serve({
      res,
      start,
      record: {
        operation,
        service: "Route53",
        body: byName
          ? Object.fromEntries(query)
          : rrset
            ? { Id: id, ...Object.fromEntries(query) }
            : { Id: id },
        at: Date.now(),
      },
      errors: {
        throttle: () => new AwsError("Throttling", "Rate exceeded"),
        denied: (op, account) =>
          new AwsError("AccessDenied", notAuthorizedIn(account, `route53:${op}`), 403),
      },
      run: () =>
        sendXmlWithId(res, 200, () =>
          byName
            ? listHostedZonesByNameXml(where, query)
            : rrset
              ? listResourceRecordSetsXml(where, id, query)
              : getHostedZoneXml(where, id),
        ),
      fail: (error) => sendXmlError(res, error),
      account: where.accountId,
    });
  };
}

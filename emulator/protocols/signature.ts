// SigV4 as the emulator checks it: the Authorization header's form and credential scope (service
// and region), not the signature itself. Refused requests get the errors AWS sends for them.

import type { IncomingMessage } from "node:http";
import { AwsError } from "../wire.ts";

/** The credential scope of a SigV4 Authorization header (keyid/date/region/service/aws4_request). */
export function credentialScope(
  req: IncomingMessage,
): { accessKeyId: string; region: string; service: string } | undefined {
  const credential = /Credential=([^,\s]+)/.exec(req.headers.authorization ?? "")?.[1];
  const [accessKeyId, , region, service] = (credential ?? "").split("/");
  return accessKeyId && region && service ? { accessKeyId, region, service } : undefined;
}

/** Checks the SigV4 Authorization header's form and credential scope (not the signature itself). */
export function checkSignature(
  req: IncomingMessage,
  signingName: string,
  region: string | undefined,
): AwsError | undefined {
  const header = req.headers.authorization;
  if (header === undefined) {
    return new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  }
  const incomplete = (message: string) =>
    new AwsError("IncompleteSignatureException", message, 403);
  if (!header.startsWith("AWS4-HMAC-SHA256 ")) {
    return incomplete(
      `Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${header.split(" ")[0]}`,
    );
  }
  const params = new Map(
    header
      .slice("AWS4-HMAC-SHA256 ".length)
      .split(",")
      .map((part) => {
        const [k = "", ...v] = part.trim().split("=");
        return [k, v.join("=")] as const;
      }),
  );
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!params.get(name)) {
      return incomplete(
        `Authorization header requires '${name}' parameter. Authorization=${header}`,
      );
    }
  }
  if (req.headers["x-amz-date"] === undefined && req.headers.date === undefined) {
    return incomplete(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  const scope = (params.get("Credential") ?? "").split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") {
    return incomplete(
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.",
    );
  }
  if (!(params.get("SignedHeaders") ?? "").split(";").includes("host")) {
    return new AwsError("InvalidSignatureException", "'Host' must be a signed header.", 403);
  }
  if (scope[3] !== signingName) {
    return new AwsError(
      "InvalidSignatureException",
      `Credential should be scoped to correct service: '${signingName}'. `,
      403,
    );
  }
  if (region !== undefined && scope[2] !== region) {
    return new AwsError(
      "InvalidSignatureException",
      "Credential should be scoped to a valid region. ",
      403,
    );
  }
  return undefined;
}

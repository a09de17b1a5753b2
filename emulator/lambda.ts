// AWS Lambda reads over a Fleet: GetFunctionConfiguration and ListFunctions (the wire is in
// protocols/lambda-rest-json.ts, with Invoke).

import type { Fleet } from "./fleet/types.ts";
import { AwsError } from "./wire.ts";

/** "ListFunctions returns a maximum of 50 items in each response" (API_ListFunctions, MaxItems). */
const LIST_FUNCTIONS_MAX = 50;

// A function named as Lambda accepts it: `name`, `name:qualifier`, `123456789012:function:name` or
// the full ARN, each with an optional `:qualifier` (API_GetFunctionConfiguration, FunctionName).
const FUNCTION_REF =
  /^(?:(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;

/** Lambda GetFunctionConfiguration: the stored configuration of `ref` (a name or an ARN). */
export function functionConfiguration(
  fleet: Fleet,
  ref: string,
  qualifierParam: string | undefined,
) {
  const match = FUNCTION_REF.exec(ref);
  const name = match?.[1] ?? ref;
  const qualifier = qualifierParam ?? match?.[2];
  const found = fleet.lambdaFunctions?.find(
    (f) =>
      f.FunctionName === name &&
      (qualifier === undefined || qualifier === "$LATEST" || qualifier === f.Version),
  );
  if (!found) {
    const arn = `arn:aws:lambda:${fleet.region}:${fleet.accountId}:function:${name}`;
    throw new AwsError(
      "ResourceNotFoundException",
      `Function not found: ${qualifier === undefined ? arn : `${arn}:${qualifier}`}`,
      404,
    );
  }
  return found;
}

/** Lambda ListFunctions: one page of the stored configurations; NextMarker while more remain. */
export function listFunctions(
  fleet: Fleet,
  marker: string | undefined,
  maxItems: string | undefined,
) {
  const all = fleet.lambdaFunctions ?? [];
  const start = marker ? Number(marker) : 0;
  if (!Number.isInteger(start) || start < 0 || start > all.length) {
    throw new AwsError("InvalidParameterValueException", `Invalid marker: ${marker}`);
  }
  const size = Math.min(
    Math.max(1, Number(maxItems ?? LIST_FUNCTIONS_MAX) || 1),
    LIST_FUNCTIONS_MAX,
  );
  const end = start + size;
  return {
    Functions: all.slice(start, end),
    ...(end < all.length ? { NextMarker: String(end) } : {}),
  };
}

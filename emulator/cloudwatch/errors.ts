// CloudWatch's errors, Query codes first (what the SDK reports), the modelled shape as the JSON
// __type (CloudWatch is awsQueryCompatible).

import { AwsError } from "../wire.ts";

export const validation = (message: string) =>
  new AwsError("ValidationError", message, 400, "com.amazonaws.cloudwatch#ValidationException");
export const missingParameter = (message: string) =>
  new AwsError(
    "MissingParameter",
    message,
    400,
    "com.amazonaws.cloudwatch#MissingRequiredParameterException",
  );
export const invalidNextToken = () =>
  new AwsError(
    "InvalidNextToken",
    "The service cannot process the specified NextToken.",
    400,
    "com.amazonaws.cloudwatch#InvalidNextToken",
  );
export const invalidWidget = (message: string) =>
  new AwsError(
    "InvalidParameterInput",
    message,
    400,
    "com.amazonaws.cloudwatch#DashboardInvalidInputError",
  );

/** CloudWatch's throttling error (Query code `Throttling`, which the SDK retries). */
export const cloudWatchThrottle = () =>
  new AwsError(
    "Throttling",
    "Rate exceeded",
    400,
    "com.amazon.coral.availability#ThrottlingException",
  );

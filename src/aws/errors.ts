// One small error hierarchy: every AWS failure becomes an AwsReadError with a code the
// command layer turns into a "what is missing and why" line, never a stack trace.

export type AwsFailureKind =
  | "throttled"
  | "access-denied"
  | "timeout"
  | "unreachable"
  | "not-found"
  /** AWS answered, but said it left part out (CloudWatch's Messages, a PartialData status). */
  | "partial"
  | "other";

export class AwsReadError extends Error {
  constructor(
    /** Verb phrase: "describe services tutorial/nginx". */
    readonly action: string,
    readonly operation: string,
    readonly kind: AwsFailureKind,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`${action}: ${code}`, options);
    this.name = "AwsReadError";
  }

  /** In a word, for a headline: "denied", "throttled", "timed out". */
  get brief(): string {
    return BRIEF[this.kind];
  }

  /** For the user: "AWS throttled DescribeTasks (ThrottlingException)". */
  get reason(): string {
    switch (this.kind) {
      case "throttled":
        return `AWS throttled ${this.operation} (${this.code}) even after retries`;
      case "access-denied":
        return `the bot's IAM role may not call ${this.operation} (${this.code})`;
      case "timeout":
        return `${this.operation} did not answer in time`;
      case "unreachable":
        return `${this.operation} could not reach AWS (${this.code})`;
      case "not-found":
        return `${this.operation} found nothing (${this.code})`;
      case "partial":
        return `${this.operation} answered only in part (${this.code}): the figures are partial`;
      default:
        return `${this.operation} failed (${this.code})`;
    }
  }
}

const BRIEF: Record<AwsFailureKind, string> = {
  throttled: "throttled",
  "access-denied": "denied",
  timeout: "timed out",
  unreachable: "unreachable",
  "not-found": "not found",
  partial: "partial",
  other: "failed",
};

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
]);
const DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "ExpiredTokenException",
]);
const NOT_FOUND = new Set([
  "ClusterNotFoundException",
  "ServiceNotFoundException",
  "NamespaceNotFound",
  "ServiceNotFound",
  "NoSuchHostedZone",
  // EC2 and Lambda (`/ecs why`): an ID or function that does not exist.
  "InvalidGroup.NotFound",
  "InvalidSubnetID.NotFound",
  "InvalidVpcID.NotFound",
  "ResourceNotFoundException",
  // ELBv2 (the SDK's names for LoadBalancerNotFound, TargetGroupNotFound…).
  "LoadBalancerNotFoundException",
  "TargetGroupNotFoundException",
  "ListenerNotFoundException",
  "RuleNotFoundException",
]);
const TIMEOUT = new Set(["TimeoutError", "RequestTimeout", "AbortError", "ETIMEDOUT"]);
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "EHOSTUNREACH",
]);

function errorCode(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; code?: unknown };
    if (typeof e.name === "string" && e.name !== "Error") return e.name;
    if (typeof e.code === "string") return e.code;
  }
  return "UnknownError";
}

/** A failure's code, through the AwsReadError that may wrap it (a role that could not be assumed). */
export function failureCode(error: unknown): string {
  return error instanceof AwsReadError ? error.code : errorCode(error);
}

/** Whether an SDK error (one attempt's, inside the retry loop) is AWS throttling. */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(errorCode(error));
}

export function classify(code: string): AwsFailureKind {
  if (THROTTLING.has(code)) return "throttled";
  if (DENIED.has(code)) return "access-denied";
  if (NOT_FOUND.has(code)) return "not-found";
  if (TIMEOUT.has(code)) return "timeout";
  if (UNREACHABLE.has(code)) return "unreachable";
  return "other";
}

/** Runs one AWS read and wraps any failure with what was being done. */
export async function read<T>(
  action: string,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AwsReadError) throw error;
    const code = errorCode(error);
    throw new AwsReadError(action, operation, classify(code), code, { cause: error });
  }
}

import { describe, expect, it } from "vitest";
import { AwsReadError, read } from "../../src/aws/errors.ts";

async function failureOf(error: unknown) {
  return read("describe services tutorial/nginx", "DescribeServices", () =>
    Promise.reject(error),
  ).catch((e: unknown) => e as AwsReadError);
}

describe("read", () => {
  it.each([
    [Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }), "throttled"],
    [Object.assign(new Error("denied"), { name: "AccessDeniedException" }), "access-denied"],
    [Object.assign(new Error("socket hang up"), { name: "TimeoutError" }), "timeout"],
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "unreachable"],
    [Object.assign(new Error("no cluster"), { name: "ClusterNotFoundException" }), "not-found"],
    [new Error("boom"), "other"],
  ])("classifies %s as %s, keeping the original as the cause", async (error, kind) => {
    const failure = await failureOf(error);

    expect(failure).toBeInstanceOf(AwsReadError);
    expect(failure.kind).toBe(kind);
    expect(failure.cause).toBe(error);
    expect(failure.message).toMatch(/^describe services tutorial\/nginx: /);
  });
});

// The signed JSON client behind the Route 53 Resolver and Profiles adapters (src/aws/signed-json.ts),
// through the loopback emulator: it must behave as the SDK clients do for the bot (signing,
// retries on throttling, errors named by their AWS code, the request's deadline).

import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { callLog } from "../../src/aws/call-log.ts";
import { AwsReadError } from "../../src/aws/errors.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

const VPC = "vpc-0b1e2c3d4e5f60718";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function emulated(options: Parameters<typeof useEmulatedAws>[2] = {}) {
  const fleet = loadDemoFleet();
  fleet.resolverRules = [
    { Id: "rslvr-rr-0c0ffee0000000001", DomainName: "corp.example.", RuleType: "FORWARD" },
  ];
  fleet.resolverRuleAssociations = [
    { Id: "rslvr-rrassoc-01", ResolverRuleId: "rslvr-rr-0c0ffee0000000001", VPCId: VPC },
  ];
  fleet.profileAssociations = [
    { Id: "rpassoc-01", ProfileId: "rp-0c0ffee000000001", ResourceId: VPC, Name: "shared-dns" },
  ];
  const aws = await useEmulatedAws(fleet, 0, options);
  stop = aws.stop;
  return aws;
}

describe("the signed JSON client (Route 53 Resolver, Route 53 Profiles)", () => {
  it("reads a VPC's Resolver rules and Profile, signed for their services, once each in the call log", async () => {
    const aws = await emulated();
    const ctx = awsContext("ap-northeast-1");

    const [rules, profiles] = await Promise.all([
      ctx.resolver.rulesOfVpc(VPC),
      ctx.profiles.profilesOfVpc(VPC),
    ]);

    expect(rules).toEqual([
      {
        id: "rslvr-rr-0c0ffee0000000001",
        domainName: "corp.example",
        ruleType: "FORWARD",
        targets: [],
      },
    ]);
    expect(profiles).toEqual([
      { profileId: "rp-0c0ffee000000001", name: "shared-dns", status: "COMPLETE" },
    ]);
    expect(aws.emulator.stats().rejected).toBe(0);
    expect(callLog.stats().calls).toMatchObject({
      ListResolverRuleAssociations: 1,
      ListResolverRules: 1,
      ListProfileAssociations: 1,
    });
  });

  it("retries throttling as the SDK clients do, and answers", async () => {
    // One request a second: the second read is throttled until the bucket refills.
    const aws = await emulated({ rateLimits: { "Route53Profiles.ListProfileAssociations": 1 } });
    const read = (vpc: string) => awsContext("ap-northeast-1").profiles.profilesOfVpc(vpc);

    await read(VPC);
    const again = await read("vpc-0d2e3f4a5b6c70819");

    expect(again).toEqual([]);
    expect(aws.emulator.stats().throttled).toBeGreaterThan(0);
  });

  it("names a refusal by its AWS code, so it reads as access denied", async () => {
    await emulated({ denyOperations: ["Route53Resolver.ListResolverRules"] });

    const error = await awsContext("ap-northeast-1")
      .resolver.rulesOfVpc(VPC)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AwsReadError);
    expect((error as AwsReadError).reason).toBe(
      "the bot's IAM role may not call ListResolverRules (AccessDeniedException)",
    );
  });

  it("stops at the request's deadline", async () => {
    const aws = await emulated();
    aws.emulator.setLatency(2_000);
    const deadline = AbortSignal.timeout(100);

    const error = await awsContext("ap-northeast-1", undefined, deadline)
      .profiles.profilesOfVpc(VPC)
      .catch((e: unknown) => e);

    expect((error as AwsReadError).kind).toBe("timeout");
  });
});

import { describe, expect, it } from "vitest";
import type { FleetContainerInstance } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { bridgeFleet } from "../support/bridge-fleet.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// DescribeContainerInstances (ECS API reference: up to 100 container instances per call; one
// not found is a MISSING failure): a bridge/host task's EC2 instance, for instance targets.

const CI = "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/legacy/";
const FIRST = `${CI}5a1e2b3c4d5e4f60a1b2c3d4e5f60711`;
const SECOND = `${CI}6b2f3c4d5e6f4071b2c3d4e5f6071822`;

/** 150 more container instances of cluster legacy: more than one call's worth. */
const many = Array.from(
  { length: 150 },
  (_, i): FleetContainerInstance => ({
    containerInstanceArn: `${CI}${String(i).padStart(32, "0")}`,
    ec2InstanceId: `i-0${String(i).padStart(16, "0")}`,
    status: "ACTIVE",
  }),
);

const aws = useEmulatorPerFile({
  fleet: () => {
    const fleet = bridgeFleet();
    fleet.containerInstances = [...(fleet.containerInstances ?? []), ...many];
    return fleet;
  },
});
const calls = () =>
  aws.emulator.requests.filter((r) => r.operation === "DescribeContainerInstances").length;

describe("the EC2 instances of container instances", () => {
  it("names each container instance's EC2 instance, in one call, then from the cache", async () => {
    const ecs = awsContext("ap-northeast-1").ecs;
    const found = await ecs.containerInstances("legacy", [FIRST, SECOND, FIRST]);

    expect(found).toEqual([
      { arn: FIRST, ec2InstanceId: "i-0a1b2c3d4e5f60718" },
      { arn: SECOND, ec2InstanceId: "i-0b2c3d4e5f6071829" },
    ]);
    await awsContext("ap-northeast-1").ecs.containerInstances("legacy", [SECOND]);
    expect(calls()).toBe(1);
  });

  it("asks 100 at a time", async () => {
    const found = await awsContext("ap-northeast-1").ecs.containerInstances(
      "legacy",
      many.map((c) => c.containerInstanceArn),
    );

    expect(found).toHaveLength(150);
    expect(calls()).toBe(2);
  });

  it("leaves out one ECS does not know (deregistered): never guessed", async () => {
    const gone = `${CI}ffffffffffffffffffffffffffffffff`;
    const found = await awsContext("ap-northeast-1").ecs.containerInstances("legacy", [
      FIRST,
      gone,
    ]);

    expect(found.map((c) => c.arn)).toEqual([FIRST]);
  });

  it("fails as a read the answer can name when denied", async () => {
    aws.emulator.setDenied(["DescribeContainerInstances"]);
    await expect(
      awsContext("ap-northeast-1").ecs.containerInstances("legacy", [FIRST]),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/container instance in legacy/),
      reason: expect.stringMatching(/DescribeContainerInstances \(AccessDeniedException\)/),
    });
  });
});

import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { relocateFleet } from "../../emulator/fleet/relocate.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";
import { sharedUntilExpiry } from "../../src/aws/credentials.ts";

const identity = (expiresAt: number, key = "ASIAEXAMPLE") => ({
  accessKeyId: key,
  secretAccessKey: "secret",
  expiration: new Date(expiresAt),
});

describe("role credentials, shared until they near expiry", () => {
  it("asks once for concurrent callers and reuses the answer until 5 minutes before it expires", async () => {
    let clock = 0;
    let asked = 0;
    const provider = async () => identity(60 * 60_000, `KEY${++asked}`);
    const shared = sharedUntilExpiry(provider, () => clock);

    const [a, b] = await Promise.all([shared(), shared()]);
    expect([a.accessKeyId, b.accessKeyId, asked]).toEqual(["KEY1", "KEY1", 1]);

    clock = 54 * 60_000; // 6 minutes left: still good
    expect((await shared()).accessKeyId).toBe("KEY1");

    clock = 55 * 60_000; // 5 minutes left: renewed
    expect((await shared()).accessKeyId).toBe("KEY2");
    expect(asked).toBe(2);
  });

  it("does not keep a failure: the next caller asks again", async () => {
    let asked = 0;
    const shared = sharedUntilExpiry(async () => {
      asked += 1;
      if (asked === 1) throw new Error("Throttling");
      return identity(Date.now() + 3_600_000);
    });

    await expect(shared()).rejects.toThrow("Throttling");
    expect((await shared()).accessKeyId).toBe("ASIAEXAMPLE");
    expect(asked).toBe(2);
  });
});

describe("the emulator's STS, as the SDK sees it", () => {
  let emulator: RunningEmulator;
  let now = Date.parse("2026-11-24T12:00:00Z");
  const config = () => ({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-secret" },
  });

  beforeAll(async () => {
    emulator = await startEmulator({
      fleet: loadDemoFleet(),
      otherFleets: [relocateFleet(loadDemoFleet(), "210987654321", "us-east-1")],
      now: () => now,
    });
  });
  afterAll(() => emulator.close());

  it("issues credentials that read the role's account until they expire, then ExpiredTokenException", async () => {
    const sts = new STSClient(config());
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::210987654321:role/ecs-chatops-read",
        RoleSessionName: "ecs-chatops",
        DurationSeconds: 900,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      "arn:aws:sts::210987654321:assumed-role/ecs-chatops-read/ecs-chatops",
    );
    expect(out.Credentials?.Expiration?.getTime()).toBe(now + 900_000);
    const ecs = new ECSClient({
      ...config(),
      maxAttempts: 1,
      credentials: {
        accessKeyId: out.Credentials?.AccessKeyId ?? "",
        secretAccessKey: out.Credentials?.SecretAccessKey ?? "",
        sessionToken: out.Credentials?.SessionToken,
      },
    });

    const clusters = await ecs.send(new ListClustersCommand({}));
    expect(clusters.clusterArns?.[0]).toMatch(/^arn:aws:ecs:us-east-1:210987654321:cluster\//);

    now += 900_000;
    await expect(ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({
      name: "ExpiredTokenException",
    });
  });

  it("refuses a role its trust policy keeps out with AccessDenied, as STS does", async () => {
    emulator.setDenied(["STS.AssumeRole:arn:aws:iam::333333333333:role/ecs-chatops-read"]);
    const sts = new STSClient({ ...config(), maxAttempts: 1 });

    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::333333333333:role/ecs-chatops-read",
          RoleSessionName: "ecs-chatops",
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
  });
});

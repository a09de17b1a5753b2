import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dynamoDigestHistory } from "../../src/aws/digest-history.ts";
import { forgetOwnDynamo } from "../../src/aws/own-dynamo.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";

let dynamo: RunningDynalite;
beforeEach(async () => {
  dynamo = await useDynalite("digests", "DigestHistoryTable");
  forgetOwnDynamo();
});
afterEach(async () => {
  forgetOwnDynamo();
  await dynamo.stop();
});

const tick = new Date("2026-11-25T09:00:00Z");
const snapshot = {
  target: "morning",
  at: tick,
  services: {
    "prod/billing-worker": { level: "down" as const, reason: "OutOfMemoryError", since: tick },
  },
};

describe("the previous digest of a target, kept a month", () => {
  it("is read back as of the new digest's own tick, whatever the wall clock says", async () => {
    const history = dynamoDigestHistory("digests");
    await history.save(snapshot);

    // Five days later: within the month, even when the test itself runs after it has passed.
    expect(await history.load("morning", new Date("2026-11-30T09:00:00Z"))).toEqual(snapshot);
    // Past the month (DynamoDB's TTL sweeper may not have deleted it yet): none.
    expect(await history.load("morning", new Date("2026-12-26T09:00:00Z"))).toBeUndefined();
    expect(await history.load("evening", new Date("2026-11-30T09:00:00Z"))).toBeUndefined();
  });

  it("keeps whether a failure's start came from AWS or from the digest's first sighting", async () => {
    const history = dynamoDigestHistory("digests");
    const began = new Date("2026-11-24T15:58:00Z");
    const both = {
      ...snapshot,
      services: {
        ...snapshot.services,
        "prod/api": {
          level: "degraded" as const,
          reason: "deployment failed",
          since: began,
          sinceFromAws: true,
        },
      },
    };
    await history.save(both);

    expect(await history.load("morning", tick)).toEqual(both);
  });
});

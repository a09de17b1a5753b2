import { describe, expect, it } from "vitest";
import { parsePlaces, placesFrom, placesOfRegions } from "../../src/domain/places.ts";

describe("BOT_TARGETS", () => {
  it("reads accounts (role ARNs), regions and narrowing, and labels each place for answers", () => {
    const result = parsePlaces(
      JSON.stringify([
        { region: "ap-northeast-1" },
        {
          name: "prod-us",
          account: "arn:aws:iam::210987654321:role/ecs-chatops-read",
          region: "us-east-1",
          clusters: ["prod-core"],
          namespaces: ["mesh"],
        },
      ]),
    );

    expect(result).toEqual({
      ok: true,
      places: [
        { label: "ap-northeast-1", region: "ap-northeast-1" },
        {
          label: "prod-us (210987654321) us-east-1",
          region: "us-east-1",
          roleArn: "arn:aws:iam::210987654321:role/ecs-chatops-read",
          account: "210987654321",
          clusters: ["prod-core"],
          namespaces: ["mesh"],
        },
      ],
    });
  });

  it("names every wrong field and its value", () => {
    const result = parsePlaces(
      JSON.stringify([
        { region: "mars-1", account: "210987654321", cluster: ["x"] },
        { region: "us-east-1", clusters: [] },
        { region: "us-east-1" },
      ]),
    );

    expect(result).toEqual({
      ok: false,
      errors: [
        "BOT_TARGETS[0].cluster: not a field (name, account, region, clusters, namespaces)",
        'BOT_TARGETS[0].region: "mars-1" is not an AWS region',
        'BOT_TARGETS[0].account: "210987654321" is not an IAM role ARN',
        "BOT_TARGETS[1].clusters: [] is not a non-empty list of names",
      ],
    });
  });

  it("refuses the same account and region twice, and text that is not a JSON list", () => {
    expect(parsePlaces('[{"region":"us-east-1"},{"region":"us-east-1"}]')).toEqual({
      ok: false,
      errors: ["BOT_TARGETS[1]: the same account and region as BOT_TARGETS[0]"],
    });
    expect(parsePlaces("{}")).toEqual({
      ok: false,
      errors: ["BOT_TARGETS: {} is not a non-empty list"],
    });
    const broken = parsePlaces("[{region:");
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.errors[0]).toMatch(/^BOT_TARGETS: not JSON/);
  });

  it("falls back to BOT_REGIONS (the bot's own account), then to the bot's region", () => {
    expect(placesFrom({ BOT_REGIONS: "us-east-1, eu-west-1,us-east-1" })).toEqual({
      ok: true,
      places: [
        { label: "us-east-1", region: "us-east-1" },
        { label: "eu-west-1", region: "eu-west-1" },
      ],
    });
    expect(placesFrom({ AWS_REGION: "eu-central-1", BOT_TARGETS: " " })).toEqual({
      ok: true,
      places: [{ label: "eu-central-1", region: "eu-central-1" }],
    });
    expect(placesOfRegions("us-east-1,nowhere")).toEqual({
      ok: false,
      errors: ['BOT_REGIONS: "nowhere" is not an AWS region'],
    });
  });
});

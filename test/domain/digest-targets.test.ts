import { describe, expect, it } from "vitest";
import { validateTargets } from "../../src/domain/digest-targets.ts";

const morning = {
  name: "prod-morning",
  channel: "C0PRODOPS01",
  region: "ap-northeast-1",
  clusters: ["tutorial", "ecs_service_discovery"],
  schedule: "cron(0 0 ? * MON-FRI *)",
  thresholds: { errorRate: 0.02, p99Ms: 1500, minRequests: 50 },
  quiet: true,
};

describe("validateTargets", () => {
  it("reads a target with its thresholds, and fills the defaults of another", () => {
    const result = validateTargets({
      targets: [
        morning,
        {
          channel: "C0INCIDENT1",
          region: "us-east-1",
          namespaces: "all",
          schedule: "rate(15 minutes)",
        },
      ],
    });

    expect(result).toEqual({
      ok: true,
      targets: [
        { ...morning, namespaces: [] },
        {
          name: "C0INCIDENT1-1",
          channel: "C0INCIDENT1",
          region: "us-east-1",
          clusters: [],
          namespaces: "all",
          schedule: "rate(15 minutes)",
          thresholds: { errorRate: 0.05, minRequests: 10 },
          quiet: false,
        },
      ],
    });
  });

  it("names every bad field and its value", () => {
    const result = validateTargets({
      targets: [
        morning,
        {
          channel: "general",
          region: "tokyo",
          clusters: [],
          schedule: "every morning",
          thresholds: { errorRate: 5, p99: 100 },
          quiet: "yes",
        },
      ],
    });

    expect(result).toEqual({
      ok: false,
      errors: [
        'targets[1].channel: "general" is not a channel ID (C… or G…)',
        'targets[1].region: "tokyo" is not an AWS region',
        'targets[1].schedule: "every morning" is not usable: not an EventBridge cron(minutes hours day-of-month month day-of-week year) or rate(…)',
        'targets[1].clusters: [] is not "all" or a non-empty list of names',
        'targets[1].quiet: "yes" is not true or false',
        "targets[1].thresholds.p99: not a threshold (errorRate, p99Ms, minRequests)",
        "targets[1].thresholds.errorRate: 5 is not a number from 0 to 1",
      ],
    });
  });

  it("refuses a target that covers nothing, an unknown field and a name used twice", () => {
    const result = validateTargets({
      targets: [
        morning,
        { ...morning, clusters: undefined, channels: ["C0X"] },
        { ...morning, quiet: false },
      ],
    });

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      "targets[1].channels: not a field of a target",
      'targets[1]: give clusters, namespaces or both ("all" for every one)',
      'targets[2].name: "prod-morning" is already the name of targets[0]',
    ]);
  });

  it("refuses a document without targets", () => {
    expect(validateTargets({ target: [] })).toEqual({
      ok: false,
      errors: ["targets: undefined is not a non-empty list of targets"],
    });
  });
});

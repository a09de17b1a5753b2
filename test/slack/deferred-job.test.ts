import { describe, expect, it } from "vitest";
import { jobKey, jobRefusal, sealJob, type UnsealedJob } from "../../src/slack/deferred-job.ts";

// A job the function hands itself is sealed: every field, Details' view included, is under its
// MAC, and every place it may answer is Slack's.

const key = jobKey("signing-secret");
const details: UnsealedJob = {
  kind: "ecs-chatops.deferred-job",
  command: "whois nginx.service-connect",
  destination: {
    kind: "thread",
    channel: "C2147483705",
    threadTs: "1763913600.000200",
    fallbackUrl: "https://hooks.slack.com/actions/T0001EXAMPLE/1/abc",
  },
  view: "full",
  context: { kind: "block_actions", command: "whois nginx.service-connect" },
};

describe("sealed jobs", () => {
  it("accepts a Details job as sealed", () => {
    expect(jobRefusal(sealJob(details, key), key)).toBeUndefined();
  });

  it("refuses a Details job whose view was changed after sealing", () => {
    const sealed = sealJob(details, key);

    expect(jobRefusal({ ...sealed, view: undefined }, key)).toBe("bad MAC");
  });

  it("refuses a job whose private fallback is not Slack's response_url", () => {
    const job = {
      ...details,
      destination: { ...details.destination, fallbackUrl: "https://attacker.example/collect" },
    };

    expect(jobRefusal(sealJob(job, key), key)).toBe("response_url is not Slack's");
  });
});

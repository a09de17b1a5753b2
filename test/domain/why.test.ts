import { describe, expect, it } from "vitest";
import { judgeWhy, targetChoices } from "../../src/domain/why.ts";
import { judge, network, nginxReport, web } from "./why/fixtures.ts";

describe("why A cannot reach B: the headline never contradicts the chain", () => {
  it("names every unknown link, and never says ✔ while a link is ?", () => {
    const report = judge(
      web(),
      network({
        groups: { known: false, why: "the bot's IAM role may not call DescribeSecurityGroups" },
      }),
    );

    expect(report.verdict).toMatch(
      /^\? web-frontend → nginx\.service-connect:80: nothing found broken, but 2 links are unknown\. First, web-frontend security groups out: .*DescribeSecurityGroups/,
    );
    expect(report.verdict).toContain(
      "Also unknown: service-connect-nginx-service security groups in.",
    );
    expect(report.fixes).toEqual([]);
  });

  it("says ? rather than ✔ when only the recent stops could not be read", () => {
    const health = nginxReport();

    const report = judgeWhy({
      client: web(),
      report: { ...health, stopped: undefined },
      network: network(),
      region: "ap-northeast-1",
    });

    expect(report.status).toBe("unknown");
    expect(report.verdict).toMatch(/^\? .*recent stops is unknown/);
  });
});

describe("targetChoices", () => {
  it("lists every name a bare word stands for, and one service for anything else", () => {
    const report = nginxReport();

    expect(targetChoices("nginx", true, [report])).toEqual(["nginx.service-connect"]);
    expect(targetChoices("nginx.service-connect", false, [report, report])).toEqual([
      "tutorial/service-connect-nginx-service",
    ]);
  });
});

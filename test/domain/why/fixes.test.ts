import { describe, expect, it } from "vitest";
import type { Counterpart, ServiceClient } from "../../../src/domain/why/client.ts";
import { resourcesIn } from "../../../src/domain/why/fixes.ts";
import { CLOSED, judge, network, web } from "./fixtures.ts";

describe("why A cannot reach B: every broken link, each with its own fix", () => {
  it("counts both broken links, leads with the name, and fixes the rule before the redeploy", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }), CLOSED);

    expect(report.verdict).toMatch(
      /^✖ web-frontend cannot reach nginx\.service-connect:80: 2 broken links\. First, resolve nginx\.service-connect: /,
    );
    expect(report.verdict).toContain(
      "Also broken: service-connect-nginx-service security groups in.",
    );
    expect(report.fixes.map((f) => [f.link, f.command])).toEqual([
      [
        "service-connect-nginx-service security groups in",
        "aws ec2 authorize-security-group-ingress --group-id sg-0c0ffee00000a0001 --protocol tcp --port 80 --source-group sg-0c0ffee00000a0002",
      ],
      [
        "resolve nginx.service-connect",
        "aws ecs update-service --cluster tutorial --service web-frontend --force-new-deployment",
      ],
    ]);
    expect(report.next).toContain("Apply the 2 fixes above in the order given");
  });

  it("makes each fix name only the resources of its own link", () => {
    const report = judge(web({ deployedAt: new Date("2026-11-19T08:00:00Z") }), CLOSED);

    for (const fix of report.fixes) {
      const check = report.checks.find((c) => c.link === fix.link);
      expect(check?.status).toBe("broken");
      // Every resource its command names is listed, and no other link's.
      for (const id of resourcesIn(fix.command ?? "")) expect(fix.resources).toContain(id);
    }
    expect(report.fixes[0]?.resources).toEqual(["sg-0c0ffee00000a0001", "sg-0c0ffee00000a0002"]);
    expect(report.fixes[1]?.resources).toEqual(["tutorial/web-frontend"]);
  });

  it("gives a broken link without a command its advice, never an empty fix", () => {
    const report = judge(web({ serviceConnectNamespace: undefined }));

    expect(report.fixes).toHaveLength(1);
    expect(report.fixes[0]?.advice).toContain(
      "Turn on Service Connect in namespace service-connect",
    );
  });
});

describe("why A cannot reach B: a fix never moves a service into another environment", () => {
  const staging = () => web({ serviceConnectNamespace: "staging" });
  const nginxStaging: Counterpart = {
    cluster: "staging",
    service: "nginx",
    discoveryName: "nginx",
    name: "nginx.staging",
  };

  it("offers the target's counterpart in the client's own namespace, never joining the target's", () => {
    const report = judge(staging(), CLOSED, { known: true, value: [nginxStaging] });

    expect(report.verdict).toContain("they are in different Service Connect namespaces");
    const [name, rule] = report.fixes;
    expect(name).toMatchObject({
      link: "resolve nginx.service-connect",
      ask: "/ecs why tutorial/web-frontend nginx.staging",
    });
    expect(name?.command).toBeUndefined();
    // Letting one environment's group into the other's is not proposed either.
    expect(rule?.command).toBeUndefined();
    expect(rule?.advice).toContain("Not proposed");
    expect(JSON.stringify(report.fixes)).not.toContain("namespace=service-connect");
    expect(report.next).toBe(
      "Ask about the client's own environment instead: /ecs why tutorial/web-frontend nginx.staging",
    );
  });

  it("says there is no counterpart, and gives no command, when the client's namespace has none", () => {
    const report = judge(staging(), network(), { known: true, value: [] });

    expect(report.fixes[0]?.advice).toContain(
      "Namespace staging has no counterpart of service-connect-nginx-service",
    );
    expect(report.fixes[0]?.command).toBeUndefined();
    expect(report.fixes[0]?.ask).toBeUndefined();
  });

  it("says the counterpart is unknown when the client's namespace could not be read", () => {
    const report = judge(staging(), network(), { known: false, why: "AWS throttled ListServices" });

    expect(report.fixes[0]?.advice).toContain(
      "Whether namespace staging has a counterpart of service-connect-nginx-service could not be read: AWS throttled ListServices",
    );
  });

  it("proposes no namespace to a client without Service Connect in another cluster", () => {
    const client: ServiceClient = {
      ...web({ serviceConnectNamespace: undefined }),
      cluster: "staging",
    };

    const report = judge(client);

    expect(report.fixes[0]?.command).toBeUndefined();
    expect(report.fixes[0]?.advice).toContain("no namespace is proposed for it");
  });
});

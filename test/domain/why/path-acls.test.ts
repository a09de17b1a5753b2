import { describe, expect, it } from "vitest";
import type { NetworkAcl } from "../../../src/domain/network-path/acls.ts";
import type { ServiceClient } from "../../../src/domain/why/client.ts";
import { judge, network, OPEN_ACL, web } from "./fixtures.ts";

// The direct path's network ACLs (no balancer) as few lines: one per direction when every subnet
// pair agrees; a pair denied or unknown keeps its own line and fix (src/domain/why/acl-lines.ts).
// nginx's tasks are in 1a (10.0.1.23) and 1c (10.0.2.47); web-frontend's here too: four pairs.

const A = "subnet-0a1c0ffee0000001a";
const C = "subnet-0a1c0ffee0000001c";
const inBoth: ServiceClient = {
  ...web({ subnetIds: [A, C] }),
  tasks: {
    known: true,
    value: [
      { taskId: "a", ip: "10.0.1.88", subnetId: A },
      { taskId: "c", ip: "10.0.2.88", subnetId: C },
    ],
  },
};
const aclLines = (report: ReturnType<typeof judge>) =>
  report.checks
    .filter((c) => /network ACLs|subnet-\S+ (in|out)/.test(c.link))
    .map((c) => `${c.status} ${c.link}: ${c.detail}`);

describe("why A B, the direct path: network ACLs", () => {
  it("says every subnet pair's ACLs in one line per direction when they all let it through", () => {
    const report = judge(inBoth, network());

    expect(aclLines(report)).toEqual([
      `ok network ACLs (requests): acl-0c0ffee0000000001 allows TCP 80 between ${A}, ${C}; within each of ${A}, ${C}: no network ACL between the two ends`,
      `ok network ACLs (replies): acl-0c0ffee0000000001 allows TCP 32768-65535 between ${A}, ${C}`,
    ]);
    expect(report.status).toBe("reachable");
  });

  it("places the requests' line before the route and the replies' after the server's groups", () => {
    const report = judge(inBoth, network());

    expect(report.checks.filter((c) => c.layer === "path").map((c) => c.link)).toEqual([
      "web-frontend security groups out",
      "network ACLs (requests)",
      "route",
      "service-connect-nginx-service security groups in",
      "network ACLs (replies)",
    ]);
  });

  it("keeps a denied pair's own line and fix; the merged line speaks for the other pairs", () => {
    // 1c's ACL drops TCP 80 from 1a: only the pair 1a → 1c is denied.
    const denying: NetworkAcl = {
      id: "acl-0c0ffee00000000c1",
      ingress: [
        {
          ruleNumber: 50,
          protocol: "6",
          action: "deny",
          cidr: "10.0.1.0/24",
          ports: { from: 80, to: 80 },
        },
        ...OPEN_ACL.ingress,
      ],
      egress: OPEN_ACL.egress,
    };
    const net = network({
      acls: {
        known: true,
        value: new Map([
          [A, OPEN_ACL],
          [C, denying],
        ]),
      },
    });

    const report = judge(inBoth, net);
    const denied = report.checks.find((c) => c.link === `${C} in`);

    expect(denied).toMatchObject({
      status: "broken",
      detail: "acl-0c0ffee00000000c1 denies TCP 80 from 10.0.1.88 (rule 50)",
    });
    expect(denied?.fix).toBe(
      "aws ec2 create-network-acl-entry --network-acl-id acl-0c0ffee00000000c1 --ingress --rule-number 49 --protocol tcp --port-range From=80,To=80 --cidr-block 10.0.0.0/22 --rule-action allow",
    );
    expect(report.checks.find((c) => c.link === "network ACLs (requests)")?.detail).toMatch(
      /^the other subnet pairs: /,
    );
    expect(report.status).toBe("broken");
    expect(report.verdict).toContain("acl-0c0ffee00000000c1 denies TCP 80 from 10.0.1.88");
    // One fix, the denied hop's own: nothing else is proposed.
    expect(report.fixes.map((f) => f.link)).toEqual([`${C} in`]);
  });

  it("keeps an ACL it could not read as its own ? line, never folded into the ✔ one", () => {
    const net = network({ acls: { known: true, value: new Map([[A, OPEN_ACL]]) } });

    const report = judge(inBoth, net);
    const unread = report.checks.filter((c) => c.link.startsWith(C));

    expect(unread.map((c) => c.status)).toEqual(["unknown", "unknown", "unknown", "unknown"]);
    expect(unread[0]?.detail).toContain(`no network ACL is associated with ${C}`);
    expect(report.checks.find((c) => c.link === "network ACLs (replies)")?.detail).toMatch(
      /^the other subnet pairs: /,
    );
    expect(report.status).not.toBe("reachable");
  });
});

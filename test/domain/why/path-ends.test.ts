import { describe, expect, it } from "vitest";
import type { NetworkAcl } from "../../../src/domain/network-path/acls.ts";
import type { ServiceClient } from "../../../src/domain/why/client.ts";
import { judge, network, OPEN_ACL, web } from "./fixtures.ts";

describe("why A cannot reach B: the client's ephemeral ports (issue 20)", () => {
  // Client subnet 1a takes replies back on 32768-60999 only (Linux's range).
  const linuxOnly: NetworkAcl = {
    id: "acl-0linuxonly0000001",
    ingress: [
      {
        ruleNumber: 100,
        protocol: "6",
        action: "allow",
        cidr: "10.0.0.0/16",
        ports: { from: 32768, to: 60999 },
      },
    ],
    egress: OPEN_ACL.egress,
  };
  const net = network({
    acls: {
      known: true,
      value: new Map([
        ["subnet-0a1c0ffee0000001a", linuxOnly],
        ["subnet-0a1c0ffee0000001c", OPEN_ACL],
      ]),
    },
  });
  // 1a's ACL on the replies: its own line when it does not pass them, else part of the merged one.
  const replies = (report: ReturnType<typeof judge>) =>
    report.checks.find(
      (c) =>
        ["subnet-0a1c0ffee0000001a in (replies)", "network ACLs (replies)"].includes(c.link) &&
        c.detail.includes("acl-0linuxonly0000001"),
    );

  it("lets a Linux task's replies back on 32768-60999", () => {
    const report = judge({ ...web(), operatingSystemFamily: "LINUX" }, net);

    expect(replies(report)).toMatchObject({
      status: "ok",
      detail: expect.stringContaining("acl-0linuxonly0000001 allows TCP 32768-60999"),
    });
    expect(report.status).toBe("reachable");
  });

  it("breaks a Windows task's replies, which come back on 49152-65535", () => {
    const report = judge({ ...web(), operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" }, net);

    expect(replies(report)).toMatchObject({
      status: "broken",
      detail: "acl-0linuxonly0000001 denies TCP 61000-65535 from 10.0.2.47 (the final * entry)",
    });
    expect(replies(report)?.fix).toContain("--port-range From=49152,To=65535");
  });

  it("takes a Fargate task's platformFamily when its task definition states no OS", () => {
    const onFargate = (platformFamily: string): ServiceClient => ({
      ...web(),
      tasks: {
        known: true,
        value: [
          { taskId: "2b3c", ip: "10.0.1.88", subnetId: "subnet-0a1c0ffee0000001a", platformFamily },
        ],
      },
    });

    expect(replies(judge(onFargate("Linux"), net))?.status).toBe("ok");
    expect(replies(judge(onFargate("WINDOWS_SERVER_2019_CORE"), net))?.status).toBe("broken");
  });

  it("does not assume Linux when the task definition states no OS: ? when one range passes and the other not", () => {
    const report = judge(web(), net);

    expect(replies(report)?.status).toBe("unknown");
    expect(replies(report)?.detail).toContain("61000-65535");
    expect(replies(report)?.detail).toContain("passes 32768-60999 (Linux)");
    expect(replies(report)?.detail).toContain("runtimePlatform");
    expect(report.status).toBe("unknown");
  });

  it("without a stated OS, ✔ when the ACL passes both ranges", () => {
    const both: NetworkAcl = {
      ...linuxOnly,
      ingress: [
        {
          ...(linuxOnly.ingress[0] as NetworkAcl["ingress"][number]),
          ports: { from: 32768, to: 65535 },
        },
      ],
    };
    const report = judge(
      web(),
      network({
        acls: {
          known: true,
          value: new Map([
            ["subnet-0a1c0ffee0000001a", both],
            ["subnet-0a1c0ffee0000001c", OPEN_ACL],
          ]),
        },
      }),
    );

    expect(replies(report)?.status).toBe("ok");
  });
});

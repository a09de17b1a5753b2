import { describe, expect, it } from "vitest";
import type { PathCheck } from "../../../src/domain/network-path.ts";
import { mergeAclHops } from "../../../src/domain/why/acl-lines.ts";

// The merged ACL line read alone: which ACL lets what through, and where.

const ok = (link: string, detail: string): PathCheck => ({ link, status: "ok", detail });

describe("network ACL lines of many subnet pairs", () => {
  it("names each ACL with its own subnets when the two ends' subnets have different ACLs", () => {
    const lines = mergeAclHops([
      ok("subnet-11a out", "acl-11 allows TCP 8080 to 10.0.1.101"),
      ok("subnet-1a in", "acl-01 allows TCP 8080 from 10.0.11.0/24"),
      ok("subnet-1c in", "acl-01 allows TCP 8080 from 10.0.11.0/24"),
    ]);

    expect(lines).toEqual([
      {
        link: "network ACLs (requests)",
        status: "ok",
        detail:
          "acl-11 allows TCP 8080 out of subnet-11a; acl-01 allows TCP 8080 into subnet-1a, subnet-1c",
      },
    ]);
  });

  it("names only the subnets that passed when every hop into the other end is denied", () => {
    const denied: PathCheck = {
      link: "subnet-11a in (replies)",
      status: "broken",
      detail: "acl-11 denies TCP 1024-32767 from 10.0.1.101 (rule 32767)",
      fix: "aws ec2 create-network-acl-entry --network-acl-id acl-11 …",
    };
    const lines = mergeAclHops([
      ok("subnet-1a out (replies)", "acl-01 allows TCP 1024-65535 to 10.0.11.0/24"),
      ok("subnet-1c out (replies)", "acl-01 allows TCP 1024-65535 to 10.0.11.0/24"),
      denied,
    ]);

    expect(lines).toEqual([
      {
        link: "network ACLs (replies)",
        status: "ok",
        detail: "the other subnet pairs: acl-01 allows TCP 1024-65535 out of subnet-1a, subnet-1c",
      },
      denied,
    ]);
  });

  it("leaves a route or group line between them untouched, in its place", () => {
    const route = { link: "route", status: "ok", detail: "local route", layer: "path" as const };
    const lines = mergeAclHops([
      ok("subnet-1a out", "acl-01 allows TCP 80 to 10.0.2.47"),
      route,
      ok("subnet-1c in", "acl-01 allows TCP 80 from 10.0.1.88"),
    ]);

    expect(lines.map((l) => l.link)).toEqual(["network ACLs (requests)", "route"]);
    expect(lines[0]?.detail).toBe("acl-01 allows TCP 80 out of subnet-1a, into subnet-1c");
  });
});

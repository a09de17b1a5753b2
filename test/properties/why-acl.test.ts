import fc from "fast-check";
import { expect, it } from "vitest";
import type { Subnet } from "../../src/domain/network-path/routes.ts";
import { pathChecks } from "../../src/domain/network-path.ts";
import type { NetworkFacts, ServiceClient } from "../../src/domain/why/client.ts";
import { clientEnds, serverEnds } from "../../src/domain/why/path-ends.ts";
import { renderText } from "../../src/render/text.ts";
import { whyDocument } from "../../src/render/why-document.ts";
import { judge, LOCAL_TABLE, network, nginxReport, VPC, web } from "../domain/why/fixtures.ts";
import { aclDenying, aclIdOf, denyArb } from "./acl-denies.ts";
import { propsParameters } from "./support.ts";

// The direct path (`/ecs why A B`, no balancer) over random network ACLs and client subnets: the
// ACL hops of every subnet pair are merged into one line per direction (src/domain/why/
// acl-lines.ts), and a pair some ACL denies or leaves unknown must still be seen, as its own line
// and in the headline; a fix on an ACL line names that line's own ACL only. Pure: many runs.
//
// Replaying: npm run test:props -- --seed S --path P --test "direct" test/properties/why-acl.test.ts

// nginx's tasks are at 10.0.1.23 and 10.0.2.47 (subnets 0a, 0c); the client's in any of four.
const SUBNETS: Subnet[] = ["a", "c", "d", "e"].map((z, i) => ({
  id: `subnet-0${z}`,
  vpcId: VPC,
  cidr: `10.0.${i + 1}.0/24`,
}));

const ids = SUBNETS.map((s) => s.id);
const cidrs = SUBNETS.map((s) => s.cidr);
const ports = [
  { from: 80, to: 80 },
  { from: 1024, to: 65535 },
  { from: 49152, to: 65535 },
];
const caseArb = fc.record({
  denies: fc.array(denyArb(ids, cidrs, ports), { maxLength: 3 }),
  clientSubnets: fc.subarray(SUBNETS, { minLength: 1 }),
  /** A subnet whose ACL EC2 did not return: its hops are unknown. */
  unread: fc.option(fc.constantFrom(...ids), { nil: undefined }),
  os: fc.constantFrom(undefined, "LINUX", "WINDOWS_SERVER_2022_CORE"),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function caseOf(c: Case): { client: ServiceClient; net: NetworkFacts } {
  const net = network({
    subnets: { known: true, value: SUBNETS },
    acls: {
      known: true,
      value: new Map(
        SUBNETS.filter((s) => s.id !== c.unread).map((s) => [s.id, aclDenying(s.id, c.denies)]),
      ),
    },
    routes: { known: true, value: new Map(SUBNETS.map((s) => [s.id, LOCAL_TABLE])) },
  });
  const tasks = c.clientSubnets.map((s, i) => ({
    taskId: `t${i}`,
    ip: s.cidr.replace(/0\/24$/, "88"),
    subnetId: s.id,
  }));
  const base = web({ subnetIds: c.clientSubnets.map((s) => s.id) });
  const client: ServiceClient = {
    ...base,
    tasks: { known: true, value: tasks },
    ...(c.os ? { operatingSystemFamily: c.os } : {}),
  };
  return { client, net };
}

/** Every subnet pair's ACL hops, unmerged: what the merged answer must not hide. */
function aclHops(client: ServiceClient, net: NetworkFacts) {
  const subnets = net.subnets.known ? net.subnets.value : [];
  const servers = serverEnds(nginxReport(), subnets, net);
  return clientEnds(client, subnets, net)
    .flatMap((c) => servers.flatMap((s) => pathChecks(c, s, 80)))
    .filter((h) => !h.link.includes("security groups"));
}

const params = () => propsParameters<[Case]>(300);

it("a direct path with any subnet pair an ACL denies or leaves unknown never renders all-✔, and its headline is not ✔", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { client, net } = caseOf(c);
      const why = judge(client, net);
      const text = renderText(whyDocument({ kind: "found", query: "q", reports: [why], gaps: [] }));
      const [headline = ""] = text.split("\n");
      const hops = aclHops(client, net);
      // Each hop not let through keeps its own line, as bad as its worst pair.
      for (const hop of hops.filter((h) => h.status !== "ok")) {
        const own = why.checks.find((x) => x.link === hop.link);
        expect(own?.status, `${hop.link}\n${text}`).not.toBe("ok");
        if (hop.status === "broken") expect(own?.status, text).toBe("broken");
      }
      if (hops.some((h) => h.status === "broken")) {
        expect(headline, text).toMatch(/^✖/);
        expect(text, text).toMatch(/^ +✖ subnet-\S+ (in|out)/m);
      } else if (hops.some((h) => h.status !== "ok")) {
        expect(headline, text).not.toMatch(/^✔/);
        expect(text, text).toMatch(/^ +\? subnet-\S+ (in|out)/m);
      }
      // Never more than one line per direction for the pairs that pass, and it says so.
      const merged = why.checks.filter((x) => /^network ACLs \((requests|replies)\)$/.test(x.link));
      expect(new Set(merged.map((m) => m.link)).size, text).toBe(merged.length);
      for (const m of merged) {
        expect(m.status).toBe("ok");
        expect(m.detail, text).not.toMatch(/(out of|into|between|each of)(,|;|$)|, ;|^$/);
        const partial = why.checks.some(
          (x) =>
            /^subnet-\S+ (in|out)/.test(x.link) &&
            x.link.endsWith("(replies)") === m.link.endsWith("(replies)"),
        );
        expect(m.detail.startsWith("the other subnet pairs: "), text).toBe(partial);
      }
    }),
    params(),
  );
});

it("a direct path's ACL fix opens only the ACL of its own line's subnet", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { client, net } = caseOf(c);
      const why = judge(client, net);
      for (const check of why.checks.filter((x) => x.fix && /^subnet-\S+ (in|out)/.test(x.link))) {
        const subnet = check.link.split(" ")[0] ?? "";
        const acls = [...(check.fix ?? "").matchAll(/--network-acl-id (\S+)/g)].map((m) => m[1]);
        expect(acls, check.fix).toEqual([aclIdOf(subnet)]);
        // Only the other end's addresses: a CIDR inside the VPC's subnets, never 0.0.0.0/0.
        expect(check.fix, check.fix).toMatch(
          /--cidr-block 10\.0\.\d+\.0\/\d+ --rule-action allow$/,
        );
      }
      // The merged lines carry no fix: nothing to open.
      for (const m of why.checks.filter((x) => x.link.startsWith("network ACLs"))) {
        expect(m.fix).toBeUndefined();
      }
    }),
    params(),
  );
});

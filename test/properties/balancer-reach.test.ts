import fc from "fast-check";
import { expect, it } from "vitest";
import { balancerEnds, targetEnds } from "../../src/domain/load-balancing/reach.ts";
import type { NetworkAcl } from "../../src/domain/network-path/acls.ts";
import type { SecurityGroup } from "../../src/domain/network-path/security-groups.ts";
import { pathChecks } from "../../src/domain/network-path.ts";
import { judgeBalancerWhy } from "../../src/domain/why/balancer.ts";
import type { NetworkFacts } from "../../src/domain/why/client.ts";
import { renderText } from "../../src/render/text.ts";
import { whyDocument } from "../../src/render/why-document.ts";
import {
  ALB_SG,
  ALL,
  CHECKOUT_SG,
  listener,
  network,
  reach,
  tcp,
  WEB_CLIENT,
  WEB_SG,
  webFrontend,
} from "../domain/load-balancing/network.ts";
import { checkoutTg, shopAlb } from "../domain/load-balancing/support.ts";
import { aclDenying, type Deny, denyArb } from "./acl-denies.ts";
import { propsParameters } from "./support.ts";

// The path through a balancer over random security groups, balancer kinds and client IP
// preservation: a fix never reaches beyond its broken link (it opens the hop's own group, naming
// only the other end of that hop), and whatever the unread preservation setting could make of a
// hop is never called open. Pure: no emulator, many runs.
//
// Replaying: npm run test:props -- --seed S --path P --test "balancer" test/properties/balancer-reach.test.ts

const SOURCES: Record<string, { cidrs?: string[]; groupIds?: string[] }> = {
  albGroup: { groupIds: [ALB_SG] },
  webGroup: { groupIds: [WEB_SG] },
  webCidr: { cidrs: ["10.0.5.0/24"] },
  albCidrs: { cidrs: ["10.0.101.0/24", "10.0.102.0/24"] },
};
const sourceArb = fc.subarray(Object.keys(SOURCES));

const caseArb = fc.record({
  kind: fc.constantFrom("alb", "nlb-groups", "nlb"),
  preserve: fc.constantFrom(true, false, undefined),
  listenerFrom: sourceArb,
  targetFrom: sourceArb,
  healthPort: fc.constantFrom("traffic-port", "8081"),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function checksOf(c: Case) {
  const rules = (from: string[], port: number) => from.map((s) => tcp(port, SOURCES[s] ?? {}));
  const alb: SecurityGroup = {
    id: ALB_SG,
    name: "shop-alb",
    ingress: rules(c.listenerFrom, 80),
    egress: [ALL],
  };
  const checkout: SecurityGroup = {
    id: CHECKOUT_SG,
    name: "checkout",
    ingress: [...rules(c.targetFrom, 8080), ...rules(c.targetFrom, 8081)],
    egress: [ALL],
  };
  const lb =
    c.kind === "alb"
      ? shopAlb()
      : shopAlb({ type: "network", securityGroups: c.kind === "nlb" ? [] : [ALB_SG] });
  const tg = checkoutTg({
    protocol: c.kind === "alb" ? "HTTP" : "TCP",
    healthCheck: { ...checkoutTg().healthCheck, port: c.healthPort },
    ...(c.preserve === undefined ? {} : { preserveClientIp: c.preserve }),
  });
  return reach(network({ alb, checkout }), { lb, tg });
}

const params = () => propsParameters<[Case]>(300);

it("a balancer path's fix opens only its own hop's group, naming only that hop's other end", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      for (const check of checksOf(c).filter((x) => x.fix)) {
        const fix = check.fix ?? "";
        const groups = fix.match(/sg-[0-9a-f]+/g) ?? [];
        if (check.link.endsWith("checkout security groups in")) {
          expect(groups[0], fix).toBe(CHECKOUT_SG);
          // The other end: the balancer (its group or subnets) or, preserving, the client.
          expect(fix, check.link).toMatch(
            new RegExp(
              `--source-group (${ALB_SG}|${WEB_SG})$|--cidr (10\\.0\\.100\\.0/22|10\\.0\\.5\\.0/24)$`,
            ),
          );
        } else if (check.link.endsWith("shop-alb security groups in")) {
          expect(fix).toBe(
            `aws ec2 authorize-security-group-ingress --group-id ${ALB_SG} --protocol tcp --port 80 --source-group ${WEB_SG}`,
          );
        }
        expect(groups.length, fix).toBeLessThanOrEqual(2);
      }
    }),
    params(),
  );
});

it("an NLB whose client IP preservation was not read is never called open where either setting would block", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const unread = checksOf({ ...c, kind: "nlb", preserve: undefined });
      const on = checksOf({ ...c, kind: "nlb", preserve: true });
      const off = checksOf({ ...c, kind: "nlb", preserve: false });
      for (const check of unread.filter((x) => x.status === "ok")) {
        expect(on.find((x) => x.link === check.link)?.status, check.link).not.toBe("broken");
        expect(off.find((x) => x.link === check.link)?.status, check.link).not.toBe("broken");
      }
    }),
    params(),
  );
});

// The ACL hops of every subnet pair are merged into one line per direction (src/domain/why/
// acl-lines.ts): a pair some ACL denies must still be seen, as its own ✖ line and in the headline.
const SUBNET_IDS = ["subnet-0a11", "subnet-0c11", "subnet-0a22", "subnet-0d22", "subnet-0e33"];
const PEERS = ["10.0.101.0/24", "10.0.102.0/24", "10.0.1.0/24", "10.0.3.0/24", "10.0.5.0/24"];
const denies = denyArb(SUBNET_IDS, PEERS, [
  { from: 80, to: 80 },
  { from: 8080, to: 8080 },
  { from: 1024, to: 65535 },
]);
const aclsArb = fc.array(denies, { maxLength: 3 });

const aclsOf = (drawn: Deny[]): Record<string, NetworkAcl> =>
  Object.fromEntries(SUBNET_IDS.map((id) => [id, aclDenying(id, drawn)]));

/** Whether any subnet pair of either leg meets an ACL that denies it: the hops unmerged. */
function someAclDenies(net: NetworkFacts): boolean {
  const lb = shopAlb();
  const client = webFrontend(net);
  const lbEnds = balancerEnds(lb, net);
  const tasks = targetEnds("checkout", ["10.0.1.17", "10.0.3.42"], [CHECKOUT_SG], net);
  const clients = client.kind === "vpc" ? client.ends : [];
  const hops = [
    ...clients.flatMap((c) => lbEnds.flatMap((b) => pathChecks(c, b, 80))),
    ...lbEnds.flatMap((b) => tasks.flatMap((t) => pathChecks(b, t, 8080))),
  ];
  return hops.some((h) => h.status === "broken" && !h.link.includes("security groups"));
}

it("a path with any subnet pair an ACL denies never renders all-✔, and its headline is not ✔", () => {
  fc.assert(
    fc.property(aclsArb, (drawn) => {
      const net = network({}, aclsOf(drawn));
      const report = judgeBalancerWhy({
        client: WEB_CLIENT,
        network: net,
        balancer: shopAlb(),
        listener: listener(),
        group: checkoutTg(),
        loose: { ips: ["10.0.1.17", "10.0.3.42"], why: "test" },
      });
      const text = renderText(
        whyDocument({ kind: "found", query: "q", reports: [report], gaps: [] }),
      );
      if (!someAclDenies(net)) return;
      // Broken, not merely unknown: these targets' own groups are unread (unknown), so a hidden
      // denied pair would turn the headline into "?", never "✖".
      const [headline = ""] = text.split("\n");
      expect(headline, text).toMatch(/^✖/);
      expect(text, text).toMatch(/^ +✖ .*(subnet-|network ACLs)/m);
    }),
    propsParameters<[Deny[]]>(300),
  );
});

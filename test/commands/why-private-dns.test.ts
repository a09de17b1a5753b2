// `/ecs why CLIENT api.internal.local` when more than the zone association decides the name: the
// VPC's DHCP options (custom DNS servers), Route 53 Resolver forwarding rules, Route 53 Profiles,
// and the reads that say so being refused (aws-semantics.md, "Private DNS").

import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import type { Fleet, FleetResolverRule } from "../../emulator/fleet/types.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

const CLIENT_VPC = "vpc-0b1e2c3d4e5f60718";
const PEER_VPC = "vpc-0d2e3f4a5b6c70819";
const ZONE = "Z0EXAMPLE1INTERNAL0LCL";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function whyOn(fleet: Fleet, args: string, denied: string[] = []): Promise<string> {
  const aws = await useEmulatedAws(fleet, 0, { denyOperations: denied });
  stop = aws.stop;
  const answer = await runEcsCommand(`why ${args}`, () => awsContext("ap-northeast-1"));
  return renderText(answer.doc);
}

const headline = (text: string) => text.split("\n")[0] ?? "";
/** The chain line of one link, as the engineer reads it. */
const link = (text: string, name: string) =>
  text
    .split("\n")
    .find((l) => l.trim().slice(2).startsWith(`${name}:`))
    ?.trim();
/** The name layer's lines, between its heading and the path's. */
const nameLayer = (text: string) => text.split("1. Name")[1]?.split("2. Path")[0] ?? "";

function vpcOf(fleet: Fleet, id: string) {
  const vpc = fleet.vpcs?.find((v) => v.vpcId === id);
  if (!vpc) throw new Error(`no ${id} in the demo fleet`);
  return vpc;
}

/** The peered VPC with both DNS attributes on and no association with the zone. */
function peerWithoutAssociation(): Fleet {
  const fleet = loadDemoFleet();
  vpcOf(fleet, PEER_VPC).enableDnsHostnames = true;
  for (const zone of fleet.hostedZones) {
    if (zone.id === ZONE) zone.vpcs = zone.vpcs.filter((v) => v.vpcId !== PEER_VPC);
  }
  return fleet;
}

const TO_DATACENTER: FleetResolverRule = {
  Id: "rslvr-rr-0c0ffee0000000001",
  Name: "to-datacenter",
  DomainName: "local.",
  RuleType: "FORWARD",
  TargetIps: [
    { Ip: "192.168.10.53", Port: 53 },
    { Ip: "192.168.11.53", Port: 53 },
  ],
  ResolverEndpointId: "rslvr-out-0c0ffee000000001",
};

/** The demo fleet with these Resolver rules associated with the client's VPC. */
function withRules(...rules: FleetResolverRule[]): Fleet {
  const fleet = loadDemoFleet();
  fleet.resolverRules = rules;
  fleet.resolverRuleAssociations = rules.map((r, i) => ({
    Id: `rslvr-rrassoc-0c0ffee00000000${i + 1}`,
    ResolverRuleId: r.Id,
    VPCId: CLIENT_VPC,
  }));
  return fleet;
}

describe("/ecs why: who answers DNS in the client's VPC", () => {
  it("judges the name ✔ only when the zone, the attributes, AmazonProvidedDNS, no rule and no Profile all say so", async () => {
    const text = await whyOn(loadDemoFleet(), "tutorial/web-frontend api.internal.local");

    expect(headline(text)).toMatch(/^✔ web-frontend can reach api\.internal\.local:8080/);
    expect(link(text, `${CLIENT_VPC} DNS servers`)).toBe(
      `✔ ${CLIENT_VPC} DNS servers: its DHCP options hand out AmazonProvidedDNS, the VPC's Amazon resolver`,
    );
    expect(link(text, `${CLIENT_VPC} Resolver rules`)).toBe(
      `✔ ${CLIENT_VPC} Resolver rules: no Route 53 Resolver rule associated with ${CLIENT_VPC} forwards api.internal.local or a parent domain`,
    );
    expect(link(text, `${CLIENT_VPC} Route 53 Profile`)).toBe(
      `✔ ${CLIENT_VPC} Route 53 Profile: no Route 53 Profile is associated with ${CLIENT_VPC}`,
    );
  });

  it("says custom DNS servers decide the name, naming them: ?, never ✔ nor ✖", async () => {
    const fleet = loadDemoFleet();
    vpcOf(fleet, CLIENT_VPC).dhcpOptionsId = "dopt-0c0ffee000000dns1";
    fleet.dhcpOptions = [
      {
        DhcpOptionsId: "dopt-0c0ffee000000dns1",
        OwnerId: fleet.accountId,
        DhcpConfigurations: [
          { Key: "domain-name", Values: [{ Value: "corp.example" }] },
          { Key: "domain-name-servers", Values: [{ Value: "10.0.0.53" }, { Value: "10.0.1.53" }] },
        ],
      },
    ];

    const text = await whyOn(fleet, "tutorial/web-frontend api.internal.local");

    expect(headline(text)).toBe(
      `? web-frontend → api.internal.local:8080: nothing found broken, but ${CLIENT_VPC} DNS servers is unknown: custom DNS servers 10.0.0.53, 10.0.1.53 answer for this VPC: they resolve internal.local only if they forward it to the VPC's Amazon resolver`,
    );
    expect(nameLayer(text)).not.toMatch(/✖/);
  });

  it("says a Resolver forwarding rule for a parent domain takes the name away from the private zone, naming its targets", async () => {
    const fleet = withRules(TO_DATACENTER);

    const text = await whyOn(fleet, "tutorial/web-frontend api.internal.local");

    expect(link(text, `${CLIENT_VPC} Resolver rules`)).toBe(
      `? ${CLIENT_VPC} Resolver rules: Resolver rule to-datacenter (rslvr-rr-0c0ffee0000000001) forwards local and its subdomains from ${CLIENT_VPC} to 192.168.10.53:53, 192.168.11.53:53, ahead of the private hosted zone: api.internal.local resolves only if those servers answer for it`,
    );
    expect(headline(text)).toMatch(/^\? web-frontend → api\.internal\.local:8080/);
  });

  it("lets a more specific SYSTEM rule hand the name back to the Resolver, under a forwarding parent", async () => {
    const fleet = withRules(TO_DATACENTER, {
      Id: "rslvr-rr-0c0ffee0000000002",
      Name: "keep-internal",
      DomainName: "internal.local.",
      RuleType: "SYSTEM",
    });

    const text = await whyOn(fleet, "tutorial/web-frontend api.internal.local");

    expect(link(text, `${CLIENT_VPC} Resolver rules`)).toBe(
      `✔ ${CLIENT_VPC} Resolver rules: the most specific rule for api.internal.local, keep-internal (rslvr-rr-0c0ffee0000000002, SYSTEM for internal.local), hands it back to the Resolver`,
    );
    expect(headline(text)).toMatch(/^✔ /);
  });

  it("says a VPC with no DHCP option set hands out no DNS server: ?", async () => {
    const fleet = loadDemoFleet();
    vpcOf(fleet, CLIENT_VPC).dhcpOptionsId = "default";

    const text = await whyOn(fleet, "tutorial/web-frontend api.internal.local");

    expect(link(text, `${CLIENT_VPC} DNS servers`)).toBe(
      `? ${CLIENT_VPC} DNS servers: ${CLIENT_VPC} has no DHCP option set: its hosts get no DNS server from DHCP, so which one they ask is unknown`,
    );
  });

  it("ignores forwarding rules for other domains, and takes a rule for the root as covering every name", async () => {
    const other = await whyOn(
      withRules({ ...TO_DATACENTER, DomainName: "corp.example." }),
      "tutorial/web-frontend api.internal.local",
    );
    expect(link(other, `${CLIENT_VPC} Resolver rules`)).toMatch(/^✔ /);
    await stop?.();

    const root = await whyOn(
      withRules({ ...TO_DATACENTER, DomainName: "." }),
      "tutorial/web-frontend api.internal.local",
    );
    expect(link(root, `${CLIENT_VPC} Resolver rules`)).toMatch(
      /^\? .*to-datacenter \(rslvr-rr-0c0ffee0000000001\) forwards every name from /,
    );
  });

  it("says a VPC without the zone but with a Route 53 Profile may get the zone from it: ?, not ✖", async () => {
    const fleet = peerWithoutAssociation();
    fleet.profileAssociations = [
      {
        Id: "rpassoc-0c0ffee00000001",
        ProfileId: "rp-0c0ffee000000001",
        Name: "shared-dns",
        ResourceId: PEER_VPC,
        Status: "COMPLETE",
      },
    ];

    const text = await whyOn(fleet, "lambda:nightly-export api.internal.local");

    expect(headline(text)).toMatch(/^\? Lambda nightly-export → api\.internal\.local:8080/);
    expect(link(text, `${PEER_VPC} associated with internal.local`)).toBe(
      `? ${PEER_VPC} associated with internal.local: the private hosted zone of internal.local is not associated with ${PEER_VPC} (only with ${CLIENT_VPC}), but Route 53 Profile rp-0c0ffee000000001 (association shared-dns) is associated with ${PEER_VPC}: a Profile can carry private zones and Resolver rules of its own, which then decide api.internal.local here (what it holds is not read)`,
    );
    expect(nameLayer(text)).not.toMatch(/✖/);
  });

  it("still breaks the name for a missing association when nothing else answers in that VPC", async () => {
    const text = await whyOn(peerWithoutAssociation(), "lambda:nightly-export api.internal.local");

    expect(headline(text)).toMatch(
      /^✖ Lambda nightly-export cannot reach api\.internal\.local:8080: .*associated only with vpc-0b1e2c3d4e5f60718/,
    );
    expect(text).toContain(
      `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${ZONE} --vpc VPCRegion=ap-northeast-1,VPCId=${PEER_VPC}`,
    );
    expect(text).not.toContain("create-vpc-association-authorization");
  });

  it("names both steps when the client's VPC belongs to another account than the zone", async () => {
    const fleet = peerWithoutAssociation();
    vpcOf(fleet, PEER_VPC).ownerId = "210987654321";

    const text = await whyOn(fleet, "lambda:nightly-export api.internal.local");

    expect(headline(text)).toMatch(/^✖ /);
    expect(text).toContain(
      `first, in account 123456789012 (the zone's), authorize it with the command below; then, in account 210987654321 (the VPC's): aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${ZONE} --vpc VPCRegion=ap-northeast-1,VPCId=${PEER_VPC}`,
    );
    expect(text).toContain(
      `aws route53 create-vpc-association-authorization --hosted-zone-id ${ZONE} --vpc VPCRegion=ap-northeast-1,VPCId=${PEER_VPC}`,
    );
  });
});

describe("/ecs why: private DNS reads refused", () => {
  it.each([
    ["EC2.DescribeDhcpOptions", "DNS servers", "DescribeDhcpOptions"],
    ["EC2.DescribeVpcs", "DNS servers", "DescribeVpcs"],
    [
      "Route53Resolver.ListResolverRuleAssociations",
      "Resolver rules",
      "ListResolverRuleAssociations",
    ],
    ["Route53Resolver.ListResolverRules", "Resolver rules", "ListResolverRules"],
    ["Route53Profiles.ListProfileAssociations", "Route 53 Profile", "ListProfileAssociations"],
  ])("says the name is unknown, never ✔, when %s is denied", async (denied, what, operation) => {
    const text = await whyOn(loadDemoFleet(), "tutorial/web-frontend api.internal.local", [denied]);

    expect(headline(text)).toMatch(/^\? web-frontend → api\.internal\.local:8080/);
    expect(link(text, `${CLIENT_VPC} ${what}`)).toMatch(
      new RegExp(`^\\? ${CLIENT_VPC} ${what}: .*may not call ${operation}`),
    );
  });

  it("does not call a missing association ✖ when whether a Profile serves the VPC is unknown", async () => {
    const text = await whyOn(peerWithoutAssociation(), "lambda:nightly-export api.internal.local", [
      "Route53Profiles.ListProfileAssociations",
    ]);

    expect(headline(text)).toMatch(/^\? Lambda nightly-export → /);
    expect(nameLayer(text)).not.toMatch(/✖/);
  });
});

describe("what the private DNS reads cost", () => {
  it("reads them beside the DNS attributes: no extra round trip, and from the cache next time", async () => {
    const LATENCY = 150;
    const aws = await useEmulatedAws(loadDemoFleet(), LATENCY);
    stop = aws.stop;
    const run = () =>
      runEcsCommand("why tutorial/legacy-report api.internal.local", () =>
        awsContext("ap-northeast-1"),
      );
    await run();
    const cold = aws.emulator.stats();
    const arrivals = new Map(aws.emulator.requests.map((r) => [r.operation, r.at]));
    aws.emulator.resetStats();
    await run();
    const warm = aws.emulator.stats();

    const attributes = arrivals.get("DescribeVpcAttribute") ?? Number.NaN;
    for (const op of [
      "EC2.DescribeVpcs",
      "EC2.DescribeDhcpOptions",
      "Route53Resolver.ListResolverRuleAssociations",
      "Route53Resolver.ListResolverRules",
      "Route53Profiles.ListProfileAssociations",
    ]) {
      expect(cold.calls[op]).toBe(1);
      expect(warm.calls[op]).toBeUndefined();
      // Sent while the DNS attributes are still being answered: the same round trip.
      const at = arrivals.get(op.split(".")[1] ?? "") ?? Number.NaN;
      expect(Math.abs(at - attributes)).toBeLessThan(LATENCY);
    }
  });

  it("does not read them for a Service Connect alias", async () => {
    const aws = await useEmulatedAws(loadDemoFleet());
    stop = aws.stop;
    await runEcsCommand("why tutorial/web-frontend nginx.service-connect", () =>
      awsContext("ap-northeast-1"),
    );
    const calls = Object.keys(aws.emulator.stats().calls);

    expect(calls.filter((c) => /Dhcp|Vpcs|Route53Resolver|Route53Profiles/.test(c))).toEqual([]);
  });
});

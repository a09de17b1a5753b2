// Random network ACL deny entries for the path properties (balancer-reach, why-acl): each subnet's
// ACL denies what was drawn for it, then allows everything (rule 100).

import fc from "fast-check";
import type { NetworkAcl } from "../../src/domain/network-path/acls.ts";
import type { PortRange } from "../../src/domain/network-path/ports.ts";

export interface Deny {
  subnet: string;
  direction: "ingress" | "egress";
  peer: string;
  ports: PortRange;
}

/** One deny entry: in a subnet's ACL, one direction, for one peer CIDR and ports. */
export const denyArb = (subnets: string[], peers: string[], ports: PortRange[]) =>
  fc.record<Deny>({
    subnet: fc.constantFrom(...subnets),
    direction: fc.constantFrom("ingress" as const, "egress" as const),
    peer: fc.constantFrom(...peers),
    ports: fc.constantFrom(...ports),
  });

/** The ACL of `subnet` (its id `acl-` and the subnet id's tail): its denies first, then all open. */
export function aclDenying(subnet: string, denies: Deny[]): NetworkAcl {
  const own = denies.filter((d) => d.subnet === subnet);
  const entries = (direction: "ingress" | "egress") => [
    ...own
      .filter((d) => d.direction === direction)
      .map((d, i) => ({
        ruleNumber: 10 + i,
        protocol: "6",
        action: "deny" as const,
        cidr: d.peer,
        ports: d.ports,
      })),
    { ruleNumber: 100, protocol: "-1", action: "allow" as const, cidr: "0.0.0.0/0" },
  ];
  return { id: aclIdOf(subnet), ingress: entries("ingress"), egress: entries("egress") };
}

export const aclIdOf = (subnet: string) => `acl-${subnet.slice(7)}`;

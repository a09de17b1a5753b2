// The name link for a private DNS name: the client's VPC must be associated with the zone and
// have DNS on, unless something else answers the name there (see dns-elsewhere.ts).

import type { Known } from "../known.ts";
import { hostOf, type NameBinding } from "../resolution/bindings.ts";
import type { VpcDns } from "../vpc-dns.ts";
import type { WhyCheck } from "./check.ts";
import { type NetworkFacts, shortName, type WhyClient } from "./client.ts";
import { dnsServersCheck, profileCheck, resolverRulesCheck } from "./dns-elsewhere.ts";

function clientVpc(client: WhyClient, network: NetworkFacts): string | undefined {
  if (client.kind === "lambda") return client.fn.known ? client.fn.value.vpc?.vpcId : undefined;
  if (!network.subnets.known) return undefined;
  const ids = client.ecs?.subnetIds ?? [];
  return network.subnets.value.find((s) => ids.includes(s.id))?.vpcId;
}

export function dnsNameCheck(
  client: WhyClient,
  focus: NameBinding & { scope: { kind: "dns" } },
  network: NetworkFacts,
  region: string,
): WhyCheck[] {
  const name = hostOf(focus);
  const link = `resolve ${name}`;
  const scope = focus.scope;
  if (!scope.privateZone) {
    return [{ layer: "name", link, status: "ok", detail: `${name} is in a public DNS namespace` }];
  }
  if (client.kind === "lambda") {
    if (!client.fn.known) {
      return [
        {
          layer: "name",
          link,
          status: "unknown",
          detail: `whether Lambda ${client.name} is attached to a VPC: ${client.fn.why}`,
        },
      ];
    }
    if (!client.fn.value.vpc) {
      return [
        {
          layer: "name",
          link,
          status: "broken",
          detail: `Lambda ${client.name} is not attached to a VPC: it resolves through public DNS, which does not answer for the private zone of ${scope.namespace}`,
          fix: `aws lambda update-function-configuration --function-name ${client.name} --vpc-config SubnetIds=<subnets of ${scope.vpcIds?.[0] ?? "the zone's VPC"}>,SecurityGroupIds=<a group the target allows>`,
        },
      ];
    }
  }
  const vpc = clientVpc(client, network);
  if (!vpc) {
    const why = network.subnets.known ? "" : `: ${network.subnets.why}`;
    return [
      {
        layer: "name",
        link,
        status: "unknown",
        detail: `which VPC ${shortName(client)} is in could not be read${why}`,
      },
    ];
  }
  const names = network.clientVpcNames;
  const elsewhere = [
    dnsServersCheck(vpc, scope.namespace, names?.dhcp),
    resolverRulesCheck(vpc, name, names?.rules),
    profileCheck(vpc, name, names?.profiles),
  ];
  // What else may answer the name in this VPC: found, or unread. Either way a missing
  // association or attribute is no longer the whole answer (aws-semantics.md, "Private DNS").
  const inPlay = elsewhere.filter((c) => c.status !== "ok").map((c) => c.detail);
  // The finding restated as a fact about the Amazon resolver alone, then what else is there.
  const unlessElsewhere = ({ check, fact }: Judged): WhyCheck =>
    check.status === "broken" && inPlay.length > 0
      ? {
          ...check,
          status: "unknown",
          detail: `${fact ?? check.detail}, but ${inPlay.join("; and ")}`,
        }
      : check;
  const owner = names?.dhcp.known ? names.dhcp.value.ownerId : undefined;
  return [
    unlessElsewhere(associationCheck(shortName(client), vpc, focus, region, owner)),
    unlessElsewhere(attributesCheck(vpc, network.clientVpcDns)),
    ...elsewhere,
  ];
}

/** A check, and what its finding means when something else may still answer the name. */
interface Judged {
  check: WhyCheck;
  fact?: string;
}

function associationCheck(
  who: string,
  vpc: string,
  focus: NameBinding & { scope: { kind: "dns" } },
  region: string,
  vpcOwner: string | undefined,
): Judged {
  const scope = focus.scope;
  const link = `${vpc} associated with ${scope.namespace}`;
  if (!scope.vpcIds) {
    return {
      check: {
        layer: "name",
        link,
        status: "unknown",
        detail: `the VPCs of the private hosted zone of ${scope.namespace} could not be read`,
      },
    };
  }
  if (scope.vpcIds.includes(vpc)) {
    return {
      check: {
        layer: "name",
        link,
        status: "ok",
        detail: `the private hosted zone of ${scope.namespace} is associated with ${vpc}`,
      },
    };
  }
  const zone = scope.hostedZoneId ?? `<zone of ${scope.namespace}>`;
  const args = `--hosted-zone-id ${zone} --vpc VPCRegion=${region},VPCId=${vpc}`;
  const associate = `aws route53 associate-vpc-with-hosted-zone ${args}`;
  // Another account's VPC: the zone's account authorizes it first (Route 53 guide, "VPC and
  // zone in different accounts").
  const crossAccount = vpcOwner && scope.zoneAccountId && vpcOwner !== scope.zoneAccountId;
  const only = scope.vpcIds.join(", ") || "no VPC";
  return {
    check: {
      layer: "name",
      link,
      status: "broken",
      detail: `${who} is in ${vpc}, and the private hosted zone of ${scope.namespace} is associated only with ${only}: ${hostOf(focus)} does not resolve there`,
      ...(crossAccount
        ? {
            remedy: {
              command: `aws route53 create-vpc-association-authorization ${args}`,
              advice: `${vpc} is in account ${vpcOwner} and the zone in account ${scope.zoneAccountId}: first, in account ${scope.zoneAccountId} (the zone's), authorize it with the command below; then, in account ${vpcOwner} (the VPC's): ${associate}`,
              resources: [zone, vpc],
            },
          }
        : { fix: associate }),
    },
    fact: `the private hosted zone of ${scope.namespace} is not associated with ${vpc} (only with ${only})`,
  };
}

function attributesCheck(vpc: string, dns: Known<VpcDns> | undefined): Judged {
  const link = `${vpc} DNS attributes`;
  if (!dns?.known) {
    return {
      check: {
        layer: "name",
        link,
        status: "unknown",
        detail: `enableDnsSupport and enableDnsHostnames of ${vpc}: ${dns && !dns.known ? dns.why : "not read"}`,
      },
    };
  }
  const off = (["enableDnsSupport", "enableDnsHostnames"] as const).filter((a) => !dns.value[a]);
  if (off.length === 0) {
    return {
      check: {
        layer: "name",
        link,
        status: "ok",
        detail: `${vpc} has enableDnsSupport and enableDnsHostnames on`,
      },
    };
  }
  return {
    check: {
      layer: "name",
      link,
      status: "broken",
      detail: `${vpc} has ${off.join(" and ")} off: private hosted zones do not resolve in it, silently`,
      fix: off
        .map(
          (a) =>
            `aws ec2 modify-vpc-attribute --vpc-id ${vpc} --${a === "enableDnsSupport" ? "enable-dns-support" : "enable-dns-hostnames"} '{"Value":true}'`,
        )
        .join(" && "),
    },
    fact: `${vpc} has ${off.join(" and ")} off, so its Amazon resolver answers no private hosted zone`,
  };
}

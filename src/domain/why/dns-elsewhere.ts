// Who else answers DNS in the client's VPC: its DHCP options' servers, Resolver rules and a
// Route 53 Profile (aws-semantics.md, "Private DNS").

import type { Known } from "../known.ts";
import type { ProfileAssociation, ResolverRule, VpcDhcp } from "../vpc-dns.ts";
import type { WhyCheck } from "./check.ts";

const AMAZON_DNS = "AmazonProvidedDNS";

/** The DHCP options' DNS servers: only AmazonProvidedDNS leaves the name to the VPC's resolver. */
export function dnsServersCheck(
  vpc: string,
  namespace: string,
  dhcp: Known<VpcDhcp> | undefined,
): WhyCheck {
  const link = `${vpc} DNS servers`;
  if (!dhcp?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `which DNS servers the DHCP options of ${vpc} hand out could not be read: ${dhcp && !dhcp.known ? dhcp.why : "not read"}`,
    };
  }
  const servers = dhcp.value.domainNameServers;
  const custom = servers.filter((s) => s !== AMAZON_DNS);
  if (servers.length === 0) {
    const set =
      dhcp.value.dhcpOptionsId === "default"
        ? "no DHCP option set"
        : `DHCP options ${dhcp.value.dhcpOptionsId} without domain-name-servers`;
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `${vpc} has ${set}: its hosts get no DNS server from DHCP, so which one they ask is unknown`,
    };
  }
  if (custom.length > 0) {
    const also =
      custom.length < servers.length ? ` (${AMAZON_DNS} is listed too: hosts may ask either)` : "";
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `custom DNS servers ${custom.join(", ")} answer for this VPC: they resolve ${namespace} only if they forward it to the VPC's Amazon resolver${also}`,
    };
  }
  return {
    layer: "name",
    link,
    status: "ok",
    detail: `its DHCP options hand out ${AMAZON_DNS}, the VPC's Amazon resolver`,
  };
}

const ruleLabel = (rule: ResolverRule) => (rule.name ? `${rule.name} (${rule.id})` : rule.id);

/**
 * Resolver rules associated with the VPC: the most specific one whose domain is the name or a
 * parent decides; FORWARD (or DELEGATE) takes precedence over the private zone, SYSTEM and
 * RECURSIVE leave the name to the Resolver (API ResolverRule, RuleType).
 */
export function resolverRulesCheck(
  vpc: string,
  name: string,
  rules: Known<ResolverRule[]> | undefined,
): WhyCheck {
  const link = `${vpc} Resolver rules`;
  if (!rules?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `the Route 53 Resolver rules of ${vpc} could not be read: ${rules && !rules.known ? rules.why : "not read"}`,
    };
  }
  const host = name.toLowerCase().replace(/\.$/, "");
  const covers = (domain: string) =>
    domain === "" || host === domain || host.endsWith(`.${domain}`);
  const best = rules.value
    .filter((r) => r.domainName !== undefined && covers(r.domainName))
    .sort((a, b) => (b.domainName?.length ?? 0) - (a.domainName?.length ?? 0))[0];
  const unread = rules.value.filter((r) => r.domainName === undefined);
  if (best && (best.ruleType === "FORWARD" || best.ruleType === "DELEGATE")) {
    const domain = best.domainName ? `${best.domainName} and its subdomains` : "every name";
    const verb = best.ruleType === "FORWARD" ? "forwards" : "delegates";
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `Resolver rule ${ruleLabel(best)} ${verb} ${domain} from ${vpc} to ${best.targets.join(", ") || "its endpoint's targets"}, ahead of the private hosted zone: ${name} resolves only if those servers answer for it`,
    };
  }
  if (unread.length > 0) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `Resolver rule ${unread.map(ruleLabel).join(", ")} is associated with ${vpc} but was not among the rules read, so whether it forwards ${name} is unknown`,
    };
  }
  if (best) {
    return {
      layer: "name",
      link,
      status: "ok",
      detail: `the most specific rule for ${name}, ${best.name ?? best.id} (${best.name ? `${best.id}, ` : ""}${best.ruleType} for ${best.domainName || "."}), hands it back to the Resolver`,
    };
  }
  return {
    layer: "name",
    link,
    status: "ok",
    detail: `no Route 53 Resolver rule associated with ${vpc} forwards ${name} or a parent domain`,
  };
}

/** A Route 53 Profile can carry zones and rules of its own into the VPC (not read here). */
export function profileCheck(
  vpc: string,
  name: string,
  profiles: Known<ProfileAssociation[]> | undefined,
): WhyCheck {
  const link = `${vpc} Route 53 Profile`;
  if (!profiles?.known) {
    return {
      layer: "name",
      link,
      status: "unknown",
      detail: `whether a Route 53 Profile is associated with ${vpc} could not be read: ${profiles && !profiles.known ? profiles.why : "not read"}`,
    };
  }
  const [profile] = profiles.value;
  if (!profile) {
    return {
      layer: "name",
      link,
      status: "ok",
      detail: `no Route 53 Profile is associated with ${vpc}`,
    };
  }
  return {
    layer: "name",
    link,
    status: "unknown",
    detail: `Route 53 Profile ${profile.profileId}${profile.name ? ` (association ${profile.name})` : ""} is associated with ${vpc}: a Profile can carry private zones and Resolver rules of its own, which then decide ${name} here (what it holds is not read)`,
  };
}

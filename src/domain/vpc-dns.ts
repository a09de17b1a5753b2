// What decides a private DNS name in a VPC besides the zone association: its DNS attributes,
// its DHCP options' servers, Resolver rules and a Route 53 Profile.

import type { Known } from "./known.ts";

/** The two VPC attributes the Amazon-provided DNS server depends on. */
export interface VpcDns {
  vpcId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
}

/** Which DNS servers a VPC's DHCP options hand out, and who owns the VPC (DescribeVpcs). */
export interface VpcDhcp {
  vpcId: string;
  /** The VPC's account: another than the zone's needs an authorization to associate. */
  ownerId?: string;
  /** "default": no DHCP option set at all. */
  dhcpOptionsId: string;
  /** `domain-name-servers`: "AmazonProvidedDNS" or addresses; empty when the set has none. */
  domainNameServers: string[];
}

/** A Route 53 Resolver rule associated with a VPC. */
export interface ResolverRule {
  id: string;
  name?: string;
  /** Without its trailing dot; "" for the root ("."); undefined when the rule could not be read. */
  domainName?: string;
  /**
   * FORWARD or DELEGATE send queries elsewhere; SYSTEM and RECURSIVE leave them to the Resolver;
   * "UNREAD": associated with the VPC, but not among the rules read.
   */
  ruleType: string;
  /** "ip:port" of a FORWARD rule's targets. */
  targets: string[];
}

/** A Route 53 Profile associated with a VPC: it can carry private zones and Resolver rules. */
export interface ProfileAssociation {
  profileId: string;
  name?: string;
  status?: string;
}

/**
 * What besides the zone association and the attributes decides a private name in a VPC
 * (aws-semantics.md, "Private DNS"): its DNS servers, the Resolver rules and a Route 53 Profile.
 */
export interface VpcNameService {
  dhcp: Known<VpcDhcp>;
  rules: Known<ResolverRule[]>;
  profiles: Known<ProfileAssociation[]>;
}

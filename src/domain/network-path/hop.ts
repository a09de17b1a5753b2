// One end of a path and one hop's verdict: what the security group and ACL checks share.

import type { Known } from "../known.ts";
import type { NetworkAcl } from "./acls.ts";
import type { EphemeralPorts } from "./ports.ts";
import type { SecurityGroup } from "./security-groups.ts";

/** One end of a connection with what the path checks need about it. */
export interface PathEnd {
  /** How the engineer named it: "web-frontend", "api.internal.local". */
  name: string;
  ip: string;
  securityGroupIds: string[];
  /** The ENI's security groups, as described. */
  groups: Known<SecurityGroup[]>;
  subnetId: string;
  /** The subnet's IPv4 CIDR. */
  subnetCidr: string;
  /**
   * What an ACL fix names for this end as a peer, when it sits in several subnets (one CIDR
   * covering them all: one entry, one rule number); default its subnet's CIDR.
   */
  fixCidr?: string;
  /** The network ACL of its subnet. */
  acl: Known<NetworkAcl>;
  /** The ports replies come back to (a client's): each range it may use when its OS is unknown. */
  ephemeral: EphemeralPorts;
}

export interface PathCheck {
  /** Which hop, in the order a connection meets them. */
  link: string;
  status: "ok" | "broken" | "unknown";
  /** What decided it, or what could not be read and why. */
  detail: string;
  /** The command that would open it (for the engineer to read and run; the bot never does). */
  fix?: string;
}

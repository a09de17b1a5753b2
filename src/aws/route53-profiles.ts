import type { ProfileAssociation } from "../domain/vpc-dns.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { read } from "./errors.ts";
import type { SignedJsonClient } from "./signed-json.ts";

// Shape: botocore route53profiles 2018-05-10; API reference API_route53profiles_ListProfileAssociations
// (GET /profileassociations?resourceId=…, REST-JSON).
interface Association {
  ProfileId?: string;
  Name?: string;
  ResourceId?: string;
  Status?: string;
}

/** The Route 53 Profile associated with a VPC, if any ("A VPC can have only one Profile"). */
export class Route53ProfilesAdapter {
  constructor(
    /** Created on first use: see AwsClients.route53Profiles. */
    private readonly client: () => SignedJsonClient,
    private readonly cache: TtlCache,
    private readonly scope: string,
    private readonly signal?: AbortSignal,
  ) {}

  profilesOfVpc(vpcId: string): Promise<ProfileAssociation[]> {
    return this.cache.getOrLoad(`r53p:${this.scope}:vpc:${vpcId}`, TTL.networkRules, () =>
      read(
        `list the Route 53 Profile associations of ${vpcId}`,
        "ListProfileAssociations",
        async () => {
          // One VPC has one Profile at most: one page holds them all.
          const out = await this.client().send<{ ProfileAssociations?: Association[] }>(
            "ListProfileAssociations",
            { method: "GET", path: "/profileassociations", query: { resourceId: vpcId } },
            this.signal,
          );
          return (out.ProfileAssociations ?? [])
            .filter(
              (a) => a.ResourceId === vpcId && a.Status !== "DELETED" && a.Status !== "FAILED",
            )
            .map((a) => ({
              profileId: a.ProfileId ?? "?",
              name: a.Name || undefined,
              status: a.Status,
            }));
        },
      ),
    );
  }
}

// Amazon Route 53 Profiles (REST-JSON, signing name route53profiles): ListProfileAssociations,
// `GET /profileassociations?resourceId=&profileId=&maxResults=&nextToken=` answered with
// `{"ProfileAssociations": [...], "NextToken"}` (botocore model route53profiles 2018-05-10; API
// reference https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53profiles_ListProfileAssociations.html).
// Timestamps (CreationTime, ModificationTime) are epoch seconds on the wire, as the JSON protocols'.

import type { Fleet } from "./fleet/types.ts";
import { AwsError, paginate } from "./wire.ts";

export const PROFILE_ASSOCIATIONS_PATH = /^\/profileassociations\/?$/;

const seconds = (iso: string | undefined) =>
  iso === undefined ? undefined : Date.parse(iso) / 1000;

export function listProfileAssociations(fleet: Fleet, query: URLSearchParams): unknown {
  const resourceId = query.get("resourceId");
  const profileId = query.get("profileId");
  const rawMax = query.get("maxResults");
  const maxResults = rawMax === null ? undefined : Number(rawMax);
  if (maxResults !== undefined && !Number.isInteger(maxResults)) {
    throw new AwsError("ValidationException", "maxResults must be an integer.");
  }
  const matching = (fleet.profileAssociations ?? []).filter(
    (a) =>
      (resourceId === null || a.ResourceId === resourceId) &&
      (profileId === null || a.ProfileId === profileId),
  );
  const { page, nextToken } = paginate(matching, {
    scope: `ListProfileAssociations:${resourceId ?? ""}:${profileId ?? ""}`,
    maxResults,
    nextToken: query.get("nextToken") ?? undefined,
    defaultMax: 100,
    limit: 100,
    invalid: (message) =>
      message.includes("nextToken")
        ? new AwsError("InvalidNextTokenException", message)
        : new AwsError("ValidationException", message),
  });
  return {
    ProfileAssociations: page.map((a) => ({
      OwnerId: fleet.accountId,
      Status: "COMPLETE",
      ...a,
      CreationTime: seconds(a.CreationTime),
      ModificationTime: seconds(a.ModificationTime),
    })),
    NextToken: nextToken,
  };
}

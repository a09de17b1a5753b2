// Amazon Route 53 Resolver (AWS JSON 1.1, X-Amz-Target Route53Resolver.<Op>, signing name
// route53resolver): the two reads /ecs why makes about a VPC's forwarding rules.
//
// Shapes from the botocore model route53resolver 2018-04-01 and the API reference
// (https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ListResolverRules.html,
// …_ListResolverRuleAssociations.html, …_Filter.html): `Filters` of `{Name, Values}` (AND across
// filters, OR across values; names also in their early upper-case form, VPC_ID), `MaxResults`
// 1-100 (default 100), `NextToken`; the response echoes MaxResults when given.

import type { Fleet } from "./fleet/types.ts";
import { AwsError, Input, type JsonBody, type Operation, paginate } from "./wire.ts";

const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

/** "VPCId", "VPC_ID" and "vpcid" are one filter name. */
const filterKey = (name: string) => name.replaceAll("_", "").toLowerCase();

function selected<T>(
  body: JsonBody,
  items: readonly T[],
  fields: Record<string, (item: T) => unknown>,
  operation: string,
): JsonBody {
  const req = new Input(body, invalidParameter);
  const filters = (req.list("Filters") ?? []).map((f) => {
    const filter = new Input(f, invalidParameter);
    const name = filter.requiredString("Name");
    const field = fields[filterKey(name)];
    if (!field) throw invalidParameter(`The filter '${name}' is not valid for ${operation}.`);
    return { field, values: filter.strings("Values") ?? [] };
  });
  const matching = items.filter((item) =>
    filters.every(({ field, values }) => values.includes(String(field(item)))),
  );
  const maxResults = req.int("MaxResults");
  const { page, nextToken } = paginate(matching, {
    scope: `${operation}:${JSON.stringify(body.Filters ?? [])}`,
    maxResults,
    nextToken: req.string("NextToken"),
    defaultMax: 100,
    limit: 100,
    maxResultsName: "MaxResults",
    invalid: (message) => new AwsError("InvalidNextTokenException", message),
  });
  return { NextToken: nextToken, MaxResults: maxResults, items: page };
}

export function route53ResolverOperations(fleet: Fleet): Record<string, Operation> {
  const rules = fleet.resolverRules ?? [];
  const associations = fleet.resolverRuleAssociations ?? [];
  return {
    ListResolverRules(body) {
      const { items, ...rest } = selected(
        body,
        rules.map((r) => ({
          Arn: `arn:aws:route53resolver:${fleet.region}:${r.OwnerId ?? fleet.accountId}:resolver-rule/${r.Id}`,
          OwnerId: fleet.accountId,
          ShareStatus: "NOT_SHARED",
          Status: "COMPLETE",
          ...r,
        })),
        {
          creatorrequestid: (r) => r.CreatorRequestId,
          domainname: (r) => r.DomainName,
          name: (r) => r.Name,
          resolverendpointid: (r) => r.ResolverEndpointId,
          status: (r) => r.Status,
          type: (r) => r.RuleType,
        },
        "ListResolverRules",
      );
      return { ...rest, ResolverRules: items };
    },
    ListResolverRuleAssociations(body) {
      const { items, ...rest } = selected(
        body,
        associations.map((a) => ({ Status: "COMPLETE", ...a })),
        {
          name: (a) => a.Name,
          resolverruleid: (a) => a.ResolverRuleId,
          status: (a) => a.Status,
          vpcid: (a) => a.VPCId,
        },
        "ListResolverRuleAssociations",
      );
      return { ...rest, ResolverRuleAssociations: items };
    },
  };
}

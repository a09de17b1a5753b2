import type { ResolverRule } from "../domain/vpc-dns.ts";
import { TTL, type TtlCache } from "./cache.ts";
import { AwsReadError, read } from "./errors.ts";
import type { SignedJsonClient } from "./signed-json.ts";

// Shapes: botocore route53resolver 2018-04-01; API reference API_route53resolver_ListResolverRules,
// API_route53resolver_ListResolverRuleAssociations, API_route53resolver_Filter.
interface RuleAssociation {
  ResolverRuleId?: string;
  VPCId?: string;
  Status?: string;
}
interface Rule {
  Id?: string;
  Name?: string;
  DomainName?: string;
  RuleType?: string;
  TargetIps?: { Ip?: string; Ipv6?: string; Port?: number }[];
}

/** Pages read at most (100 items each): past them the answer is capped, hence unknown. */
const MAX_PAGES = 10;

const domainOf = (name: string) => name.replace(/\.$/, "").toLowerCase();

/** The Route 53 Resolver rules applied to a VPC (src/domain/why/dns-elsewhere.ts judges them). */
export class Route53ResolverAdapter {
  constructor(
    /** Created on first use: see AwsClients.route53Resolver. */
    private readonly client: () => SignedJsonClient,
    private readonly cache: TtlCache,
    private readonly scope: string,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * The rules associated with a VPC: its associations (filtered by VPC) and the account's rules
   * (no VPC filter exists) read at once, then joined. A FAILED association applies nothing.
   */
  rulesOfVpc(vpcId: string): Promise<ResolverRule[]> {
    return this.cache.getOrLoad(`r53r:${this.scope}:rules:${vpcId}`, TTL.networkRules, async () => {
      const [associations, rules] = await Promise.all([
        read(
          `list the Resolver rule associations of ${vpcId}`,
          "ListResolverRuleAssociations",
          () =>
            this.all<RuleAssociation>("ListResolverRuleAssociations", "ResolverRuleAssociations", [
              { Name: "VPCId", Values: [vpcId] },
            ]),
        ),
        read("list the Resolver rules", "ListResolverRules", () =>
          this.all<Rule>("ListResolverRules", "ResolverRules"),
        ),
      ]);
      return associations
        .filter((a) => a.VPCId === vpcId && a.Status !== "FAILED")
        .map((a): ResolverRule => {
          const rule = rules.find((r) => r.Id === a.ResolverRuleId);
          if (!rule?.DomainName) {
            // Associated, yet not among the rules read: its domain is unknown.
            return { id: a.ResolverRuleId ?? "?", ruleType: "UNREAD", targets: [] };
          }
          return {
            id: rule.Id ?? "?",
            name: rule.Name || undefined,
            domainName: domainOf(rule.DomainName),
            ruleType: rule.RuleType ?? "FORWARD",
            targets: (rule.TargetIps ?? []).flatMap((t) => {
              const ip = t.Ip ?? t.Ipv6;
              return ip ? [`${ip}:${t.Port ?? 53}`] : [];
            }),
          };
        });
    });
  }

  /** Every page of a list operation, up to MAX_PAGES. */
  private async all<T>(operation: string, key: string, filters?: unknown[]): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.client().send<Record<string, unknown>>(
        operation,
        {
          method: "POST",
          path: "/",
          target: `Route53Resolver.${operation}`,
          body: { MaxResults: 100, ...(filters ? { Filters: filters } : {}), NextToken: token },
        },
        this.signal,
      );
      items.push(...((out[key] as T[] | undefined) ?? []));
      token = typeof out.NextToken === "string" ? out.NextToken : undefined;
      if (!token) return items;
    }
    throw new AwsReadError(operation, operation, "other", `MoreThan${MAX_PAGES * 100}`);
  }
}

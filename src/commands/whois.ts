import type { WhoisAnswer } from "../domain/answer.ts";
import {
  type BalancerQuery,
  balancerQuery,
  buildBalancerWhois,
} from "../domain/load-balancing/whois.ts";
import { parseQuery, type Query } from "../domain/query.ts";
import { buildResolution } from "../domain/resolution.ts";
import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { readBalancers } from "./reads/balancers.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { gatherTargetFacts } from "./reads/service-facts.ts";
import { eachTarget } from "./reads/targets.ts";

/** What a not-found answer says of the ELB search, per kind of input. */
function elbSearched(q: BalancerQuery): string {
  switch (q.kind) {
    case "dns-name":
      return `load balancers (the one named in ${q.dnsName}, then every balancer's DNS name)`;
    case "balancer-arn":
      return "load balancers, by this ARN";
    case "target-group-arn":
      return "target groups, by this ARN";
    case "name":
      return "load balancers and target groups by name";
    case "alias":
      return "Route 53 alias records to load balancers";
  }
}

/**
 * What the input may name in ELB: a word may be a balancer's or group's name only where it may be
 * a bare ECS name, and a dotted name an alias record only where it may be a DNS name (an IPv4
 * address or a task ID is neither).
 */
function elbQueryOf(text: string, query: Query): BalancerQuery | undefined {
  const elb = balancerQuery(text);
  if (elb?.kind === "name" && query.kind !== "bare-name") return undefined;
  if (elb?.kind === "alias" && query.kind !== "dotted-name") return undefined;
  return elb;
}

/**
 * `/ecs whois NAME`: what stands behind a name, an IP, a task, a service, a load balancer or a
 * target group. A word that names several of them lists each (never one chosen silently).
 */
export async function whois(aws: () => AwsContext, text: string): Promise<WhoisAnswer> {
  const query = parseQuery(text);
  const elb = elbQueryOf(text, query);
  const surelyElb = elb && elb.kind !== "name" && elb.kind !== "alias";
  // Refused input never reaches AWS, nor even creates a client.
  if (query.kind === "invalid" && !surelyElb) {
    return { kind: "invalid", query: query.text, reason: query.reason };
  }
  const ctx = aws();
  const gaps = new Gaps();
  const now = new Date();
  // An alias record is looked for only when no ECS or Cloud Map name answers (below).
  const early = elb && elb.kind !== "alias" ? readBalancers(ctx, gaps, elb) : undefined;
  early?.catch(() => undefined);
  // An ELB DNS name or ARN is no ECS or Cloud Map name: only ELB is asked.
  const { results: resolutions, address } = surelyElb
    ? { results: [], address: undefined }
    : await eachTarget(ctx, gaps, query, async (target) => {
        const facts = await gatherTargetFacts(ctx, gaps, target);
        return facts ? buildResolution(target.request, facts) : undefined;
      });
  // A NAME:PORT is answered only on that port: the services that publish the name elsewhere only
  // say which ports it is on.
  const onPort = resolutions.filter((r) => !r.unpublishedPort);
  const late =
    elb?.kind === "alias" && resolutions.length === 0 ? readBalancers(ctx, gaps, elb) : early;
  const balancers = ((await late) ?? []).map((read) => buildBalancerWhois(read, now));
  if (onPort.length === 0 && balancers.length === 0) {
    const elsewhere = resolutions.map((r) => r.unpublishedPort);
    const searched = elb ? elbSearched(elb) : "";
    if (surelyElb) {
      return {
        kind: "not-found",
        query: text.trim(),
        suggestions: [],
        searched: { regions: [ctx.region], namespaces: [], clusters: [], loadBalancers: searched },
        gaps: gaps.list,
      };
    }
    const missing =
      portNotPublished(ctx, gaps, query, elsewhere) ?? (await notFound(ctx, gaps, query, address));
    return searched
      ? { ...missing, searched: { ...missing.searched, loadBalancers: searched } }
      : missing;
  }
  return {
    kind: "found",
    query: text.trim(),
    resolutions: onPort,
    gaps: gaps.list,
    ...(balancers.length > 0 ? { balancers } : {}),
  };
}

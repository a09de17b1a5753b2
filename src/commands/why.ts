import type { WhyAnswer } from "../domain/answer.ts";
import type { HealthReport } from "../domain/health.ts";
import { type BalancerQuery, balancerQuery } from "../domain/load-balancing/whois.ts";
import type { Query } from "../domain/query.ts";
import { buildResolution } from "../domain/resolution.ts";
import { aliasNameChecks, balancerNameCheck, unroutedWhy } from "../domain/why/balancer.ts";
import type { NetworkFacts } from "../domain/why/client.ts";
import { crossNamespace, judgeWhy, targetChoices, type WhyReport } from "../domain/why.ts";
import { parseWhy, WHY_USAGE } from "../domain/why-query.ts";
import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { reportFor } from "./reads/health-report.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { eachTarget, type TargetsWorked } from "./reads/targets.ts";
import {
  askFor,
  balancerWhys,
  readAliasZone,
  readBalancerRoutes,
  readServiceRoutes,
} from "./reads/why-balancer.ts";
import {
  clientSuggestions,
  lambdaClient,
  namespaceCounterparts,
  serviceClient,
} from "./reads/why-client.ts";
import { readNetwork } from "./reads/why-network.ts";

/**
 * What the target may name in ELB, as whois reads it: a word may be a balancer's or group's name
 * only where it may be a bare ECS name, a dotted name an alias record only where it may be a DNS
 * name; an ELB DNS name or ARN is surely ELB's.
 */
function elbTargetOf(target: Query): BalancerQuery | undefined {
  const elb = balancerQuery(target.text);
  if (elb?.kind === "name" && target.kind !== "bare-name") return undefined;
  if (elb?.kind === "alias" && target.kind !== "dotted-name") return undefined;
  return elb;
}

/** What a not-found answer says of the ELB search. */
const ELB_SEARCHED: Record<BalancerQuery["kind"], string> = {
  "dns-name": "load balancers, by DNS name",
  "balancer-arn": "load balancers, by this ARN",
  "target-group-arn": "target groups, by this ARN",
  name: "load balancers and target groups by name",
  alias: "Route 53 alias records to load balancers",
};

/**
 * A service asked by its name that publishes no name of its own but registers in a target group
 * a balancer's listener forwards to: its callers go through that balancer.
 */
async function behindBalancer(ctx: AwsContext, gaps: Gaps, report: HealthReport) {
  const r = report.resolution;
  if (r.subject.kind !== "service" || r.bindings.length > 0) return [];
  const { cluster, service } = r.publisher;
  const arns = (r.publisher.ecs?.loadBalancers ?? []).flatMap((l) => l.targetGroupArn ?? []);
  if (arns.length === 0) return [];
  return readServiceRoutes(ctx, gaps, { cluster, service }, arns);
}

/** A target's health report and EC2's view of both ends (none when the client was not found). */
type Judged = { report: HealthReport; network: NetworkFacts | undefined };

/** Gaps of a "not found" answer: what AWS said does not exist is the finding, not a gap. */
const unread = (gaps: Gaps) => gaps.list.filter((g) => !g.absent);

/** `/ecs why CLIENT TARGET`: why A cannot reach B, name first, then path, then app. */
export async function why(aws: () => AwsContext, text: string): Promise<WhyAnswer> {
  const query = parseWhy(text);
  // Refused input never reaches AWS, nor even creates a client.
  if (query.kind === "invalid") {
    return { kind: "invalid", query: query.text, reason: `${query.reason}. Usage: ${WHY_USAGE}` };
  }
  const ctx = aws();
  const gaps = new Gaps();
  const clientGaps = new Gaps();
  const readClient =
    query.client.kind === "lambda"
      ? lambdaClient(ctx, clientGaps, query.client.name)
      : serviceClient(ctx, clientGaps, query.client);
  // What the target may name in ELB: read at once where surely ELB's or a bare word (beside the
  // ECS search); an alias record only when no ECS or Cloud Map name answers (below).
  const elb = elbTargetOf(query.target);
  const surelyElb = elb !== undefined && elb.kind !== "name" && elb.kind !== "alias";
  const early = elb && elb.kind !== "alias" ? readBalancerRoutes(ctx, gaps, elb) : undefined;
  early?.catch(() => undefined);
  // EC2 is asked as soon as both ends' groups and subnets are known: while the target's health
  // still reads its clients and traffic, not after.
  const judgeable: Promise<TargetsWorked<Judged>> = surelyElb
    ? Promise.resolve({ results: [] })
    : eachTarget(ctx, gaps, query.target, async (target) => {
        let network: Promise<NetworkFacts | undefined> = Promise.resolve(undefined);
        const report = await reportFor(ctx, gaps, target, new Date(), (facts) => {
          const resolution = buildResolution(target.request, facts);
          network = readClient.then((c) =>
            c.kind === "found" ? readNetwork(ctx, gaps, c.client, resolution) : undefined,
          );
        });
        return report && { report, network: await network };
      });
  const [lookup, { results: found, address }] = await Promise.all([readClient, judgeable]);
  const clientText = query.client.text;
  const targetText = query.target.text;
  // Who the client is comes before any judgement: absent or several, nothing is judged.
  if (lookup.kind === "not-found") {
    const suggestions = await clientSuggestions(ctx, clientGaps, query.client);
    return {
      kind: "client-not-found",
      query: query.text,
      client: clientText,
      target: targetText,
      suggestions,
      gaps: unread(clientGaps),
    };
  }
  if (lookup.kind === "ambiguous") {
    return {
      kind: "ambiguous",
      query: query.text,
      role: "client",
      typed: clientText,
      choices: lookup.choices,
      other: targetText,
      gaps: unread(clientGaps),
    };
  }
  gaps.merge(clientGaps);
  const client = lookup.client;
  const judged = found.filter(
    (p): p is { report: HealthReport; network: NetworkFacts } => p.network !== undefined,
  );
  // NAME:PORT on a port the name is not published on: say so, never judge another port.
  const pairs = judged.filter((p) => !p.report.resolution.unpublishedPort);
  const elsewhere = judged.map((p) => p.report.resolution.unpublishedPort);
  const otherPort = pairs.length === 0 && portNotPublished(ctx, gaps, query.target, elsewhere);
  if (otherPort) return { ...otherPort, client: clientText };
  const late =
    elb?.kind === "alias" && pairs.length === 0 ? readBalancerRoutes(ctx, gaps, elb) : early;
  const named = (await late) ?? { reads: [], routes: [] };
  if (pairs.length === 0 && named.reads.length === 0) {
    const searched = elb ? ELB_SEARCHED[elb.kind] : undefined;
    const answer = surelyElb
      ? {
          kind: "not-found" as const,
          query: targetText,
          suggestions: [],
          searched: { regions: [ctx.region], namespaces: [], clusters: [] },
          gaps: gaps.list,
        }
      : await notFound(ctx, gaps, query.target, address);
    return {
      ...answer,
      ...(searched ? { searched: { ...answer.searched, loadBalancers: searched } } : {}),
      client: clientText,
      gaps: answer.gaps.filter((g) => !g.absent),
    };
  }
  // A word naming ECS services and balancers or target groups: each listed, none picked.
  const choices = [
    ...(pairs.length > 0
      ? targetChoices(
          targetText,
          query.target.kind === "bare-name",
          pairs.map((p) => p.report),
        )
      : []),
    ...new Set(named.reads.map(askFor)),
  ];
  if (choices.length > 1) {
    return {
      kind: "ambiguous",
      query: query.text,
      role: "target",
      typed: targetText,
      choices,
      other: clientText,
      gaps: gaps.list,
    };
  }
  const [only] = pairs;
  // Through a balancer: the one named, or the one in front of a service that publishes no name.
  const behind = only && !named.reads.length ? await behindBalancer(ctx, gaps, only.report) : [];
  const routes = named.reads.length > 0 ? named.routes : behind;
  if (named.reads.length > 0 || routes.length > 0) {
    // The name the client dials: a Route 53 alias (who can resolve its zone), else its DNS name.
    const alias = named.reads.find((r) => r.alias)?.alias;
    const zone = alias ? await readAliasZone(ctx, gaps, alias) : undefined;
    const reports = await balancerWhys(ctx, gaps, {
      client,
      routes,
      privateName: zone?.privateZone === true,
      asked: named.reads.length > 0 ? targetText : (only?.report.query ?? targetText),
      ...(only && named.reads.length === 0 ? { report: only.report } : {}),
      name: (route, network) =>
        alias
          ? aliasNameChecks(client, alias, zone, network, ctx.region)
          : [balancerNameCheck(route.balancer)],
    });
    if (reports.length > 0) return { kind: "found", query: query.text, reports, gaps: gaps.list };
    // Found, but no listener forwards to a target group: said so, never "not found".
    const unrouted = named.reads.map((r) => unroutedWhy(client, r, r.rulesUnread === undefined));
    return { kind: "found", query: query.text, reports: unrouted, gaps: gaps.list };
  }
  const reports: WhyReport[] = await Promise.all(
    pairs.map(async (pair) => {
      const apart = crossNamespace(client, pair.report);
      const counterparts = apart ? await namespaceCounterparts(ctx, apart.own) : undefined;
      return judgeWhy({
        client,
        report: pair.report,
        network: pair.network,
        region: ctx.region,
        counterparts,
      });
    }),
  );
  return { kind: "found", query: query.text, reports, gaps: gaps.list };
}

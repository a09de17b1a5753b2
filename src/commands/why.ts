import type { WhyAnswer } from "../domain/answer.ts";
import type { HealthReport } from "../domain/health.ts";
import { balancerQuery } from "../domain/load-balancing/whois.ts";
import { buildResolution } from "../domain/resolution.ts";
import { judgeBalancerWhy } from "../domain/why/balancer.ts";
import type { NetworkFacts } from "../domain/why/client.ts";
import { crossNamespace, judgeWhy, targetChoices, type WhyReport } from "../domain/why.ts";
import { parseWhy, WHY_USAGE } from "../domain/why-query.ts";
import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { reportFor } from "./reads/health-report.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { eachTarget } from "./reads/targets.ts";
import {
  type BalancerTarget,
  readBalancerTarget,
  readServiceBalancer,
} from "./reads/why-balancer.ts";
import {
  clientSuggestions,
  lambdaClient,
  namespaceCounterparts,
  serviceClient,
} from "./reads/why-client.ts";
import { readNetwork } from "./reads/why-network.ts";

/** The balancer's subnets and groups, for EC2 to read beside both ends'. */
const betweenOf = (via: BalancerTarget) => ({
  subnetIds: via.balancer.zones.map((z) => z.subnetId),
  groupIds: via.balancer.securityGroups,
});

/**
 * A service asked by its name that publishes no name of its own but registers in a target group
 * a balancer's listener forwards to: its callers go through that balancer.
 */
function behindBalancer(ctx: AwsContext, gaps: Gaps, report: HealthReport) {
  const r = report.resolution;
  if (r.subject.kind !== "service" || r.bindings.length > 0) return undefined;
  const { cluster, service } = r.publisher;
  const text = `${cluster}/${service}`;
  const arns = (r.publisher.ecs?.loadBalancers ?? []).flatMap((l) => l.targetGroupArn ?? []);
  return readServiceBalancer(ctx, gaps, { kind: "cluster-service", text, cluster, service }, arns);
}

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
  // A balancer's DNS name: the path goes through it to the ECS service behind its listener.
  const elb = balancerQuery(query.target.text);
  const via =
    elb?.kind === "dns-name" ? await readBalancerTarget(ctx, gaps, elb.dnsName) : undefined;
  const between = via && betweenOf(via);
  // EC2 is asked as soon as both ends' groups and subnets are known: while the target's health
  // still reads its clients and traffic, not after.
  const judgeable = eachTarget(ctx, gaps, via?.service ?? query.target, async (target) => {
    let network: Promise<NetworkFacts | undefined> = Promise.resolve(undefined);
    const report = await reportFor(ctx, gaps, target, new Date(), (facts) => {
      const resolution = buildResolution(target.request, facts);
      network = readClient.then((c) =>
        c.kind === "found" ? readNetwork(ctx, gaps, c.client, resolution, between) : undefined,
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
  if (pairs.length === 0) {
    const answer = await notFound(ctx, gaps, query.target, address);
    return { ...answer, client: clientText, gaps: answer.gaps.filter((g) => !g.absent) };
  }
  const choices = targetChoices(
    targetText,
    query.target.kind === "bare-name",
    pairs.map((p) => p.report),
  );
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
  const behind =
    !via && pairs.length === 1 && only && (await behindBalancer(ctx, gaps, only.report));
  if (behind && only) {
    const r = only.report.resolution;
    const network = await readNetwork(ctx, gaps, client, r, betweenOf(behind));
    const report = judgeBalancerWhy({ client, report: only.report, network, ...behind });
    return { kind: "found", query: query.text, reports: [report], gaps: gaps.list };
  }
  const reports: WhyReport[] = await Promise.all(
    pairs.map(async (pair) => {
      if (via) return judgeBalancerWhy({ client, ...pair, ...via });
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

import type { WhoisAnswer } from "../domain/answer.ts";
import { parseQuery } from "../domain/query.ts";
import { buildResolution } from "../domain/resolution.ts";
import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { gatherTargetFacts } from "./reads/service-facts.ts";
import { eachTarget } from "./reads/targets.ts";

/** `/ecs whois NAME`: what stands behind a name, an IP, a task or a service. */
export async function whois(aws: () => AwsContext, text: string): Promise<WhoisAnswer> {
  const query = parseQuery(text);
  // Refused input never reaches AWS, nor even creates a client.
  if (query.kind === "invalid") return { kind: "invalid", query: query.text, reason: query.reason };
  const ctx = aws();
  const gaps = new Gaps();
  const { results: resolutions, address } = await eachTarget(ctx, gaps, query, async (target) => {
    const facts = await gatherTargetFacts(ctx, gaps, target);
    return facts ? buildResolution(target.request, facts) : undefined;
  });
  // A NAME:PORT is answered only on that port: the services that publish the name elsewhere only
  // say which ports it is on.
  const onPort = resolutions.filter((r) => !r.unpublishedPort);
  if (onPort.length === 0) {
    const elsewhere = resolutions.map((r) => r.unpublishedPort);
    return portNotPublished(ctx, gaps, query, elsewhere) ?? notFound(ctx, gaps, query, address);
  }
  return { kind: "found", query: query.text, resolutions: onPort, gaps: gaps.list };
}

import type { HealthAnswer } from "../domain/answer.ts";
import { parseQuery } from "../domain/query.ts";
import { type AwsContext, Gaps } from "./reads/aws-context.ts";
import { reportFor } from "./reads/health-report.ts";
import { notFound, portNotPublished } from "./reads/not-found.ts";
import { eachTarget } from "./reads/targets.ts";

/** `/ecs health NAME`: healthy, degraded or down, and the one reason that decides it. */
export async function health(aws: () => AwsContext, text: string): Promise<HealthAnswer> {
  const query = parseQuery(text);
  if (query.kind === "invalid") return { kind: "invalid", query: query.text, reason: query.reason };
  const ctx = aws();
  const gaps = new Gaps();
  const { results: reports, address } = await eachTarget(ctx, gaps, query, (t) =>
    reportFor(ctx, gaps, t),
  );
  // A NAME:PORT is judged only on that port, never on another the name is published on.
  const onPort = reports.filter((r) => !r.resolution.unpublishedPort);
  if (onPort.length === 0) {
    const elsewhere = reports.map((r) => r.resolution.unpublishedPort);
    return portNotPublished(ctx, gaps, query, elsewhere) ?? notFound(ctx, gaps, query, address);
  }
  // What the search for the target could not read (a cluster unlisted may hold another owner of
  // the name) is a part of every verdict unread: each headline names it, never an all-clear.
  const searched = gaps.list.filter((g) => !g.absent).map((g) => g.what);
  const withSearch = onPort.map((r) =>
    r.level === "unknown" ? r : { ...r, unknown: [...new Set([...r.unknown, ...searched])] },
  );
  return { kind: "found", query: query.text, reports: withSearch, gaps: gaps.list };
}

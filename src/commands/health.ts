import type { HealthAnswer } from "../domain/answer.ts";
import type { EcsTask } from "../domain/facts.ts";
import { type ClientService, type HealthReport, judgeHealth } from "../domain/health.ts";
import { parseQuery } from "../domain/query.ts";
import { buildResolution } from "../domain/resolution.ts";
import { parseWindow, type TrafficReport } from "../domain/traffic.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { gatherTargetFacts } from "./service-facts.ts";
import { measure, trafficTargetOf } from "./traffic.ts";
import { findTargets, notFound, type Target } from "./whois.ts";

const STOPPED_READ = 100;

function clusterOfServiceArn(arn: string): string | undefined {
  const parts = arn.split(":").slice(5).join(":").split("/");
  return parts.length >= 3 ? parts[1] : undefined;
}

async function stoppedTasks(ctx: AwsContext, gaps: Gaps, target: Target): Promise<EcsTask[]> {
  const label = `${target.cluster}/${target.service}`;
  const arns = await gaps.soft(
    `the stopped tasks of ${label}`,
    ctx.ecs.listTasks(target.cluster, target.service, "STOPPED"),
    [],
  );
  if (arns.length === 0) return [];
  return gaps.soft(
    `the stopped tasks of ${label}`,
    ctx.ecs.describeTasks(target.cluster, arns.slice(0, STOPPED_READ)),
    [],
  );
}

/** The other Service Connect services of the namespace, with when their deployment started. */
async function clientServices(
  ctx: AwsContext,
  gaps: Gaps,
  publisherArn: string,
  serviceArns: string[],
): Promise<ClientService[] | undefined> {
  const byCluster = new Map<string, string[]>();
  for (const arn of serviceArns) {
    const cluster = clusterOfServiceArn(arn);
    if (!cluster || arn === publisherArn) continue;
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), arn]);
  }
  let complete = true;
  const described = await Promise.all(
    [...byCluster].map(async ([cluster, arns]) => {
      const out = await gaps.soft(
        `the Service Connect clients in cluster ${cluster}`,
        ctx.ecs.describeServices(cluster, arns),
        undefined,
      );
      if (!out) complete = false;
      return out?.services ?? [];
    }),
  );
  if (!complete) return undefined;
  return described
    .flat()
    .map((s) => ({ cluster: s.clusterName, service: s.name, deployedAt: s.deployedAt }));
}

async function reportFor(
  ctx: AwsContext,
  gaps: Gaps,
  target: Target,
): Promise<HealthReport | undefined> {
  const [facts, stopped] = await Promise.all([
    gatherTargetFacts(ctx, gaps, target),
    stoppedTasks(ctx, gaps, target),
  ]);
  if (!facts) return undefined;
  const resolution = buildResolution(target.request, facts);
  const sc = facts.service.serviceConnect;
  const namespace = sc?.enabled ? facts.namespaces.find((n) => n.arn === sc.namespace) : undefined;
  const publishes = (sc?.services.length ?? 0) > 0;
  // Unread is not "no clients": a failed listing leaves the clients unknown, never "all fine".
  const readClients = async () => {
    if (!publishes || !namespace) return undefined;
    const arns = await gaps.soft(
      `the Service Connect services of ${namespace.name}`,
      ctx.ecs.listServicesByNamespace(namespace.arn),
      undefined,
    );
    return arns ? clientServices(ctx, gaps, facts.service.arn, arns) : undefined;
  };
  // The last 15 minutes of Service Connect traffic: a 5xx burst is health too. A CloudWatch
  // failure leaves a gap and a health answer without traffic.
  const readTraffic = async (): Promise<TrafficReport | undefined> => {
    const window = parseWindow("15m");
    const measured = await trafficTargetOf(ctx, gaps, facts, target.request.focusName?.name);
    return measured && window ? measure(ctx, gaps, measured, window, new Date()) : undefined;
  };
  const [clients, traffic] = await Promise.all([readClients(), readTraffic()]);
  return judgeHealth({
    resolution,
    service: facts.service,
    stoppedTasks: stopped,
    clients,
    traffic,
    gaps: gaps.list,
  });
}

/** `/ecs health NAME`: healthy, degraded or down, and the one reason that decides it. */
export async function health(aws: () => AwsContext, text: string): Promise<HealthAnswer> {
  const query = parseQuery(text);
  if (query.kind === "invalid") return { kind: "invalid", query: query.text, reason: query.reason };
  const ctx = aws();
  const gaps = new Gaps();
  const targets = await findTargets(ctx, gaps, query);
  const reports = (await Promise.all(targets.map((t) => reportFor(ctx, gaps, t)))).filter(
    (r): r is HealthReport => r !== undefined,
  );
  if (reports.length === 0) return notFound(ctx, gaps, query);
  return { kind: "found", query: query.text, reports, gaps: gaps.list };
}

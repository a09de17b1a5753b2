// One service's health report (/ecs health's judgement of one target), shared by the health,
// why and digest verbs: its facts, recently stopped tasks, clients and traffic, then judgeHealth.
import type { EcsTask } from "../../domain/facts.ts";
import {
  type ClientService,
  type ClientsLeftOut,
  type HealthReport,
  judgeHealth,
} from "../../domain/health.ts";
import { namespaceByRef, type ServiceFacts } from "../../domain/resolution/service-facts.ts";
import { buildResolution } from "../../domain/resolution.ts";
import { parseWindow, type TrafficWindow } from "../../domain/traffic/window.ts";
import type { TrafficReport } from "../../domain/traffic.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { boundedClients, namespaceClients } from "./namespace-services.ts";
import { gatherTargetFacts } from "./service-facts.ts";
import { judgeTargetReads, readTargetGroups } from "./target-health.ts";
import type { Target } from "./targets.ts";
import { readTaskHosts } from "./task-hosts.ts";
import { measure, trafficTargetOf } from "./traffic-reads.ts";

const STOPPED_READ = 100;

/** Recently stopped tasks; undefined when they could not be read (never "none"). */
async function stoppedTasks(
  ctx: AwsContext,
  gaps: Gaps,
  target: Target,
): Promise<EcsTask[] | undefined> {
  const label = `${target.cluster}/${target.service}`;
  const arns = await gaps.soft(
    `the stopped tasks of ${label}`,
    ctx.ecs.listTasks(target.cluster, target.service, "STOPPED"),
    undefined,
  );
  if (!arns) return undefined;
  if (arns.length === 0) return [];
  return gaps.soft(
    `the stopped tasks of ${label}`,
    ctx.ecs.describeTasks(target.cluster, arns.slice(0, STOPPED_READ)),
    undefined,
  );
}

/** How far back health looks at Service Connect traffic. */
export const HEALTH_WINDOW = parseWindow("15m") as TrafficWindow;

/** One target's report, judged on its own gaps (another target's failures are not its own). */
export async function reportFor(
  ctx: AwsContext,
  answerGaps: Gaps,
  target: Target,
  /** The instant judged: a digest judges every service at its own one. */
  now = new Date(),
  /** Told the target's facts as soon as they are read, before clients and traffic (/ecs why). */
  onFacts?: (facts: ServiceFacts) => void,
): Promise<HealthReport | undefined> {
  const gaps = new Gaps();
  try {
    return await judgeTarget(ctx, gaps, target, now, onFacts);
  } finally {
    answerGaps.merge(gaps);
  }
}

async function judgeTarget(
  ctx: AwsContext,
  gaps: Gaps,
  target: Target,
  now: Date,
  onFacts?: (facts: ServiceFacts) => void,
): Promise<HealthReport | undefined> {
  const factsRead = gatherTargetFacts(
    ctx,
    gaps,
    target,
    ctx.readMode === "scope" ? "whole" : "page",
  ).then((f) => {
    if (f) onFacts?.(f);
    return f;
  });
  // Target groups beside the tasks: started once the facts' DescribeServices is under way.
  const targetReads = readTargetGroups(ctx, gaps, target);
  const [facts, stopped] = await Promise.all([factsRead, stoppedTasks(ctx, gaps, target)]);
  if (!facts) {
    await targetReads;
    return undefined;
  }
  const resolution = buildResolution(target.request, facts);
  const sc = facts.service?.serviceConnect;
  const namespace = sc?.enabled ? namespaceByRef(facts.namespaces, sc.namespace) : undefined;
  const publishes = (sc?.services.length ?? 0) > 0;
  // Unread is not "no clients": a failed listing leaves the clients unknown, never "all fine".
  // A digest reads every namespace's clients once for all its judgements; a single answer
  // checks a bounded part of a big namespace and says how much it left out.
  let clientsLeftOut: ClientsLeftOut | undefined;
  // Asked a port the name is not published on: nothing to judge there, nothing more to read.
  const onPort = !resolution.unpublishedPort;
  const readClients = async (): Promise<ClientService[] | undefined> => {
    if (!publishes || !namespace || !onPort) return undefined;
    if (ctx.readMode === "scope") return namespaceClients(ctx, gaps, namespace, facts.service?.arn);
    const checked = await boundedClients(ctx, gaps, namespace, facts.service?.arn);
    if (checked && (checked.unchecked > 0 || checked.more)) {
      clientsLeftOut = { unchecked: checked.unchecked, more: checked.more };
    }
    return checked?.clients;
  };
  // The last 15 minutes of Service Connect traffic: a 5xx burst is health too. A CloudWatch
  // failure leaves a gap and a health answer without traffic.
  const readTraffic = async (): Promise<TrafficReport | undefined> => {
    if (!onPort) return undefined;
    const measured = await trafficTargetOf(
      ctx,
      gaps,
      facts,
      target.request.focusName?.name,
      HEALTH_WINDOW,
      now,
    );
    return measured ? measure(ctx, gaps, measured, HEALTH_WINDOW, now) : undefined;
  };
  // Target health beside the tasks, clients and traffic: no round trip more on the critical path.
  // A bridge/host task's EC2 instance (an instance target group's) is read once both are in.
  const withHosts = targetReads.then(
    async (r) => [r, await readTaskHosts(ctx, gaps, r, facts)] as const,
  );
  const [clients, traffic, [reads, hosts]] = await Promise.all([
    readClients(),
    readTraffic(),
    withHosts,
  ]);
  const targetHealth = reads && judgeTargetReads(reads, facts, now, hosts);
  return judgeHealth({
    resolution,
    service: facts.service,
    stoppedTasks: stopped,
    clients,
    clientsLeftOut,
    traffic,
    ...(targetHealth ? { targetHealth } : {}),
    gaps: gaps.list,
  });
}

// Who the client of /ecs why is (an ECS service, one of its tasks, or a Lambda function), the
// names nearest to one not found, and what its own Service Connect namespace publishes.
import { AwsReadError } from "../../aws/errors.ts";
import type { EcsTask, Namespace } from "../../domain/facts.ts";
import type { Known } from "../../domain/known.ts";
import { defaultAlias } from "../../domain/resolution/bindings.ts";
import { namespaceByRef } from "../../domain/resolution/service-facts.ts";
import { closestNames } from "../../domain/suggest.ts";
import type { ClientTask, Counterpart, LambdaClient, WhyClient } from "../../domain/why/client.ts";

import type { WhyClientQuery } from "../../domain/why-query.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { loadCatalog } from "./catalog.ts";
import { findTargets } from "./targets.ts";

/** What the client turned out to be: one thing, nothing, or several (never picked from). */
export type ClientLookup =
  | { kind: "found"; client: WhyClient }
  | { kind: "not-found" }
  | { kind: "ambiguous"; choices: string[] };

const NOT_FOUND: ClientLookup = { kind: "not-found" };

/** ECS names a service in a failure by ARN, with or without the cluster: match its last segment. */
const lastSegment = (nameOrArn: string) => nameOrArn.split("/").pop() ?? nameOrArn;

const taskOf = (t: EcsTask): ClientTask => ({
  taskId: t.id,
  ip: t.ipv4,
  subnetId: t.subnetId,
  ...(t.platformFamily ? { platformFamily: t.platformFamily } : {}),
});

/**
 * The client ECS service (or task) asked about. Absent is a finding, from a read that worked
 * (ClusterNotFound, ServiceNotFound, DescribeServices' MISSING): "not found". A read that was
 * denied or throttled is no finding: the client is judged with that part unknown.
 */
export async function serviceClient(
  ctx: AwsContext,
  gaps: Gaps,
  query: Extract<WhyClientQuery, { kind: "ecs" }>,
): Promise<ClientLookup> {
  const targets = await findTargets(ctx, gaps, query.query);
  const labels = [...new Set(targets.map((t) => `${t.cluster}/${t.service}`))];
  if (labels.length > 1) return { kind: "ambiguous", choices: labels.sort() };
  const [target] = targets;
  if (!target) return NOT_FOUND;
  const { cluster, service: name } = target;
  const label = `${cluster}/${name}`;
  const absent = Symbol("absent");
  /** A not-found error is the answer "absent"; any other failure a gap. */
  const orAbsent = <T>(what: string, work: Promise<T>, unread: (e: AwsReadError) => T) =>
    work.catch((error: unknown) => {
      if (!(error instanceof AwsReadError)) throw error;
      if (error.kind === "not-found") return absent;
      gaps.add(what, error);
      return unread(error);
    });
  const describing = orAbsent(
    `the ECS service ${label}`,
    ctx.ecs.describeServices(cluster, [name]),
    () => undefined,
  );
  // Its OS picks the ports replies come back to: the task asked about's task definition, else the
  // service's PRIMARY one (read while its tasks are listed and described).
  const operatingSystem = (
    target.describedTasks?.[0]
      ? Promise.resolve(target.describedTasks[0].taskDefinitionArn)
      : describing.then((d) => (d === absent ? undefined : d?.services[0]?.taskDefinitionArn))
  ).then((arn) =>
    arn
      ? gaps.soft(
          `the task definition ${arn.slice(arn.lastIndexOf("/") + 1)}`,
          ctx.ecs.describeTaskDefinition(arn).then((td) => td.operatingSystemFamily),
          undefined,
        )
      : undefined,
  );
  const [described, namespaces, tasks, operatingSystemFamily] = await Promise.all([
    describing,
    gaps.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
    // A task or IP asked about is the client itself; a service is all of its running tasks.
    target.describedTasks
      ? Promise.resolve<Known<ClientTask[]> | typeof absent>({
          known: true,
          value: target.describedTasks.map(taskOf),
        })
      : orAbsent<Known<ClientTask[]>>(
          `the tasks of ${label}`,
          ctx.ecs
            .listTasks(cluster, name, "RUNNING")
            .then((arns) => (arns.length > 0 ? ctx.ecs.describeTasks(cluster, arns) : []))
            .then((list): Known<ClientTask[]> => ({ known: true, value: list.map(taskOf) })),
          (e) => ({ known: false, why: e.reason }),
        ),
    operatingSystem,
  ]);
  if (described === absent || tasks === absent) return NOT_FOUND;
  const svc = described?.services.find((s) => s.name === name);
  if (described && !svc && described.missing.some((m) => lastSegment(m) === name)) {
    return NOT_FOUND;
  }
  const sc = svc?.serviceConnect?.enabled ? svc.serviceConnect : undefined;
  const asked = target.describedTasks?.[0];
  return {
    kind: "found",
    client: {
      kind: "service",
      cluster,
      service: name,
      operatingSystemFamily,
      task: asked && { id: asked.id, ip: asked.ipv4, startedAt: asked.startedAt },
      ecs: svc && {
        serviceConnectNamespace: sc
          ? (namespaceByRef(namespaces, sc.namespace)?.name ?? sc.namespace)
          : undefined,
        deployedAt: svc.deployedAt,
        securityGroupIds: svc.securityGroups,
        subnetIds: svc.subnets,
      },
      tasks,
    },
  };
}

export async function lambdaClient(
  ctx: AwsContext,
  gaps: Gaps,
  name: string,
): Promise<ClientLookup> {
  try {
    const fn = await ctx.lambda.functionConfiguration(name);
    return { kind: "found", client: { kind: "lambda", name, fn: { known: true, value: fn } } };
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    // ResourceNotFoundException: no such function, a finding.
    if (error.kind === "not-found") return NOT_FOUND;
    gaps.add(`the configuration of Lambda ${name}`, error);
    const client: LambdaClient = { kind: "lambda", name, fn: { known: false, why: error.reason } };
    return { kind: "found", client };
  }
}

/** Existing clients spelt nearly like the one not found: cluster/service, or lambda:NAME. */
export async function clientSuggestions(
  ctx: AwsContext,
  gaps: Gaps,
  query: WhyClientQuery,
): Promise<string[]> {
  if (query.kind === "lambda") {
    const names = await gaps.soft(
      "the Lambda function names",
      ctx.lambda.functionNames(),
      [] as string[],
    );
    return closestNames(query.name, names).map((n) => `lambda:${n}`);
  }
  if (query.query.kind === "ipv4") return [];
  const catalog = await loadCatalog(ctx, gaps);
  const services = catalog.ecsServices.map((s) => `${s.clusterName}/${s.name}`);
  return closestNames(query.text, services);
}

/**
 * What the client's own Service Connect namespace publishes: where the target's counterpart
 * would be. Read (from the catalog) only when client and target are in different namespaces.
 */
export async function namespaceCounterparts(
  ctx: AwsContext,
  namespace: string,
): Promise<Known<Counterpart[]>> {
  const gaps = new Gaps();
  const catalog = await loadCatalog(ctx, gaps);
  const found = catalog.ecsServices.flatMap((svc) => {
    const sc = svc.serviceConnect?.enabled ? svc.serviceConnect : undefined;
    if (namespaceByRef(catalog.namespaces, sc?.namespace)?.name !== namespace) return [];
    return (sc?.services ?? []).map((entry) => ({
      cluster: svc.clusterName,
      service: svc.name,
      discoveryName: entry.discoveryName,
      name: entry.clientAliases[0]?.dnsName ?? defaultAlias(entry.discoveryName, namespace),
    }));
  });
  // A partial catalog may miss the counterpart: none found in it is unknown, not absent.
  const [gap] = gaps.list;
  if (found.length === 0 && gap) return { known: false, why: `${gap.what}: ${gap.why}` };
  return { known: true, value: found };
}

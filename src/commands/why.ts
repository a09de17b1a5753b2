import { AwsReadError } from "../aws/errors.ts";
import type { WhyAnswer } from "../domain/answer.ts";
import type { EcsTask, Namespace } from "../domain/facts.ts";
import type { Known, RouteTable, Subnet } from "../domain/network-path.ts";
import { buildResolution, namespaceByRef, type Resolution } from "../domain/resolution.ts";
import {
  type ClientTask,
  judgeWhy,
  type LambdaClient,
  type NetworkFacts,
  type ServiceClient,
  type WhyClient,
  type WhyReport,
} from "../domain/why.ts";
import { parseWhy, WHY_USAGE, type WhyClientQuery } from "../domain/why-query.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { reportFor } from "./health.ts";
import { eachTarget, findTargets, notFound } from "./whois.ts";

/** An AWS read as Known: a failure is a gap and an unknown, never an empty answer. */
async function known<T>(gaps: Gaps, what: string, work: Promise<T>): Promise<Known<T>> {
  try {
    return { known: true, value: await work };
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    gaps.add(what, error);
    return { known: false, why: error.reason };
  }
}

const taskOf = (t: EcsTask): ClientTask => ({ taskId: t.id, ip: t.ipv4, subnetId: t.subnetId });

async function serviceClient(
  ctx: AwsContext,
  gaps: Gaps,
  query: Extract<WhyClientQuery, { kind: "ecs" }>,
): Promise<ServiceClient | undefined> {
  const [target] = await findTargets(ctx, gaps, query.query);
  if (!target) return undefined;
  const { cluster, service: name } = target;
  const label = `${cluster}/${name}`;
  const describing = gaps.soft(
    `the ECS service ${label}`,
    ctx.ecs.describeServices(cluster, [name]),
    undefined,
  );
  // Its OS picks the ports replies come back to: the task asked about's task definition, else the
  // service's PRIMARY one (read while its tasks are listed and described).
  const operatingSystem = (
    target.describedTasks?.[0]
      ? Promise.resolve(target.describedTasks[0].taskDefinitionArn)
      : describing.then((d) => d?.services[0]?.taskDefinitionArn)
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
      ? Promise.resolve<Known<ClientTask[]>>({
          known: true,
          value: target.describedTasks.map(taskOf),
        })
      : known(
          gaps,
          `the tasks of ${label}`,
          ctx.ecs
            .listTasks(cluster, name, "RUNNING")
            .then((arns) => (arns.length > 0 ? ctx.ecs.describeTasks(cluster, arns) : []))
            .then((list) => list.map(taskOf)),
        ),
    operatingSystem,
  ]);
  const svc = described?.services[0];
  const sc = svc?.serviceConnect?.enabled ? svc.serviceConnect : undefined;
  const asked = target.describedTasks?.[0];
  return {
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
  };
}

async function lambdaClient(
  ctx: AwsContext,
  gaps: Gaps,
  name: string,
): Promise<LambdaClient | undefined> {
  try {
    return {
      kind: "lambda",
      name,
      fn: { known: true, value: await ctx.lambda.functionConfiguration(name) },
    };
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    if (error.kind === "not-found") return undefined;
    gaps.add(`the configuration of Lambda ${name}`, error);
    return { kind: "lambda", name, fn: { known: false, why: error.reason } };
  }
}

function clientSubnets(client: WhyClient): string[] {
  if (client.kind === "lambda")
    return client.fn.known ? (client.fn.value.vpc?.subnetIds ?? []) : [];
  const fromTasks = client.tasks.known ? client.tasks.value.flatMap((t) => t.subnetId ?? []) : [];
  return [...(client.ecs?.subnetIds ?? []), ...fromTasks];
}

function clientGroups(client: WhyClient): string[] {
  if (client.kind === "lambda") {
    return client.fn.known ? (client.fn.value.vpc?.securityGroupIds ?? []) : [];
  }
  return client.ecs?.securityGroupIds ?? [];
}

/**
 * The entries of every prefix list the route tables name as a destination, each read on its own
 * (one refused list leaves only its routes unknown). None named: no call.
 */
async function readPrefixLists(
  ctx: AwsContext,
  gaps: Gaps,
  routes: Known<Map<string, RouteTable>> | undefined,
): Promise<Map<string, Known<string[]>> | undefined> {
  if (!routes?.known) return undefined;
  const ids = [
    ...new Set(
      [...routes.value.values()].flatMap((t) =>
        t.routes.flatMap((r) => (r.prefixList ? [r.destination] : [])),
      ),
    ),
  ];
  if (ids.length === 0) return undefined;
  const read = await Promise.all(
    ids.map((id) => known(gaps, `the entries of prefix list ${id}`, ctx.ec2.prefixListEntries(id))),
  );
  return new Map(ids.map((id, i) => [id, read[i] as Known<string[]>]));
}

/**
 * EC2's view of both ends, in three rounds at most: subnets, security groups and ACLs at once;
 * then, knowing the VPCs, the client VPC's DNS attributes (a private DNS name only) and the route
 * tables (within one VPC too: a route more specific than the local one passes an appliance);
 * then the entries of the prefix lists those routes name, if any.
 */
async function readNetwork(
  ctx: AwsContext,
  gaps: Gaps,
  client: WhyClient,
  target: Resolution,
): Promise<NetworkFacts> {
  const pub = target.publisher.ecs;
  const subnetIds = [...new Set([...clientSubnets(client), ...(pub?.subnets ?? [])])];
  const groupIds = [...new Set([...clientGroups(client), ...(pub?.securityGroups ?? [])])];
  const [subnets, groups, acls] = await Promise.all([
    known(gaps, `the subnets ${subnetIds.join(", ")}`, ctx.ec2.subnets(subnetIds)),
    known(gaps, `the security groups ${groupIds.join(", ")}`, ctx.ec2.securityGroups(groupIds)),
    known(gaps, `the network ACLs of ${subnetIds.join(", ")}`, ctx.ec2.networkAcls(subnetIds)),
  ]);
  const network: NetworkFacts = { subnets, groups, acls };
  if (!subnets.known) return network;
  const vpcOf = (ids: string[]) => subnets.value.find((s) => ids.includes(s.id))?.vpcId;
  const clientVpc =
    client.kind === "lambda" && client.fn.known
      ? client.fn.value.vpc?.vpcId
      : vpcOf(clientSubnets(client));
  const serverVpc = vpcOf(pub?.subnets ?? []);
  const scope = target.bindings[0]?.scope;
  const privateDns = scope?.kind === "dns" && scope.privateZone;
  const ends = subnets.value.filter((s: Subnet) => s.vpcId === clientVpc || s.vpcId === serverVpc);
  const [dns, routes] = await Promise.all([
    privateDns && clientVpc
      ? known(gaps, `the DNS attributes of ${clientVpc}`, ctx.ec2.vpcDns(clientVpc))
      : undefined,
    clientVpc && serverVpc
      ? known(gaps, "the route tables of both ends", ctx.ec2.routeTables(ends))
      : undefined,
  ]);
  const prefixLists = await readPrefixLists(ctx, gaps, routes);
  return { ...network, clientVpcDns: dns, routes, ...(prefixLists ? { prefixLists } : {}) };
}

/** `/ecs why CLIENT TARGET`: why A cannot reach B, name first, then path, then app. */
export async function why(aws: () => AwsContext, text: string): Promise<WhyAnswer> {
  const query = parseWhy(text);
  // Refused input never reaches AWS, nor even creates a client.
  if (query.kind === "invalid") {
    return { kind: "invalid", query: query.text, reason: `${query.reason}. Usage: ${WHY_USAGE}` };
  }
  const ctx = aws();
  const gaps = new Gaps();
  const readClient =
    query.client.kind === "lambda"
      ? lambdaClient(ctx, gaps, query.client.name)
      : serviceClient(ctx, gaps, query.client);
  // EC2 is asked as soon as both ends' groups and subnets are known: while the target's health
  // still reads its clients and traffic, not after.
  const judgeable = eachTarget(ctx, gaps, query.target, async (target) => {
    let network: Promise<NetworkFacts | undefined> = Promise.resolve(undefined);
    const report = await reportFor(ctx, gaps, target, new Date(), (facts) => {
      const resolution = buildResolution(target.request, facts);
      network = readClient.then((c) => c && readNetwork(ctx, gaps, c, resolution));
    });
    return report && { report, network: await network };
  });
  const [client, found] = await Promise.all([readClient, judgeable]);
  if (!client) {
    return {
      kind: "client-not-found",
      query: query.text,
      client: query.client.text,
      gaps: gaps.list,
    };
  }
  const reports: WhyReport[] = [];
  for (const pair of found) {
    if (!pair.network) continue;
    reports.push(
      judgeWhy({ client, report: pair.report, network: pair.network, region: ctx.region }),
    );
  }
  if (reports.length === 0) return notFound(ctx, gaps, query.target);
  return { kind: "found", query: query.text, reports, gaps: gaps.list };
}

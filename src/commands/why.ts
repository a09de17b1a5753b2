import { AwsReadError } from "../aws/errors.ts";
import type { WhyAnswer } from "../domain/answer.ts";
import type { EcsTask, Namespace } from "../domain/facts.ts";
import type { HealthReport } from "../domain/health.ts";
import type { Known } from "../domain/known.ts";
import type { RouteTable, Subnet } from "../domain/network-path/routes.ts";
import { defaultAlias } from "../domain/resolution/bindings.ts";
import { namespaceByRef } from "../domain/resolution/service-facts.ts";
import { buildResolution, type Resolution } from "../domain/resolution.ts";
import { closestNames } from "../domain/suggest.ts";
import type { VpcNameService } from "../domain/vpc-dns.ts";
import type {
  ClientTask,
  Counterpart,
  LambdaClient,
  NetworkFacts,
  WhyClient,
} from "../domain/why/client.ts";
import { crossNamespace, judgeWhy, targetChoices, type WhyReport } from "../domain/why.ts";
import { parseWhy, WHY_USAGE, type WhyClientQuery } from "../domain/why-query.ts";
import { type AwsContext, Gaps } from "./aws-context.ts";
import { loadCatalog } from "./catalog.ts";
import { reportFor } from "./health.ts";
import { eachTarget, findTargets, notFound, portNotPublished } from "./whois.ts";

/** What the client turned out to be: one thing, nothing, or several (never picked from). */
type ClientLookup =
  | { kind: "found"; client: WhyClient }
  | { kind: "not-found" }
  | { kind: "ambiguous"; choices: string[] };

const NOT_FOUND: ClientLookup = { kind: "not-found" };

/** ECS names a service in a failure by ARN, with or without the cluster: match its last segment. */
const lastSegment = (nameOrArn: string) => nameOrArn.split("/").pop() ?? nameOrArn;

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
async function serviceClient(
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

async function lambdaClient(ctx: AwsContext, gaps: Gaps, name: string): Promise<ClientLookup> {
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
async function clientSuggestions(
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
async function namespaceCounterparts(
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
 * Who else answers DNS in the client's VPC: its DHCP options' servers, the Route 53 Resolver
 * rules and a Route 53 Profile, all read at once (each may fail on its own).
 */
async function readNameService(ctx: AwsContext, gaps: Gaps, vpc: string): Promise<VpcNameService> {
  const [dhcp, rules, profiles] = await Promise.all([
    known(gaps, `the DHCP options of ${vpc}`, ctx.ec2.vpcDhcp(vpc)),
    known(gaps, `the Route 53 Resolver rules of ${vpc}`, ctx.resolver.rulesOfVpc(vpc)),
    known(gaps, `the Route 53 Profile of ${vpc}`, ctx.profiles.profilesOfVpc(vpc)),
  ]);
  return { dhcp, rules, profiles };
}

/**
 * EC2's view of both ends, in three rounds at most: subnets, security groups and ACLs at once;
 * then, knowing the VPCs, the client VPC's DNS attributes and who else answers DNS there (a
 * private DNS name only) and the route tables (within one VPC too: a route more specific than the
 * local one passes an appliance); then the entries of the prefix lists those routes name, if any.
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
  const [dns, names, routes] = await Promise.all([
    privateDns && clientVpc
      ? known(gaps, `the DNS attributes of ${clientVpc}`, ctx.ec2.vpcDns(clientVpc))
      : undefined,
    privateDns && clientVpc ? readNameService(ctx, gaps, clientVpc) : undefined,
    clientVpc && serverVpc
      ? known(gaps, "the route tables of both ends", ctx.ec2.routeTables(ends))
      : undefined,
  ]);
  const prefixLists = await readPrefixLists(ctx, gaps, routes);
  return {
    ...network,
    clientVpcDns: dns,
    clientVpcNames: names,
    routes,
    ...(prefixLists ? { prefixLists } : {}),
  };
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
  // EC2 is asked as soon as both ends' groups and subnets are known: while the target's health
  // still reads its clients and traffic, not after.
  const judgeable = eachTarget(ctx, gaps, query.target, async (target) => {
    let network: Promise<NetworkFacts | undefined> = Promise.resolve(undefined);
    const report = await reportFor(ctx, gaps, target, new Date(), (facts) => {
      const resolution = buildResolution(target.request, facts);
      network = readClient.then((c) =>
        c.kind === "found" ? readNetwork(ctx, gaps, c.client, resolution) : undefined,
      );
    });
    return report && { report, network: await network };
  });
  const [lookup, found] = await Promise.all([readClient, judgeable]);
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
    const answer = await notFound(ctx, gaps, query.target);
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

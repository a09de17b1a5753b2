import { AwsReadError } from "../../aws/errors.ts";
import type {
  CloudMapInstance,
  CloudMapService,
  EcsService,
  EcsTask,
  Namespace,
} from "../../domain/facts.ts";
import {
  type KnownName,
  namespaceByRef,
  type ServiceFacts,
} from "../../domain/resolution/service-facts.ts";

import type { AwsContext, Gaps } from "./aws-context.ts";

/** What a gap of the ECS service itself (DescribeServices) is called: the digest looks it up. */
export const serviceGapWhat = (cluster: string, service: string) =>
  `the ECS service ${cluster}/${service}`;

export type { KnownName } from "../../domain/resolution/service-facts.ts";

const TASK_ID = /^[0-9a-f]{32}$/;

function idOf(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** Service Connect creates one Cloud Map service per discovery name; its ARN is in the deployment. */
function serviceConnectCloudMapServices(
  service: EcsService | undefined,
  ns: Namespace | undefined,
): CloudMapService[] {
  if (!ns || !service?.serviceConnect?.enabled) return [];
  return service.serviceConnect.services
    .filter((s) => s.discoveryArn)
    .map((s) => ({
      id: idOf(s.discoveryArn ?? ""),
      arn: s.discoveryArn ?? "",
      name: s.discoveryName,
      namespaceId: ns.id,
      dnsRecords: [],
    }));
}

/**
 * Reads everything one ECS service's answer needs, in as few sequential round trips as the
 * dependencies allow: (1) the service, its task list and the known name's tasks; (2) the task
 * definition, namespaces' client lists, hosted zones, when each name first appeared and other
 * names' instances, all at once.
 *
 * Returns undefined when ECS says the service does not exist. When it could not be read, the
 * answer keeps what was read (Cloud Map endpoints, tasks) if anything shows the service exists.
 */
export async function gatherServiceFacts(
  ctx: AwsContext,
  gaps: Gaps,
  cluster: string,
  serviceName: string,
  known?: KnownName,
  /** Tasks the caller already described (a task or IP lookup), kept even when stopped. */
  describedTasks: EcsTask[] = [],
  namespaceListing: NamespaceListing = "page",
): Promise<ServiceFacts | undefined> {
  const label = `${cluster}/${serviceName}`;
  // Instance IDs are task IDs when ECS registered them; anything else is no task to describe.
  const knownTaskIds = known?.instances.map((i) => i.id).filter((id) => TASK_ID.test(id)) ?? [];
  let tasksComplete = true;
  const taskRead = <T>(what: string, work: Promise<T[]>): Promise<T[]> =>
    work.catch((error: unknown) => {
      if (!(error instanceof AwsReadError)) throw error;
      tasksComplete = false;
      gaps.add(what, error);
      return [];
    });
  const zoneVpcs = new Map<string, string[]>();
  const readZone = async (ns: Namespace) => {
    if (ns.type !== "DNS_PRIVATE" || !ns.hostedZoneId || zoneVpcs.has(ns.hostedZoneId)) return;
    const vpcs = await gaps.soft(
      `the VPCs of the ${ns.name} hosted zone`,
      ctx.route53.hostedZoneVpcs(ns.hostedZoneId),
      undefined,
    );
    if (vpcs)
      zoneVpcs.set(
        ns.hostedZoneId,
        vpcs.map((v) => v.vpcId),
      );
  };

  let describeFailed = false;
  const [described, runningArns, namespaces, knownTasks, knownListing] = await Promise.all([
    ctx.ecs.describeServices(cluster, [serviceName]).catch((error: unknown) => {
      if (error instanceof AwsReadError) {
        describeFailed = true;
        gaps.add(serviceGapWhat(cluster, serviceName), error);
        return undefined;
      }
      throw error;
    }),
    taskRead(`the task list of ${label}`, ctx.ecs.listTasks(cluster, serviceName, "RUNNING")),
    gaps.soft("the Cloud Map namespaces", ctx.cloudMap.listNamespaces(), [] as Namespace[]),
    knownTaskIds.length > 0
      ? taskRead(`the tasks of ${label}`, ctx.ecs.describeTasks(cluster, knownTaskIds))
      : Promise.resolve([] as EcsTask[]),
    // A DNS name's hosted zone and record settings depend only on its namespace: read them
    // now rather than in a later round (the listing is cached, so the later read is free).
    known && known.namespace.type !== "HTTP"
      ? Promise.all([
          readZone(known.namespace),
          ctx.cloudMap.listServices(known.namespace).catch(() => undefined),
        ]).then(([, listed]) => listed)
      : undefined,
  ]);
  const service = described?.services[0];
  // Not there (MISSING), or unreadable with nothing else showing that it exists.
  const evidence = known !== undefined || describedTasks.length > 0 || runningArns.length > 0;
  if (!service && !(describeFailed && evidence)) return undefined;

  const describedIds = new Set(knownTasks.map((t) => t.id));
  const undescribed = runningArns.filter((arn) => !describedIds.has(idOf(arn)));
  const sc = service?.serviceConnect?.enabled ? service.serviceConnect : undefined;
  const scNamespace = sc ? namespaceByRef(namespaces, sc.namespace) : undefined;
  const cloudMapServices = serviceConnectCloudMapServices(service, scNamespace);
  if (known && knownListing) {
    cloudMapServices.push(
      ...knownListing.filter(
        (s) => s.name === known.discoveryName && !cloudMapServices.some((c) => c.id === s.id),
      ),
    );
  }
  const instances = new Map<string, CloudMapInstance[]>();
  const namespaceServices = new Map<string, string[]>();
  const namespaceServicesMore = new Set<string>();

  // Endpoints are shown for one name only (the one asked about, else the first published),
  // so only that name's instances are read: the others cost calls and a round trip for nothing.
  let focusTaken = false;
  const readInstances = async (cm: CloudMapService, ns: Namespace) => {
    if (known) {
      if (known.namespace.id === ns.id && known.discoveryName === cm.name)
        instances.set(cm.id, known.instances);
      return;
    }
    if (focusTaken) return;
    focusTaken = true;
    const found = await gaps.soft(
      `the Cloud Map endpoints of ${cm.name}.${ns.name}`,
      ctx.cloudMap
        .discoverInstances(ns.httpName, cm.name)
        .then((list) => list as CloudMapInstance[] | undefined),
      undefined,
    );
    if (found) instances.set(cm.id, found);
  };

  // When each Service Connect discovery name first appeared: a client deployed before that
  // cannot resolve it. Cached for good (a Cloud Map service ID is never reused).
  const readCreation = async (cm: CloudMapService, ns: Namespace) => {
    const read = await gaps.soft(
      `when ${cm.name} first appeared in Cloud Map`,
      ctx.cloudMap.createdAt(ns, cm.id),
      undefined,
    );
    if (read) cm.createdAt = read;
  };

  // Classic service registries name a Cloud Map service ARN; its namespace and DNS records
  // come from the (cached) service listings of the namespaces.
  const readRegistries = async () => {
    if (!service || service.serviceRegistries.length === 0) return;
    const wanted = new Set(service.serviceRegistries.map((r) => r.registryArn));
    const candidates = known
      ? [known.namespace, ...namespaces.filter((n) => n.id !== known.namespace.id)]
      : namespaces;
    for (const ns of candidates) {
      const listed = await gaps.soft(
        `the Cloud Map services of ${ns.name}`,
        ctx.cloudMap.listServices(ns),
        [] as CloudMapService[],
      );
      const matches = listed.filter((s) => wanted.has(s.arn));
      for (const cm of matches) wanted.delete(cm.arn);
      // The known name's service may be there already (read with its namespace in round 1).
      cloudMapServices.push(...matches.filter((s) => !cloudMapServices.some((c) => c.id === s.id)));
      await Promise.all([
        ...matches.map((cm) => readInstances(cm, ns)),
        matches.length ? readZone(ns) : undefined,
      ]);
      if (wanted.size === 0) return;
    }
  };

  // Without the service, a running task still names the task definition.
  const taskDefinitionArn = service?.taskDefinitionArn ?? knownTasks[0]?.taskDefinitionArn;
  const scServices = [...cloudMapServices];
  const [taskDefinition, otherTasks] = await Promise.all([
    taskDefinitionArn
      ? gaps.soft(
          `the task definition ${idOf(taskDefinitionArn)}`,
          ctx.ecs
            .describeTaskDefinition(taskDefinitionArn)
            .then((td) => td as typeof td | undefined),
          undefined,
        )
      : undefined,
    undescribed.length > 0
      ? taskRead(`the tasks of ${label}`, ctx.ecs.describeTasks(cluster, undescribed))
      : Promise.resolve([] as EcsTask[]),
    scNamespace
      ? gaps
          .soft(
            `the Service Connect services of ${scNamespace.name}`,
            namespaceListing === "whole"
              ? ctx.ecs
                  .listServicesByNamespace(scNamespace.arn)
                  .then((arns) => ({ arns, more: false }))
              : ctx.ecs.servicesByNamespacePage(scNamespace.arn),
            undefined,
          )
          .then((page) => {
            if (!page) return;
            namespaceServices.set(scNamespace.arn, page.arns.map(idOf).sort());
            if (page.more) namespaceServicesMore.add(scNamespace.arn);
          })
      : undefined,
    ...scServices.map((cm) => (scNamespace ? readInstances(cm, scNamespace) : undefined)),
    ...scServices.map((cm) =>
      cm.createdAt || !scNamespace ? undefined : readCreation(cm, scNamespace),
    ),
    scNamespace ? readZone(scNamespace) : undefined,
    readRegistries(),
  ]);

  const running = [...knownTasks, ...otherTasks];
  const tasks = running.filter(
    (t) => runningArns.some((arn) => idOf(arn) === t.id) || t.desiredStatus === "RUNNING",
  );
  const extraTasks = running.filter((t) => !tasks.includes(t));
  for (const task of describedTasks) {
    if (!running.some((t) => t.id === task.id)) extraTasks.push(task);
  }

  // Cloud Map instances whose task ECS did not return: stale registrations, described once more.
  const byId = new Set([...running, ...extraTasks].map((t) => t.id));
  const orphanIds = [...instances.values()]
    .flat()
    .map((i) => i.id)
    .filter((id) => TASK_ID.test(id) && !byId.has(id));
  if (orphanIds.length > 0) {
    extraTasks.push(
      ...(await taskRead(`the tasks of ${label}`, ctx.ecs.describeTasks(cluster, orphanIds))),
    );
  }

  return {
    ref: { cluster, service: serviceName },
    service,
    taskDefinition,
    tasks,
    tasksComplete,
    extraTasks,
    namespaces,
    cloudMapServices,
    instances,
    namespaceServices,
    namespaceServicesMore,
    zoneVpcs,
    known,
    gaps: gaps.list,
  };
}

/**
 * How much of a Service Connect namespace's service list to read with the facts: the first page
 * (whois: enough to say who can resolve a name, in one request at any namespace size) or all of
 * it (health and traffic, which judge or measure every client anyway: read now, it is shared).
 */
export type NamespaceListing = "page" | "whole";

/** The facts of one target found by a query (see findTargets), reusing what was read to find it. */
export function gatherTargetFacts(
  ctx: AwsContext,
  gaps: Gaps,
  target: {
    cluster: string;
    service: string;
    known?: KnownName;
    describedTasks?: EcsTask[];
    facts?: ServiceFacts;
  },
  namespaceListing: NamespaceListing = "page",
): Promise<ServiceFacts | undefined> {
  // Read while finding it with the first page of the namespace's services: all of them unless
  // the whole list is wanted and there were more.
  const read = target.facts;
  if (read && (namespaceListing === "page" || (read.namespaceServicesMore?.size ?? 0) === 0)) {
    return Promise.resolve(read);
  }
  return gatherServiceFacts(
    ctx,
    gaps,
    target.cluster,
    target.service,
    target.known,
    target.describedTasks,
    namespaceListing,
  );
}

// The chain an engineer types by hand to answer "what is behind this name" (or this IP), with the
// real SDK v3 clients against the same emulator, for the benchmark to set beside the bot's:
//
//   aws servicediscovery list-namespaces
//   aws servicediscovery list-services --filters Name=NAMESPACE_ID,Values=ns-…   (each namespace)
//   aws servicediscovery discover-instances --namespace-name NS --service-name NAME
//   aws ecs list-clusters
//   aws ecs list-services --cluster C                                            (each cluster)
//   aws ecs describe-services --cluster C --services …                           (10 at a time)
//   aws ecs list-tasks --cluster C --service-name S                              (each match)
//   aws ecs describe-tasks --cluster C --tasks …                                 (100 at a time)
//
// A careful engineer: one command at a time, never two at once, each paginated as the CLI does
// by itself: every page, at the service's default page size unless --page-size is given (AWS CLI
// User Guide, "Using the pagination options"); ECS ListServices then returns 10 a page (ECS API
// Reference, ListServices, maxResults). An IP has no Cloud Map side: list-clusters, then
// list-tasks and describe-tasks of every cluster, then describe-services of the service whose task
// has the IP.
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DiscoverInstancesCommand,
  paginateListServices as paginateListCloudMapServices,
  paginateListNamespaces,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";

/** What the engineer ends up with: the ECS services behind the name and their tasks' IPs. */
export interface NaiveAnswer {
  /** "cluster/service", sorted. */
  services: string[];
  /** Private IPs of their RUNNING tasks, sorted. */
  ips: string[];
}

/** Every page of a CLI command that pages by itself, one page after the other. */
async function all<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined) {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

/** `list` in slices of `size`, one command per slice, one after the other. */
async function inBatches<T, R>(list: T[], size: number, run: (slice: T[]) => Promise<R[]>) {
  const out: R[] = [];
  for (let i = 0; i < list.length; i += size) out.push(...(await run(list.slice(i, i + size))));
  return out;
}

const lastSegment = (arn: string) => arn.split("/").pop() ?? arn;
const ipOf = (task: Task) =>
  task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === "privateIPv4Address")
    ?.value;

/** The chain for `query` (an alias, a DNS name, a bare name or an IPv4 address). */
export async function naiveLookup(region: string, query: string): Promise<NaiveAnswer> {
  const ecs = new ECSClient({ region });
  // The emulator serves DiscoverInstances on its own host; the CLI would add the `data-` prefix.
  const cloudMap = new ServiceDiscoveryClient({ region, disableHostPrefix: true });
  try {
    return /^\d+\.\d+\.\d+\.\d+$/.test(query)
      ? await byIp(ecs, query)
      : await byName(ecs, cloudMap, query.replace(/:\d+$/, "").toLowerCase());
  } finally {
    ecs.destroy();
    cloudMap.destroy();
  }
}

async function byName(ecs: ECSClient, cloudMap: ServiceDiscoveryClient, name: string) {
  const dot = name.indexOf(".");
  const head = dot < 0 ? name : name.slice(0, dot);
  const tail = dot < 0 ? undefined : name.slice(dot + 1);
  const namespaces = await all(
    paginateListNamespaces({ client: cloudMap }, {}),
    (p) => p.Namespaces,
  );
  const nameOf = new Map(namespaces.map((n) => [n.Arn ?? "", n.Name ?? ""]));
  // A bare name could be in any namespace: each is listed, one after the other.
  const candidates = namespaces.filter((n) => tail === undefined || n.Name === tail);
  const registries = new Set<string>();
  for (const namespace of candidates) {
    const services = await all(
      paginateListCloudMapServices(
        { client: cloudMap },
        { Filters: [{ Name: "NAMESPACE_ID", Values: [namespace.Id ?? ""], Condition: "EQ" }] },
      ),
      (p) => p.Services,
    );
    for (const service of services.filter((s) => s.Name === head)) {
      registries.add(service.Arn ?? "");
      await cloudMap.send(
        new DiscoverInstancesCommand({
          NamespaceName: namespace.Properties?.HttpProperties?.HttpName ?? namespace.Name,
          ServiceName: head,
        }),
      );
    }
  }
  // Which ECS service publishes it: every service of every cluster, described and read.
  const publishes = (service: Service) => {
    if (service.serviceRegistries?.some((r) => registries.has(r.registryArn ?? ""))) return true;
    const primary = service.deployments?.find((d) => d.status === "PRIMARY");
    const sc = primary?.serviceConnectConfiguration;
    if (!sc?.enabled) return false;
    const namespace = nameOf.get(sc.namespace ?? "") ?? sc.namespace;
    return (sc.services ?? []).some((s) => {
      const discovery = s.discoveryName ?? s.portName ?? "";
      if (tail === undefined) return discovery === head || service.serviceName === head;
      const names = [
        `${discovery}.${namespace}`,
        ...(s.clientAliases ?? []).map((a) => a.dnsName ?? `${discovery}.${namespace}`),
      ];
      return names.includes(name);
    });
  };
  const found: { cluster: string; service: Service }[] = [];
  for (const cluster of await clustersOf(ecs)) {
    const arns = await all(
      paginateListServices({ client: ecs }, { cluster }),
      (p) => p.serviceArns,
    );
    const described = await inBatches(arns, 10, async (services) => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services }));
      return out.services ?? [];
    });
    for (const service of described.filter(publishes)) found.push({ cluster, service });
  }
  const ips: string[] = [];
  for (const { cluster, service } of found) {
    const tasks = await all(
      paginateListTasks({ client: ecs }, { cluster, serviceName: service.serviceName }),
      (p) => p.taskArns,
    );
    for (const task of await describeTasks(ecs, cluster, tasks)) ips.push(ipOf(task) ?? "");
  }
  return answer(
    found.map((f) => `${lastSegment(f.cluster)}/${f.service.serviceName}`),
    ips,
  );
}

async function byIp(ecs: ECSClient, ip: string): Promise<NaiveAnswer> {
  // Every cluster, as a loop over clusters piped to grep reads them: where the IP is, is unknown.
  const found: string[] = [];
  for (const cluster of await clustersOf(ecs)) {
    const arns = await all(paginateListTasks({ client: ecs }, { cluster }), (p) => p.taskArns);
    const task = (await describeTasks(ecs, cluster, arns)).find((t) => ipOf(t) === ip);
    const service = task?.group?.replace(/^service:/, "");
    if (service) found.push(`${lastSegment(cluster)}/${service}`);
  }
  for (const ref of found) {
    const [cluster, service = ""] = ref.split("/");
    await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  }
  return answer(found, found.length > 0 ? [ip] : []);
}

function clustersOf(ecs: ECSClient): Promise<string[]> {
  return all(paginateListClusters({ client: ecs }, {}), (p) => p.clusterArns);
}

function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  return inBatches(arns, 100, async (tasks) => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks }));
    return out.tasks ?? [];
  });
}

function answer(services: string[], ips: string[]): NaiveAnswer {
  return { services: [...new Set(services)].sort(), ips: [...new Set(ips)].sort() };
}

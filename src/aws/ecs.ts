import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServicesByNamespaceCommand,
  paginateListClusters,
  paginateListServices,
  paginateListServicesByNamespace,
  paginateListTasks,
} from "@aws-sdk/client-ecs";
import type { ContainerInstance, EcsService, EcsTask, TaskDefinition } from "../domain/facts.ts";
import { chunk, collect } from "./batch.ts";
import { TTL, type TtlCache } from "./cache.ts";
import type { ReadMode } from "./clients.ts";
import { lastSegment, toEcsService, toEcsTask, toTaskDefinition } from "./ecs-mapping.ts";
import { read } from "./errors.ts";

export const DESCRIBE_SERVICES_MAX = 10;
const DESCRIBE_TASKS_MAX = 100;
const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
const PAGE_MAX = 100;

export interface DescribedServices {
  services: EcsService[];
  /** Names or ARNs ECS reported as MISSING. */
  missing: string[];
}

/** The first page of a namespace's services, and where the listing goes on. */
export interface NamespacePage {
  arns: string[];
  more: boolean;
  nextToken?: string;
}

/** ECS reads, batched and paginated inside, returning the project's own types. */
export class EcsAdapter {
  /** The request's deadline: every call is aborted when it passes (see AwsContext). */
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: ECSClient,
    private readonly cache: TtlCache,
    /** The account and region, as this place's cache keys name them ("123456789012:eu-west-1"). */
    private readonly placeKey: string,
    signal?: AbortSignal,
    /** The clusters a configured place is narrowed to: listed without a call. */
    private readonly onlyClusters?: readonly string[],
    /** One answer's bounded reads, or a digest's whole scope (see ReadMode); awsContext sets it. */
    readonly readMode: ReadMode = "request",
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /** Whether listClusters answers without a request (configured, or a listing kept). */
  get clustersAtHand(): boolean {
    return this.onlyClusters !== undefined || this.cache.has(`ecs:${this.placeKey}:clusters`);
  }

  listClusters(): Promise<string[]> {
    if (this.onlyClusters) return Promise.resolve([...this.onlyClusters].sort());
    return this.cache.getOrLoad(`ecs:${this.placeKey}:clusters`, TTL.topology, () =>
      read("list clusters", "ListClusters", async () => {
        const arns = await collect(
          paginateListClusters({ client: this.client, pageSize: PAGE_MAX }, {}, this.options),
          (p) => p.clusterArns,
        );
        return arns.map(lastSegment).sort();
      }),
    );
  }

  /** Service ARNs of one cluster. */
  listServices(cluster: string): Promise<string[]> {
    return this.cache.getOrLoad(`ecs:${this.placeKey}:services:${cluster}`, TTL.serviceList, () =>
      read(`list services of cluster ${cluster}`, "ListServices", () =>
        collect(
          paginateListServices(
            { client: this.client, pageSize: PAGE_MAX },
            { cluster },
            this.options,
          ),
          (p) => p.serviceArns,
        ),
      ),
    );
  }

  /** ARNs of the services whose Service Connect configuration uses this namespace. */
  listServicesByNamespace(namespace: string): Promise<string[]> {
    return this.cache.getOrLoad(`ecs:${this.placeKey}:ns:${namespace}`, TTL.serviceList, () =>
      read(`list services in namespace ${namespace}`, "ListServicesByNamespace", async () => {
        // The first page, when this answer read it already, is not read again: the listing goes
        // on from its token (and from the start, should ECS refuse a token that old).
        const page = await this.cache
          .peek<NamespacePage>(`ecs:${this.placeKey}:ns-page:${namespace}`)
          ?.catch(() => undefined);
        if (page && !page.nextToken) return page.arns;
        const from = (startingToken?: string) =>
          collect(
            paginateListServicesByNamespace(
              { client: this.client, pageSize: PAGE_MAX, startingToken },
              { namespace },
              this.options,
            ),
            (p) => p.serviceArns,
          );
        if (!page) return from();
        const rest = await from(page.nextToken).catch(() => undefined);
        return rest ? [...page.arns, ...rest] : from();
      }),
    );
  }

  /**
   * The first page (up to 100) of a namespace's services, and whether there are more: enough to
   * say who can resolve a name without paging through a namespace of thousands one request after
   * another. The whole listing, when it is already held, answers instead.
   */
  async servicesByNamespacePage(namespace: string): Promise<NamespacePage> {
    const whole = this.cache.peek<string[]>(`ecs:${this.placeKey}:ns:${namespace}`);
    if (whole) return { arns: await whole, more: false };
    return this.cache.getOrLoad(`ecs:${this.placeKey}:ns-page:${namespace}`, TTL.serviceList, () =>
      read(`list services in namespace ${namespace}`, "ListServicesByNamespace", async () => {
        const out = await this.client.send(
          new ListServicesByNamespaceCommand({ namespace, maxResults: PAGE_MAX }),
          this.options,
        );
        const { nextToken } = out;
        return { arns: out.serviceArns ?? [], more: nextToken !== undefined, nextToken };
      }),
    );
  }

  /**
   * Never cached: counts, deployments and events are what an incident is about. Identical calls
   * in flight at the same time share one read.
   */
  async describeServices(cluster: string, services: readonly string[]): Promise<DescribedServices> {
    if (this.readMode === "scope") return this.describeServicesOnce(cluster, services);
    const batches = chunk([...new Set(services)].sort(), DESCRIBE_SERVICES_MAX);
    const answers = await Promise.all(
      batches.map((batch) =>
        this.cache.shared(
          `ecs:${this.placeKey}:describe-services:${cluster}:${batch.join(",")}`,
          () =>
            read(`describe services ${cluster}/${batch.join(",")}`, "DescribeServices", () =>
              this.client.send(
                new DescribeServicesCommand({ cluster, services: batch }),
                this.options,
              ),
            ),
        ),
      ),
    );
    return {
      services: answers.flatMap((a) => a.services ?? []).map(toEcsService),
      missing: answers.flatMap((a) => a.failures ?? []).map((f) => f.arn ?? ""),
    };
  }

  /**
   * Reading a scope (a digest), each service is described once per digest, its answer kept by name:
   * the digest describes each cluster's services ten at a time up front, and every judgement
   * after that reads from it, so DescribeServices costs N/10 calls, not N + N/10 per namespace.
   */
  private async describeServicesOnce(
    cluster: string,
    services: readonly string[],
  ): Promise<DescribedServices> {
    const key = (service: string) =>
      `ecs:${this.placeKey}:service-once:${lastSegment(cluster)}:${lastSegment(service)}`;
    const unique = [...new Set(services)].sort();
    const unread = unique.filter((s) => !this.cache.has(key(s)));
    for (const batch of chunk(unread, DESCRIBE_SERVICES_MAX)) {
      const answer = read(
        `describe services ${cluster}/${batch.join(",")}`,
        "DescribeServices",
        () =>
          this.client.send(new DescribeServicesCommand({ cluster, services: batch }), this.options),
      );
      for (const name of batch) {
        const own = lastSegment(name);
        void this.cache
          .keep(key(name), async () => {
            const out = await answer;
            const found = out.services?.find((s) => s.serviceName === own);
            return found ? { service: found } : { missing: name };
          })
          .catch(() => undefined);
      }
    }
    const answers = await Promise.all(
      unique.map((name) =>
        this.cache.keep(key(name), async () => {
          // Its batch failed and was forgotten: ask again, alone, and let the error show.
          const out = await read(`describe service ${cluster}/${name}`, "DescribeServices", () =>
            this.client.send(
              new DescribeServicesCommand({ cluster, services: [name] }),
              this.options,
            ),
          );
          const found = out.services?.[0];
          return found ? { service: found } : { missing: name };
        }),
      ),
    );
    return {
      services: answers.flatMap((a) => (a.service ? [toEcsService(a.service)] : [])),
      missing: answers.flatMap((a) => (a.missing ? [a.missing] : [])),
    };
  }

  listTasks(
    cluster: string,
    serviceName: string,
    desiredStatus: "RUNNING" | "STOPPED",
  ): Promise<string[]> {
    return this.cache.shared(this.taskListKey(cluster, serviceName, desiredStatus), () =>
      read(`list ${desiredStatus} tasks of ${cluster}/${serviceName}`, "ListTasks", () =>
        collect(
          paginateListTasks(
            { client: this.client, pageSize: PAGE_MAX },
            { cluster, serviceName, desiredStatus },
            this.options,
          ),
          (p) => p.taskArns,
        ),
      ),
    );
  }

  private taskListKey(cluster: string, service: string, desiredStatus: string): string {
    const [c, s] = [lastSegment(cluster), lastSegment(service)];
    return `ecs:${this.placeKey}:tasks:${c}:${s}:${desiredStatus}`;
  }

  /**
   * Reading a scope over whole clusters (a digest): lists and describes every task of the cluster
   * with this desired status, 100 at a time, and files them by service (a service's tasks carry
   * group "service:NAME"), so each service's listTasks and describeTasks read from it: about
   * 2 T/100 calls for T tasks instead of 3 per service. `services` are the cluster's services:
   * those without a task get an empty list, which is what ListTasks would answer for them.
   */
  async readClusterTasks(
    cluster: string,
    services: readonly string[],
    desiredStatus: "RUNNING" | "STOPPED",
  ): Promise<void> {
    if (this.readMode !== "scope") return;
    const listing = this.listClusterTasks(cluster, desiredStatus).then((arns) =>
      this.describeTasks(cluster, arns),
    );
    for (const service of services) {
      void this.cache
        .keep(this.taskListKey(cluster, service, desiredStatus), async () =>
          (await listing)
            .filter((t) => t.group === `service:${lastSegment(service)}`)
            .map((t) => t.arn),
        )
        .catch(() => undefined);
    }
    try {
      await listing;
    } catch (error) {
      // Unread is not "no tasks": each service then asks ListTasks itself.
      for (const service of services) {
        this.cache.delete(this.taskListKey(cluster, service, desiredStatus));
      }
      throw error;
    }
  }

  /** Every task of a cluster with this desired status (a digest's read of the cluster). */
  listClusterTasks(
    cluster: string,
    desiredStatus: "RUNNING" | "STOPPED" = "RUNNING",
  ): Promise<string[]> {
    return collect(this.clusterTaskPages(cluster, desiredStatus), (arns) => arns);
  }

  /**
   * A cluster's tasks with this desired status, a page (up to 100 ARNs) at a time: a search
   * (a bare IP's task) can stop at the page that holds what it looks for.
   */
  async *clusterTaskPages(
    cluster: string,
    desiredStatus: "RUNNING" | "STOPPED",
  ): AsyncGenerator<string[]> {
    const pages = paginateListTasks(
      { client: this.client, pageSize: PAGE_MAX },
      { cluster, desiredStatus },
      this.options,
    )[Symbol.asyncIterator]();
    for (;;) {
      const page = await read(
        `list ${desiredStatus} tasks of cluster ${cluster}`,
        "ListTasks",
        () => pages.next(),
      );
      if (page.done) return;
      yield page.value.taskArns ?? [];
    }
  }

  async describeTasks(cluster: string, tasks: readonly string[]): Promise<EcsTask[]> {
    if (this.readMode === "scope") return this.describeTasksOnce(cluster, tasks);
    const batches = chunk([...new Set(tasks)].sort(), DESCRIBE_TASKS_MAX);
    const answers = await Promise.all(
      batches.map((batch) =>
        this.cache.shared(`ecs:${this.placeKey}:describe-tasks:${cluster}:${batch.join(",")}`, () =>
          read(`describe ${batch.length} tasks in ${cluster}`, "DescribeTasks", () =>
            this.client.send(new DescribeTasksCommand({ cluster, tasks: batch }), this.options),
          ),
        ),
      ),
    );
    return answers.flatMap((a) => a.tasks ?? []).map(toEcsTask);
  }

  /** Reading a scope, each task is described once per digest, kept by ID (as services are). */
  private async describeTasksOnce(cluster: string, tasks: readonly string[]): Promise<EcsTask[]> {
    const key = (task: string) => `ecs:${this.placeKey}:task-once:${lastSegment(task)}`;
    const unique = [...new Set(tasks)].sort();
    const unread = unique.filter((t) => !this.cache.has(key(t)));
    for (const batch of chunk(unread, DESCRIBE_TASKS_MAX)) {
      const answer = read(`describe ${batch.length} tasks in ${cluster}`, "DescribeTasks", () =>
        this.client.send(new DescribeTasksCommand({ cluster, tasks: batch }), this.options),
      );
      for (const task of batch) {
        void this.cache
          .keep(key(task), async () => {
            const found = (await answer).tasks?.find(
              (t) => lastSegment(t.taskArn ?? "") === lastSegment(task),
            );
            return found ? toEcsTask(found) : undefined;
          })
          .catch(() => undefined);
      }
    }
    const found = await Promise.all(
      unique.map((task) =>
        this.cache.keep(key(task), async () => {
          const out = await read(
            `describe task ${lastSegment(task)} in ${cluster}`,
            "DescribeTasks",
            () =>
              this.client.send(new DescribeTasksCommand({ cluster, tasks: [task] }), this.options),
          );
          const t = out.tasks?.[0];
          return t ? toEcsTask(t) : undefined;
        }),
      ),
    );
    return found.filter((t): t is EcsTask => t !== undefined);
  }

  /**
   * The EC2 instance of each container instance (a bridge or host task's `instance` target names
   * it), 100 per DescribeContainerInstances call. A container instance ARN names one registration
   * of one EC2 instance and never moves, so each is kept as long as a task definition; one ECS
   * reports as a failure (deregistered) is absent from the answer, never guessed.
   */
  async containerInstances(cluster: string, arns: readonly string[]): Promise<ContainerInstance[]> {
    const key = (arn: string) => `ecs:${this.placeKey}:container-instance:${lastSegment(arn)}`;
    const unique = [...new Set(arns)].sort();
    const unread = unique.filter((arn) => !this.cache.has(key(arn)));
    const load = (batch: string[]) =>
      read(
        `describe ${batch.length} container instance${batch.length === 1 ? "" : "s"} in ${cluster}`,
        "DescribeContainerInstances",
        () =>
          this.client.send(
            new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }),
            this.options,
          ),
      );
    const found = (
      out: Awaited<ReturnType<typeof load>>,
      arn: string,
    ): ContainerInstance | undefined => {
      const ci = out.containerInstances?.find(
        (c) => lastSegment(c.containerInstanceArn ?? "") === lastSegment(arn),
      );
      return ci?.ec2InstanceId ? { arn, ec2InstanceId: ci.ec2InstanceId } : undefined;
    };
    for (const batch of chunk(unread, DESCRIBE_CONTAINER_INSTANCES_MAX)) {
      const answer = load(batch);
      for (const arn of batch) {
        void this.cache
          .getOrLoad(key(arn), TTL.immutable, async () => found(await answer, arn))
          .catch(() => undefined);
      }
    }
    const all = await Promise.all(
      unique.map((arn) =>
        // Its batch failed and was forgotten: ask again, alone, and let the error show.
        this.cache.getOrLoad(key(arn), TTL.immutable, async () => found(await load([arn]), arn)),
      ),
    );
    return all.filter((c): c is ContainerInstance => c !== undefined);
  }

  describeTaskDefinition(taskDefinition: string): Promise<TaskDefinition> {
    return this.cache.getOrLoad(`ecs:${this.placeKey}:td:${taskDefinition}`, TTL.immutable, () =>
      read(
        `describe task definition ${lastSegment(taskDefinition)}`,
        "DescribeTaskDefinition",
        async () => {
          const out = await this.client.send(
            new DescribeTaskDefinitionCommand({ taskDefinition }),
            this.options,
          );
          if (!out.taskDefinition) throw new Error("empty DescribeTaskDefinition answer");
          return toTaskDefinition(out.taskDefinition);
        },
      ),
    );
  }
}

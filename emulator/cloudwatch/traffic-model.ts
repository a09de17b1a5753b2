// The traffic model: which series a fleet publishes (one per metric and dimension set) and which
// contributions (a publisher's flows, or one caller's flow) add up in each. See README.md.

import { loadDemoFleet } from "../fleet/demo.ts";
import type { Fleet, FleetService } from "../fleet/types.ts";
import { type FlowMinute, type FlowModel, flowModel } from "./flows.ts";

export const SERVICE_CONNECT_NAMESPACE = "AWS/ECS";

export type DimensionsInput =
  | Readonly<Record<string, string>>
  | readonly { Name?: string; Value?: string }[];

/** A Service Connect port's protocol: its port mapping's appProtocol, TCP without one. */
export type PortProtocol = "http" | "http2" | "grpc" | "tcp";

export interface PublishedSeries {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit: "Count" | "Bytes" | "Milliseconds";
  /**
   * The ECS services whose proxies publish it: one for a three-dimension set, every contributing
   * publisher (or caller) for a single-dimension aggregate.
   */
  publishedBy: { serviceName: string; clusterName: string }[];
}

export interface Party {
  serviceName: string;
  clusterName: string;
  /** RUNNING tasks: proxies publishing one sample each per minute. */
  tasks: number;
}

export interface Contribution {
  /** The service whose proxies publish it. */
  by: Party;
  flows: FlowModel[];
  /** The publisher's RUNNING tasks: the targets behind RequestCountPerTarget. */
  targets: number;
}

/** What one flow does in one minute. */
export type MetricKind = "count" | "gauge" | "histogram";

export interface MetricDef {
  side: "server" | "client";
  unit: PublishedSeries["unit"];
  kind: MetricKind;
  protocols: readonly PortProtocol[];
  /** A count's value for one flow. */
  value?: (minute: FlowMinute, flow: FlowModel, contribution: Contribution) => number;
}

const HTTP: readonly PortProtocol[] = ["http", "http2"];
const REQUESTS: readonly PortProtocol[] = ["http", "http2", "grpc"];
const ALL: readonly PortProtocol[] = ["http", "http2", "grpc", "tcp"];
const bytes = (m: FlowMinute, flow: FlowModel) => m.requests * flow.bytesPerRequest;

/** Every Service Connect metric, server side first, in the order series are listed. */
const METRICS: Record<string, MetricDef> = {
  RequestCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.requests,
  },
  GrpcRequestCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: ["grpc"],
    value: (m) => m.requests,
  },
  NewConnectionCount: {
    side: "server",
    unit: "Count",
    kind: "count",
    protocols: ALL,
    value: (m) => m.newConnections,
  },
  ActiveConnectionCount: { side: "server", unit: "Count", kind: "gauge", protocols: ALL },
  ProcessedBytes: { side: "server", unit: "Bytes", kind: "count", protocols: ALL, value: bytes },
  HTTPCode_Target_2XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c2,
  },
  HTTPCode_Target_3XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c3,
  },
  HTTPCode_Target_4XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c4,
  },
  HTTPCode_Target_5XX_Count: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: HTTP,
    value: (m) => m.c5,
  },
  RequestCountPerTarget: {
    side: "client",
    unit: "Count",
    kind: "count",
    protocols: REQUESTS,
    value: (m, _flow, c) => m.requests / c.targets,
  },
  TargetProcessedBytes: {
    side: "client",
    unit: "Bytes",
    kind: "count",
    protocols: ALL,
    value: bytes,
  },
  TargetResponseTime: {
    side: "client",
    unit: "Milliseconds",
    kind: "histogram",
    protocols: REQUESTS,
  },
};

export interface SeriesDef extends PublishedSeries {
  def: MetricDef;
  contributions: Contribution[];
  /** TargetResponseTime: the union of the bounds of every contributing flow, ascending. */
  bounds: number[];
  /** TargetResponseTime: per contribution and flow, where each of the flow's bounds sits in `bounds`. */
  bucketIndex: number[][][];
}

export interface TrafficModel {
  series: SeriesDef[];
  byKey: Map<string, SeriesDef>;
}

function seriesKey(namespace: string, metricName: string, dims: Record<string, string>): string {
  const sorted = Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([namespace, metricName, sorted]);
}

/** The series a fleet's `traffic` section publishes; throws an Error naming a bad entry. */
export function buildModel(fleet: Fleet): TrafficModel {
  const series: SeriesDef[] = [];
  const byKey = new Map<string, SeriesDef>();
  const traffic = fleet.traffic;
  if (traffic === undefined) return { series, byKey };
  if (!Array.isArray(traffic?.publishers)) {
    throw new Error("traffic.publishers: must be a list of publishers");
  }

  const clusterNames = new Map(fleet.clusters.map((c) => [c.clusterArn, c.clusterName]));
  const clusterNameOf = (s: FleetService) =>
    clusterNames.get(s.clusterArn) ?? s.clusterArn.slice(s.clusterArn.lastIndexOf("/") + 1);
  const findService = (cluster: string, service: string) =>
    fleet.services.find((s) => s.serviceName === service && clusterNameOf(s) === cluster);
  const party = (s: FleetService): Party => ({
    serviceName: s.serviceName,
    clusterName: clusterNameOf(s),
    tasks: fleet.tasks.filter(
      (t) =>
        t.clusterArn === s.clusterArn &&
        t.group === `service:${s.serviceName}` &&
        t.lastStatus === "RUNNING",
    ).length,
  });
  const primary = (s: FleetService) => s.deployments?.find((d) => d.status === "PRIMARY");
  /** The namespace (its ARN when the fleet knows it) of a service's PRIMARY Service Connect. */
  const namespaceOf = (s: FleetService): string | undefined => {
    const ref =
      primary(s)?.serviceConnectConfiguration?.namespace ??
      fleet.clusters.find((c) => c.clusterArn === s.clusterArn)?.serviceConnectDefaults?.namespace;
    if (ref === undefined) return undefined;
    return (
      fleet.namespaces.find((n) => n.Arn === ref || n.Id === ref || n.Name === ref)?.Arn ?? ref
    );
  };
  const lookup = (where: string, entry: { cluster?: unknown; service?: unknown }) => {
    const service =
      typeof entry?.cluster === "string" && typeof entry.service === "string"
        ? findService(entry.cluster, entry.service)
        : undefined;
    if (!service) {
      throw new Error(
        `${where}: no service ${String(entry?.cluster)}/${String(entry?.service)} in the fleet`,
      );
    }
    return service;
  };

  const add = (
    metricName: string,
    def: MetricDef,
    dims: Record<string, string>,
    c: Contribution,
  ) => {
    const key = seriesKey(SERVICE_CONNECT_NAMESPACE, metricName, dims);
    let s = byKey.get(key);
    if (!s) {
      s = {
        namespace: SERVICE_CONNECT_NAMESPACE,
        metricName,
        dimensions: dims,
        unit: def.unit,
        publishedBy: [],
        def,
        contributions: [],
        bounds: [],
        bucketIndex: [],
      };
      byKey.set(key, s);
      series.push(s);
    }
    s.contributions.push(c);
    const { serviceName, clusterName } = c.by;
    if (
      !s.publishedBy.some((p) => p.serviceName === serviceName && p.clusterName === clusterName)
    ) {
      s.publishedBy.push({ serviceName, clusterName });
    }
  };

  /** "<namespace> <discovery name>" → the entry publishing it: unique within a namespace. */
  const published = new Map<string, string>();
  traffic.publishers.forEach((entry, i) => {
    const where = `traffic.publishers[${i}]`;
    const service = lookup(where, entry);
    const name = `${entry.cluster}/${entry.service}`;
    const discoveryName = entry.discoveryName;
    const deployment = primary(service);
    const config = deployment?.serviceConnectConfiguration;
    const port = config?.enabled
      ? config.services?.find((s) => (s.discoveryName ?? s.portName) === discoveryName)
      : undefined;
    if (!deployment || !port) {
      throw new Error(
        `${where}: discovery name ${String(discoveryName)} is not in the Service Connect configuration of ${name}'s PRIMARY deployment`,
      );
    }
    const namespace = namespaceOf(service);
    if (namespace !== undefined) {
      const unique = `${namespace} ${discoveryName}`;
      const other = published.get(unique);
      if (other !== undefined) {
        throw new Error(
          `${where}: ${other} already publishes ${discoveryName} in namespace ${namespace} (discovery names are unique within a namespace)`,
        );
      }
      published.set(unique, where);
    }

    const taskDefinitionRef = deployment.taskDefinition ?? service.taskDefinition ?? "";
    const taskDefinition = fleet.taskDefinitions.find(
      (t) =>
        t.taskDefinitionArn === taskDefinitionRef ||
        t.taskDefinitionArn.endsWith(`/${taskDefinitionRef}`),
    );
    if (!taskDefinition) {
      throw new Error(
        `${where}: task definition ${taskDefinitionRef} of ${name}'s PRIMARY deployment is not in the fleet`,
      );
    }
    const mapping = (taskDefinition.containerDefinitions ?? [])
      .flatMap((c) => c.portMappings ?? [])
      .find((p) => p.name === port.portName);
    if (!mapping) {
      throw new Error(
        `${where}: no port mapping named ${port.portName} in ${taskDefinition.taskDefinitionArn}`,
      );
    }
    const appProtocol = mapping.appProtocol ?? "tcp";
    if (!ALL.includes(appProtocol as PortProtocol)) {
      throw new Error(`${where}: unknown appProtocol ${appProtocol} of port ${port.portName}`);
    }
    const protocol = appProtocol as PortProtocol;

    if (!Array.isArray(entry.callers)) throw new Error(`${where}.callers: must be a list`);
    const seen = new Map<string, string>();
    const callers = entry.callers.map((caller, j) => {
      const at = `${where}.callers[${j}]`;
      const callerService = lookup(at, caller);
      const callerName = `${caller.cluster}/${caller.service}`;
      const twice = seen.get(callerName);
      if (twice !== undefined) throw new Error(`${at}: ${callerName} is already ${twice}`);
      seen.set(callerName, at);
      if (!primary(callerService)?.serviceConnectConfiguration?.enabled) {
        throw new Error(
          `${at}: ${callerName} has no Service Connect in its PRIMARY deployment, so no proxy to call ${discoveryName} through (DNS or IP clients belong in outside)`,
        );
      }
      const callerNamespace = namespaceOf(callerService);
      if (
        namespace !== undefined &&
        callerNamespace !== undefined &&
        callerNamespace !== namespace
      ) {
        throw new Error(
          `${at}: ${callerName} uses the Service Connect namespace ${callerNamespace}, not ${namespace} where ${name} publishes ${discoveryName}`,
        );
      }
      return { caller: party(callerService), flow: flowModel(caller, at) };
    });
    const outside =
      entry.outside === undefined ? undefined : flowModel(entry.outside, `${where}.outside`);

    const publisher = party(service);
    if (publisher.tasks === 0) return;
    const live = callers.filter((c) => c.caller.tasks > 0);
    const server: Contribution = {
      by: publisher,
      flows: [...live.map((c) => c.flow), ...(outside ? [outside] : [])],
      targets: publisher.tasks,
    };
    const clients = live.map(({ caller, flow }) => ({
      caller,
      contribution: { by: caller, flows: [flow], targets: publisher.tasks },
    }));
    for (const [metricName, def] of Object.entries(METRICS)) {
      if (!def.protocols.includes(protocol)) continue;
      if (def.side === "server") {
        add(metricName, def, { DiscoveryName: discoveryName }, server);
        add(
          metricName,
          def,
          {
            DiscoveryName: discoveryName,
            ServiceName: publisher.serviceName,
            ClusterName: publisher.clusterName,
          },
          server,
        );
      } else {
        for (const { caller, contribution } of clients) {
          add(metricName, def, { TargetDiscoveryName: discoveryName }, contribution);
          add(
            metricName,
            def,
            {
              TargetDiscoveryName: discoveryName,
              ServiceName: caller.serviceName,
              ClusterName: caller.clusterName,
            },
            contribution,
          );
        }
      }
    }
  });

  for (const s of series) {
    if (s.def.kind !== "histogram") continue;
    const bounds = new Set<number>();
    for (const c of s.contributions)
      for (const f of c.flows) for (const le of f.bounds) bounds.add(le);
    s.bounds = [...bounds].sort((a, b) => a - b);
    const position = new Map(s.bounds.map((le, i) => [le, i]));
    s.bucketIndex = s.contributions.map((c) =>
      c.flows.map((f) => f.bounds.map((le) => position.get(le) as number)),
    );
  }
  return { series, byKey };
}

const MODELS = new WeakMap<Fleet, TrafficModel>();
let demoFleet: Fleet | undefined;

/** The model of a fleet, built once per Fleet object (do not mutate a fleet after asking). */
export function modelOf(fleet: Fleet | undefined): TrafficModel {
  if (fleet === undefined) demoFleet ??= loadDemoFleet();
  const key = fleet ?? (demoFleet as Fleet);
  let model = MODELS.get(key);
  if (!model) {
    model = buildModel(key);
    MODELS.set(key, model);
  }
  return model;
}

/**
 * Every series a fleet publishes (for the demo fleet: 22 per discovery name), each with both of its
 * dimension sets. Throws an Error naming a bad entry of the fleet's `traffic`.
 */
export function publishedSeries(fleet: Fleet): PublishedSeries[] {
  return modelOf(fleet).series.map(({ namespace, metricName, dimensions, unit, publishedBy }) => ({
    namespace,
    metricName,
    dimensions: { ...dimensions },
    unit,
    publishedBy: publishedBy.map((p) => ({ ...p })),
  }));
}

function toRecord(dimensions: DimensionsInput | undefined): Record<string, string> | undefined {
  if (dimensions === undefined) return {};
  if (!Array.isArray(dimensions)) return { ...(dimensions as Record<string, string>) };
  const out: Record<string, string> = {};
  for (const d of dimensions as readonly { Name?: string; Value?: string }[]) {
    if (d.Name === undefined || d.Value === undefined || d.Name in out) return undefined;
    out[d.Name] = d.Value;
  }
  return out;
}

export function findSeries(
  model: TrafficModel,
  namespace: string,
  metricName: string,
  dimensions: DimensionsInput | undefined,
): SeriesDef | undefined {
  const dims = toRecord(dimensions);
  return dims && model.byKey.get(seriesKey(namespace, metricName, dims));
}

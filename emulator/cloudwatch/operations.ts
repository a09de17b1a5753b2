// CloudWatch's wire (AWS JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.<Op>, signing name
// `monitoring`): GetMetricData and GetMetricWidgetImage over the fleet's synthetic Service Connect
// metrics. Timestamps are epoch seconds, blobs base64. See README.md.

import { createHash } from "node:crypto";
import type { Fleet } from "../fleet/types.ts";
import { Input, type JsonBody, type Operation } from "../wire.ts";
import { balancerDatapoints, isBalancerNamespace, searchBalancerSeries } from "./balancer-model.ts";
import { invalidNextToken, missingParameter, validation } from "./errors.ts";
import { minuteOf } from "./flows.ts";
import { expandLabel, parseSearch, searchSeries } from "./search.ts";
import { aggregate, type Datapoints, parseStat, type Stat } from "./statistics.ts";
import { buildModel, type DimensionsInput, findSeries } from "./traffic-model.ts";
import { metricWidgetImage } from "./widget.ts";

export const MAX_QUERIES = 500;
export const DEFAULT_MAX_DATAPOINTS = 100_800;

export interface CloudWatchOptions {
  /** The clock behind the series, epoch milliseconds. */
  now: () => number;
  /** The fleet whose `traffic` section the series come from (none without one). */
  fleet: Fleet;
  /** Series one SEARCH returns at most; AWS's 500 unless a test lowers it. */
  searchSeriesMax?: number;
  /**
   * Metrics one GetMetricData call retrieves at most, the series its searches find included;
   * AWS's 500 unless a test lowers it. Past it, search series are cut and the call says
   * MaxMetricsExceeded in Messages (API GetMetricData; grafana/grafana#21411, #25400).
   */
  metricsPerCallMax?: number;
}
function epochSeconds(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && !Number.isNaN(Date.parse(value)))
    return Date.parse(value) / 1000;
  throw validation(`The parameter ${name} must be a timestamp.`);
}

interface MetricQuery {
  id: string;
  label: string | undefined;
  returnData: boolean;
  expression: string | undefined;
  metric?: {
    namespace: string;
    metricName: string;
    dimensions: { Name?: string; Value?: string }[];
    period: number;
    stat: Stat;
    unit: string | undefined;
  };
}

function readQuery(raw: JsonBody, index: number): MetricQuery {
  const where = `MetricDataQueries.member.${index + 1}`;
  const q = new Input(raw, validation);
  const id = q.requiredString("Id");
  if (!/^[a-z][a-zA-Z0-9_]{0,254}$/.test(id)) {
    throw validation(
      `The value ${id} for parameter ${where}.Id is not valid. The Id must start with a lowercase letter and contain only letters, numbers and underscores.`,
    );
  }
  const expression = q.string("Expression");
  const statRaw = raw.MetricStat;
  if ((expression === undefined) === (statRaw === undefined || statRaw === null)) {
    throw validation(`Exactly one of ${where}.MetricStat and ${where}.Expression must be set.`);
  }
  const returnData =
    raw.ReturnData === undefined || raw.ReturnData === null || raw.ReturnData === true;
  const label = q.string("Label");
  if (expression !== undefined) return { id, label, returnData, expression };
  if (typeof statRaw !== "object" || Array.isArray(statRaw)) {
    throw validation(`${where}.MetricStat must be a structure.`);
  }
  const ms = new Input(statRaw as JsonBody, validation);
  const metricRaw = (statRaw as JsonBody).Metric;
  if (typeof metricRaw !== "object" || metricRaw === null || Array.isArray(metricRaw)) {
    throw missingParameter(`The parameter ${where}.MetricStat.Metric is required.`);
  }
  const metric = new Input(metricRaw as JsonBody, validation);
  const namespace = metric.string("Namespace");
  const metricName = metric.string("MetricName");
  if (!namespace)
    throw missingParameter(`The parameter ${where}.MetricStat.Metric.Namespace is required.`);
  if (!metricName)
    throw missingParameter(`The parameter ${where}.MetricStat.Metric.MetricName is required.`);
  const dimensions = (metric.list("Dimensions") ?? []) as { Name?: string; Value?: string }[];
  if (dimensions.length > 30) {
    throw validation(
      `The collection ${where}.MetricStat.Metric.Dimensions must not have more than 30 members.`,
    );
  }
  const period = ms.int("Period");
  if (period === undefined)
    throw missingParameter(`The parameter ${where}.MetricStat.Period is required.`);
  if (period < 60 || period % 60 !== 0) {
    throw validation(
      `The value ${period} for parameter ${where}.MetricStat.Period is not valid. The period must be a multiple of 60 for metrics published at standard resolution.`,
    );
  }
  const statName = ms.requiredString("Stat");
  const stat = parseStat(statName);
  if (!stat) {
    throw validation(
      `The value ${statName} for parameter ${where}.MetricStat.Stat is not a valid statistic.`,
    );
  }
  return {
    id,
    label,
    returnData,
    expression: undefined,
    metric: { namespace, metricName, dimensions, period, stat, unit: ms.string("Unit") },
  };
}

interface PageToken {
  hash: string;
  offset: number;
  now: number;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([token.hash, token.offset, token.now])).toString("base64url");
}

function decodeToken(value: string, hash: string): PageToken {
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(parsed) && parsed[0] === hash) {
      const [, offset, now] = parsed as [string, unknown, unknown];
      if (Number.isInteger(offset) && (offset as number) >= 0 && typeof now === "number") {
        return { hash, offset: offset as number, now };
      }
    }
  } catch {
    // falls through
  }
  throw invalidNextToken();
}

/**
 * GetMetricData and GetMetricWidgetImage over the fleet's traffic. Throws an Error naming the entry
 * when the fleet's `traffic` names a service the fleet lacks or a discovery name its PRIMARY
 * deployment does not publish.
 */
export function cloudWatchOperations(options: CloudWatchOptions): Record<string, Operation> {
  const model = buildModel(options.fleet);
  const searchSeriesMax = options.searchSeriesMax ?? 500;
  const metricsPerCallMax = options.metricsPerCallMax ?? MAX_QUERIES;
  const lookup = (namespace: string, metricName: string, dimensions: DimensionsInput) =>
    findSeries(model, namespace, metricName, dimensions);

  return {
    GetMetricData(body) {
      const req = new Input(body, validation);
      const rawQueries = req.list("MetricDataQueries");
      if (rawQueries === undefined) {
        throw missingParameter("The parameter MetricDataQueries is required.");
      }
      if (rawQueries.length === 0 || rawQueries.length > MAX_QUERIES) {
        throw validation(
          `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length between 1 and ${MAX_QUERIES}. Received ${rawQueries.length} queries.`,
        );
      }
      const start = epochSeconds(body.StartTime, "StartTime");
      const end = epochSeconds(body.EndTime, "EndTime");
      if (start === undefined) throw missingParameter("The parameter StartTime is required.");
      if (end === undefined) throw missingParameter("The parameter EndTime is required.");
      if (start >= end) {
        throw validation("The parameter StartTime must be less than the parameter EndTime.");
      }
      const scanBy = req.string("ScanBy") ?? "TimestampDescending";
      if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
        throw validation(
          `The value ${scanBy} for parameter ScanBy is not valid. Valid values are TimestampDescending and TimestampAscending.`,
        );
      }
      const maxDatapoints = req.int("MaxDatapoints") ?? DEFAULT_MAX_DATAPOINTS;
      if (maxDatapoints < 1) throw validation("The parameter MaxDatapoints must be at least 1.");
      const queries = rawQueries.map(readQuery);
      const ids = new Set(queries.map((q) => q.id));
      if (ids.size !== queries.length) {
        throw validation("The values for parameter Id in MetricDataQueries are not unique.");
      }

      // The token pins the request and the clock, so later pages read the same data.
      const hash = createHash("sha256")
        .update(JSON.stringify([rawQueries, start, end, scanBy, maxDatapoints]))
        .digest("base64url")
        .slice(0, 22);
      const nextToken = req.string("NextToken");
      const page = nextToken
        ? decodeToken(nextToken, hash)
        : { hash, offset: 0, now: options.now() };
      const nowMinute = minuteOf(page.now);

      // Every query is aggregated (a bucket without samples has no datapoint, so only the
      // datapoints themselves say how many a query has); the page shows a slice of them all.
      const ordered = (points: Datapoints) => {
        if (scanBy === "TimestampDescending") {
          points.timestamps.reverse();
          points.values.reverse();
        }
        return points;
      };
      // The series searches find count toward the call's metrics with the queries of one metric
      // each (MetricStat); past the ceiling the searches' later series are cut, and only
      // Messages says so. Which series AWS keeps is not documented: here the first in order.
      let budget = Math.max(0, metricsPerCallMax - queries.filter((q) => q.metric).length);
      let capped = false;
      const returned = queries
        .filter((q) => q.returnData)
        .flatMap((q, i) => {
          const m = q.metric;
          if (q.expression !== undefined && /^\s*SEARCH\(/.test(q.expression)) {
            // One result per series found, each under the query's Id, told apart by its label.
            const search = parseSearch(q.expression, `MetricDataQueries.member.${i + 1}`);
            // Load balancer series are searched as Service Connect's are (balancer-model.ts).
            const found = (
              isBalancerNamespace(search.namespace)
                ? searchBalancerSeries(options.fleet, search).map((def) => ({
                    def,
                    points: () =>
                      balancerDatapoints(
                        options.fleet,
                        { ...def, ...search },
                        start,
                        end,
                        nowMinute,
                      ),
                  }))
                : searchSeries(model, search).map((def) => ({
                    def,
                    points: () => aggregate(def, search.period, search.stat, start, end, nowMinute),
                  }))
            ).slice(0, searchSeriesMax);
            const kept = found.slice(0, budget);
            budget -= kept.length;
            if (kept.length < found.length) capped = true;
            return kept.map(({ def, points }) => ({
              query: { ...q, label: expandLabel(q.label, def) },
              points: ordered(points()),
            }));
          }
          // Load balancer series come from the fleet's ELBv2 section (balancer-model.ts).
          if (m && isBalancerNamespace(m.namespace)) {
            const points = balancerDatapoints(options.fleet, m, start, end, nowMinute);
            return [{ query: q, points: ordered(points) }];
          }
          // Metric math (any other Expression) is not emulated: it returns no datapoints.
          const def = m && lookup(m.namespace, m.metricName, m.dimensions);
          const matches =
            m !== undefined && def !== undefined && (m.unit === undefined || m.unit === def.unit);
          const points =
            matches && m && def
              ? aggregate(def, m.period, m.stat, start, end, nowMinute)
              : { timestamps: [], values: [] };
          return [{ query: q, points: ordered(points) }];
        });
      const total = returned.reduce((n, r) => n + r.points.timestamps.length, 0);
      const pageEnd = page.offset + maxDatapoints;
      let first = 0;
      const MetricDataResults = returned.map(({ query: q, points }) => {
        const count = points.timestamps.length;
        const from = Math.min(count, Math.max(0, page.offset - first));
        const to = Math.min(count, Math.max(0, pageEnd - first));
        const more = first + count > pageEnd;
        first += count;
        return {
          Id: q.id,
          Label: q.label ?? q.metric?.metricName ?? q.id,
          Timestamps: points.timestamps.slice(from, to),
          Values: points.values.slice(from, to),
          StatusCode: more ? "PartialData" : "Complete",
        };
      });
      return {
        MetricDataResults,
        NextToken: pageEnd < total ? encodeToken({ ...page, offset: pageEnd }) : undefined,
        Messages: capped
          ? [{ Code: "MaxMetricsExceeded", Value: "Maximum number of allowed metrics exceeded" }]
          : [],
      };
    },

    GetMetricWidgetImage: (body) => metricWidgetImage(body, lookup, options.now),
  };
}

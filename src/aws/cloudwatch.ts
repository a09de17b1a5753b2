import { createHash } from "node:crypto";
import {
  type CloudWatchClient,
  GetMetricWidgetImageCommand,
  paginateGetMetricData,
} from "@aws-sdk/client-cloudwatch";
import {
  type MetricQuery,
  type MetricSearch,
  SearchedMetrics,
  type SearchResult,
  type Series,
  type SeriesById,
} from "../domain/metrics.ts";
import { chunk } from "./batch.ts";
import type { TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

/** GetMetricData's ceiling per call; the traffic answer is built to fit in one. */
const QUERIES_MAX = 500;
/** A search returns at most this many series (CloudWatch user guide, search expressions). */
export const SEARCH_SERIES_MAX = 500;
/**
 * Searches per call. AWS documents no lower ceiling than the 500 queries, but many searches
 * in one call multiply its datapoints and time; ten keep each call modest.
 */
const SEARCHES_PER_CALL = 10;
/** Dimension values as CloudWatch's search syntax may quote them without escaping. */
const PLAIN = /^[A-Za-z0-9_.:/-]+$/;

/** SEARCH('{AWS/ECS,A,B} MetricName="X" A="v"', 'Sum', 60), exact terms only. */
function expressionOf(s: MetricSearch): string {
  for (const v of [s.metricName, ...Object.values(s.filter), ...s.dimensionNames]) {
    if (!PLAIN.test(v)) throw new Error(`cannot search for ${JSON.stringify(v)}`);
  }
  const terms = [
    `MetricName="${s.metricName}"`,
    ...Object.entries(s.filter).map(([k, v]) => `${k}="${v}"`),
  ];
  return `SEARCH('{${[s.namespace, ...s.dimensionNames].join(",")}} ${terms.join(" ")}', '${s.stat}', ${s.period})`;
}

/** A label that names each series a search returns: its dimension values (dynamic labels). */
const LABEL_SEPARATOR = "|";
function labelOf(s: MetricSearch): string {
  return s.dimensionNames.map((n) => `\${PROP('Dim.${n}')}`).join(LABEL_SEPARATOR);
}

/** CloudWatch reads: metric series for traffic figures, and a rendered graph. */
export class CloudWatchAdapter {
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly cache?: TtlCache,
    /** The request's deadline (see AwsContext). */
    signal?: AbortSignal,
    /** Names the cache entries of this account and region: metrics of the same names differ. */
    private readonly scope = "",
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /** What searchAhead found: later getMetricData calls it covers need no call of their own. */
  private readonly searched = new SearchedMetrics();

  /**
   * Runs `searches` over [start, end) and keeps what they return, so that getMetricData answers
   * the queries they cover from it. Returns whether each search was complete; a search that
   * fails is simply not kept (its queries go to CloudWatch one by one).
   */
  async searchAhead(
    searches: readonly MetricSearch[],
    start: Date,
    end: Date,
    /** Searches per call: more for narrow searches (one name's series), each returning few. */
    perCall = SEARCHES_PER_CALL,
  ): Promise<Map<string, boolean>> {
    const complete = new Map<string, boolean>();
    await Promise.all(
      chunk(searches, perCall).map(async (batch) => {
        // Identical searches in flight at the same time (the same name asked twice) share one read.
        const key = `cw:${this.scope}:search:${createHash("sha256")
          .update(JSON.stringify([batch, start, end]))
          .digest("hex")}`;
        const load = () => this.readSearches(batch, start, end);
        const results = await (this.cache ? this.cache.shared(key, load) : load()).catch(
          () => [] as SearchResult[],
        );
        for (const r of results) {
          this.searched.add(r);
          complete.set(r.search.id, r.complete);
        }
      }),
    );
    return complete;
  }

  private readSearches(
    batch: readonly MetricSearch[],
    start: Date,
    end: Date,
  ): Promise<SearchResult[]> {
    return read(`search ${batch.length} Service Connect metrics`, "GetMetricData", async () => {
      const byId = new Map(batch.map((s) => [s.id, new Map<string, Series["points"]>()]));
      const pages = paginateGetMetricData(
        { client: this.client },
        {
          StartTime: start,
          EndTime: end,
          ScanBy: "TimestampAscending",
          MetricDataQueries: batch.map((s) => ({
            Id: s.id,
            ReturnData: true,
            Expression: expressionOf(s),
            Label: labelOf(s),
          })),
        },
        this.options,
      );
      for await (const page of pages) {
        for (const result of page.MetricDataResults ?? []) {
          const series = byId.get(result.Id ?? "");
          if (!series) continue;
          // One result per series found; a series' datapoints may continue on the next page.
          const label = result.Label ?? "";
          const points = series.get(label) ?? [];
          const values = result.Values ?? [];
          (result.Timestamps ?? []).forEach((at, i) => {
            const value = values[i];
            if (value !== undefined) points.push({ at, value });
          });
          series.set(label, points);
        }
      }
      return batch.map((search) => {
        const found = byId.get(search.id) ?? new Map<string, Series["points"]>();
        const series = [...found].map(([label, points]) => {
          const values = label.split(LABEL_SEPARATOR);
          const named = values.length === search.dimensionNames.length && values.every(Boolean);
          return {
            named,
            dimensions: Object.fromEntries(
              search.dimensionNames.map((n, i) => [n, values[i] ?? ""]),
            ),
            points: points.sort((a, b) => a.at.getTime() - b.at.getTime()),
          };
        });
        return {
          search,
          start,
          end,
          // As many as a search returns: some may have been left out. A series whose label does
          // not name it cannot be told apart: its search answers nothing.
          complete: found.size < SEARCH_SERIES_MAX && series.every((s) => s.named),
          series: series.map(({ dimensions, points }) => ({ dimensions, points })),
        };
      });
    });
  }

  /** See SearchedMetrics.seriesMembers: undefined where nothing complete was searched. */
  seriesMembers(
    ...args: Parameters<SearchedMetrics["seriesMembers"]>
  ): Record<string, string>[] | undefined {
    return this.searched.seriesMembers(...args);
  }

  /** See SearchedMetrics.silentMembers: nothing is silent where nothing was searched. */
  silentMembers(...args: Parameters<SearchedMetrics["silentMembers"]>): Set<number> {
    return this.searched.silentMembers(...args);
  }

  /** Identical requests in flight at the same time (the same name asked twice) share one read. */
  getMetricData(queries: readonly MetricQuery[], start: Date, end: Date): Promise<SeriesById> {
    const searched = this.searched.answer(queries, start, end);
    if (searched) return Promise.resolve(searched);
    const key = `cw:${this.scope}:${createHash("sha256")
      .update(JSON.stringify([queries, start, end]))
      .digest("hex")}`;
    const load = () => this.readMetricData(queries, start, end);
    return this.cache ? this.cache.shared(key, load) : load();
  }

  /**
   * Every query's series over [start, end), oldest point first. Pages by NextToken when the
   * datapoints exceed one answer; splits only if ever given more than 500 queries.
   */
  private async readMetricData(
    queries: readonly MetricQuery[],
    start: Date,
    end: Date,
  ): Promise<SeriesById> {
    const out: SeriesById = new Map();
    // Batches of 500 queries at once (the client bounds how many are in flight), not one after
    // another: 500 callers' five queries each are six calls, not six round trips.
    await Promise.all(
      chunk(queries, QUERIES_MAX).map((batch) =>
        read(`get ${batch.length} Service Connect metrics`, "GetMetricData", async () => {
          const pages = paginateGetMetricData(
            { client: this.client },
            {
              StartTime: start,
              EndTime: end,
              ScanBy: "TimestampAscending",
              MetricDataQueries: batch.map((q) => ({
                Id: q.id,
                ReturnData: true,
                MetricStat: {
                  Metric: {
                    Namespace: q.namespace,
                    MetricName: q.metricName,
                    Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({
                      Name,
                      Value,
                    })),
                  },
                  Period: q.period,
                  Stat: q.stat,
                },
              })),
            },
            this.options,
          );
          for await (const page of pages) {
            for (const result of page.MetricDataResults ?? []) {
              const id = result.Id ?? "";
              const series: Series = out.get(id) ?? { points: [] };
              const values = result.Values ?? [];
              (result.Timestamps ?? []).forEach((at, i) => {
                const value = values[i];
                if (value !== undefined) series.points.push({ at, value });
              });
              out.set(id, series);
            }
          }
        }),
      ),
    );
    for (const series of out.values())
      series.points.sort((a, b) => a.at.getTime() - b.at.getTime());
    return out;
  }

  /** A PNG graph of a CloudWatch metric widget (its JSON definition). */
  getMetricWidgetImage(widget: object): Promise<Uint8Array> {
    return read("render the traffic graph", "GetMetricWidgetImage", async () => {
      const out = await this.client.send(
        new GetMetricWidgetImageCommand({
          MetricWidget: JSON.stringify(widget),
          OutputFormat: "png",
        }),
        this.options,
      );
      if (!out.MetricWidgetImage) throw new Error("empty GetMetricWidgetImage answer");
      return out.MetricWidgetImage;
    });
  }
}

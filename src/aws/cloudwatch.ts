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
import { AwsReadError, read } from "./errors.ts";

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

/** CloudWatch answered only part of a call: its figures would read missing data as zero. */
function partial(queries: number, code: string): AwsReadError {
  return new AwsReadError(
    `get ${queries} Service Connect metrics`,
    "GetMetricData",
    "partial",
    code,
  );
}

/**
 * Whether a series' label names it: one non-empty value per dimension, each filled in (no "${"
 * left of a dynamic label) and equal to the search's filter where it has one.
 */
function namesSeries(search: MetricSearch, label: string): boolean {
  const values = label.split(LABEL_SEPARATOR);
  return (
    values.length === search.dimensionNames.length &&
    values.every((v) => v !== "" && !v.includes("${")) &&
    search.dimensionNames.every((n, i) => {
      const wanted = search.filter[n];
      return wanted === undefined || wanted === values[i];
    })
  );
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
   * fails or comes back incomplete is not used (its queries go to CloudWatch one by one).
   * Searches of `perCall` go in one call, in parallel with the others: a search that may
   * return up to 500 series (one region-wide) needs a call of its own, since a call retrieves
   * at most 500 metrics and counts the series its searches find.
   */
  async searchAhead(
    searches: readonly MetricSearch[],
    start: Date,
    end: Date,
    /** Searches per call: more for narrow searches (one name's series), each returning few. */
    perCall = SEARCHES_PER_CALL,
  ): Promise<Map<string, boolean>> {
    const complete = new Map<string, boolean>();
    const results = await Promise.all(
      chunk(searches, perCall).map((batch) => this.searchBatch(batch, start, end)),
    );
    for (const r of results.flat()) {
      this.searched.add(r);
      complete.set(r.search.id, r.complete);
    }
    return complete;
  }

  /**
   * One call of searches. A call CloudWatch cut at its metric cap (MaxMetricsExceeded) is made
   * again in two halves: a round trip more, only where the searches' series together passed
   * 500; a single search cut stays incomplete.
   */
  private async searchBatch(
    batch: readonly MetricSearch[],
    start: Date,
    end: Date,
  ): Promise<SearchResult[]> {
    // Identical searches in flight at the same time (the same name asked twice) share one read.
    const key = `cw:${this.scope}:search:${createHash("sha256")
      .update(JSON.stringify([batch, start, end]))
      .digest("hex")}`;
    const load = () => this.readSearches(batch, start, end);
    const outcome = await (this.cache ? this.cache.shared(key, load) : load()).catch(
      () => undefined,
    );
    if (!outcome) return [];
    if (outcome.capped && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      const parts = await Promise.all([
        this.searchBatch(batch.slice(0, half), start, end),
        this.searchBatch(batch.slice(half), start, end),
      ]);
      return parts.flat();
    }
    return outcome.results;
  }

  private readSearches(
    batch: readonly MetricSearch[],
    start: Date,
    end: Date,
  ): Promise<{ results: SearchResult[]; capped: boolean }> {
    return read(`search ${batch.length} Service Connect metrics`, "GetMetricData", async () => {
      const byId = new Map(batch.map((s) => [s.id, new Map<string, Series["points"]>()]));
      // Searches CloudWatch says it did not answer in full: by a result's own status, or all of
      // them when the call carries any message (API GetMetricData: "If there is a message, as
      // much of the operation as possible is still executed").
      const partial = new Set<string>();
      const status = new Map<string, string>();
      let messages = false;
      let capped = false;
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
        for (const m of page.Messages ?? []) {
          messages = true;
          if (m.Code === "MaxMetricsExceeded") capped = true;
        }
        for (const result of page.MetricDataResults ?? []) {
          const id = result.Id ?? "";
          const series = byId.get(id);
          if (!series) continue;
          // One result per series found; a series' datapoints may continue on the next page,
          // where its status is told again: the last one counts.
          const label = result.Label ?? "";
          status.set(`${id}\u0000${label}`, result.StatusCode ?? "Complete");
          if ((result.Messages ?? []).length > 0) partial.add(id);
          const points = series.get(label) ?? [];
          const values = result.Values ?? [];
          (result.Timestamps ?? []).forEach((at, i) => {
            const value = values[i];
            if (value !== undefined) points.push({ at, value });
          });
          series.set(label, points);
        }
      }
      for (const [key, code] of status)
        if (code !== "Complete") partial.add(key.slice(0, key.indexOf("\u0000")));
      const results = batch.map((search): SearchResult => {
        const found = byId.get(search.id) ?? new Map<string, Series["points"]>();
        const series = [...found].map(([label, points]) => ({
          named: namesSeries(search, label),
          dimensions: Object.fromEntries(
            search.dimensionNames.map((n, i) => [n, label.split(LABEL_SEPARATOR)[i] ?? ""]),
          ),
          points: points.sort((a, b) => a.at.getTime() - b.at.getTime()),
        }));
        return {
          search,
          start,
          end,
          // Complete only when nothing says a series may be missing: no message on the call or
          // the search, no status but Complete, fewer than a search's 500, and every label
          // naming a series the search asked for (a label still holding "${", or a series
          // outside the filter, contradicts the search: it answers nothing).
          complete:
            !messages &&
            !partial.has(search.id) &&
            found.size < SEARCH_SERIES_MAX &&
            series.every((s) => s.named),
          series: series.map(({ dimensions, points }) => ({ dimensions, points })),
        };
      });
      return { results, capped };
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

  /** What complete searches already hold of every query, or undefined: never a call. */
  searchedSeries(queries: readonly MetricQuery[], start: Date, end: Date): SeriesById | undefined {
    return this.searched.answer(queries, start, end);
  }

  /** Identical requests in flight at the same time (the same name asked twice) share one read. */
  async getMetricData(
    queries: readonly MetricQuery[],
    start: Date,
    end: Date,
  ): Promise<SeriesById> {
    const searched = this.searched.answer(queries, start, end);
    if (searched) return searched;
    // Queries a search covers (Service Connect's) are answered from it; only the rest (a load
    // balancer's, say) go to CloudWatch, still in one call.
    const covered: SeriesById = new Map();
    const rest = queries.filter((q) => {
      const one = this.searched.answer([q], start, end)?.get(q.id);
      if (one) covered.set(q.id, one);
      return !one;
    });
    const read = await this.readShared(rest, start, end);
    return covered.size === 0 ? read : new Map([...covered, ...read]);
  }

  private readShared(queries: readonly MetricQuery[], start: Date, end: Date): Promise<SeriesById> {
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
          const status = new Map<string, string>();
          for await (const page of pages) {
            // Any message means "as much of the operation as possible" was done (API
            // GetMetricData): figures read from it would pass a gap off as a zero.
            const message = page.Messages?.[0];
            if (message) throw partial(batch.length, message.Code ?? "Message");
            for (const result of page.MetricDataResults ?? []) {
              const id = result.Id ?? "";
              // PartialData before a NextToken continues on the next page; the last one counts.
              status.set(id, result.StatusCode ?? "Complete");
              const series: Series = out.get(id) ?? { points: [] };
              const values = result.Values ?? [];
              (result.Timestamps ?? []).forEach((at, i) => {
                const value = values[i];
                if (value !== undefined) series.points.push({ at, value });
              });
              out.set(id, series);
            }
          }
          const unfinished = [...status.values()].find((code) => code !== "Complete");
          if (unfinished) throw partial(batch.length, unfinished);
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

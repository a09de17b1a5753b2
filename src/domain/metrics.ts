// The project's own view of CloudWatch metric queries and series: the domain builds queries
// and reads series without knowing the SDK.

export interface MetricQuery {
  /** Unique within one GetMetricData call: lower-case letter first, then [a-zA-Z0-9_]. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Seconds, a multiple of 60. */
  period: number;
  /** "Sum", "Average", "p99", … */
  stat: string;
}

export interface Series {
  /** Oldest first. */
  points: { at: Date; value: number }[];
}

export type SeriesById = Map<string, Series>;

/**
 * A CloudWatch SEARCH: every series of `metricName` whose dimension names are exactly
 * `dimensionNames`, narrowed to those whose dimensions equal `filter` (exact terms).
 */
export interface MetricSearch {
  /** Unique within one GetMetricData call, as a query's. */
  id: string;
  namespace: string;
  metricName: string;
  dimensionNames: string[];
  filter: Record<string, string>;
  period: number;
  stat: string;
}

export interface SearchResult {
  search: MetricSearch;
  start: Date;
  end: Date;
  /**
   * False when the search may have left series out (it returned as many as one search can):
   * a series it did not return is then unknown, not absent.
   */
  complete: boolean;
  series: { dimensions: Record<string, string>; points: Series["points"] }[];
}

/** Series of one kind: the same metric, statistic, period and dimension names. */
function kindOf(
  namespace: string,
  metricName: string,
  stat: string,
  period: number,
  dimensionNames: string[],
): string {
  return JSON.stringify([namespace, metricName, stat, period, [...dimensionNames].sort()]);
}

/** Dimension values in the order of their sorted names: one series of a kind. */
function seriesOf(dimensions: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(dimensions)
      .sort()
      .map((k) => dimensions[k]),
  );
}

interface Indexed {
  result: SearchResult;
  byDimensions: Map<string, Series["points"]>;
}

/**
 * What searches returned, indexed to answer metric queries without asking CloudWatch again: a
 * query is answered only when a complete search over the same window covers it. A covered query
 * the search did not return has no datapoints in the window, exactly as GetMetricData would say.
 */
export class SearchedMetrics {
  private readonly kinds = new Map<string, Indexed[]>();

  add(result: SearchResult): void {
    const s = result.search;
    const key = kindOf(s.namespace, s.metricName, s.stat, s.period, s.dimensionNames);
    const byDimensions = new Map<string, Series["points"]>();
    for (const series of result.series)
      byDimensions.set(seriesOf(series.dimensions), series.points);
    this.kinds.set(key, [...(this.kinds.get(key) ?? []), { result, byDimensions }]);
  }

  /** The series of every query, or undefined unless every one is covered. */
  answer(queries: readonly MetricQuery[], start: Date, end: Date): SeriesById | undefined {
    const out: SeriesById = new Map();
    for (const q of queries) {
      const candidates =
        this.kinds.get(
          kindOf(q.namespace, q.metricName, q.stat, q.period, Object.keys(q.dimensions)),
        ) ?? [];
      const hit = candidates.find(
        ({ result: r }) =>
          r.complete &&
          r.start.getTime() === start.getTime() &&
          r.end.getTime() === end.getTime() &&
          Object.entries(r.search.filter).every(([k, v]) => q.dimensions[k] === v),
      );
      if (!hit) return undefined;
      const points = hit.byDimensions.get(seriesOf(q.dimensions)) ?? [];
      out.set(q.id, { points: points.map((p) => ({ ...p })) });
    }
    return out;
  }
}

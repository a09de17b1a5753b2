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

/** What a metric query reads, without its dimension values. */
export interface MetricKind {
  namespace: string;
  metricName: string;
  stat: string;
  period: number;
  dimensionNames: string[];
}

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
 * The filters of a kind's complete searches, grouped by the dimension names they filter on:
 * for each group, the values searched. Deciding whether a series is covered is then one lookup
 * per group (a digest asks it for every service times every possible caller).
 */
type Filters = Map<string, { names: string[]; values: Set<string> }>;

function filtersOf(indexed: readonly Indexed[]): Filters {
  const out: Filters = new Map();
  for (const { result } of indexed) {
    const names = Object.keys(result.search.filter).sort();
    const group = out.get(names.join("\u0000")) ?? { names, values: new Set<string>() };
    group.values.add(names.map((n) => result.search.filter[n]).join("\u0000"));
    out.set(names.join("\u0000"), group);
  }
  return out;
}

/** Whether a complete search covers the series of `dims` (its filter matches them exactly). */
function covers(filters: Filters, dims: Record<string, string>): boolean {
  for (const { names, values } of filters.values())
    if (values.has(names.map((n) => dims[n]).join("\u0000"))) return true;
  return false;
}

/** One kind's complete searches over one window: who has series by group, and what is covered. */
interface View {
  present: Map<string, Set<string>>;
  covering: Filters;
}

/**
 * What searches returned, indexed to answer metric queries without asking CloudWatch again: a
 * query is answered only when a complete search over the same window covers it. A covered query
 * the search did not return has no datapoints in the window, exactly as GetMetricData would say.
 */
export class SearchedMetrics {
  private readonly kinds = new Map<string, Indexed[]>();
  /** Per kind, group dimension and window: who has series, and who complete searches cover. */
  private readonly memo = new Map<string, View>();

  add(result: SearchResult): void {
    const s = result.search;
    const key = kindOf(s.namespace, s.metricName, s.stat, s.period, s.dimensionNames);
    const byDimensions = new Map<string, Series["points"]>();
    for (const series of result.series)
      byDimensions.set(seriesOf(series.dimensions), series.points);
    this.kinds.set(key, [...(this.kinds.get(key) ?? []), { result, byDimensions }]);
    this.memo.clear();
  }

  /**
   * The indexes of `members` known to have no series of any of `kinds` whose `group` dimension
   * has `group.value`, over [start, end): a complete search covering the member returned none
   * for it. A member no complete search covers is never among them: unknown is not absent.
   * (A digest asks this for each service's possible callers: most never call it, and their
   * queries need not be made at all.)
   */
  silentMembers(
    kinds: readonly MetricKind[],
    group: { name: string; value: string },
    memberDims: readonly string[],
    members: readonly Record<string, string>[],
    start: Date,
    end: Date,
  ): Set<number> {
    const keyOf = (dims: Record<string, string>) => memberDims.map((d) => dims[d]).join("\u0000");
    const views = kinds.map((k) => this.view(k, group.name, memberDims, start, end));
    const silent = new Set<number>();
    members.forEach((m, i) => {
      const key = keyOf(m);
      const dims = { ...m, [group.name]: group.value };
      const quiet = views.every(
        (v) => !v.present.get(group.value)?.has(key) && covers(v.covering, dims),
      );
      if (quiet) silent.add(i);
    });
    return silent;
  }

  /**
   * Every member (its `memberDims` values) with a series of any of `kinds` whose `group`
   * dimension has `group.value` over [start, end), or undefined unless a complete search of each
   * kind covers the group value: only then is a member left out known to have no series.
   */
  seriesMembers(
    kinds: readonly MetricKind[],
    group: { name: string; value: string },
    memberDims: readonly string[],
    start: Date,
    end: Date,
  ): Record<string, string>[] | undefined {
    const views = kinds.map((k) => this.view(k, group.name, memberDims, start, end));
    const covered = views.every((v) => covers(v.covering, { [group.name]: group.value }));
    if (!covered) return undefined;
    const keys = new Set(views.flatMap((v) => [...(v.present.get(group.value) ?? [])]));
    return [...keys]
      .sort()
      .map((key) =>
        Object.fromEntries(memberDims.map((d, i) => [d, key.split("\u0000")[i] ?? ""])),
      );
  }

  private view(
    kind: MetricKind,
    groupName: string,
    memberDims: readonly string[],
    start: Date,
    end: Date,
  ) {
    const key = JSON.stringify([
      kindOf(kind.namespace, kind.metricName, kind.stat, kind.period, kind.dimensionNames),
      groupName,
      memberDims,
      start.getTime(),
      end.getTime(),
    ]);
    let view = this.memo.get(key);
    if (!view) {
      const matching = (
        this.kinds.get(
          kindOf(kind.namespace, kind.metricName, kind.stat, kind.period, kind.dimensionNames),
        ) ?? []
      ).filter(
        ({ result: r }) =>
          r.complete && r.start.getTime() === start.getTime() && r.end.getTime() === end.getTime(),
      );
      const present = new Map<string, Set<string>>();
      for (const { result } of matching) {
        for (const series of result.series) {
          const value = series.dimensions[groupName] ?? "";
          const members = present.get(value) ?? new Set<string>();
          members.add(memberDims.map((d) => series.dimensions[d]).join("\u0000"));
          present.set(value, members);
        }
      }
      view = { present, covering: filtersOf(matching) };
      this.memo.set(key, view);
    }
    return view;
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

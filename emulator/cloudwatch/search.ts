// SEARCH expressions in GetMetricData, in the subset the emulator models (exact terms only).

import { validation } from "./errors.ts";
import { parseStat, type Stat } from "./statistics.ts";
import type { SeriesDef, TrafficModel } from "./traffic-model.ts";

/** A search expression CloudWatch's documented syntax allows, in the subset the emulator models. */
export interface Search {
  namespace: string;
  dimensionNames: string[];
  /** Exact terms: MetricName="X" and dimension="value". */
  terms: Record<string, string>;
  stat: Stat;
  period: number;
}

const SEARCH = /^\s*SEARCH\(\s*'\s*\{([^}]*)\}((?:[^'])*)'\s*,\s*'([^']+)'\s*,\s*(\d+)\s*\)\s*$/;
const TERM = /\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*/y;

/**
 * SEARCH('{Namespace,Dim,…} MetricName="X" Dim="v"', 'Stat', Period) with exact terms only (the
 * form the bot writes); partial-match words, boolean operators and a missing period are valid on
 * AWS but not modelled, and are refused here rather than answered wrongly.
 */
export function parseSearch(expression: string, where: string): Search {
  const m = SEARCH.exec(expression);
  const schema = m?.[1]?.split(",").map((p) => p.trim());
  const namespace = schema?.[0];
  const stat = m?.[3] !== undefined ? parseStat(m[3]) : undefined;
  if (!m || !schema || !namespace || !stat) {
    throw validation(
      `The value for ${where}.Expression is not a search expression the emulator models: SEARCH('{Namespace,Dim,…} Name="value" …', 'Stat', Period).`,
    );
  }
  const terms: Record<string, string> = {};
  const text = m[2] ?? "";
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const start = TERM.lastIndex;
    const t = TERM.exec(text);
    if (!t) {
      if (text.slice(start).trim() === "") break;
      throw validation(
        `The emulator models exact terms (Name="value") only; ${where}.Expression has ${JSON.stringify(text.slice(start).trim())}.`,
      );
    }
    terms[t[1] as string] = t[2] as string;
  }
  const period = Number(m[4]);
  if (period < 60 || period % 60 !== 0) {
    throw validation(`The period in ${where}.Expression must be a multiple of 60.`);
  }
  return { namespace, dimensionNames: schema.slice(1), terms, stat, period };
}

/** A model's series in key order, all and by metric name, with their dimension names. */
interface SearchIndex {
  all: { def: SeriesDef; names: string }[];
  byMetric: Map<string, { def: SeriesDef; names: string }[]>;
}
const searchIndexes = new WeakMap<TrafficModel, SearchIndex>();

/** Built once per model: a search then filters one metric's series, already in order. */
function searchIndexOf(model: TrafficModel): SearchIndex {
  let index = searchIndexes.get(model);
  if (!index) {
    index = { all: [], byMetric: new Map() };
    // byKey's keys are seriesKey(): sorted once, they give every search its order.
    for (const [, def] of [...model.byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const entry = { def, names: Object.keys(def.dimensions).sort().join(",") };
      index.all.push(entry);
      const same = index.byMetric.get(def.metricName) ?? [];
      same.push(entry);
      index.byMetric.set(def.metricName, same);
    }
    searchIndexes.set(model, index);
  }
  return index;
}

/** Every series a search finds, in key order: exactly the schema's dimension names, every term equal. */
export function searchSeries(model: TrafficModel, search: Search): SeriesDef[] {
  const names = [...search.dimensionNames].sort().join(",");
  const index = searchIndexOf(model);
  const metric = search.terms.MetricName;
  const candidates = metric === undefined ? index.all : (index.byMetric.get(metric) ?? []);
  return candidates
    .filter(
      ({ def, names: defNames }) =>
        def.namespace === search.namespace &&
        defNames === names &&
        Object.entries(search.terms).every(([k, v]) =>
          k === "MetricName" ? def.metricName === v : def.dimensions[k] === v,
        ),
    )
    .map(({ def }) => def);
}

/** A label with dynamic parts (${PROP('Dim.X')}, ${PROP('MetricName')}) filled in for a series. */
export function expandLabel(
  label: string | undefined,
  def: Pick<SeriesDef, "namespace" | "metricName" | "dimensions">,
): string {
  if (label === undefined) return [...Object.values(def.dimensions), def.metricName].join(" ");
  return label.replace(/\$\{PROP\('([^']+)'\)\}/g, (_, prop: string) => {
    if (prop === "MetricName") return def.metricName;
    if (prop === "Namespace") return def.namespace;
    if (prop.startsWith("Dim.")) return def.dimensions[prop.slice(4)] ?? "";
    return "";
  });
}

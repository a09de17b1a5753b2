// GetMetricWidgetImage: the widget JSON read as CloudWatch reads it, drawn as a PNG line chart.

import { parseHexColor, Raster, type Rgb } from "../png.ts";
import { Input, type JsonBody } from "../wire.ts";
import { invalidWidget, missingParameter } from "./errors.ts";
import { minuteOf } from "./flows.ts";
import { aggregate, type Datapoints, parseStat, type Stat } from "./statistics.ts";
import type { DimensionsInput, SeriesDef } from "./traffic-model.ts";

/** CloudWatch's default graph palette. */
const PALETTE: Rgb[] = [
  [0x1f, 0x77, 0xb4],
  [0xff, 0x7f, 0x0e],
  [0x2c, 0xa0, 0x2c],
  [0xd6, 0x27, 0x28],
  [0x94, 0x67, 0xbd],
  [0x8c, 0x56, 0x4b],
  [0xe3, 0x77, 0xc2],
  [0x7f, 0x7f, 0x7f],
  [0xbc, 0xbd, 0x22],
  [0x17, 0xbe, 0xcf],
];

interface WidgetMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: Stat;
  period: number;
  color: Rgb | undefined;
  visible: boolean;
}

interface Widget {
  metrics: WidgetMetric[];
  start: number;
  end: number;
  width: number;
  height: number;
}

const DURATION =
  /^([+-])?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** "-PT3H" (relative to now), "P0D" (now) or an absolute ISO 8601 time, to epoch seconds. */
function widgetTime(value: unknown, name: string, nowSeconds: number): number {
  if (typeof value !== "string" || value === "") {
    throw invalidWidget(`The field ${name} must be a string.`);
  }
  const relative = DURATION.exec(value);
  if (relative && value !== "P" && !value.endsWith("T")) {
    const [, , weeks, days, hours, minutes, seconds] = relative.map((v) => Number(v ?? 0));
    const span =
      (weeks ?? 0) * 604_800 +
      (days ?? 0) * 86_400 +
      (hours ?? 0) * 3600 +
      (minutes ?? 0) * 60 +
      (seconds ?? 0);
    return nowSeconds - span;
  }
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute))
    throw invalidWidget(`The field ${name} has an invalid value: ${value}`);
  return absolute / 1000;
}

function widgetSize(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2000) {
    throw invalidWidget(`The field ${name} must be an integer between 1 and 2000.`);
  }
  return value as number;
}

function parseWidget(text: string, nowSeconds: number): Widget {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidWidget("The field MetricWidget must be a valid JSON object.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidWidget("The field MetricWidget must be a valid JSON object.");
  }
  const w = parsed as Record<string, unknown>;
  if (!Array.isArray(w.metrics) || w.metrics.length === 0) {
    throw invalidWidget("The field metrics must be a non-empty array.");
  }
  if (w.metrics.length > 100)
    throw invalidWidget("The field metrics must hold at most 100 metrics.");
  const period = w.period ?? 300;
  if (!Number.isInteger(period) || (period as number) < 60 || (period as number) % 60 !== 0) {
    throw invalidWidget("The field period must be a multiple of 60.");
  }
  const defaultStat = w.stat ?? "Average";
  const metrics: WidgetMetric[] = [];
  let previous: string[] = [];
  w.metrics.forEach((row: unknown, index: number) => {
    if (!Array.isArray(row) || row.length === 0) {
      throw invalidWidget(`The field metrics[${index}] must be a non-empty array.`);
    }
    const last = row[row.length - 1];
    const options =
      typeof last === "object" && last !== null && !Array.isArray(last)
        ? (last as Record<string, unknown>)
        : undefined;
    const tokens = options ? row.slice(0, -1) : row;
    if (options && tokens.length === 0) {
      // A math expression ({ expression, label, id }): not emulated, drawn as nothing.
      if (typeof options.expression === "string") return;
      throw invalidWidget(`The field metrics[${index}] must name a metric.`);
    }
    if (tokens.some((t) => typeof t !== "string")) {
      throw invalidWidget(`The field metrics[${index}] must hold strings and one options object.`);
    }
    // "." repeats the previous metric's value at this position; "..." the previous metric's values
    // up to the ones that follow it.
    const expanded: string[] = [];
    (tokens as string[]).forEach((token, i) => {
      if (token === "...") {
        const after = tokens.length - i - 1;
        expanded.push(
          ...previous.slice(expanded.length, Math.max(expanded.length, previous.length - after)),
        );
      } else if (token === ".") {
        const same = previous[expanded.length];
        if (same === undefined) throw invalidWidget(`The field metrics[${index}] repeats nothing.`);
        expanded.push(same);
      } else {
        expanded.push(token);
      }
    });
    if (expanded.length < 2 || expanded.length % 2 !== 0) {
      throw invalidWidget(
        `The field metrics[${index}] must be [namespace, metricName, dimensionName, dimensionValue, ...].`,
      );
    }
    previous = expanded;
    const [namespace = "", metricName = "", ...pairs] = expanded;
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2)
      dimensions[pairs[i] as string] = pairs[i + 1] as string;
    const statName = options?.stat ?? defaultStat;
    const stat = typeof statName === "string" ? parseStat(statName) : undefined;
    if (!stat) throw invalidWidget(`The field metrics[${index}] has an invalid stat.`);
    const metricPeriod = options?.period ?? period;
    if (
      !Number.isInteger(metricPeriod) ||
      (metricPeriod as number) % 60 !== 0 ||
      (metricPeriod as number) < 60
    ) {
      throw invalidWidget(`The field metrics[${index}] has an invalid period.`);
    }
    metrics.push({
      namespace,
      metricName,
      dimensions,
      stat,
      period: metricPeriod as number,
      color: parseHexColor(options?.color),
      visible: options?.visible !== false,
    });
  });
  const start = widgetTime(w.start ?? "-PT3H", "start", nowSeconds);
  const end = w.end === undefined ? nowSeconds : widgetTime(w.end, "end", nowSeconds);
  if (start >= end) throw invalidWidget("The field start must be before the field end.");
  return {
    metrics,
    start,
    end,
    width: widgetSize(w.width, "width", 600),
    height: widgetSize(w.height, "height", 400),
  };
}

/** A line chart of `lines` over [start, end]: white background, grid, axes, one colour per line. */
function drawChart(widget: Widget, lines: { color: Rgb; points: Datapoints }[]): Buffer {
  const { width, height, start, end } = widget;
  const image = new Raster(width, height);
  const left = Math.min(48, Math.floor(width / 5));
  const right = width - Math.min(16, Math.floor(width / 20)) - 1;
  const top = Math.min(24, Math.floor(height / 8));
  const bottom = height - Math.min(28, Math.floor(height / 6)) - 1;
  const grid: Rgb = [0xe9, 0xeb, 0xed];
  const axis: Rgb = [0x87, 0x87, 0x87];
  let peak = 0;
  for (const line of lines) for (const v of line.points.values) peak = Math.max(peak, v);
  const yMax = niceCeiling(peak);
  const x = (t: number) =>
    left + Math.min(1, Math.max(0, (t - start) / (end - start))) * (right - left);
  const y = (v: number) => bottom - (v / yMax) * (bottom - top);
  for (let i = 1; i <= 4; i++) {
    const gy = bottom - (i / 4) * (bottom - top);
    image.line(left, gy, right, gy, grid);
  }
  for (let i = 0; i <= 6; i++) {
    const tx = left + (i / 6) * (right - left);
    image.line(tx, bottom, tx, bottom + 4, axis);
  }
  for (const { color, points } of lines) {
    const { timestamps, values } = points;
    for (let i = 0; i < timestamps.length; i++) {
      const px = x(timestamps[i] as number);
      const py = y(values[i] as number);
      if (timestamps.length === 1) image.rect(px - 2, py - 2, 5, 5, color);
      if (i > 0)
        image.line(x(timestamps[i - 1] as number), y(values[i - 1] as number), px, py, color, 2);
    }
  }
  image.line(left, top, left, bottom, axis);
  image.line(left, bottom, right, bottom, axis);
  return image.toPng();
}

/** The smallest 1, 2 or 5 × 10^k at or above `value` (1 for nothing to draw). */
function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const scale = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * scale >= value) return step * scale;
  return 10 * scale;
}

/** GetMetricWidgetImage: the widget's visible metrics over `lookup`'s series, as a base64 PNG. */
export function metricWidgetImage(
  body: JsonBody,
  lookup: (
    namespace: string,
    metricName: string,
    dimensions: DimensionsInput,
  ) => SeriesDef | undefined,
  clock: () => number,
): { MetricWidgetImage: string } {
  const req = new Input(body, invalidWidget);
  const text = req.string("MetricWidget");
  if (text === undefined) throw missingParameter("The parameter MetricWidget is required.");
  const format = req.string("OutputFormat") ?? "png";
  if (format !== "png" && format !== "image/png") {
    throw invalidWidget(`The OutputFormat ${format} is not supported. Use png.`);
  }
  const now = clock();
  const widget = parseWidget(text, now / 1000);
  const nowMinute = minuteOf(now);
  const lines = widget.metrics.flatMap((m, i) => {
    if (!m.visible) return [];
    const def = lookup(m.namespace, m.metricName, m.dimensions);
    const points = def
      ? aggregate(def, m.period, m.stat, widget.start, widget.end, nowMinute)
      : { timestamps: [], values: [] };
    return [{ color: m.color ?? (PALETTE[i % PALETTE.length] as Rgb), points }];
  });
  return { MetricWidgetImage: drawChart(widget, lines).toString("base64") };
}

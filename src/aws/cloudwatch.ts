import { createHash } from "node:crypto";
import {
  type CloudWatchClient,
  GetMetricWidgetImageCommand,
  paginateGetMetricData,
} from "@aws-sdk/client-cloudwatch";
import type { MetricQuery, Series, SeriesById } from "../domain/metrics.ts";
import { chunk } from "./batch.ts";
import type { TtlCache } from "./cache.ts";
import { read } from "./errors.ts";

/** GetMetricData's ceiling per call; the traffic answer is built to fit in one. */
const QUERIES_MAX = 500;

/** CloudWatch reads: metric series for traffic figures, and a rendered graph. */
export class CloudWatchAdapter {
  private readonly options: { abortSignal?: AbortSignal } | undefined;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly cache?: TtlCache,
    /** The request's deadline (see AwsContext). */
    signal?: AbortSignal,
  ) {
    this.options = signal ? { abortSignal: signal } : undefined;
  }

  /** Identical requests in flight at the same time (the same name asked twice) share one read. */
  getMetricData(queries: readonly MetricQuery[], start: Date, end: Date): Promise<SeriesById> {
    const key = `cw:${createHash("sha256")
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
    for (const batch of chunk(queries, QUERIES_MAX)) {
      await read(`get ${batch.length} Service Connect metrics`, "GetMetricData", async () => {
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
      });
    }
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

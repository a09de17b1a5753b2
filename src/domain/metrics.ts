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

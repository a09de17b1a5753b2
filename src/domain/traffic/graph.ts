// The CloudWatch graph of one target, as a metric widget (GetMetricWidgetImage).

import { callerDims, NS, serverDims } from "./queries.ts";
import { protocolOf, type TrafficTarget } from "./target.ts";
import type { TrafficWindow } from "./window.ts";

/** A CloudWatch metric widget for the graph, with this service's own dimensions only. */
export function graphWidget(target: TrafficTarget, window: TrafficWindow): object {
  const protocol = protocolOf(target.appProtocol);
  const server = Object.entries(serverDims(target)).flat();
  const callers = target.candidates.slice(0, 5);
  const row = (metric: string, dims: string[], options: object) => [NS, metric, ...dims, options];
  const metrics =
    protocol === "tcp"
      ? [
          row("NewConnectionCount", server, { stat: "Sum", label: "new connections" }),
          row("ActiveConnectionCount", server, { stat: "Average", label: "active connections" }),
          row("ProcessedBytes", server, { stat: "Sum", label: "bytes", yAxis: "right" }),
        ]
      : [
          row(protocol === "grpc" ? "GrpcRequestCount" : "RequestCount", server, {
            stat: "Sum",
            label: "requests",
          }),
          ...(protocol === "http"
            ? callers.map((c) =>
                row("HTTPCode_Target_5XX_Count", Object.entries(callerDims(target, c)).flat(), {
                  stat: "Sum",
                  label: `5xx seen by ${c.service}`,
                }),
              )
            : []),
          ...callers.map((c) =>
            row("TargetResponseTime", Object.entries(callerDims(target, c)).flat(), {
              stat: "p99",
              label: `p99 ms, ${c.service}`,
              yAxis: "right",
            }),
          ),
        ];
  const what =
    protocol === "tcp"
      ? "connections and bytes"
      : protocol === "grpc"
        ? "requests, p99"
        : "requests, 5xx, p99";
  return {
    title: `${target.discoveryName} (${target.publisher.cluster}/${target.publisher.service}): ${what} (last ${window.label})`,
    view: "timeSeries",
    width: 800,
    height: 400,
    start: `-PT${window.seconds}S`,
    end: "P0D",
    period: window.period,
    metrics,
  };
}

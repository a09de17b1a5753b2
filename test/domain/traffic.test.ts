import { describe, expect, it } from "vitest";
import type { Series, SeriesById } from "../../src/domain/metrics.ts";
import { graphWidget } from "../../src/domain/traffic/graph.ts";
import { trafficQueries } from "../../src/domain/traffic/queries.ts";
import { sparkline } from "../../src/domain/traffic/series.ts";
import type { TrafficTarget } from "../../src/domain/traffic/target.ts";
import { parseWindow } from "../../src/domain/traffic/window.ts";
import { summariseTraffic } from "../../src/domain/traffic.ts";

const END = new Date("2026-11-23T16:00:00Z");
const HOUR = parseWindow("1h");
if (!HOUR) throw new Error("1h must parse");

const target: TrafficTarget = {
  name: "nginx.service-connect:80",
  discoveryName: "nginx",
  publisher: { service: "service-connect-nginx-service", cluster: "tutorial" },
  appProtocol: "http",
  candidates: [
    { service: "api-service", cluster: "ecs_service_discovery" },
    { service: "web-frontend", cluster: "tutorial" },
  ],
};

/** Two hours of one-minute points: `previous(i)` for the first hour, `current(i)` for the last. */
function twoHours(previous: (i: number) => number, current: (i: number) => number): Series {
  const start = END.getTime() - 2 * 3600_000;
  return {
    points: Array.from({ length: 120 }, (_, i) => ({
      at: new Date(start + i * 60_000),
      value: i < 60 ? previous(i) : current(i - 60),
    })),
  };
}

const flat = (v: number) =>
  twoHours(
    () => v,
    () => v,
  );

/** web-frontend (caller 1) calls nginx; api-service (caller 0) sends nothing. */
function fleetSeries(): SeriesById {
  return new Map([
    // Server side: 20 more requests a minute than web-frontend counted (DNS clients).
    [
      "requests",
      twoHours(
        () => 1020,
        (i) => 1172 + (i >= 45 ? 48 : 0),
      ),
    ],
    ["newconn", flat(30)],
    [
      "active",
      twoHours(
        () => 40,
        () => 44,
      ),
    ],
    [
      "bytes",
      twoHours(
        () => 2_400_000,
        () => 2_880_000,
      ),
    ],
    [
      "caller1http2xx",
      twoHours(
        () => 995,
        () => 1150,
      ),
    ],
    [
      "caller1http3xx",
      twoHours(
        () => 3,
        () => 0,
      ),
    ],
    ["caller1http4xx", flat(2)],
    // The last 15 minutes of the current hour: 48 errors a minute instead of 0.
    [
      "caller1http5xx",
      twoHours(
        () => 0,
        (i) => (i >= 45 ? 48 : 0),
      ),
    ],
    ["caller1p50", flat(8)],
    ["caller1p90", flat(15)],
    [
      "caller1p99",
      twoHours(
        () => 30,
        (i) => (i >= 45 ? 90 : 30),
      ),
    ],
  ]);
}

describe("trafficQueries", () => {
  it("asks the publisher's figures with its own service and cluster, and each caller's with the caller's", () => {
    const queries = trafficQueries(target, HOUR);

    expect(queries).toContainEqual({
      id: "requests",
      namespace: "AWS/ECS",
      metricName: "RequestCount",
      dimensions: {
        DiscoveryName: "nginx",
        ServiceName: "service-connect-nginx-service",
        ClusterName: "tutorial",
      },
      period: 60,
      stat: "Sum",
    });
    expect(queries).toContainEqual({
      id: "caller1p99",
      namespace: "AWS/ECS",
      metricName: "TargetResponseTime",
      dimensions: {
        TargetDiscoveryName: "nginx",
        ServiceName: "web-frontend",
        ClusterName: "tutorial",
      },
      period: 60,
      stat: "p99",
    });
    expect(queries).toContainEqual({
      id: "caller1http5xx",
      namespace: "AWS/ECS",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: {
        TargetDiscoveryName: "nginx",
        ServiceName: "web-frontend",
        ClusterName: "tutorial",
      },
      period: 60,
      stat: "Sum",
    });
    // No query reads a discovery name alone: that sum spans every namespace using it.
    expect(queries.every((q) => Object.keys(q.dimensions).length === 3)).toBe(true);
    expect(queries).toHaveLength(4 + 2 * 7);
  });

  it("asks gRPC requests and no HTTP codes for a grpc port", () => {
    const ids = trafficQueries({ ...target, appProtocol: "grpc" }, HOUR).map(
      (q) => `${q.id}:${q.metricName}`,
    );

    expect(ids).toContain("requests:GrpcRequestCount");
    expect(ids).toContain("caller1pertarget:RequestCountPerTarget");
    expect(ids.some((id) => id.includes("HTTPCode"))).toBe(false);
  });

  it("asks only connections and bytes for a TCP port", () => {
    const metrics = new Set(
      trafficQueries({ ...target, appProtocol: undefined }, HOUR).map((q) => q.metricName),
    );

    expect([...metrics].sort()).toEqual([
      "ActiveConnectionCount",
      "NewConnectionCount",
      "ProcessedBytes",
      "TargetProcessedBytes",
    ]);
  });

  it.each([
    ["15m", 900, 60],
    ["6h", 21_600, 300],
    ["1d", 86_400, 300],
    ["7d", 604_800, 3600],
  ])("sizes the %s window with %i seconds in %i-second periods", (label, seconds, period) => {
    expect(parseWindow(label)).toMatchObject({ seconds, period });
  });

  it("refuses a window it cannot serve", () => {
    expect(parseWindow("90d")).toBeUndefined();
  });
});

describe("summariseTraffic", () => {
  const report = summariseTraffic(target, HOUR, fleetSeries(), END);
  const answered = 60 * 1152 + 15 * 48;

  it("adds up the window's requests at the proxy and compares them with the hour before", () => {
    expect(report.requests.current).toBe(60 * 1172 + 15 * 48);
    expect(report.requests.previous).toBe(60 * 1020);
    expect(report.rate.current).toBeCloseTo((60 * 1172 + 720) / 3600, 5);
  });

  it("computes the 5xx rate from the callers' HTTP codes", () => {
    // 15 minutes × 48 errors over 60 × (1150 + 0 + 2) + 720 answered requests.
    expect(report.codes["5XX"].current).toBe(720);
    expect(report.errorRate.current).toBeCloseTo(720 / answered, 10);
    expect(report.errorRate.previous).toBe(0);
  });

  it("counts what reached the proxy without a Service Connect caller as outside traffic", () => {
    expect(report.outside).toBe(60 * 20);
  });

  it("weights each minute's p99 by that minute's requests", () => {
    expect(report.latency.p99.current).toBeCloseTo(
      (45 * 1152 * 30 + 15 * 1200 * 90) / (45 * 1152 + 15 * 1200),
      10,
    );
    expect(report.latency.p99.previous).toBe(30);
  });

  it("weights the callers' percentiles by each caller's requests", () => {
    const series = fleetSeries();
    series.set("caller0http2xx", flat(3 * 1000));
    series.set("caller0p99", flat(10));
    const two = summariseTraffic(target, HOUR, series, END);

    expect(two.latency.p99.previous).toBeCloseTo((3000 * 10 + 1000 * 30) / 4000, 10);
  });

  it("lists only the callers that sent requests, busiest first", () => {
    expect(report.callers).toEqual([
      {
        service: "web-frontend",
        cluster: "tutorial",
        // The caller's requests are the responses it counted: 2xx + 4xx + 5xx here.
        requests: answered,
        errorRate: 720 / answered,
        p99: (45 * 1152 * 30 + 15 * 1200 * 90) / (45 * 1152 + 15 * 1200),
      },
    ]);
  });

  it("draws the 5xx burst at the end of the sparkline", () => {
    // 60 minutes in 20 bars of 3: the last 15 minutes are the last 5 bars.
    expect(report.errorRate.spark).toBe(`${"▁".repeat(15)}${"█".repeat(5)}`);
  });

  it("says there was no traffic instead of showing zeros", () => {
    const quiet = summariseTraffic(target, HOUR, new Map(), END);

    expect(quiet.status).toBe("no-traffic");
    expect(quiet.requests.current).toBeUndefined();
    expect(quiet.notes).toContain(
      "No request reached nginx through Service Connect in the last 1h.",
    );
  });

  it("claims no outside traffic when the namespace's callers could not be read", () => {
    const unread = summariseTraffic(
      { ...target, candidates: [], callersUnread: true },
      HOUR,
      fleetSeries(),
      END,
    );

    expect(unread.outside).toBeUndefined();
    expect(unread.errorRate.current).toBeUndefined();
    expect(unread.notes).toContain(
      "The namespace's Service Connect services could not be read: the callers' side (codes, latency, callers) is unknown, not empty.",
    );
  });

  it("judges a TCP port on connections and bytes, never as 'no traffic' for lack of requests", () => {
    const tcp = { ...target, appProtocol: undefined };
    const series: SeriesById = new Map([
      ["newconn", flat(12)],
      ["active", flat(40)],
      ["bytes", flat(5_000_000)],
      ["caller1bytes", flat(5_000_000)],
    ]);

    const r = summariseTraffic(tcp, HOUR, series, END);

    expect(r.protocol).toBe("tcp");
    expect(r.status).toBe("ok");
    expect(r.newConnections.current).toBe(720);
    expect(r.requests.current).toBeUndefined();
    expect(r.callers).toEqual([
      { service: "web-frontend", cluster: "tutorial", bytes: 300_000_000 },
    ]);
    expect(r.notes[0]).toMatch(/^TCP port \(no appProtocol\)/);
  });

  it("never reports gRPC RequestCountPerTarget as a caller's request count", () => {
    const grpc = { ...target, appProtocol: "grpc" };
    const series: SeriesById = new Map([
      ["requests", flat(600)],
      ["caller1pertarget", flat(300)],
      ["caller1p99", flat(12)],
    ]);

    const r = summariseTraffic(grpc, HOUR, series, END);

    expect(r.callers).toEqual([
      { service: "web-frontend", cluster: "tutorial", perTarget: 18_000, p99: 12 },
    ]);
    expect(r.callers[0]?.requests).toBeUndefined();
  });
});

describe("sparkline", () => {
  it("scales to the maximum with eight levels", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
  });

  it("resamples long series to at most 24 bars", () => {
    expect(sparkline(Array.from({ length: 60 }, () => 1))).toHaveLength(20);
  });

  it("scales to the series' range, not to zero: a rise from a high floor fills the bars", () => {
    expect(sparkline([100, 110, 120, 130, 140, 150, 160, 170])).toBe("▁▂▃▄▅▆▇█");
  });

  it("draws a change of a few percent small, not as a rise or a collapse across every bar", () => {
    const line = sparkline([107, 106, 105, 104, 103, 102, 101, 100]);
    const levels = new Set(line);

    expect(line[0]).not.toBe("█");
    expect(line.at(-1)).not.toBe("▁");
    expect(levels.size).toBeLessThanOrEqual(4);
  });

  it("draws an all-equal series as a flat middle line, not full bars", () => {
    expect(sparkline([5, 5, 5, 5])).toBe("▄▄▄▄");
    expect(sparkline([3_427_200, 3_427_200.4, 3_427_199.8])).toBe("▄▄▄");
  });

  it("draws zero everywhere as the lowest bar", () => {
    expect(sparkline([0, 0, 0])).toBe("▁▁▁");
  });
});

describe("graphWidget", () => {
  it("draws this service's own series only: no metric names a discovery name alone", () => {
    const widget = graphWidget(target, HOUR) as { metrics: (string | object)[][] };

    for (const row of widget.metrics) {
      const dims = row.filter((x): x is string => typeof x === "string").slice(2);
      expect(dims).toContain("ServiceName");
      expect(dims).toContain("ClusterName");
    }
    expect(widget.metrics[0]?.slice(0, 8)).toEqual([
      "AWS/ECS",
      "RequestCount",
      "DiscoveryName",
      "nginx",
      "ServiceName",
      "service-connect-nginx-service",
      "ClusterName",
      "tutorial",
    ]);
  });

  it("draws connections and bytes for a TCP port", () => {
    const widget = graphWidget({ ...target, appProtocol: undefined }, HOUR) as {
      metrics: string[][];
    };

    expect(widget.metrics.map((m) => m[1])).toEqual([
      "NewConnectionCount",
      "ActiveConnectionCount",
      "ProcessedBytes",
    ]);
  });
});

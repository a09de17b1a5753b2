import { describe, expect, it } from "vitest";
import type { Series, SeriesById } from "../../src/domain/metrics.ts";
import {
  parseWindow,
  sparkline,
  summariseTraffic,
  type TrafficTarget,
  trafficQueries,
} from "../../src/domain/traffic.ts";

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

function fleetSeries(): SeriesById {
  return new Map([
    [
      "requests",
      twoHours(
        () => 1000,
        () => 1200,
      ),
    ],
    [
      "http2xx",
      twoHours(
        () => 995,
        () => 1150,
      ),
    ],
    [
      "http3xx",
      twoHours(
        () => 3,
        () => 0,
      ),
    ],
    [
      "http4xx",
      twoHours(
        () => 2,
        () => 2,
      ),
    ],
    // The last 15 minutes of the current hour: 48 errors a minute instead of 0.
    [
      "http5xx",
      twoHours(
        () => 0,
        (i) => (i >= 45 ? 48 : 0),
      ),
    ],
    [
      "p50",
      twoHours(
        () => 8,
        () => 8,
      ),
    ],
    [
      "p90",
      twoHours(
        () => 15,
        () => 15,
      ),
    ],
    [
      "p99",
      twoHours(
        () => 30,
        (i) => (i >= 45 ? 90 : 30),
      ),
    ],
    [
      "newconn",
      twoHours(
        () => 30,
        () => 30,
      ),
    ],
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
      "caller1http4xx",
      twoHours(
        () => 2,
        () => 2,
      ),
    ],
    [
      "caller1http5xx",
      twoHours(
        () => 0,
        (i) => (i >= 45 ? 48 : 0),
      ),
    ],
    [
      "caller1p99",
      twoHours(
        () => 30,
        () => 30,
      ),
    ],
  ]);
}

describe("trafficQueries", () => {
  it("asks server-side figures by DiscoveryName and client-side ones by TargetDiscoveryName, per caller too", () => {
    const queries = trafficQueries(target, HOUR);

    expect(queries).toContainEqual({
      id: "requests",
      namespace: "AWS/ECS",
      metricName: "RequestCount",
      dimensions: { DiscoveryName: "nginx" },
      period: 60,
      stat: "Sum",
    });
    expect(queries).toContainEqual({
      id: "p99",
      namespace: "AWS/ECS",
      metricName: "TargetResponseTime",
      dimensions: { TargetDiscoveryName: "nginx" },
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
    expect(queries).toHaveLength(4 + 4 + 3 + 2 * 5);
  });

  it("asks gRPC requests and no HTTP codes for a grpc port", () => {
    const ids = trafficQueries({ ...target, appProtocol: "grpc" }, HOUR).map(
      (q) => `${q.id}:${q.metricName}`,
    );

    expect(ids).toContain("requests:GrpcRequestCount");
    expect(ids.some((id) => id.includes("HTTPCode"))).toBe(false);
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

  it("adds up the window's requests and compares them with the hour before", () => {
    expect(report.requests.current).toBe(72_000);
    expect(report.requests.previous).toBe(60_000);
    expect(report.rate.current).toBeCloseTo(20, 5);
  });

  it("computes the 5xx rate from the callers' HTTP codes", () => {
    // 15 minutes × 48 errors over 60 × (1150 + 0 + 2) + 720 answered requests.
    const answered = 60 * 1152 + 15 * 48;
    expect(report.codes["5XX"].current).toBe(720);
    expect(report.errorRate.current).toBeCloseTo(720 / answered, 10);
    expect(report.errorRate.previous).toBe(0);
  });

  it("weights each minute's p99 by that minute's requests", () => {
    expect(report.latency.p99.current).toBeCloseTo((45 * 30 + 15 * 90) / 60, 10);
    expect(report.latency.p99.previous).toBe(30);
  });

  it("lists only the callers that sent requests, busiest first", () => {
    expect(report.callers).toEqual([
      {
        service: "web-frontend",
        cluster: "tutorial",
        // The caller's requests are the responses it counted: 2xx + 4xx + 5xx here.
        requests: 60 * 1152 + 720,
        errorRate: 720 / (60 * 1152 + 720),
        p99: 30,
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
      "No traffic in the last 1h: no request reached nginx through Service Connect.",
    );
  });
});

describe("sparkline", () => {
  it("scales to the maximum with eight levels", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
  });

  it("resamples long series to at most 24 bars", () => {
    expect(sparkline(Array.from({ length: 60 }, () => 1))).toHaveLength(20);
  });
});

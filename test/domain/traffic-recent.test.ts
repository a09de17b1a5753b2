import { describe, expect, it } from "vitest";
import type { Series, SeriesById } from "../../src/domain/metrics.ts";
import { RECENT_WINDOW, recentWindowOf, withRecent } from "../../src/domain/traffic/recent.ts";
import type { TrafficTarget } from "../../src/domain/traffic/target.ts";
import { parseWindow, type TrafficWindow } from "../../src/domain/traffic/window.ts";
import { summariseTraffic } from "../../src/domain/traffic.ts";

// A long window keeps its last 15 minutes apart, so a burst that started minutes ago is never
// averaged away by the hours or days around it.

const END = new Date("2026-11-23T16:00:00Z");
const window = (w: string): TrafficWindow => {
  const parsed = parseWindow(w);
  if (!parsed) throw new Error(`${w} must parse`);
  return parsed;
};

const target: TrafficTarget = {
  name: "api.service-connect:8080",
  discoveryName: "api",
  publisher: { service: "api-service", cluster: "ecs_service_discovery" },
  appProtocol: "http",
  candidates: [{ service: "web-frontend", cluster: "tutorial" }],
};

/** Two hours of one-minute points, `value(minutesBeforeEnd)`. */
function series(value: (minutesAgo: number) => number): Series {
  return {
    points: Array.from({ length: 120 }, (_, i) => ({
      at: new Date(END.getTime() - (120 - i) * 60_000),
      value: value(120 - i),
    })),
  };
}

/** 1,000 requests a minute; `errors(minutesAgo)` of them answered 5xx, p99 `p99(minutesAgo)`. */
function fleet(errors: (m: number) => number, p99: (m: number) => number = () => 80): SeriesById {
  return new Map([
    ["requests", series(() => 1000)],
    ["caller0http2xx", series((m) => 1000 - errors(m))],
    ["caller0http5xx", series(errors)],
    ["caller0p99", series(p99)],
  ]);
}

const burst = (m: number) => (m <= 15 ? 226 : 3);

describe("the recent part of a window", () => {
  it("is kept apart for every window longer than 15 minutes, and not for 15 minutes", () => {
    expect(recentWindowOf(window("15m"))).toBeUndefined();
    for (const w of ["1h", "6h", "1d", "7d"]) expect(recentWindowOf(window(w))).toBe(RECENT_WINDOW);
    expect(RECENT_WINDOW.seconds).toBe(900);
  });

  it("says the last 15 minutes' 5xx differs from the window's when a burst started minutes ago", () => {
    const series = fleet(burst);
    const report = withRecent(
      summariseTraffic(target, window("1h"), series, END),
      summariseTraffic(target, RECENT_WINDOW, series, END),
    );

    expect(report.recent?.report?.errorRate.current).toBeCloseTo(0.226, 10);
    expect(report.recent?.differences).toContainEqual({
      figure: "5xx",
      recent: expect.closeTo(0.226, 10),
      window: expect.closeTo((15 * 226 + 45 * 3) / 60_000, 10),
    });
  });

  it("says the last 15 minutes' p99 differs when it more than doubled", () => {
    const series = fleet(
      () => 0,
      (m) => (m <= 15 ? 1748 : 80),
    );
    const report = withRecent(
      summariseTraffic(target, window("1h"), series, END),
      summariseTraffic(target, RECENT_WINDOW, series, END),
    );

    expect(report.recent?.differences.map((d) => d.figure)).toEqual(["p99"]);
  });

  it("finds no difference in steady traffic", () => {
    const series = fleet(() => 3);
    const report = withRecent(
      summariseTraffic(target, window("1h"), series, END),
      summariseTraffic(target, RECENT_WINDOW, series, END),
    );

    expect(report.recent?.differences).toEqual([]);
  });

  it("says traffic that began after a long window's end is in its last 15 minutes", () => {
    const quiet = summariseTraffic(target, window("7d"), new Map(), END);
    const report = withRecent(
      quiet,
      summariseTraffic(
        target,
        RECENT_WINDOW,
        fleet(() => 0),
        END,
      ),
    );

    expect(report.recent?.differences).toContainEqual({
      figure: "rate",
      recent: expect.closeTo(1000 / 60, 10),
      window: 0,
    });
  });

  it("keeps an unread recent part as unknown, not as steady", () => {
    const report = withRecent(summariseTraffic(target, window("1h"), fleet(burst), END), undefined);

    expect(report.recent).toEqual({ window: RECENT_WINDOW, differences: [] });
    expect(report.recent?.report).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { SearchedMetrics, type SearchResult } from "../../src/domain/metrics.ts";
import {
  callerKinds,
  targetCallerKinds,
  targetSearches,
  trafficQueries,
  trafficSearches,
} from "../../src/domain/traffic/queries.ts";
import type { TrafficTarget } from "../../src/domain/traffic/target.ts";
import { parseWindow } from "../../src/domain/traffic/window.ts";

const WINDOW = parseWindow("15m");
if (!WINDOW) throw new Error("15m must parse");
const END = new Date("2026-11-24T09:00:00Z");
const START = new Date(END.getTime() - 30 * 60_000);

const target = (appProtocol: string | undefined): TrafficTarget => ({
  name: "api.mesh:8080",
  discoveryName: "api",
  publisher: { service: "api-service", cluster: "prod-cell-1" },
  appProtocol,
  candidates: [
    { service: "web-frontend", cluster: "prod-cell-1" },
    { service: "checkout", cluster: "prod-cell-2" },
  ],
});

/** Every search of `searches` as having run, complete, returning `series` (by search id). */
function ran(
  searches: ReturnType<typeof trafficSearches>,
  series: Record<string, SearchResult["series"]> = {},
  complete = true,
): SearchedMetrics {
  const index = new SearchedMetrics();
  for (const search of searches) {
    index.add({ search, start: START, end: END, complete, series: series[search.id] ?? [] });
  }
  return index;
}

const point = (value: number) => ({ at: new Date(END.getTime() - 60_000), value });

describe("traffic read ahead with SEARCH", () => {
  it.each([["http"], ["grpc"], [undefined]])(
    "covers every query a %s service's traffic asks for, in the region and per cluster",
    (protocol) => {
      const queries = trafficQueries(target(protocol), WINDOW);
      expect(ran(trafficSearches(WINDOW)).answer(queries, START, END)).toBeDefined();
      // Per cluster: only when every party's cluster was searched.
      const both = [
        ...trafficSearches(WINDOW, "prod-cell-1"),
        ...trafficSearches(WINDOW, "prod-cell-2"),
      ];
      expect(ran(both).answer(queries, START, END)).toBeDefined();
      expect(
        ran(trafficSearches(WINDOW, "prod-cell-1")).answer(queries, START, END),
      ).toBeUndefined();
    },
  );

  it("gives a found series its points and a covered series that was not found none", () => {
    const searches = trafficSearches(WINDOW);
    const requests = searches.find((s) => s.metricName === "RequestCount");
    const index = ran(searches, {
      [requests?.id ?? ""]: [
        {
          dimensions: {
            DiscoveryName: "api",
            ServiceName: "api-service",
            ClusterName: "prod-cell-1",
          },
          points: [point(420)],
        },
      ],
    });
    const series = index.answer(trafficQueries(target("http"), WINDOW), START, END);
    expect(series?.get("requests")?.points.map((p) => p.value)).toEqual([420]);
    expect(series?.get("caller0http5xx")?.points).toEqual([]);
  });

  it("never answers from a search that may have left series out: unknown is not absent", () => {
    const index = ran(trafficSearches(WINDOW), {}, false);
    expect(index.answer(trafficQueries(target("http"), WINDOW), START, END)).toBeUndefined();
  });

  it("answers only the window it searched", () => {
    const index = ran(trafficSearches(WINDOW));
    const later = new Date(END.getTime() + 60_000);
    expect(
      index.answer(
        trafficQueries(target("http"), WINDOW),
        new Date(START.getTime() + 60_000),
        later,
      ),
    ).toBeUndefined();
  });

  it("knows which possible callers have no series, and never guesses where nothing was searched", () => {
    const searches = trafficSearches(WINDOW, "prod-cell-1");
    const p99 = searches.find((s) => s.metricName === "TargetResponseTime" && s.stat === "p99");
    const index = ran(searches, {
      [p99?.id ?? ""]: [
        {
          dimensions: {
            TargetDiscoveryName: "api",
            ServiceName: "web-frontend",
            ClusterName: "prod-cell-1",
          },
          points: [point(12)],
        },
      ],
    });
    const members = [
      { ClusterName: "prod-cell-1", ServiceName: "web-frontend" }, // calls api
      { ClusterName: "prod-cell-1", ServiceName: "reports" }, // searched, never calls api
      { ClusterName: "prod-cell-2", ServiceName: "checkout" }, // its cluster not searched
    ];
    const group = { name: "TargetDiscoveryName", value: "api" };
    const kinds = callerKinds(WINDOW);

    expect([
      ...index.silentMembers(kinds, group, ["ClusterName", "ServiceName"], members, START, END),
    ]).toEqual([1]);
    const cut = ran(searches, {}, false);
    expect(
      cut.silentMembers(kinds, group, ["ClusterName", "ServiceName"], members, START, END).size,
    ).toBe(0);
  });

  it("names every caller of one discovery name a narrow search found, and nobody when it may have left some out", () => {
    const t = { ...target("http"), candidates: [] };
    const searches = targetSearches(t, WINDOW);
    // The publisher's own series, and callers of the name whatever their namespace.
    expect(
      searches.every(
        (s) => s.filter.DiscoveryName === "api" || s.filter.TargetDiscoveryName === "api",
      ),
    ).toBe(true);
    const p99 = searches.find((s) => s.metricName === "TargetResponseTime" && s.stat === "p99");
    const fiveXx = searches.find((s) => s.metricName === "HTTPCode_Target_5XX_Count");
    const caller = (ClusterName: string, ServiceName: string) => ({
      dimensions: { TargetDiscoveryName: "api", ServiceName, ClusterName },
      points: [point(3)],
    });
    const index = ran(searches, {
      [p99?.id ?? ""]: [caller("prod-cell-1", "web-frontend")],
      [fiveXx?.id ?? ""]: [caller("staging", "web-frontend")],
    });
    const group = { name: "TargetDiscoveryName", value: "api" };
    const kinds = targetCallerKinds(t, WINDOW);

    expect(index.seriesMembers(kinds, group, ["ClusterName", "ServiceName"], START, END)).toEqual([
      { ClusterName: "prod-cell-1", ServiceName: "web-frontend" },
      { ClusterName: "staging", ServiceName: "web-frontend" },
    ]);
    // Every query of the callers found is answered from the searches: no query of its own.
    const found = { ...t, candidates: [{ service: "web-frontend", cluster: "prod-cell-1" }] };
    expect(index.answer(trafficQueries(found, WINDOW), START, END)).toBeDefined();
    const cut = ran(searches, {}, false);
    expect(
      cut.seriesMembers(kinds, group, ["ClusterName", "ServiceName"], START, END),
    ).toBeUndefined();
    // Another name's search says nothing of this one's callers.
    expect(
      index.seriesMembers(
        kinds,
        { ...group, value: "orders" },
        ["ClusterName", "ServiceName"],
        START,
        END,
      ),
    ).toBeUndefined();
  });
});

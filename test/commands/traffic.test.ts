import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticValue } from "../../emulator/cloudwatch/statistics.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { traffic } from "../../src/commands/traffic.ts";
import { renderText } from "../../src/render/text.ts";
import { trafficDocument } from "../../src/render/traffic-document.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// /ecs traffic on the demo fleet through the real CloudWatch client and the emulator, with the
// clock pinned so the expected figures can be recomputed here from the emulator's generator.

const NOW = Date.parse("2026-11-23T16:00:30Z");
const END = Math.floor(NOW / 60_000) * 60; // epoch seconds of the last whole minute
const aws = useEmulatorPerFile({ options: { now: () => NOW } });
const ctx = () => awsContext("ap-northeast-1");

/** Σ of one metric's 1-minute Sums over [from, to) seconds, straight from the generator. */
function total(metric: string, dims: Record<string, string>, from: number, to: number): number {
  let sum = 0;
  for (let m = from; m < to; m += 60)
    sum += syntheticValue(metric, dims, m, "Sum", { now: NOW }) ?? 0;
  return sum;
}

/** The 5xx rate web-frontend's proxies counted for api over [END - from, END - to). */
function apiFiveXxRate(from = 900, to = 0): number {
  const callerDims = {
    TargetDiscoveryName: "api",
    ServiceName: "web-frontend",
    ClusterName: "tutorial",
  };
  const codes = ["2XX", "3XX", "4XX", "5XX"].map((c) =>
    total(`HTTPCode_Target_${c}_Count`, callerDims, END - from, END - to),
  );
  return (codes[3] ?? 0) / codes.reduce((a, b) => a + b, 0);
}

describe("/ecs traffic on the demo fleet", () => {
  it("reads nginx's own series and every caller of its discovery name in one GetMetricData of searches, for two whole hours", async () => {
    await traffic(ctx, "nginx.service-connect", new Date(NOW));

    const calls = aws.emulator.requests.filter((r) => r.operation === "GetMetricData");
    expect(calls).toHaveLength(1);
    const body = calls[0]?.body as {
      StartTime: number;
      EndTime: number;
      MetricDataQueries: { Id: string; Expression?: string }[];
    };
    expect(body.EndTime).toBe(END);
    expect(body.EndTime - body.StartTime).toBe(7200);
    const expressions = body.MetricDataQueries.map((q) => q.Expression);
    // The publisher's own series: its three dimensions, never the discovery name alone (that
    // sum spans every namespace and cluster using it).
    expect(expressions).toContain(
      `SEARCH('{AWS/ECS,DiscoveryName,ServiceName,ClusterName} MetricName="RequestCount" DiscoveryName="nginx" ServiceName="service-connect-nginx-service" ClusterName="tutorial"', 'Sum', 60)`,
    );
    // Every caller of the name, whichever namespace: which are nginx's is decided afterwards.
    expect(expressions).toContain(
      `SEARCH('{AWS/ECS,TargetDiscoveryName,ServiceName,ClusterName} MetricName="TargetResponseTime" TargetDiscoveryName="nginx"', 'p99', 60)`,
    );
    expect(expressions.every((e) => e?.startsWith("SEARCH("))).toBe(true);
  });

  it("shows nginx's requests against the hour before and lists web-frontend as the caller", async () => {
    const answer = await traffic(ctx, "nginx.service-connect", new Date(NOW));
    const text = renderText(trafficDocument(answer));

    const nginx = {
      DiscoveryName: "nginx",
      ServiceName: "service-connect-nginx-service",
      ClusterName: "tutorial",
    };
    const current = total("RequestCount", nginx, END - 3600, END);
    const previous = total("RequestCount", nginx, END - 7200, END - 3600);
    const change = ((current - previous) / previous) * 100;
    expect(text).toContain(
      `Requests ${current.toLocaleString("en-US")} (Δ ${change >= 0 ? "+" : "−"}${Math.abs(change).toFixed(1)}%)`,
    );
    expect(text).toMatch(/Requests [\d,]+ \(Δ [^)]+\) [▁▂▃▄▅▆▇█]{20}/);
    expect(text).toMatch(
      /Service Connect callers \(1\):\n {2}tutorial\/web-frontend: [\d,]+ requests, 5xx 0\.00%/,
    );
  });

  it("shows the 5xx burst of the last 15 minutes on api.internal.local, measured through its Service Connect alias", async () => {
    const answer = await traffic(ctx, "api.internal.local 15m", new Date(NOW));
    const text = renderText(trafficDocument(answer));

    const rate = apiFiveXxRate();
    expect(rate).toBeGreaterThan(0.1);
    expect(text).toContain(`5xx rate ${(rate * 100).toFixed(2)}%`);
    expect(text).toContain("Measured through the Service Connect alias api.service-connect:8080");
    expect(text).toContain("App: 5xx is");
  });

  it("says the change of the 5xx rate in points, not in percent of a percent", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "api.internal.local 15m", new Date(NOW))),
    );

    const points = (apiFiveXxRate() - apiFiveXxRate(1800, 900)) * 100;
    expect(points).toBeGreaterThan(10);
    expect(text).toContain(
      `5xx rate ${(apiFiveXxRate() * 100).toFixed(2)}% (Δ +${points.toFixed(1)} pts)`,
    );
  });

  it("never averages the last 15 minutes' 5xx burst away in a 7d window, nor calls it steady", async () => {
    const answer = await traffic(ctx, "api.service-connect 7d", new Date(NOW));
    const text = renderText(trafficDocument(answer));

    const rate = (apiFiveXxRate() * 100).toFixed(2);
    expect(text.split("\n")[0]).toMatch(
      // The headline (at most 150 characters) says the window's 5xx before it, not again after.
      new RegExp(`5xx \\d+\\.\\d\\d%, .* in the last 7d; last 15m: 5xx ${rate}%`),
    );
    expect(text).toContain(`Last 15m: 5xx ${rate}% (window `);
    expect(text).not.toContain("Traffic looks steady");
    expect(text).toMatch(/Next check:\n {2}App: /);
  });

  it("takes a 1h window's last 15 minutes from the same one-minute series: one call", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "api.service-connect 1h", new Date(NOW))),
    );

    expect(aws.emulator.stats().calls["CloudWatch.GetMetricData"]).toBe(1);
    expect(text).toContain(`Last 15m: 5xx ${(apiFiveXxRate() * 100).toFixed(2)}% (window `);
  });

  it("says billing-worker has no Service Connect metrics instead of showing zeros", async () => {
    const text = renderText(trafficDocument(await traffic(ctx, "billing-worker", new Date(NOW))));

    expect(text).toContain("No Service Connect metrics for ecs_service_discovery/billing-worker");
    expect(aws.emulator.stats().calls["CloudWatch.GetMetricData"]).toBeUndefined();
  });

  it("measures no other port than the one asked: nothing publishes nginx.service-connect:81", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "nginx.service-connect:81", new Date(NOW))),
    );

    expect(text.split("\n").slice(0, 2)).toEqual([
      "Nothing publishes port 81 on nginx.service-connect: it publishes port 80",
      "Try /ecs traffic nginx.service-connect:80",
    ]);
    expect(aws.emulator.stats().calls["CloudWatch.GetMetricData"]).toBeUndefined();
  });

  it("lists both web-frontends exactly as they must be typed, as whois does", async () => {
    const text = renderText(trafficDocument(await traffic(ctx, "web-frontend", new Date(NOW))));

    expect(text.split("\n")[0]).toBe(
      "web-frontend matches 2 names. To ask about one alone, type it exactly: staging/web-frontend, tutorial/web-frontend",
    );
  });

  it("lists the names api stands for before their figures", async () => {
    const text = renderText(trafficDocument(await traffic(ctx, "api", new Date(NOW))));

    expect(text.split("\n")[0]).toMatch(
      /^api matches \d names\. To ask about one alone, type it exactly: .*api\.service-connect, api\.staging/,
    );
  });

  it("refuses a window it cannot serve", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "nginx.service-connect 90d", new Date(NOW))),
    );

    expect(text).toContain("the window is one of 15m, 1h, 6h, 1d, 7d");
    // Traffic's own usage, not whois's.
    expect(text).toContain("/ecs traffic ");
    expect(text).not.toContain("/ecs whois");
  });

  it("answers without figures and says why when CloudWatch is throttled", async () => {
    aws.emulator.setThrottleRate(1, ["CloudWatch.GetMetricData"]);
    try {
      const text = renderText(
        trafficDocument(await traffic(ctx, "nginx.service-connect", new Date(NOW))),
      );

      expect(text).toContain(
        "No traffic figures for nginx.service-connect:80 in the last 1h: CloudWatch could not be read",
      );
      expect(text).toMatch(
        /Partial answer: could not read the Service Connect traffic of nginx \(last 1h\): AWS throttled GetMetricData/,
      );
    } finally {
      aws.emulator.setThrottleRate(0);
    }
  });

  it("reads prod's api alone, although staging publishes the same discovery name", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "api.service-connect 1h", new Date(NOW))),
    );

    const prod = {
      DiscoveryName: "api",
      ServiceName: "api-service",
      ClusterName: "ecs_service_discovery",
    };
    const mine = total("RequestCount", prod, END - 3600, END);
    const everyone = total("RequestCount", { DiscoveryName: "api" }, END - 3600, END);
    expect(everyone).toBeGreaterThan(mine * 2);
    expect(text).toContain(`Requests ${mine.toLocaleString("en-US")} `);
    expect(text).toMatch(/Service Connect callers \(1\):\n {2}tutorial\/web-frontend: /);
    expect(text).not.toContain("staging");
  });

  it("counts requests no Service Connect caller sent as outside traffic, and says what is measured where", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "api.service-connect 1h", new Date(NOW))),
    );

    const caller = {
      TargetDiscoveryName: "api",
      ServiceName: "web-frontend",
      ClusterName: "tutorial",
    };
    const server = {
      DiscoveryName: "api",
      ServiceName: "api-service",
      ClusterName: "ecs_service_discovery",
    };
    const counted = ["2XX", "3XX", "4XX", "5XX"]
      .map((c) => total(`HTTPCode_Target_${c}_Count`, caller, END - 3600, END))
      .reduce((a, b) => a + b, 0);
    const outside = total("RequestCount", server, END - 3600, END) - counted;
    expect(text).toContain(
      `${outside.toLocaleString("en-US")} of the requests came from outside Service Connect (DNS or IP clients)`,
    );
    expect(text).toContain(
      "Requests, connections and bytes are counted by api-service's proxies: every client that reaches them, DNS and IP clients included.",
    );
  });

  it("shows a TCP port's connections and bytes, labelled TCP, and no request figures", async () => {
    const text = renderText(
      trafficDocument(await traffic(ctx, "redis.service-connect", new Date(NOW))),
    );

    const server = {
      DiscoveryName: "redis",
      ServiceName: "session-cache",
      ClusterName: "tutorial",
    };
    const connections = total("NewConnectionCount", server, END - 3600, END);
    expect(text.split("\n")[0]).toMatch(
      new RegExp(
        `^redis\\.service-connect:6379 \\(TCP\\): ${connections.toLocaleString("en-US")} new connections, \\d+ active, [\\d.]+ MB in the last 1h$`,
      ),
    );
    expect(text).toContain(
      "TCP port (no appProtocol): Service Connect records only connections and bytes",
    );
    expect(text).not.toMatch(/Requests |5xx|No request reached/);
  });

  it("sends silence to the name first and then the path", async () => {
    aws.emulator.setDenied([]);
    const quiet = await traffic(ctx, "api.staging 15m", new Date(NOW - 20 * 86_400_000));
    const text = renderText(trafficDocument(quiet));

    expect(text).toMatch(
      /Next check:\n {2}Name or path: nothing reached api\.staging:8080 through Service Connect\. Name first: .* Then path: /,
    );
  });
});

describe("/ecs traffic's recent part, with latency", () => {
  // Sequential round trips are counted with an emulated latency: calls made at once overlap.
  let slow: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    await aws.stop();
    slow = await useEmulatedAws(undefined, ROUND_TRIP_MS, { now: () => NOW });
  });
  afterAll(async () => {
    await slow.stop();
    await aws.start();
  });

  it("reads a long window's last 15 minutes without a sequential round trip more", async () => {
    clearSharedCache();
    slow.emulator.resetStats();
    await traffic(ctx, "api.service-connect 15m", new Date(NOW));
    const short = slow.emulator.stats();
    clearSharedCache();
    slow.emulator.resetStats();

    await traffic(ctx, "api.service-connect 7d", new Date(NOW));
    const long = slow.emulator.stats();

    expect(long.sequentialRoundTrips).toBe(short.sequentialRoundTrips);
    // The window's searches, and the last 15 minutes' in a call beside them.
    expect(long.calls["CloudWatch.GetMetricData"]).toBe(2);
  });
});

describe("/ecs traffic when CloudWatch cuts a call at its metric cap", () => {
  // GetMetricData retrieves at most 500 metrics per call, the series its searches find included,
  // and says it cut only in Messages (MaxMetricsExceeded). The emulator's cap is lowered to 6
  // here so that nginx's and api's few searches pass it.
  let capped: Awaited<ReturnType<typeof useEmulatedAws>>;
  beforeAll(async () => {
    await aws.stop();
    capped = await useEmulatedAws(undefined, 0, { now: () => NOW, metricsPerCallMax: 6 });
  });
  afterAll(async () => {
    await capped.stop();
    await aws.start();
  });

  it("still shows the 5xx burst on api.internal.local, not a 0% the cut left", async () => {
    const answer = await traffic(ctx, "api.internal.local 15m", new Date(NOW));
    const text = renderText(trafficDocument(answer));

    const rate = apiFiveXxRate();
    expect(text).toContain(`5xx rate ${(rate * 100).toFixed(2)}%`);
    expect(text).toMatch(/tutorial\/web-frontend: [\d,]+ requests, 5xx [1-9]/);
  });
});

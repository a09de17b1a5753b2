import {
  type CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  GetMetricWidgetImageCommand,
  InvalidNextToken,
  type MetricDataQuery,
  ValidationException,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RETENTION_SECONDS } from "../../../emulator/cloudwatch/flows.ts";
import { syntheticValue } from "../../../emulator/cloudwatch/statistics.ts";
import { publishedSeries } from "../../../emulator/cloudwatch/traffic-model.ts";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { type RunningEmulator, startEmulator } from "../../../emulator/server.ts";
import {
  API_BOUNDS,
  API_CALLER,
  API_INCIDENT,
  API_NORMAL,
  API_SERVER,
  client,
  expected,
  fetchSeries,
  incidentWeight,
  NGINX_BOUNDS,
  NGINX_PUBLISHER,
  NOW,
  NOW_MINUTE,
  query,
  seconds,
  wave,
} from "./support.ts";

describe("CloudWatch GetMetricData on the emulator (pinned clock)", () => {
  let emu: RunningEmulator;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    emu = await startEmulator({ fleet: loadDemoFleet(), now: () => NOW });
    cw = client(emu);
  });
  afterAll(() => emu.close());

  it("returns the generator's values aggregated into the period, newest first", async () => {
    const start = NOW / 1000 - 3 * 3600 - 137; // unaligned on purpose
    const end = NOW / 1000;
    const nginx = { DiscoveryName: "nginx" };
    const api = { TargetDiscoveryName: "api" };
    const cases = [
      ["sum", "RequestCount", nginx, "Sum"],
      ["avg", "TargetResponseTime", api, "Average"],
      ["fastest", "TargetResponseTime", api, "Minimum"],
      ["active90", "ActiveConnectionCount", API_SERVER, "p90"],
      ["active95", "ActiveConnectionCount", NGINX_PUBLISHER, "p95.5"],
      ["peak", "ActiveConnectionCount", NGINX_PUBLISHER, "Maximum"],
      ["perTarget", "RequestCountPerTarget", API_CALLER, "p50"],
      ["samples", "TargetResponseTime", api, "SampleCount"],
    ] as const;

    const { MetricDataResults = [], NextToken } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(start * 1000),
        EndTime: new Date(end * 1000),
        MetricDataQueries: cases.map(([id, name, d, stat]) => query(id, name, d, stat)),
      }),
    );

    expect(NextToken).toBeUndefined();
    expect(MetricDataResults.map((r) => r.Id)).toEqual(cases.map(([id]) => id));
    for (const [id, name, d, stat] of cases) {
      const result = MetricDataResults.find((r) => r.Id === id);
      const want = expected(name, d, stat, 300, start, end);
      expect(result?.StatusCode, id).toBe("Complete");
      expect(result?.Label, id).toBe(name);
      expect(seconds(result?.Timestamps), id).toEqual([...want.timestamps].reverse());
      const values = result?.Values ?? [];
      expect(values, id).toHaveLength(want.values.length);
      const newestFirst = [...want.values].reverse();
      for (const [i, v] of newestFirst.entries()) {
        expect(values[i], `${id}[${i}]`).toBeCloseTo(v, 6);
      }
    }
    // 3 h 2 min 17 s from an unaligned start: 37 buckets, the first starting before StartTime,
    // the last one (16:40) partial, every timestamp on a 5-minute boundary.
    const sum = MetricDataResults[0];
    expect(sum?.Timestamps).toHaveLength(37);
    expect(seconds(sum?.Timestamps).every((t) => t % 300 === 0)).toBe(true);
    expect(sum?.Timestamps?.[0]?.toISOString()).toBe("2026-11-23T16:40:00.000Z");
  });

  it("follows the documented formulas for a 1-minute datapoint", () => {
    const m = NOW_MINUTE - 37 * 60; // before the api incident
    const f0 = wave(m, 0);
    const f1 = wave(m, 1);
    const nginx = Math.round(1200 * f0);
    const apiCaller = Math.round(300 * f1);
    const apiOutside = Math.round(40 * f1);
    const value = (metric: string, d: Record<string, string>, stat: string) =>
      syntheticValue(metric, d, m, stat, { now: NOW });

    expect(value("RequestCount", { DiscoveryName: "nginx" }, "Sum")).toBe(nginx);
    expect(value("RequestCount", { DiscoveryName: "nginx" }, "Maximum")).toBe(nginx / 2);
    expect(value("HTTPCode_Target_3XX_Count", { TargetDiscoveryName: "nginx" }, "Sum")).toBe(
      Math.round(nginx * 0.003),
    );
    // Server side adds the outside (DNS) flow to the callers'; per target divides by api's 3 tasks.
    expect(value("RequestCount", API_SERVER, "Sum")).toBe(apiCaller + apiOutside);
    expect(value("RequestCountPerTarget", API_CALLER, "Sum")).toBeCloseTo(apiCaller / 3, 9);
    expect(value("ProcessedBytes", API_SERVER, "Sum")).toBe((apiCaller + apiOutside) * 1100);
    expect(value("NewConnectionCount", API_SERVER, "Sum")).toBe(
      Math.round(10 * f1) + Math.round(4 * f1),
    );
    expect(value("ActiveConnectionCount", API_SERVER, "Average")).toBeCloseTo((12 + 2) * f1, 9);
    expect(value("ActiveConnectionCount", API_SERVER, "Sum")).toBeCloseTo((12 + 2) * f1 * 3, 9);
    expect(value("ActiveConnectionCount", API_SERVER, "p90")).toBeCloseTo(1.1 * 14 * f1, 9);
    // Latency from the histogram: percentiles are bucket bounds, whatever the wave does.
    const nginxLatency = { TargetDiscoveryName: "nginx" };
    expect(value("TargetResponseTime", nginxLatency, "p50")).toBe(8);
    expect(value("TargetResponseTime", nginxLatency, "p90")).toBe(15);
    expect(value("TargetResponseTime", nginxLatency, "p99")).toBe(30);
    expect(value("TargetResponseTime", nginxLatency, "p100")).toBe(50);
    expect(value("TargetResponseTime", nginxLatency, "Minimum")).toBe(0);
    expect(value("TargetResponseTime", nginxLatency, "Maximum")).toBe(50);
    expect(value("TargetResponseTime", nginxLatency, "SampleCount")).toBe(nginx);
    const midpoints = [2.5, 6.5, 9, 12.5, 17.5, 25, 40];
    const shares = [0.2, 0.35, 0.2, 0.17, 0.06, 0.015, 0.005];
    const average = midpoints.reduce((a, mid, i) => a + mid * (shares[i] as number), 0);
    expect(value("TargetResponseTime", nginxLatency, "Average")).toBeCloseTo(average, 9);
    expect(value("TargetResponseTime", nginxLatency, "Sum")).toBeCloseTo(average * nginx, 6);

    expect(
      syntheticValue("RequestCount", { DiscoveryName: "nginx" }, NOW_MINUTE, "Sum", { now: NOW }),
    ).toBeUndefined(); // the current minute is not complete yet
    expect(
      syntheticValue(
        "RequestCount",
        { DiscoveryName: "nginx" },
        NOW_MINUTE - RETENTION_SECONDS - 60,
        "Sum",
        { now: NOW },
      ),
    ).toBeUndefined();
  });

  it("matches dimensions exactly, as CloudWatch does", async () => {
    const { MetricDataResults = [] } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 3600_000),
        EndTime: new Date(NOW),
        MetricDataQueries: [
          query("alone", "RequestCount", { DiscoveryName: "nginx" }, "Sum"),
          query("full", "RequestCount", NGINX_PUBLISHER, "Sum"),
          query(
            "partial",
            "RequestCount",
            { DiscoveryName: "nginx", ClusterName: "tutorial" },
            "Sum",
          ),
          query(
            "caller",
            "RequestCount",
            { ...NGINX_PUBLISHER, ServiceName: "web-frontend" },
            "Sum",
          ),
          query("server", "HTTPCode_Target_2XX_Count", { DiscoveryName: "nginx" }, "Sum"),
          query(
            "client",
            "HTTPCode_Target_2XX_Count",
            { TargetDiscoveryName: "nginx", ServiceName: "web-frontend", ClusterName: "tutorial" },
            "Sum",
          ),
          query(
            "publisher",
            "HTTPCode_Target_2XX_Count",
            { TargetDiscoveryName: "nginx", ...NGINX_PUBLISHER },
            "Sum",
          ),
          query(
            "publisherAsCaller",
            "HTTPCode_Target_2XX_Count",
            {
              TargetDiscoveryName: "nginx",
              ServiceName: "service-connect-nginx-service",
              ClusterName: "tutorial",
            },
            "Sum",
          ),
          query("billing", "RequestCount", { DiscoveryName: "billing-worker" }, "Sum"),
        ],
      }),
    );
    const count = (id: string) => MetricDataResults.find((r) => r.Id === id)?.Values?.length;
    const byId = (id: string) => MetricDataResults.find((r) => r.Id === id);

    // 15:42:37 to 16:42:37 at 5 minutes: 15:40 (StartTime aligned down) to 16:40 (partial).
    expect(count("alone")).toBe(13);
    // nginx has one publisher in the whole fleet, so both server sets carry the same values.
    expect(byId("full")?.Values).toEqual(byId("alone")?.Values);
    expect(count("client")).toBe(13);
    for (const id of ["partial", "caller", "server", "publisher", "publisherAsCaller", "billing"]) {
      expect(byId(id), id).toMatchObject({ Timestamps: [], Values: [], StatusCode: "Complete" });
    }
  });

  it("counts api's DNS clients server side only: RequestCount exceeds the callers' status codes", async () => {
    const codes = ["2XX", "3XX", "4XX", "5XX"];
    const { values, timestamps } = await fetchSeries(cw, [
      query("api", "RequestCount", API_SERVER, "Sum", 60),
      query("nginx", "RequestCount", { DiscoveryName: "nginx" }, "Sum", 60),
      ...codes.map((c) => query(`api${c}`, `HTTPCode_Target_${c}_Count`, API_CALLER, "Sum", 60)),
      ...codes.map((c) =>
        query(
          `nginx${c}`,
          `HTTPCode_Target_${c}_Count`,
          { TargetDiscoveryName: "nginx" },
          "Sum",
          60,
        ),
      ),
    ]);
    const codeTotal = (name: string) =>
      values(`${name}2XX`).map((_, i) =>
        codes.reduce((n, c) => n + (values(`${name}${c}`)[i] ?? 0), 0),
      );

    expect(values("api")).toHaveLength(60);
    // nginx has only Service Connect callers: what they receive is what its proxies served.
    expect(codeTotal("nginx")).toEqual(values("nginx"));
    // api also serves 40 requests a minute (with the wave) to DNS clients of api.internal.local.
    const outside = timestamps("api").map((m) => Math.round(40 * wave(m, 1)));
    expect(values("api").map((v, i) => v - (codeTotal("api")[i] ?? 0))).toEqual(outside);
    expect(outside.every((n) => n > 0)).toBe(true);
  });

  it("shows the api incident in the last 15 minutes, ramping over 4, and not before", async () => {
    const { at } = await fetchSeries(cw, [
      query("r", "HTTPCode_Target_2XX_Count", API_CALLER, "SampleCount", 60),
      query("requests", "TargetResponseTime", API_CALLER, "SampleCount", 60),
      query("errors", "HTTPCode_Target_5XX_Count", API_CALLER, "Sum", 60),
      query("p50", "TargetResponseTime", API_CALLER, "p50", 60),
      query("p99", "TargetResponseTime", API_CALLER, "p99", 60),
      query("active", "ActiveConnectionCount", API_SERVER, "Average", 60),
    ]);
    const requests = (minutesAgo: number) => at("requests", minutesAgo) as number;
    const active = (minutesAgo: number) => {
      const m = NOW_MINUTE - minutesAgo * 60;
      const b = incidentWeight(m);
      return (12 * (1 + 3 * b) + 2) * wave(m, 1);
    };

    for (const minutesAgo of [1, 2, 5, 10, 12]) {
      expect(at("errors", minutesAgo)).toBe(Math.round(requests(minutesAgo) * 0.25));
      expect(at("p50", minutesAgo)).toBe(60);
      expect(at("p99", minutesAgo)).toBe(1800);
      expect(at("active", minutesAgo)).toBeCloseTo(active(minutesAgo), 9);
    }
    // The first incident minute, 15 minutes ago, weighs 1/4.
    expect(at("errors", 15)).toBe(Math.round(requests(15) * (0.002 + (0.25 - 0.002) * 0.25)));
    expect(at("active", 15)).toBeCloseTo(active(15), 9);
    for (const minutesAgo of [16, 30, 60]) {
      expect(at("errors", minutesAgo)).toBe(Math.round(requests(minutesAgo) * 0.002));
      expect(at("p50", minutesAgo)).toBe(20);
      expect(at("p99", minutesAgo)).toBe(80);
      expect(at("active", minutesAgo)).toBeCloseTo(14 * wave(NOW_MINUTE - minutesAgo * 60, 1), 9);
    }
  });

  it("reads TargetResponseTime percentiles off histograms: bucket bounds, over 300 s too", async () => {
    const quantiles = ["p10", "p50", "p90", "p95.5", "p99", "p99.9"];
    const { values, timestamps } = await fetchSeries(
      cw,
      [60, 300].flatMap((period) =>
        quantiles.flatMap((q) => [
          query(`api${period}_${q.replace(".", "_")}`, "TargetResponseTime", API_CALLER, q, period),
          query(
            `nginx${period}_${q.replace(".", "_")}`,
            "TargetResponseTime",
            { TargetDiscoveryName: "nginx" },
            q,
            period,
          ),
        ]),
      ),
      NOW - 3 * 3600_000,
    );

    for (const period of [60, 300]) {
      for (const q of quantiles) {
        const id = `${period}_${q.replace(".", "_")}`;
        expect(values(`api${id}`).length, id).toBeGreaterThan(30);
        for (const v of values(`api${id}`)) expect(API_BOUNDS, `api${id}`).toContain(v);
        for (const v of values(`nginx${id}`)) expect(NGINX_BOUNDS, `nginx${id}`).toContain(v);
      }
      // nginx never changes its histogram: its percentiles stay put while its traffic waves.
      expect(new Set(values(`nginx${period}_p50`))).toEqual(new Set([8]));
      expect(new Set(values(`nginx${period}_p90`))).toEqual(new Set([15]));
      expect(new Set(values(`nginx${period}_p99`))).toEqual(new Set([30]));
    }

    // The 16:25 bucket holds 16:25 and 16:26 (normal) and the first three incident minutes (b =
    // 1/4, 1/2, 3/4): its percentiles come from the requests-weighted merge of their histograms.
    const bucket = NOW_MINUTE - 17 * 60;
    expect(bucket % 300).toBe(0);
    const minutes = [0, 1, 2, 3, 4].map((i) => bucket + i * 60);
    const mass = new Map<number, number>(API_BOUNDS.map((le) => [le, 0]));
    for (const m of minutes) {
      const r = syntheticValue("TargetResponseTime", API_CALLER, m, "SampleCount", { now: NOW });
      const b = incidentWeight(m);
      for (const { le, share } of API_NORMAL)
        mass.set(le, (mass.get(le) ?? 0) + (r ?? 0) * share * (1 - b));
      for (const { le, share } of API_INCIDENT)
        mass.set(le, (mass.get(le) ?? 0) + (r ?? 0) * share * b);
    }
    const total = [...mass.values()].reduce((a, b) => a + b, 0);
    const merged = (q: number) => {
      let cumulative = 0;
      for (const le of API_BOUNDS) {
        cumulative += mass.get(le) ?? 0;
        if (cumulative >= (q / 100) * total - 1e-9) return le;
      }
      return Number.NaN;
    };
    const at300 = (q: string) =>
      values(`api300_${q.replace(".", "_")}`)[
        timestamps(`api300_${q.replace(".", "_")}`).indexOf(bucket)
      ];
    expect(at300("p50")).toBe(merged(50));
    expect(at300("p90")).toBe(merged(90));
    expect(at300("p99")).toBe(merged(99));
    expect([at300("p50"), at300("p90"), at300("p99")]).toEqual([30, 250, 1800]);
  });

  it("rejects more than 500 queries, a period that is not a multiple of 60, and duplicate ids", async () => {
    const nginx = { DiscoveryName: "nginx" };
    const send = (MetricDataQueries: MetricDataQuery[]) =>
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(NOW - 3600_000),
          EndTime: new Date(NOW),
          MetricDataQueries,
        }),
      );
    const many = Array.from({ length: 501 }, (_, i) =>
      query(`q${i}`, "RequestCount", nginx, "Sum"),
    );

    const tooMany = await send(many).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(ValidationException);
    expect(tooMany).toMatchObject({
      name: "ValidationException",
      Code: "ValidationError",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(send(many.slice(0, 500))).resolves.toMatchObject({
      MetricDataResults: expect.any(Array),
    });
    await expect(send([query("odd", "RequestCount", nginx, "Sum", 90)])).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(
      send([
        query("same", "RequestCount", nginx, "Sum"),
        query("same", "RequestCount", nginx, "Sum"),
      ]),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("honours ScanBy, ReturnData, Label, Unit and leaves metric math empty", async () => {
    const nginx = { DiscoveryName: "nginx" };
    const { MetricDataResults = [] } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 1800_000),
        EndTime: new Date(NOW),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          query("hidden", "RequestCount", nginx, "Sum", 300, { ReturnData: false }),
          query("named", "RequestCount", nginx, "Sum", 300, { Label: "nginx requests" }),
          {
            ...query("bytes", "ProcessedBytes", nginx, "Sum"),
            MetricStat: {
              ...query("bytes", "ProcessedBytes", nginx, "Sum").MetricStat,
              Unit: "Bytes",
            } as MetricDataQuery["MetricStat"],
          },
          {
            ...query("wrongunit", "ProcessedBytes", nginx, "Sum"),
            MetricStat: {
              ...query("wrongunit", "ProcessedBytes", nginx, "Sum").MetricStat,
              Unit: "Count",
            } as MetricDataQuery["MetricStat"],
          },
          { Id: "math", Expression: "hidden / 60", Label: "per second" },
        ],
      }),
    );

    expect(MetricDataResults.map((r) => [r.Id, r.Label, r.Values?.length])).toEqual([
      ["named", "nginx requests", 7],
      ["bytes", "ProcessedBytes", 7],
      ["wrongunit", "ProcessedBytes", 0],
      ["math", "per second", 0],
    ]);
    const stamps = seconds(MetricDataResults[0]?.Timestamps);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it("paginates across the whole request by NextToken when the datapoints exceed MaxDatapoints", async () => {
    const input: GetMetricDataCommandInput = {
      StartTime: new Date(NOW - 3600_000),
      EndTime: new Date(NOW),
      MetricDataQueries: [
        query("nginx", "RequestCount", { DiscoveryName: "nginx" }, "Sum"),
        query("api", "RequestCount", { DiscoveryName: "api" }, "Sum"),
      ],
    };
    const whole = await cw.send(new GetMetricDataCommand(input));

    const pages: GetMetricDataCommandOutput[] = [];
    let NextToken: string | undefined;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({ ...input, MaxDatapoints: 7, NextToken }),
      );
      pages.push(page);
      NextToken = page.NextToken;
    } while (NextToken);
    const merged = (id: string) =>
      pages.flatMap((p) => p.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []);

    expect(
      pages.map((p) => p.MetricDataResults?.reduce((n, r) => n + (r.Values?.length ?? 0), 0)),
    ).toEqual([7, 7, 7, 5]); // 13 + 13 datapoints
    expect(pages[0]?.MetricDataResults?.map((r) => r.StatusCode)).toEqual([
      "PartialData",
      "PartialData",
    ]);
    expect(pages[3]?.MetricDataResults?.map((r) => r.StatusCode)).toEqual(["Complete", "Complete"]);
    expect(merged("nginx")).toEqual(whole.MetricDataResults?.[0]?.Values);
    expect(merged("api")).toEqual(whole.MetricDataResults?.[1]?.Values);
    await expect(
      cw.send(new GetMetricDataCommand({ ...input, NextToken: "bm90LWEtdG9rZW4" })),
    ).rejects.toBeInstanceOf(InvalidNextToken);
  });

  it("publishes nothing older than 15 days and nothing in the future", async () => {
    const { MetricDataResults = [] } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 20 * 86_400_000),
        EndTime: new Date(NOW + 86_400_000),
        MetricDataQueries: [
          query("day", "RequestCount", { DiscoveryName: "nginx" }, "Sum", 86_400),
        ],
      }),
    );
    const stamps = seconds(MetricDataResults[0]?.Timestamps);

    expect(stamps).toHaveLength(16); // 15 days of minutes over 16 UTC days
    expect(Math.max(...stamps)).toBeLessThanOrEqual(NOW / 1000);
    expect(Math.min(...stamps)).toBeGreaterThan(NOW / 1000 - RETENTION_SECONDS - 86_400);
  });

  it("answers a week at 1 hour for 40 queries well within a second", async () => {
    const names = [
      ["RequestCount", API_SERVER, "Sum"],
      ["ActiveConnectionCount", API_SERVER, "p90"],
      ["HTTPCode_Target_5XX_Count", API_CALLER, "Sum"],
      ["TargetResponseTime", API_CALLER, "p99"],
      ["TargetResponseTime", { TargetDiscoveryName: "nginx" }, "Average"],
    ] as const;
    const queries = Array.from({ length: 40 }, (_, i) => {
      const [metric, d, stat] = names[i % names.length] as (typeof names)[number];
      return query(`q${i}`, metric, d, stat, 3600);
    });
    const started = performance.now();
    const { values } = await fetchSeries(cw, queries, NOW - 7 * 86_400_000);
    const elapsed = performance.now() - started;

    expect(values("q0")).toHaveLength(7 * 24 + 1);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe("CloudWatch on the emulator with the real clock", () => {
  it("shows the api 5XX incident in the last 15 minutes and not an hour ago", async () => {
    const emu = await startEmulator({ fleet: loadDemoFleet() });
    try {
      const now = Date.now();
      const { MetricDataResults = [] } = await client(emu).send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 2 * 3600_000),
          EndTime: new Date(now),
          MetricDataQueries: [
            query("requests", "RequestCountPerTarget", API_CALLER, "Sum", 60),
            query("errors", "HTTPCode_Target_5XX_Count", API_CALLER, "Sum", 60),
            query("p99", "TargetResponseTime", API_CALLER, "p99", 60),
            query("p50", "TargetResponseTime", API_CALLER, "p50", 60),
          ],
        }),
      );
      const at = (id: string, minutesAgo: number) => {
        const r = MetricDataResults.find((x) => x.Id === id);
        const target = Math.floor(now / 60_000) * 60_000 - minutesAgo * 60_000;
        const i = r?.Timestamps?.findIndex((t) => t.getTime() === target) ?? -1;
        return r?.Values?.[i] as number;
      };
      // RequestCountPerTarget is per api task (3 of them): times 3 gives the caller's requests.
      const errorRate = (minutesAgo: number) =>
        at("errors", minutesAgo) / (3 * at("requests", minutesAgo));

      for (const minutesAgo of [2, 5, 10]) {
        expect(errorRate(minutesAgo)).toBeCloseTo(0.25, 2);
        expect(at("p99", minutesAgo)).toBe(1800);
        expect(at("p50", minutesAgo)).toBe(60);
      }
      for (const minutesAgo of [60, 61, 90]) {
        expect(errorRate(minutesAgo)).toBeLessThan(0.01);
        expect(at("p99", minutesAgo)).toBe(80);
        expect(at("p50", minutesAgo)).toBe(20);
      }
    } finally {
      await emu.close();
    }
  });

  it("keeps the demo names' series in a generated fleet", async () => {
    const emu = await startEmulator({ fleet: generateFleet({ services: 5 }) });
    try {
      const { MetricDataResults = [] } = await client(emu).send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 3600_000),
          EndTime: new Date(),
          MetricDataQueries: [
            query("nginx", "RequestCount", { DiscoveryName: "nginx" }, "Sum"),
            query("generated", "RequestCount", { DiscoveryName: "orders-api" }, "Sum"),
          ],
        }),
      );

      expect(MetricDataResults[0]?.Values?.length).toBeGreaterThan(10);
      expect(MetricDataResults[1]?.Values).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it("lists every series of the demo fleet, both dimension sets of each side, api's shared", () => {
    const series = publishedSeries(loadDemoFleet());
    const sets = new Set(
      series
        .filter((s) => s.metricName === "RequestCount" || s.metricName === "TargetResponseTime")
        .map((s) => `${s.metricName} ${JSON.stringify(s.dimensions)}`),
    );

    // nginx (http) 8 server + 14 client; api (http) in prod and staging: 4 + 4 + 4 server, 7 + 7 + 7
    // client, the single-dimension sets shared; redis (TCP) 6 server + 2 client.
    expect(series).toHaveLength(22 + 33 + 8);
    expect([...sets].sort()).toEqual(
      [
        'RequestCount {"DiscoveryName":"api"}',
        'RequestCount {"DiscoveryName":"api","ServiceName":"api-service","ClusterName":"ecs_service_discovery"}',
        'RequestCount {"DiscoveryName":"api","ServiceName":"api-service","ClusterName":"staging"}',
        'RequestCount {"DiscoveryName":"nginx"}',
        'RequestCount {"DiscoveryName":"nginx","ServiceName":"service-connect-nginx-service","ClusterName":"tutorial"}',
        'TargetResponseTime {"TargetDiscoveryName":"api"}',
        'TargetResponseTime {"TargetDiscoveryName":"api","ServiceName":"web-frontend","ClusterName":"staging"}',
        'TargetResponseTime {"TargetDiscoveryName":"api","ServiceName":"web-frontend","ClusterName":"tutorial"}',
        'TargetResponseTime {"TargetDiscoveryName":"nginx"}',
        'TargetResponseTime {"TargetDiscoveryName":"nginx","ServiceName":"web-frontend","ClusterName":"tutorial"}',
      ].sort(),
    );
    expect(series.find((s) => s.metricName === "TargetResponseTime")?.publishedBy).toEqual([
      { serviceName: "web-frontend", clusterName: "tutorial" },
    ]);
    expect(publishedSeries({ ...loadDemoFleet(), traffic: undefined })).toEqual([]);
  });
});

describe("CloudWatch errors the bot must survive", () => {
  const send = (emu: RunningEmulator, maxAttempts = 1) =>
    client(emu, maxAttempts).send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 3600_000),
        EndTime: new Date(NOW),
        MetricDataQueries: [query("r", "RequestCount", { DiscoveryName: "nginx" }, "Sum")],
      }),
    );

  it("answers denied operations with the SDK's AccessDenied until setDenied lifts it", async () => {
    const emu = await startEmulator({
      fleet: loadDemoFleet(),
      now: () => NOW,
      denyOperations: ["CloudWatch.GetMetricData"],
    });
    try {
      const error = await send(emu).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CloudWatchServiceException);
      expect(error).toMatchObject({
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
        message: expect.stringContaining("cloudwatch:GetMetricData"),
      });
      await expect(
        client(emu).send(
          new GetMetricWidgetImageCommand({
            MetricWidget: JSON.stringify({
              metrics: [["AWS/ECS", "RequestCount", "DiscoveryName", "api"]],
            }),
          }),
        ),
      ).resolves.toMatchObject({ MetricWidgetImage: expect.any(Uint8Array) });
      expect(emu.stats()).toMatchObject({ denied: 1, total: 2 });
      expect(emu.requests[0]).toMatchObject({ denied: true, status: 403 });

      emu.setDenied([]);
      await expect(send(emu)).resolves.toMatchObject({ MetricDataResults: expect.any(Array) });
    } finally {
      await emu.close();
    }
  });

  it("throttles with Throttling, which the SDK retries", async () => {
    const emu = await startEmulator({
      fleet: loadDemoFleet(),
      now: () => NOW,
      throttleRate: 1,
      throttleOperations: ["GetMetricData"],
    });
    try {
      await expect(send(emu, 2)).rejects.toMatchObject({
        name: "Throttling",
        message: "Rate exceeded",
        $metadata: { httpStatusCode: 400, attempts: 2 },
      });
      expect(emu.stats().calls).toEqual({ "CloudWatch.GetMetricData": 2 });
    } finally {
      await emu.close();
    }
  });

  it("sends AWS JSON 1.0 with the Query error code in x-amzn-query-error", async () => {
    const emu = await startEmulator({ fleet: loadDemoFleet(), denyOperations: ["GetMetricData"] });
    try {
      // Well-formed SigV4 headers (the emulator checks their form and scope, not the signature).
      const response = await fetch(emu.url, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "GraniteServiceVersion20100801.GetMetricData",
          "x-amz-date": "20261123T164237Z",
          authorization:
            "AWS4-HMAC-SHA256 Credential=demo/20261123/ap-northeast-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
        },
        body: "{}",
      });

      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
      expect(response.headers.get("x-amzn-query-error")).toBe("AccessDenied;Sender");
      expect(await response.json()).toEqual({
        __type: "com.amazon.coral.service#AccessDeniedException",
        message: expect.stringContaining("is not authorized to perform: cloudwatch:GetMetricData"),
      });
    } finally {
      await emu.close();
    }
  });
});

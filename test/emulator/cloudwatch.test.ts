import { inflateSync } from "node:zlib";
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DashboardInvalidInputError,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  GetMetricWidgetImageCommand,
  InvalidNextToken,
  type MetricDataQuery,
  ValidationException,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cloudWatchOperations,
  PNG_SIGNATURE,
  publishedSeries,
  RETENTION_SECONDS,
  syntheticValue,
} from "../../emulator/cloudwatch.ts";
import {
  type Fleet,
  type FleetTrafficFlow,
  generateFleet,
  loadDemoFleet,
} from "../../emulator/fleet.ts";
import { type RunningEmulator, startEmulator } from "../../emulator/server.ts";

const credentials = { accessKeyId: "demo", secretAccessKey: "demo" };
const region = "ap-northeast-1";
// A pinned clock (mid-minute) so expected values cannot drift between request and assertion.
const NOW = Date.parse("2026-11-23T16:42:37.250Z");
const NOW_MINUTE = Math.floor(NOW / 60_000) * 60;

function client(emu: RunningEmulator, maxAttempts = 1) {
  return new CloudWatchClient({ region, endpoint: emu.url, credentials, maxAttempts });
}

const dims = (record: Record<string, string>): Dimension[] =>
  Object.entries(record).map(([Name, Value]) => ({ Name, Value }));

function query(
  id: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
  period = 300,
  extra: Partial<MetricDataQuery> = {},
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/ECS", MetricName: metricName, Dimensions: dims(dimensions) },
      Period: period,
      Stat: stat,
    },
    ...extra,
  };
}

/**
 * The datapoints CloudWatch would return, aggregated here from the generator's 1-minute values:
 * minutes floor(start / period) * period <= m < end, bucketed at floor(m / period) * period. (Not for
 * TargetResponseTime percentiles, which come from the period's merged histogram.)
 */
function expected(
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
  period: number,
  startSeconds: number,
  endSeconds: number,
  now = NOW,
): { timestamps: number[]; values: number[] } {
  type Bucket = { sum: number; n: number; min: number; max: number; weighted: number };
  const buckets = new Map<number, Bucket>();
  for (let m = Math.floor(startSeconds / period) * period; m < endSeconds; m += 60) {
    const one = (s: string) => syntheticValue(metricName, dimensions, m, s, { now });
    const sum = one("Sum");
    const n = one("SampleCount");
    if (sum === undefined || n === undefined) continue;
    const bucket = Math.floor(m / period) * period;
    const b = buckets.get(bucket) ?? { sum: 0, n: 0, min: Infinity, max: -Infinity, weighted: 0 };
    b.sum += sum;
    b.n += n;
    b.min = Math.min(b.min, one("Minimum") as number);
    b.max = Math.max(b.max, one("Maximum") as number);
    if (stat.startsWith("p")) b.weighted += n * (one(stat) as number);
    buckets.set(bucket, b);
  }
  const timestamps = [...buckets.keys()].sort((a, b) => a - b);
  const values = timestamps.map((t) => {
    const b = buckets.get(t) as Bucket;
    if (stat === "Sum") return b.sum;
    if (stat === "SampleCount") return b.n;
    if (stat === "Average") return b.sum / b.n;
    if (stat === "Minimum") return b.min;
    if (stat === "Maximum") return b.max;
    return b.weighted / b.n;
  });
  return { timestamps, values };
}

const seconds = (dates: Date[] | undefined) => (dates ?? []).map((d) => d.getTime() / 1000);

/** One GetMetricData over [from, to) (epoch ms), the results by Id. */
async function fetchSeries(
  cw: CloudWatchClient,
  queries: MetricDataQuery[],
  from = NOW - 3600_000,
  to = NOW,
) {
  const { MetricDataResults = [] } = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(from),
      EndTime: new Date(to),
      ScanBy: "TimestampAscending",
      MetricDataQueries: queries,
    }),
  );
  const byId = (id: string) => MetricDataResults.find((r) => r.Id === id);
  return {
    values: (id: string) => byId(id)?.Values ?? [],
    timestamps: (id: string) => seconds(byId(id)?.Timestamps),
    /** The value of the minute `minutesAgo` whole minutes before the pinned clock's minute. */
    at: (id: string, minutesAgo: number) => {
      const i = seconds(byId(id)?.Timestamps).indexOf(NOW_MINUTE - minutesAgo * 60);
      return i < 0 ? undefined : byId(id)?.Values?.[i];
    },
  };
}

// The demo fleet's traffic (emulator/demo-fleet.json), repeated here to check the generator against.
const NGINX_BOUNDS = [5, 8, 10, 15, 20, 30, 50];
const API_NORMAL = [
  { le: 10, share: 0.2 },
  { le: 20, share: 0.35 },
  { le: 30, share: 0.2 },
  { le: 45, share: 0.17 },
  { le: 60, share: 0.06 },
  { le: 80, share: 0.015 },
  { le: 120, share: 0.005 },
];
const API_INCIDENT = [
  { le: 30, share: 0.2 },
  { le: 60, share: 0.35 },
  { le: 120, share: 0.1 },
  { le: 250, share: 0.1 },
  { le: 500, share: 0.1 },
  { le: 700, share: 0.07 },
  { le: 1000, share: 0.04 },
  { le: 1800, share: 0.035 },
  { le: 3000, share: 0.005 },
];
const API_BOUNDS = [...new Set([...API_NORMAL, ...API_INCIDENT].map((b) => b.le))].sort(
  (a, b) => a - b,
);
const wave = (m: number, phase: number) => 1 + 0.05 * Math.sin((2 * Math.PI * m) / 5400 + phase);
/** The api incident's weight: it starts 15 minutes before the current minute, ramping over 4. */
const incidentWeight = (m: number) => {
  const start = NOW_MINUTE - 900;
  return m < start ? 0 : Math.min(1, ((m - start) / 60 + 1) / 4);
};

/** `api` alone: prod's and staging's api-service added up, as CloudWatch does. */
const API_ALONE = { DiscoveryName: "api" };
/** Prod's api-service alone. */
const API_SERVER = {
  DiscoveryName: "api",
  ServiceName: "api-service",
  ClusterName: "ecs_service_discovery",
};
const API_CALLER = {
  TargetDiscoveryName: "api",
  ServiceName: "web-frontend",
  ClusterName: "tutorial",
};
const NGINX_PUBLISHER = {
  DiscoveryName: "nginx",
  ServiceName: "service-connect-nginx-service",
  ClusterName: "tutorial",
};

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

// ---- test fleets built on the demo fleet ----------------------------------------------------------

const ACCOUNT = "123456789012";
const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;

/** An HTTP Cloud Map namespace for Service Connect; returns its ARN. */
function addNamespace(fleet: Fleet, name: string): string {
  const id = `ns-${name
    .replace(/[^a-z0-9]/g, "")
    .padEnd(16, "0")
    .slice(0, 16)}`;
  const namespaceArn = arn("servicediscovery", `namespace/${id}`);
  fleet.namespaces.push({
    Id: id,
    Arn: namespaceArn,
    Name: name,
    Type: "HTTP",
    Properties: { DnsProperties: { SOA: {} }, HttpProperties: { HttpName: name } },
  });
  return namespaceArn;
}

interface ServiceSpec {
  cluster: string;
  name: string;
  /** The Service Connect namespace (ARN) of its PRIMARY deployment. */
  namespace: string;
  /** The port it publishes; none for a client-only service. */
  port?: { name: string; appProtocol?: "http" | "http2" | "grpc"; discoveryName?: string };
  running: number;
  stopped?: number;
}

/** An ECS service with its task definition, PRIMARY deployment and tasks (and its cluster). */
function addService(fleet: Fleet, spec: ServiceSpec): void {
  const clusterArn = arn("ecs", `cluster/${spec.cluster}`);
  if (!fleet.clusters.some((c) => c.clusterArn === clusterArn)) {
    fleet.clusters.push({ clusterArn, clusterName: spec.cluster, status: "ACTIVE" });
  }
  const taskDefinitionArn = arn("ecs", `task-definition/${spec.cluster}-${spec.name}:1`);
  fleet.taskDefinitions.push({
    taskDefinitionArn,
    family: `${spec.cluster}-${spec.name}`,
    revision: 1,
    networkMode: "awsvpc",
    containerDefinitions: [
      {
        name: "app",
        image: `${spec.name}:1`,
        essential: true,
        portMappings: spec.port
          ? [
              {
                containerPort: 8000,
                protocol: "tcp",
                name: spec.port.name,
                ...(spec.port.appProtocol ? { appProtocol: spec.port.appProtocol } : {}),
              },
            ]
          : [],
      },
    ],
  });
  const services = spec.port
    ? [
        {
          portName: spec.port.name,
          ...(spec.port.discoveryName ? { discoveryName: spec.port.discoveryName } : {}),
          clientAliases: [{ port: 8000 }],
        },
      ]
    : [];
  fleet.services.push({
    serviceArn: arn("ecs", `service/${spec.cluster}/${spec.name}`),
    serviceName: spec.name,
    clusterArn,
    status: "ACTIVE",
    desiredCount: spec.running,
    runningCount: spec.running,
    taskDefinition: taskDefinitionArn,
    deployments: [
      {
        id: `ecs-svc/${spec.cluster}-${spec.name}`,
        status: "PRIMARY",
        taskDefinition: taskDefinitionArn,
        runningCount: spec.running,
        serviceConnectConfiguration: { enabled: true, namespace: spec.namespace, services },
      },
    ],
  });
  const statuses = [
    ...Array<string>(spec.running).fill("RUNNING"),
    ...Array<string>(spec.stopped ?? 0).fill("STOPPED"),
  ];
  statuses.forEach((lastStatus, i) => {
    fleet.tasks.push({
      taskArn: arn("ecs", `task/${spec.cluster}/${spec.name}${i}`.padEnd(32, "0")),
      clusterArn,
      group: `service:${spec.name}`,
      lastStatus,
      desiredStatus: lastStatus,
      taskDefinitionArn,
    });
  });
}

/** A caller's or outside flow: `requestsPerMinute` with no wave-free surprises. */
function flow(
  requestsPerMinute: number,
  latencyBuckets: FleetTrafficFlow["latencyBuckets"],
  extra: Partial<FleetTrafficFlow> = {},
): FleetTrafficFlow {
  return {
    requestsPerMinute,
    newConnectionsPerMinute: 5,
    activeConnections: 3,
    bytesPerRequest: 500,
    share4xx: 0.01,
    latencyBuckets,
    ...extra,
  };
}

const SLOW = [
  { le: 100, share: 0.5 },
  { le: 250, share: 0.5 },
];

/**
 * The demo fleet (whose staging cluster already publishes `api` in namespace `staging`) plus a
 * third copy: cluster `qa` in its own namespace `qa`, where api-service (1 RUNNING task) publishes
 * the same discovery name `api` to a qa web-frontend.
 */
function qaFleet(): Fleet {
  const fleet = loadDemoFleet();
  const namespace = addNamespace(fleet, "qa");
  addService(fleet, {
    cluster: "qa",
    name: "api-service",
    namespace,
    port: { name: "api", appProtocol: "http", discoveryName: "api" },
    running: 1,
  });
  addService(fleet, { cluster: "qa", name: "web-frontend", namespace, running: 2 });
  fleet.traffic?.publishers.push({
    cluster: "qa",
    service: "api-service",
    discoveryName: "api",
    callers: [{ cluster: "qa", service: "web-frontend", ...flow(50, SLOW) }],
  });
  return fleet;
}

/** The demo fleet plus a TCP publisher (kv, no appProtocol) and a grpc one (discovery name = port name). */
function protocolFleet(): Fleet {
  const fleet = loadDemoFleet();
  const namespace = fleet.namespaces.find((n) => n.Name === "service-connect")?.Arn as string;
  addService(fleet, {
    cluster: "tutorial",
    name: "cache",
    namespace,
    port: { name: "kv", discoveryName: "kv" },
    running: 2,
  });
  addService(fleet, {
    cluster: "tutorial",
    name: "ledger",
    namespace,
    port: { name: "ledger-grpc", appProtocol: "grpc" },
    running: 2,
  });
  const web = { cluster: "tutorial", service: "web-frontend" };
  fleet.traffic?.publishers.push(
    {
      cluster: "tutorial",
      service: "cache",
      discoveryName: "kv",
      callers: [{ ...web, ...flow(600, SLOW) }],
    },
    {
      cluster: "tutorial",
      service: "ledger",
      discoveryName: "ledger-grpc",
      callers: [{ ...web, ...flow(200, SLOW, { share5xx: 0.1 }) }],
    },
  );
  return fleet;
}

describe("CloudWatch over the fleet's traffic (test fleets)", () => {
  const running: RunningEmulator[] = [];
  const emulate = async (fleet: Fleet) => {
    const emu = await startEmulator({ fleet, now: () => NOW });
    running.push(emu);
    return client(emu);
  };
  afterAll(async () => {
    for (const emu of running) await emu.close();
  });

  it("adds up every cluster's publisher of a discovery name under DiscoveryName alone", async () => {
    const fleet = qaFleet();
    const at = (ClusterName: string) => ({
      ...API_SERVER,
      ServiceName: "api-service",
      ClusterName,
    });
    const prod = at("ecs_service_discovery");
    const { values } = await fetchSeries(await emulate(fleet), [
      query("alone", "RequestCount", API_ALONE, "Sum", 60),
      query("prod", "RequestCount", prod, "Sum", 60),
      query("staging", "RequestCount", at("staging"), "Sum", 60),
      query("qa", "RequestCount", at("qa"), "Sum", 60),
      query("aloneTasks", "RequestCount", API_ALONE, "SampleCount", 60),
      query("prodTasks", "RequestCount", prod, "SampleCount", 60),
      query("qaTasks", "RequestCount", at("qa"), "SampleCount", 60),
    ]);

    expect(values("alone")).toHaveLength(60);
    expect(values("alone")).toEqual(
      values("prod").map((v, i) => v + (values("staging")[i] ?? 0) + (values("qa")[i] ?? 0)),
    );
    expect(new Set(values("aloneTasks"))).toEqual(new Set([3 + 2 + 1]));
    expect(new Set(values("prodTasks"))).toEqual(new Set([3]));
    expect(new Set(values("qaTasks"))).toEqual(new Set([1]));
    // Each publisher alone is what it was without the others; qa serves ~50 a minute.
    const demo = (m: number) => syntheticValue("RequestCount", prod, m, "Sum", { now: NOW });
    const minutes = Array.from({ length: 60 }, (_, i) => NOW_MINUTE - 3600 + i * 60);
    expect(values("prod")).toEqual(minutes.map(demo));
    for (const v of values("qa")) expect(Math.abs(v - 50)).toBeLessThanOrEqual(3);
    expect(
      syntheticValue("RequestCount", API_ALONE, NOW_MINUTE - 60, "Sum", { now: NOW, fleet }),
    ).toBe(values("alone").at(-1));
  });

  it("adds up every caller of a discovery name under TargetDiscoveryName alone", async () => {
    const fleet = qaFleet();
    const prod = API_CALLER;
    const staging = { ...API_CALLER, ClusterName: "staging" };
    const qa = { ...API_CALLER, ClusterName: "qa" };
    const api = { TargetDiscoveryName: "api" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("alone", "HTTPCode_Target_2XX_Count", api, "Sum", 60),
      query("prod", "HTTPCode_Target_2XX_Count", prod, "Sum", 60),
      query("staging", "HTTPCode_Target_2XX_Count", staging, "Sum", 60),
      query("qa", "HTTPCode_Target_2XX_Count", qa, "Sum", 60),
      query("aloneP99", "TargetResponseTime", api, "p99", 60),
      query("prodP99", "TargetResponseTime", prod, "p99", 60),
      query("qaP99", "TargetResponseTime", qa, "p99", 60),
      query("prodPerTarget", "RequestCountPerTarget", prod, "Sum", 60),
      query("qaPerTarget", "RequestCountPerTarget", qa, "Sum", 60),
      query("qaLatencySamples", "TargetResponseTime", qa, "SampleCount", 60),
      query("prodLatencySamples", "TargetResponseTime", prod, "SampleCount", 60),
    ]);

    expect(values("alone")).toHaveLength(60);
    expect(values("alone")).toEqual(
      values("prod").map((v, i) => v + (values("staging")[i] ?? 0) + (values("qa")[i] ?? 0)),
    );
    // An hour ago (before the api incident) prod's callers see 80 ms at p99, qa's 250 ms: the
    // single-dimension set mixes them into a p99 that is not prod's.
    const hourAgo = 0;
    expect(values("prodP99")[hourAgo]).toBe(80);
    expect(values("qaP99")[hourAgo]).toBe(250);
    expect(values("aloneP99")[hourAgo]).toBe(250);
    // Per target: prod's requests over api's 3 tasks, qa's over its 1 task.
    expect(values("qaPerTarget")).toEqual(values("qaLatencySamples"));
    expect(values("prodPerTarget")).toHaveLength(60);
    values("prodPerTarget").forEach((v, i) => {
      expect(v * 3).toBeCloseTo(values("prodLatencySamples")[i] as number, 9);
    });
  });

  it("publishes only connections and bytes for a TCP port, and GrpcRequestCount for a grpc one", async () => {
    const fleet = protocolFleet();
    const names = (match: (d: Record<string, string>) => boolean) =>
      publishedSeries(fleet)
        .filter((s) => match(s.dimensions))
        .map((s) => s.metricName);
    const kv = (d: Record<string, string>) =>
      d.DiscoveryName === "kv" || d.TargetDiscoveryName === "kv";
    const grpc = (d: Record<string, string>) =>
      d.DiscoveryName === "ledger-grpc" || d.TargetDiscoveryName === "ledger-grpc";

    expect(new Set(names(kv))).toEqual(
      new Set([
        "NewConnectionCount",
        "ActiveConnectionCount",
        "ProcessedBytes",
        "TargetProcessedBytes",
      ]),
    );
    expect(new Set(names(grpc))).toEqual(
      new Set([
        "GrpcRequestCount",
        "NewConnectionCount",
        "ActiveConnectionCount",
        "ProcessedBytes",
        "RequestCountPerTarget",
        "TargetProcessedBytes",
        "TargetResponseTime",
      ]),
    );

    const tcp = { DiscoveryName: "kv" };
    const tcpCaller = { TargetDiscoveryName: "kv" };
    const rpc = { DiscoveryName: "ledger-grpc" };
    const rpcCaller = { TargetDiscoveryName: "ledger-grpc" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("tcpRequests", "RequestCount", tcp, "Sum", 60),
      query("tcpConnections", "NewConnectionCount", tcp, "Sum", 60),
      query("tcpBytes", "ProcessedBytes", tcp, "Sum", 60),
      query("tcpActive", "ActiveConnectionCount", tcp, "Average", 60),
      query("tcpTargetBytes", "TargetProcessedBytes", tcpCaller, "Sum", 60),
      query("tcp2xx", "HTTPCode_Target_2XX_Count", tcpCaller, "Sum", 60),
      query("tcpLatency", "TargetResponseTime", tcpCaller, "p99", 60),
      query("tcpPerTarget", "RequestCountPerTarget", tcpCaller, "Sum", 60),
      query("rpcRequests", "GrpcRequestCount", rpc, "Sum", 60),
      query("rpcHttpRequests", "RequestCount", rpc, "Sum", 60),
      query("rpc5xx", "HTTPCode_Target_5XX_Count", rpcCaller, "Sum", 60),
      query("rpcLatency", "TargetResponseTime", rpcCaller, "p50", 60),
      query("rpcPerTarget", "RequestCountPerTarget", rpcCaller, "Sum", 60),
    ]);

    for (const id of ["tcpConnections", "tcpBytes", "tcpActive", "tcpTargetBytes"]) {
      expect(values(id), id).toHaveLength(60);
    }
    expect(values("tcpBytes")).toEqual(values("tcpTargetBytes"));
    for (const v of values("tcpBytes")) expect(v % 500).toBe(0);
    for (const id of ["tcpRequests", "tcp2xx", "tcpLatency", "tcpPerTarget"]) {
      expect(values(id), id).toEqual([]);
    }
    expect(values("rpcRequests")).toHaveLength(60);
    expect(values("rpcPerTarget")).toEqual(values("rpcRequests").map((r) => r / 2));
    expect(new Set(values("rpcLatency"))).toEqual(new Set([100]));
    for (const id of ["rpcHttpRequests", "rpc5xx"]) expect(values(id), id).toEqual([]);
  });

  it("publishes nothing for a caller or a publisher without a RUNNING task", async () => {
    const fleet = loadDemoFleet();
    const namespace = fleet.namespaces.find((n) => n.Name === "service-connect")?.Arn as string;
    // A caller whose tasks all stopped, calling nginx...
    addService(fleet, { cluster: "tutorial", name: "batch", namespace, running: 0, stopped: 2 });
    fleet.traffic?.publishers[0]?.callers.push({
      cluster: "tutorial",
      service: "batch",
      ...flow(5000, SLOW),
    });
    // ...and api-service with its 3 tasks stopped.
    for (const task of fleet.tasks) {
      if (task.group === "service:api-service") task.lastStatus = "STOPPED";
    }
    const batch = { TargetDiscoveryName: "nginx", ServiceName: "batch", ClusterName: "tutorial" };
    const { values } = await fetchSeries(await emulate(fleet), [
      query("nginx", "RequestCount", { DiscoveryName: "nginx" }, "Sum", 60),
      query("nginxCodes", "HTTPCode_Target_2XX_Count", { TargetDiscoveryName: "nginx" }, "Sum", 60),
      query("batchCodes", "HTTPCode_Target_2XX_Count", batch, "Sum", 60),
      query("batchBytes", "TargetProcessedBytes", batch, "Sum", 60),
      query("api", "RequestCount", API_SERVER, "Sum", 60),
      query("apiActive", "ActiveConnectionCount", API_SERVER, "Average", 60),
      query("apiCaller", "HTTPCode_Target_2XX_Count", API_CALLER, "Sum", 60),
      query("apiLatency", "TargetResponseTime", { TargetDiscoveryName: "api" }, "p50", 60),
    ]);

    for (const id of ["batchCodes", "batchBytes", "api", "apiActive", "apiCaller", "apiLatency"]) {
      expect(values(id), id).toEqual([]);
    }
    // batch's 5000 a minute reach no one: nginx serves web-frontend's requests only, as in the demo.
    const minutes = Array.from({ length: 60 }, (_, i) => NOW_MINUTE - 3600 + i * 60);
    const demo = (m: number, metric: string, d: Record<string, string>) =>
      syntheticValue(metric, d, m, "Sum", { now: NOW });
    expect(values("nginx")).toEqual(
      minutes.map((m) => demo(m, "RequestCount", { DiscoveryName: "nginx" })),
    );
    expect(values("nginxCodes")).toEqual(
      minutes.map((m) => demo(m, "HTTPCode_Target_2XX_Count", { TargetDiscoveryName: "nginx" })),
    );
    expect(publishedSeries(fleet).some((s) => s.dimensions.DiscoveryName === "api")).toBe(false);
  });

  it("refuses a traffic entry the fleet cannot back, naming it", async () => {
    const misspelt = loadDemoFleet();
    const api = misspelt.traffic?.publishers[1];
    if (api?.callers[0]) api.callers[0].service = "web-frontnd";
    const build = (fleet: Fleet) => () => cloudWatchOperations({ now: () => NOW, fleet });

    expect(build(misspelt)).toThrow(
      "traffic.publishers[1].callers[0]: no service tutorial/web-frontnd in the fleet",
    );
    await expect(startEmulator({ fleet: misspelt })).rejects.toThrow(
      "traffic.publishers[1].callers[0]: no service tutorial/web-frontnd",
    );
    expect(() =>
      syntheticValue("RequestCount", API_SERVER, NOW_MINUTE - 60, "Sum", {
        now: NOW,
        fleet: misspelt,
      }),
    ).toThrow("traffic.publishers[1].callers[0]");

    const wrongCluster = loadDemoFleet();
    const nginx = wrongCluster.traffic?.publishers[0];
    if (nginx) nginx.cluster = "ecs_service_discovery";
    expect(build(wrongCluster)).toThrow(
      "traffic.publishers[0]: no service ecs_service_discovery/service-connect-nginx-service in the fleet",
    );

    // web-frontend is a Service Connect client only: it publishes no discovery name.
    const notPublished = loadDemoFleet();
    const index = notPublished.traffic?.publishers.length ?? 0;
    notPublished.traffic?.publishers.push({
      cluster: "tutorial",
      service: "web-frontend",
      discoveryName: "http",
      callers: [],
    });
    expect(build(notPublished)).toThrow(
      `traffic.publishers[${index}]: discovery name http is not in the Service Connect configuration of tutorial/web-frontend's PRIMARY deployment`,
    );

    // billing-worker has no Service Connect: no proxy to call through (it belongs under outside).
    const noProxy = loadDemoFleet();
    noProxy.traffic?.publishers[0]?.callers.push({
      cluster: "ecs_service_discovery",
      service: "billing-worker",
      ...flow(10, SLOW),
    });
    expect(build(noProxy)).toThrow(
      "traffic.publishers[0].callers[1]: ecs_service_discovery/billing-worker has no Service Connect",
    );

    const badShares = loadDemoFleet();
    const first = badShares.traffic?.publishers[0]?.callers[0];
    if (first) first.latencyBuckets = [{ le: 10, share: 0.5 }];
    expect(build(badShares)).toThrow(
      "traffic.publishers[0].callers[0].latencyBuckets: shares sum to 0.5, not 1",
    );
  });
});

/** Width, height and the decoded RGB rows (filter 0) of a PNG the emulator drew. */
function decodePng(png: Uint8Array): { width: number; height: number; rgb: Buffer } {
  const bytes = Buffer.from(png);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    }
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 3 + 1)]).toBe(0);
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  }
  return { width, height, rgb };
}

function hasColour(rgb: Buffer, [r, g, b]: [number, number, number]): boolean {
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) return true;
  }
  return false;
}

describe("CloudWatch GetMetricWidgetImage on the emulator", () => {
  let emu: RunningEmulator;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    emu = await startEmulator({ fleet: loadDemoFleet(), now: () => NOW });
    cw = client(emu);
  });
  afterAll(() => emu.close());

  it("draws the requested series as a real PNG line chart", async () => {
    const { MetricWidgetImage } = await cw.send(
      new GetMetricWidgetImageCommand({
        OutputFormat: "png",
        MetricWidget: JSON.stringify({
          title: "api latency",
          metrics: [
            ["AWS/ECS", "TargetResponseTime", "TargetDiscoveryName", "api", { stat: "p99" }],
            ["...", "nginx", { stat: "p99", color: "#d62728" }],
          ],
          period: 60,
          start: "-PT1H",
          end: "P0D",
          width: 600,
          height: 300,
        }),
      }),
    );
    const png = MetricWidgetImage ?? new Uint8Array();
    const { width, height, rgb } = decodePng(png);

    expect([...png.subarray(0, 8)]).toEqual([...PNG_SIGNATURE]);
    expect([width, height]).toEqual([600, 300]);
    expect(hasColour(rgb, [0x1f, 0x77, 0xb4])).toBe(true); // first series, default palette
    expect(hasColour(rgb, [0xd6, 0x27, 0x28])).toBe(true); // second series, its own colour
    expect(rgb.subarray(0, 3)).toEqual(Buffer.from([255, 255, 255]));
  });

  it("answers an unparseable MetricWidget with InvalidParameterInput", async () => {
    const error = await cw
      .send(new GetMetricWidgetImageCommand({ MetricWidget: "{not json" }))
      .catch((e: unknown) => e);

    // CloudWatch's Query code InvalidParameterInput is modelled only as DashboardInvalidInputError.
    expect(error).toBeInstanceOf(DashboardInvalidInputError);
    expect(error).toMatchObject({
      Code: "InvalidParameterInput",
      $metadata: { httpStatusCode: 400 },
    });
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

describe("CloudWatch SEARCH expressions on the emulator", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ fleet: loadDemoFleet(), now: () => NOW, searchSeriesMax: 3 });
  });
  afterAll(() => emu.close());

  const search = (expression: string, label?: string): MetricDataQuery => ({
    Id: "s0",
    Expression: expression,
    ...(label ? { Label: label } : {}),
  });
  const run = (queries: MetricDataQuery[]) =>
    client(emu).send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 30 * 60_000),
        EndTime: new Date(NOW_MINUTE * 1000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: queries,
      }),
    );

  it("returns one result per series found, under the query's Id, named by its dynamic label", async () => {
    const out = await run([
      search(
        `SEARCH('{AWS/ECS,ClusterName,DiscoveryName,ServiceName} MetricName="RequestCount" ClusterName="tutorial"', 'Sum', 60)`,
        // CloudWatch's dynamic-label syntax, not a template: the emulator fills it in.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch syntax
        "${PROP('Dim.ClusterName')}|${PROP('Dim.ServiceName')}|${PROP('Dim.DiscoveryName')}",
      ),
    ]);
    const results = out.MetricDataResults ?? [];
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.Id === "s0")).toBe(true);
    expect(results.map((r) => r.Label)).toContain("tutorial|service-connect-nginx-service|nginx");
    // The same series asked directly has the same datapoints.
    const direct = await run([
      query(
        "d0",
        "RequestCount",
        {
          DiscoveryName: "nginx",
          ServiceName: "service-connect-nginx-service",
          ClusterName: "tutorial",
        },
        "Sum",
        60,
      ),
    ]);
    const found = results.find((r) => r.Label === "tutorial|service-connect-nginx-service|nginx");
    expect(found?.Values).toEqual(direct.MetricDataResults?.[0]?.Values);
    expect(found?.Values?.length).toBeGreaterThan(0);
  });

  it("finds only series with exactly the schema's dimensions", async () => {
    const out = await run([
      search(`SEARCH('{AWS/ECS,DiscoveryName} MetricName="RequestCount"', 'Sum', 60)`),
    ]);
    // The single-dimension aggregates only: their default label is the value and the metric.
    expect((out.MetricDataResults ?? []).map((r) => r.Label)).toContain("nginx RequestCount");
    expect((out.MetricDataResults ?? []).every((r) => !r.Label?.includes("tutorial"))).toBe(true);
  });

  it("returns no more series than one search may (500 on AWS, 3 here)", async () => {
    const out = await run([
      search(
        `SEARCH('{AWS/ECS,ClusterName,ServiceName,TargetDiscoveryName} MetricName="TargetResponseTime"', 'p99', 60)`,
      ),
    ]);
    expect(out.MetricDataResults).toHaveLength(3);
  });

  it("counts the series searches find toward the call's metrics, cuts past it and says so only in Messages", async () => {
    // API GetMetricData: 500 metrics per call, and "Maximum number of allowed metrics exceeded"
    // in Messages while as much as possible is still executed; search series count toward the
    // 500 (AWS Support in grafana/grafana#21411). 4 here: two searches of 3 series are over.
    const capped = await startEmulator({
      fleet: loadDemoFleet(),
      now: () => NOW,
      searchSeriesMax: 3,
      metricsPerCallMax: 4,
    });
    try {
      const expression = (metric: string) =>
        `SEARCH('{AWS/ECS,ClusterName,ServiceName,TargetDiscoveryName} MetricName="${metric}"', 'Sum', 60)`;
      const out = await client(capped).send(
        new GetMetricDataCommand({
          StartTime: new Date(NOW - 30 * 60_000),
          EndTime: new Date(NOW_MINUTE * 1000),
          MetricDataQueries: [
            { Id: "a", Expression: expression("HTTPCode_Target_2XX_Count") },
            { Id: "b", Expression: expression("TargetProcessedBytes") },
          ],
        }),
      );
      expect(out.MetricDataResults).toHaveLength(4);
      expect(out.MetricDataResults?.every((r) => r.StatusCode === "Complete")).toBe(true);
      expect(out.Messages).toEqual([
        { Code: "MaxMetricsExceeded", Value: "Maximum number of allowed metrics exceeded" },
      ]);
      const one = await client(capped).send(
        new GetMetricDataCommand({
          StartTime: new Date(NOW - 30 * 60_000),
          EndTime: new Date(NOW_MINUTE * 1000),
          MetricDataQueries: [{ Id: "a", Expression: expression("HTTPCode_Target_2XX_Count") }],
        }),
      );
      expect(one.MetricDataResults).toHaveLength(3);
      expect(one.Messages).toEqual([]);
    } finally {
      await capped.close();
    }
  });

  it("refuses search syntax it does not model rather than answering it wrongly", async () => {
    await expect(
      run([search(`SEARCH('{AWS/ECS,DiscoveryName} RequestCount', 'Sum', 60)`)]),
    ).rejects.toThrow(/exact terms/);
  });
});

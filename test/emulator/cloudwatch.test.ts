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
  PNG_SIGNATURE,
  PUBLISHED_SERIES,
  RETENTION_SECONDS,
  syntheticValue,
} from "../../emulator/cloudwatch.ts";
import { generateFleet, loadDemoFleet } from "../../emulator/fleet.ts";
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
 * minutes floor(start / period) * period <= m < end, bucketed at floor(m / period) * period.
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
  const buckets = new Map<number, { sum: number; n: number; max: number; weighted: number }>();
  for (let m = Math.floor(startSeconds / period) * period; m < endSeconds; m += 60) {
    const one = (s: string) => syntheticValue(metricName, dimensions, m, s, { now });
    const sum = one("Sum");
    const n = one("SampleCount");
    if (sum === undefined || n === undefined) continue;
    const bucket = Math.floor(m / period) * period;
    const b = buckets.get(bucket) ?? { sum: 0, n: 0, max: -Infinity, weighted: 0 };
    b.sum += sum;
    b.n += n;
    b.max = Math.max(b.max, one("Maximum") as number);
    if (stat.startsWith("p")) b.weighted += n * (one(stat) as number);
    buckets.set(bucket, b);
  }
  const timestamps = [...buckets.keys()].sort((a, b) => a - b);
  const values = timestamps.map((t) => {
    const b = buckets.get(t) as { sum: number; n: number; max: number; weighted: number };
    if (stat === "Sum") return b.sum;
    if (stat === "SampleCount") return b.n;
    if (stat === "Average") return b.sum / b.n;
    if (stat === "Maximum") return b.max;
    return b.weighted / b.n;
  });
  return { timestamps, values };
}

const seconds = (dates: Date[] | undefined) => (dates ?? []).map((d) => d.getTime() / 1000);

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
    const nginxActive = {
      DiscoveryName: "nginx",
      ServiceName: "service-connect-nginx-service",
      ClusterName: "tutorial",
    };
    const cases = [
      ["sum", "RequestCount", nginx, "Sum"],
      ["avg", "TargetResponseTime", api, "Average"],
      ["p99", "TargetResponseTime", api, "p99"],
      ["p95", "TargetResponseTime", api, "p95.5"],
      ["peak", "ActiveConnectionCount", nginxActive, "Maximum"],
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
    const m = NOW_MINUTE - 7 * 60;
    const f = 1 + 0.05 * Math.sin((2 * Math.PI * m) / 5400);
    const requests = Math.round(1200 * f);

    expect(syntheticValue("RequestCount", { DiscoveryName: "nginx" }, m, "Sum", { now: NOW })).toBe(
      requests,
    );
    expect(
      syntheticValue("HTTPCode_Target_3XX_Count", { TargetDiscoveryName: "nginx" }, m, "Sum", {
        now: NOW,
      }),
    ).toBe(Math.round(requests * 0.003));
    expect(
      syntheticValue("TargetResponseTime", { TargetDiscoveryName: "nginx" }, m, "p90", {
        now: NOW,
      }),
    ).toBeCloseTo(15 * f, 9);
    expect(
      syntheticValue("RequestCount", { DiscoveryName: "nginx" }, NOW_MINUTE, "Sum", { now: NOW }),
    ).toBeUndefined(); // the current minute is not complete yet
    expect(
      syntheticValue(
        "RequestCount",
        { DiscoveryName: "nginx" },
        NOW_MINUTE - RETENTION_SECONDS - 60,
        "Sum",
        {
          now: NOW,
        },
      ),
    ).toBeUndefined();
  });

  it("matches dimensions exactly, as CloudWatch does", async () => {
    const full = {
      DiscoveryName: "nginx",
      ServiceName: "service-connect-nginx-service",
      ClusterName: "tutorial",
    };
    const { MetricDataResults = [] } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 3600_000),
        EndTime: new Date(NOW),
        MetricDataQueries: [
          query("alone", "RequestCount", { DiscoveryName: "nginx" }, "Sum"),
          query("full", "RequestCount", full, "Sum"),
          query(
            "partial",
            "RequestCount",
            { DiscoveryName: "nginx", ClusterName: "tutorial" },
            "Sum",
          ),
          query("caller", "RequestCount", { ...full, ServiceName: "web-frontend" }, "Sum"),
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
    expect(byId("full")?.Values).toEqual(byId("alone")?.Values);
    expect(count("client")).toBe(13);
    for (const id of ["partial", "caller", "server", "publisher", "billing"]) {
      expect(byId(id), id).toMatchObject({ Timestamps: [], Values: [], StatusCode: "Complete" });
    }
  });

  it("adds up the client-side status codes to the server-side request count", async () => {
    const codes = ["2XX", "3XX", "4XX", "5XX"];
    const { MetricDataResults = [] } = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(NOW - 3600_000),
        EndTime: new Date(NOW),
        MetricDataQueries: [
          query("requests", "RequestCount", { DiscoveryName: "api" }, "Sum", 60),
          ...codes.map((c) =>
            query(`c${c}`, `HTTPCode_Target_${c}_Count`, { TargetDiscoveryName: "api" }, "Sum", 60),
          ),
        ],
      }),
    );
    const values = (id: string) => MetricDataResults.find((r) => r.Id === id)?.Values ?? [];

    const totals = values("c2XX").map((_, i) =>
      codes.reduce((n, c) => n + (values(`c${c}`)[i] ?? 0), 0),
    );
    expect(values("requests")).toHaveLength(60);
    expect(totals).toEqual(values("requests"));
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
});

describe("CloudWatch on the emulator with the real clock", () => {
  it("shows the api 5XX burst in the last 15 minutes and not an hour ago", async () => {
    const emu = await startEmulator({ fleet: loadDemoFleet() });
    try {
      const now = Date.now();
      const { MetricDataResults = [] } = await client(emu).send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 2 * 3600_000),
          EndTime: new Date(now),
          MetricDataQueries: [
            query("requests", "RequestCount", { DiscoveryName: "api" }, "Sum", 60),
            query("errors", "HTTPCode_Target_5XX_Count", { TargetDiscoveryName: "api" }, "Sum", 60),
            query("p99", "TargetResponseTime", { TargetDiscoveryName: "api" }, "p99", 60),
            query("p50", "TargetResponseTime", { TargetDiscoveryName: "api" }, "p50", 60),
          ],
        }),
      );
      const at = (id: string, minutesAgo: number) => {
        const r = MetricDataResults.find((x) => x.Id === id);
        const target = Math.floor(now / 60_000) * 60_000 - minutesAgo * 60_000;
        const i = r?.Timestamps?.findIndex((t) => t.getTime() === target) ?? -1;
        return r?.Values?.[i] as number;
      };
      const errorRate = (minutesAgo: number) =>
        at("errors", minutesAgo) / at("requests", minutesAgo);

      for (const minutesAgo of [2, 5, 10]) {
        expect(errorRate(minutesAgo)).toBeGreaterThan(0.2);
        expect(at("p99", minutesAgo)).toBeGreaterThan(1500);
        expect(at("p50", minutesAgo)).toBeGreaterThan(55);
      }
      for (const minutesAgo of [60, 61, 90]) {
        expect(errorRate(minutesAgo)).toBeLessThan(0.01);
        expect(at("p99", minutesAgo)).toBeLessThan(90);
        expect(at("p50", minutesAgo)).toBeLessThan(22);
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

  it("lists 22 published series per discovery name with both dimension sets of each side", () => {
    const sets = new Set(
      PUBLISHED_SERIES.filter(
        (s) => s.metricName === "RequestCount" || s.metricName === "TargetResponseTime",
      ).map((s) => `${s.metricName} ${JSON.stringify(s.dimensions)}`),
    );

    expect(PUBLISHED_SERIES).toHaveLength(44);
    expect([...sets].sort()).toEqual(
      [
        'RequestCount {"DiscoveryName":"api"}',
        'RequestCount {"DiscoveryName":"api","ServiceName":"api-service","ClusterName":"ecs_service_discovery"}',
        'RequestCount {"DiscoveryName":"nginx"}',
        'RequestCount {"DiscoveryName":"nginx","ServiceName":"service-connect-nginx-service","ClusterName":"tutorial"}',
        'TargetResponseTime {"TargetDiscoveryName":"api"}',
        'TargetResponseTime {"TargetDiscoveryName":"api","ServiceName":"web-frontend","ClusterName":"tutorial"}',
        'TargetResponseTime {"TargetDiscoveryName":"nginx"}',
        'TargetResponseTime {"TargetDiscoveryName":"nginx","ServiceName":"web-frontend","ClusterName":"tutorial"}',
      ].sort(),
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

import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { CloudWatchAdapter } from "../../src/aws/cloudwatch.ts";
import type { MetricQuery } from "../../src/domain/metrics.ts";
import {
  ECS_HOST,
  ECS_TARGET,
  interceptJson,
  onlyNock,
  REGION,
  type SeenCall,
  WIRE_CREDENTIALS,
  wireEcs,
} from "../support/aws-wire.ts";

// Batching and paging at their edges: exactly a batch, and one more (issue 11).
const credentials = WIRE_CREDENTIALS;
const ecs = wireEcs;
const sizes = (seen: SeenCall[], key: string) =>
  seen.map((c) => (c.body[key] as string[]).length).sort((a, b) => b - a);

onlyNock();

describe("batches and pages at their edges", () => {
  it.each([
    [10, [10]],
    [11, [10, 1]],
  ])("describes %i services in DescribeServices batches of %j", async (n, batches) => {
    const seen: SeenCall[] = [];
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeServices`,
      () => ({ services: [], failures: [] }),
      seen,
      batches.length,
    );

    await ecs().describeServices(
      "big",
      Array.from({ length: n }, (_, i) => `svc-${i}`),
    );

    expect(sizes(seen, "services")).toEqual(batches);
  });

  it.each([
    [100, [100]],
    [101, [100, 1]],
  ])("describes %i tasks in DescribeTasks batches of %j", async (n, batches) => {
    const seen: SeenCall[] = [];
    interceptJson(
      ECS_HOST,
      `${ECS_TARGET}.DescribeTasks`,
      () => ({ tasks: [], failures: [] }),
      seen,
      batches.length,
    );

    await ecs().describeTasks(
      "big",
      Array.from({ length: n }, (_, i) => i.toString(16).padStart(32, "0")),
    );

    expect(sizes(seen, "tasks")).toEqual(batches);
  });

  it.each([
    [100, false],
    [101, true],
  ])(
    "reads one page of a namespace of %i services and says whether there are more (%s)",
    async (n, more) => {
      const seen: SeenCall[] = [];
      const arns = Array.from(
        { length: n },
        (_, i) => `arn:aws:ecs:${REGION}:123456789012:service/c/s${i}`,
      );
      interceptJson(
        ECS_HOST,
        `${ECS_TARGET}.ListServicesByNamespace`,
        () => ({ serviceArns: arns.slice(0, 100), ...(n > 100 ? { nextToken: "page-2" } : {}) }),
        seen,
      );

      const page = await ecs().servicesByNamespacePage("arn:aws:servicediscovery:ns");

      expect(seen[0]?.body.maxResults).toBe(100);
      expect(page.arns).toHaveLength(100);
      expect(page.more).toBe(more);
    },
  );

  it.each([
    [500, 1],
    [501, 2],
  ])("reads %i metric queries in %i GetMetricData calls", async (n, calls) => {
    const seen: number[] = [];
    nock(`https://monitoring.${REGION}.amazonaws.com`)
      .post("/")
      .times(calls)
      .reply(
        200,
        (_uri, body) => {
          const parsed = (typeof body === "string" ? JSON.parse(body) : body) as {
            MetricDataQueries: { Id: string }[];
          };
          seen.push(parsed.MetricDataQueries.length);
          return {
            MetricDataResults: parsed.MetricDataQueries.map((q) => ({
              Id: q.Id,
              StatusCode: "Complete",
              Timestamps: [],
              Values: [],
            })),
          };
        },
        { "content-type": "application/x-amz-json-1.0" },
      );
    const queries: MetricQuery[] = Array.from({ length: n }, (_, i) => ({
      id: `q${i}`,
      namespace: "AWS/ECS",
      metricName: "RequestCount",
      dimensions: { DiscoveryName: `d${i}` },
      period: 60,
      stat: "Sum",
    }));
    const cloudWatch = new CloudWatchAdapter(
      new CloudWatchClient({ region: REGION, credentials, maxAttempts: 1 }),
    );

    const series = await cloudWatch.getMetricData(
      queries,
      new Date("2026-11-24T10:00:00Z"),
      new Date("2026-11-24T11:00:00Z"),
    );

    expect(seen.sort((a, b) => b - a)).toEqual(calls === 1 ? [500] : [500, 1]);
    expect(series.size).toBe(n);
  });

  it.each([
    ["goes on from the first page's token", 0, 2],
    ["starts again when ECS refuses that token", 1, 4],
  ])("lists the rest of a namespace after its first page: %s", async (_, refusals, calls) => {
    const arns = Array.from(
      { length: 101 },
      (_, i) => `arn:aws:ecs:${REGION}:123456789012:service/c/s${i}`,
    );
    const tokens: (string | undefined)[] = [];
    let refuse = refusals;
    nock(ECS_HOST, { reqheaders: { "x-amz-target": `${ECS_TARGET}.ListServicesByNamespace` } })
      .post("/")
      .times(calls)
      .reply((_uri, body) => {
        const { nextToken } = (typeof body === "string" ? JSON.parse(body) : body) as {
          nextToken?: string;
        };
        tokens.push(nextToken);
        const headers = { "content-type": "application/x-amz-json-1.1" };
        if (nextToken && refuse-- > 0) {
          const error = { __type: "InvalidParameterException", message: "Invalid token" };
          return [400, error, headers];
        }
        const page = nextToken
          ? { serviceArns: arns.slice(100) }
          : { serviceArns: arns.slice(0, 100), nextToken: "t2" };
        return [200, page, headers];
      });
    const adapter = ecs();

    await adapter.servicesByNamespacePage("ns");
    const all = await adapter.listServicesByNamespace("ns");

    expect(all).toEqual(arns);
    expect(tokens).toEqual(refusals ? [undefined, "t2", undefined, "t2"] : [undefined, "t2"]);
  });
});

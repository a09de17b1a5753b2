import {
  CloudWatchClient,
  type GetMetricDataInput,
  type GetMetricDataOutput,
} from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import { CloudWatchAdapter } from "../../src/aws/cloudwatch.ts";
import { AwsReadError } from "../../src/aws/errors.ts";
import type { MetricSearch } from "../../src/domain/metrics.ts";

// What CloudWatch's GetMetricData answers that the adapter must not take for a full answer: a
// call-level message ("Maximum number of allowed metrics exceeded": API GetMetricData), a result
// status other than Complete (API MetricDataResult), and labels that name no series the search
// asked for (a dynamic label left unfilled, a series outside the search's filter).

const START = new Date("2026-11-23T14:00:00Z");
const END = new Date("2026-11-23T16:00:00Z");
const AT = new Date("2026-11-23T15:00:00Z");
const CAPPED = { Code: "MaxMetricsExceeded", Value: "Maximum number of allowed metrics exceeded" };

/** A real client whose calls each get `answer(input)`, without the network. */
function adapterAnswering(answer: (input: GetMetricDataInput) => GetMetricDataOutput) {
  const client = new CloudWatchClient({
    region: "ap-northeast-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  const calls: GetMetricDataInput[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const input = args.input as GetMetricDataInput;
      calls.push(input);
      return { output: { $metadata: {}, ...answer(input) }, response: {} };
    },
    { step: "initialize", name: "answer" },
  );
  return { cloudWatch: new CloudWatchAdapter(client), calls };
}

const callers = (id: string, target = "api"): MetricSearch => ({
  id,
  namespace: "AWS/ECS",
  metricName: "HTTPCode_Target_5XX_Count",
  dimensionNames: ["TargetDiscoveryName", "ServiceName", "ClusterName"],
  filter: { TargetDiscoveryName: target },
  period: 60,
  stat: "Sum",
});

const series = (id: string, label: string, status = "Complete") => ({
  Id: id,
  Label: label,
  Timestamps: [AT],
  Values: [3],
  StatusCode: status as "Complete",
});

describe("searches CloudWatch did not answer in full", () => {
  it("takes no search of a call that says MaxMetricsExceeded as complete, and asks again in halves", async () => {
    const { cloudWatch, calls } = adapterAnswering((input) => {
      const ids = (input.MetricDataQueries ?? []).map((q) => q.Id ?? "");
      return {
        MetricDataResults: ids.map((id) => series(id, "api|web|tutorial")),
        Messages: ids.length > 1 ? [CAPPED] : [],
      };
    });

    const complete = await cloudWatch.searchAhead([callers("a"), callers("b")], START, END);

    expect(calls.map((c) => c.MetricDataQueries?.length)).toEqual([2, 1, 1]);
    expect([...complete]).toEqual([
      ["a", true],
      ["b", true],
    ]);
  });

  it("keeps a single search cut at the cap incomplete: its callers are unknown, not silent", async () => {
    const { cloudWatch } = adapterAnswering(() => ({
      MetricDataResults: [series("a", "api|web|tutorial")],
      Messages: [CAPPED],
    }));

    const complete = await cloudWatch.searchAhead([callers("a")], START, END);

    expect(complete.get("a")).toBe(false);
    expect(
      cloudWatch.seriesMembers(
        [{ ...callers("a"), dimensionNames: callers("a").dimensionNames }],
        { name: "TargetDiscoveryName", value: "api" },
        ["ClusterName", "ServiceName"],
        START,
        END,
      ),
    ).toBeUndefined();
  });

  it("takes a search with a result not Complete, a label left unfilled, or a series outside its filter as incomplete", async () => {
    const { cloudWatch } = adapterAnswering(() => ({
      MetricDataResults: [
        series("partial", "api|web|tutorial", "PartialData"),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch's dynamic-label syntax, unfilled
        series("unfilled", "api|${PROP('Dim.ServiceName')}|tutorial"),
        series("outside", "api-v2|web|tutorial"),
        series("fine", "api|web|tutorial"),
      ],
      Messages: [],
    }));

    const complete = await cloudWatch.searchAhead(
      [callers("partial"), callers("unfilled"), callers("outside"), callers("fine")],
      START,
      END,
    );

    expect(Object.fromEntries(complete)).toEqual({
      partial: false,
      unfilled: false,
      outside: false,
      fine: true,
    });
  });

  it("reports metric queries of a call that carries a message as partial figures, not zeros", async () => {
    const { cloudWatch } = adapterAnswering(() => ({
      MetricDataResults: [{ Id: "q0", Timestamps: [], Values: [], StatusCode: "Complete" }],
      Messages: [CAPPED],
    }));

    const read = cloudWatch.getMetricData(
      [
        {
          id: "q0",
          namespace: "AWS/ECS",
          metricName: "RequestCount",
          dimensions: { DiscoveryName: "api", ServiceName: "api", ClusterName: "prod" },
          period: 60,
          stat: "Sum",
        },
      ],
      START,
      END,
    );

    await expect(read).rejects.toBeInstanceOf(AwsReadError);
    await expect(read).rejects.toMatchObject({
      reason: "GetMetricData answered only in part (MaxMetricsExceeded): the figures are partial",
    });
  });
});

describe("queries a search answered beside ones it did not", () => {
  it("sends CloudWatch only the queries no search covers (a load balancer's), in one call", async () => {
    const { cloudWatch, calls } = adapterAnswering((input) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) =>
        series(q.Id ?? "", q.Expression ? "api|web|tutorial" : (q.Id ?? "")),
      ),
    }));
    await cloudWatch.searchAhead([callers("a")], START, END);

    const out = await cloudWatch.getMetricData(
      [
        {
          id: "caller0http5xx",
          namespace: "AWS/ECS",
          metricName: "HTTPCode_Target_5XX_Count",
          dimensions: { TargetDiscoveryName: "api", ServiceName: "web", ClusterName: "tutorial" },
          period: 60,
          stat: "Sum",
        },
        {
          id: "lb0req",
          namespace: "AWS/ApplicationELB",
          metricName: "RequestCount",
          dimensions: { TargetGroup: "targetgroup/tg/1", LoadBalancer: "app/alb/2" },
          period: 60,
          stat: "Sum",
        },
      ],
      START,
      END,
    );

    expect(calls).toHaveLength(2);
    expect(calls[1]?.MetricDataQueries?.map((q) => q.Id)).toEqual(["lb0req"]);
    expect(out.get("caller0http5xx")?.points.map((p) => p.value)).toEqual([3]);
    expect(out.get("lb0req")?.points.map((p) => p.value)).toEqual([3]);
  });
});

import {
  type CloudWatchClient,
  DashboardInvalidInputError,
  GetMetricWidgetImageCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../../emulator/fleet/demo.ts";
import { PNG_SIGNATURE } from "../../../emulator/png.ts";
import { type RunningEmulator, startEmulator } from "../../../emulator/server.ts";
import { client, decodePng, hasColour, NOW } from "./support.ts";

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

import { describe, expect, it } from "vitest";
import { slackTexts } from "../../bench/slack-texts.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { renderText } from "../../src/render/text.ts";
import {
  bridgeFleet,
  FAILING_BRIDGE_TARGET,
  FAILING_BRIDGE_TASK,
} from "../support/bridge-fleet.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// Issue 24 item 2, instance targets: legacy/storefront runs in bridge mode behind the `instance`
// target group storefront-tg. Its targets are EC2 instance IDs with dynamic host ports; the one
// failing, i-0a1b2c3d4e5f60718:32769, is the second of the two tasks on that instance.

const aws = useEmulatorPerFile({ fleet: bridgeFleet });
const ask = (text: string) => runEcsCommand(text, () => awsContext("ap-northeast-1"));
const health = async (name: string) => renderText((await ask(`health ${name}`)).doc);
const calls = (operation: string) =>
  aws.emulator.requests.filter((r) => r.operation === operation).length;
const short = FAILING_BRIDGE_TASK.slice(0, 12);

describe("/ecs health of a bridge-mode service behind an instance target group", () => {
  it("names the task of the failing instance:port target", async () => {
    const text = await health("storefront");
    const section = text.split("Load balancer target groups:\n")[1]?.split("\n\n")[0] ?? "";

    expect(section).toMatch(
      new RegExp(
        `✖ ${FAILING_BRIDGE_TARGET} · task ${short} · unhealthy Target\\.ResponseCodeMismatch`,
      ),
    );
    expect(section).toMatch(/✔ i-0a1b2c3d4e5f60718:32768 · task 7c3a4b5c6d7e · healthy/);
    expect(section).toMatch(/✔ i-0b2c3d4e5f6071829:32768 · task 9e5c6d7e8f90 · healthy/);
  });

  it("leads with the failing target and its task, and the first view names both", async () => {
    const doc = (await ask("health storefront")).doc;
    const first = slackTexts(renderBlocks(doc).blocks).join("\n");

    expect(renderText(doc).split("\n")[0]).toMatch(
      new RegExp(
        `^▲ DEGRADED legacy/storefront: 1 of 3 targets of storefront-tg unhealthy: ${FAILING_BRIDGE_TARGET} \\(task ${short}\\)`,
      ),
    );
    expect(first).toContain(`✖ \`${FAILING_BRIDGE_TARGET}\` · task \`${short}\` · storefront-tg`);
  });

  it("draws each task's own line with its instance:port beside what the balancer says", async () => {
    const text = await health("storefront");
    const tasks = text.split("Tasks (the service publishes no name):\n")[1]?.split("\n\n")[0] ?? "";
    const lineOf = (task: string) =>
      tasks.split("\n").find((l) => l.includes(`task ${task}`)) ?? "";

    expect(lineOf(short)).toMatch(
      new RegExp(
        `^ +✖ UNHEALTHY .*· storefront-tg ${FAILING_BRIDGE_TARGET} Target\\.ResponseCodeMismatch`,
      ),
    );
    expect(lineOf("7c3a4b5c6d7e")).toMatch(
      /^ +✔ healthy .*· storefront-tg i-0a1b2c3d4e5f60718:32768 healthy/,
    );
  });

  it("reads the tasks' container instances in one call", async () => {
    await health("storefront");

    expect(calls("DescribeContainerInstances")).toBe(1);
  });

  it("reads no container instance for a service behind an ip target group", async () => {
    await health("checkout");

    expect(calls("DescribeContainerInstances")).toBe(0);
  });

  it("with container instances denied: no task named for a target, and the answer says why", async () => {
    aws.emulator.setDenied(["DescribeContainerInstances"]);
    const text = await health("storefront");

    expect(text.split("\n")[0]).toMatch(/1 of 3 targets of storefront-tg unhealthy/);
    expect(text).toMatch(/partial: could not read the container instances of legacy\/storefront/);
    expect(text).toMatch(new RegExp(`✖ ${FAILING_BRIDGE_TARGET} · (?!task)`));
    expect(text).not.toMatch(/Target\.NotRegistered/);
    expect(text).toMatch(/its container instance could not be read/);
    // Each task's line says its target is unknown; none is drawn failing or missing.
    const tasks = text.split("Tasks (the service publishes no name):\n")[1]?.split("\n\n")[0] ?? "";
    expect(tasks.split("\n")).toHaveLength(3);
    for (const line of tasks.split("\n")) expect(line).toMatch(/· storefront-tg target unknown$/);
  });
});

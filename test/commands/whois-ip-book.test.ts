import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { taskStateChangeEvents } from "../../emulator/fleet/events.ts";
import { generateFleet } from "../../emulator/fleet/generate.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { whois } from "../../src/commands/whois.ts";
import type { WhoisAnswer } from "../../src/domain/answer.ts";
import { addresses } from "../../src/entry/addresses.ts";
import { renderText } from "../../src/render/text.ts";
import { type RunningDynalite, useDynalite } from "../support/dynalite.ts";
import { ROUND_TRIP_MS, useEmulatedAws } from "../support/emulated-aws.ts";

// A cold `whois <IP>` of an untagged ENI lists the clusters' tasks page by page (ECS has no IP
// filter). With the address book fed by ECS's task state change events (the addresses function),
// it asks the book alongside EC2, confirms the task with one DescribeTasks and reads its service.

// 600 services over 2 clusters, 2 tasks each: 6 pages of ListTasks per cluster.
const fleet = generateFleet({ services: 600, clusters: 2, namespaces: 1 });
const lastIp = (() => {
  const task = fleet.tasks.filter((t) => t.lastStatus === "RUNNING").at(-1);
  const eni = task?.attachments?.find((a) => a.type === "ElasticNetworkInterface");
  return eni?.details?.find((d) => d.name === "privateIPv4Address")?.value ?? "";
})();

let dynamo: RunningDynalite;
let stopAws: (() => Promise<void>) | undefined;
beforeEach(async () => {
  dynamo = await useDynalite("addresses", "AddressBookTable");
  process.env.ADDRESS_TABLE = "addresses";
});
afterEach(async () => {
  delete process.env.ADDRESS_TABLE;
  await stopAws?.();
  await dynamo.stop();
});

async function emulate() {
  const aws = await useEmulatedAws(fleet, ROUND_TRIP_MS);
  stopAws = aws.stop;
  return aws;
}

const ask = (ip: string) => whois(() => awsContext("ap-northeast-1"), ip);

function publisher(answer: WhoisAnswer) {
  return answer.kind === "found" ? answer.resolutions.map((r) => r.publisher.service) : answer.kind;
}

describe("/ecs whois <IP> with the address book fed by ECS's task events", () => {
  it("finds the last task listed in at most 4 round trips cold, where the search takes more", async () => {
    const aws = await emulate();
    delete process.env.ADDRESS_TABLE;
    const searched = await ask(lastIp);
    const searchTrips = aws.emulator.stats().sequentialRoundTrips;

    process.env.ADDRESS_TABLE = "addresses";
    for (const event of taskStateChangeEvents(fleet)) await addresses(event);
    const { clearSharedCache } = await import("../../src/commands/reads/aws-context.ts");
    clearSharedCache();
    aws.emulator.resetStats();
    const booked = await ask(lastIp);

    expect(publisher(booked)).toEqual(publisher(searched));
    expect(publisher(booked)).not.toBe("not-found");
    expect(booked.kind === "found" && booked.gaps).toEqual([]);
    expect(aws.emulator.stats().calls["ECS.ListTasks"] ?? 0).toBeLessThanOrEqual(1);
    expect(aws.emulator.stats().sequentialRoundTrips).toBeLessThanOrEqual(4);
    expect(searchTrips).toBeGreaterThan(4);
    // Round trips are counted, not timed: on a loaded machine the cold search only takes longer.
  }, 90_000);

  it("does not trust a stale entry: a task the book names that no longer holds the address is searched past", async () => {
    const aws = await emulate();
    const [real] = taskStateChangeEvents(fleet).filter(
      (e) => JSON.stringify(e).includes(`"${lastIp}"`) && JSON.stringify(e).includes("RUNNING"),
    );
    if (!real) throw new Error("no event for the address");
    // A task that held the address before (stopped, its STOPPED event lost): ECS says MISSING.
    const detail = real.detail as { taskArn: string };
    const gone = { ...real, detail: { ...detail, taskArn: `${detail.taskArn.slice(0, -4)}dead` } };
    await addresses(gone);

    const answer = await ask(lastIp);

    expect(publisher(answer)).not.toBe("not-found");
    expect(answer.kind === "found" && answer.gaps).toEqual([]);
    expect(aws.emulator.stats().calls["ECS.ListTasks"]).toBeGreaterThan(1);
  });

  it("searches as before, with nothing missing said, when the book cannot be read", async () => {
    await emulate();
    process.env.ADDRESS_TABLE = "no-such-table";

    const answer = await ask(lastIp);

    expect(publisher(answer)).not.toBe("not-found");
    expect(answer.kind === "found" && answer.gaps).toEqual([]);
  });
});

describe("/ecs whois <balancer> with the address book fed by ECS's task events", () => {
  it("names the target group's service from the book where the interfaces carry no ECS tags, without listing the region's services", async () => {
    const aws = await emulate();
    // Only checkout's events: what the book holds of the other 1,200 tasks does not matter here.
    const checkout = taskStateChangeEvents(fleet).filter(
      (e) => (e.detail as { group?: string }).group === "service:checkout",
    );
    expect(checkout.length).toBeGreaterThan(0);
    for (const event of checkout) await addresses(event);
    aws.emulator.resetStats();

    const { doc } = await runEcsCommand(
      "whois internal-shop-alb-1908642753.ap-northeast-1.elb.amazonaws.com",
      () => awsContext("ap-northeast-1"),
    );

    expect(renderText(doc)).toContain("ECS services with targets in it: tutorial/checkout");
    expect(aws.emulator.stats().calls["ECS.ListServices"]).toBeUndefined();
    expect(aws.emulator.stats().sequentialRoundTrips).toBeLessThanOrEqual(6);
  });
});

import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { forgetSchedulerClient } from "../../src/aws/scheduler.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

// Incident digests: `/ecs digest … --every 15m --for 2h` in a channel posts a digest now and
// creates an EventBridge Scheduler schedule for the next ones; `/ecs digest stop` deletes it.
// The real @aws-sdk/client-scheduler talks to nock on its endpoint (REST JSON, as AWS's).

const SCHEDULER = "https://scheduler.test";
const CHANNEL = "C0INCIDENT";
const ENV = {
  AWS_ENDPOINT_URL_SCHEDULER: SCHEDULER,
  DIGEST_SCHEDULE_GROUP: "ecs-chatops-dev-incidents",
  DIGEST_FUNCTION_ARN: "arn:aws:lambda:ap-northeast-1:123456789012:function:ecs-chatops-dev-digest",
  DIGEST_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/ecs-chatops-dev-DigestSchedulerRole",
};

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const ctx = () => awsContext("ap-northeast-1");
const inChannel = (text: string) =>
  runEcsCommand(text, ctx, undefined, { channel: CHANNEL }).then((o) => renderText(o.doc));

beforeAll(async () => {
  aws = await useEmulatedAws();
  Object.assign(process.env, ENV);
  forgetSchedulerClient();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  for (const key of Object.keys(ENV)) delete process.env[key];
  forgetSchedulerClient();
  nock.enableNetConnect();
  await aws.stop();
});
afterEach(() => {
  nock.cleanAll();
});

const awsError = (status: number, type: string, message: string) =>
  [status, { Message: message }, { "x-amzn-errortype": type }] as const;

describe("/ecs digest --every … --for … (incident digests)", () => {
  it("posts the digest now and schedules the next ones every 15 minutes for 2 hours, then deletion", async () => {
    let sent: Record<string, unknown> = {};
    const scheduler = nock(SCHEDULER)
      .post(`/schedules/incident-${CHANNEL}`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(200, { ScheduleArn: "arn:aws:scheduler:ap-northeast-1:123456789012:schedule/x/y" });
    const before = Date.now();

    const text = await inChannel("digest tutorial --every 15m --for 2h");

    expect(scheduler.isDone()).toBe(true);
    expect(text).toMatch(/^Incident digest \(tutorial\) at \d\d:\d\d UTC: 1 degraded, 4 healthy/);
    expect(text).toMatch(
      /Incident digest: the next one in 15 minutes, then every 15 until (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC\. Stop it with \/ecs digest stop\./,
    );
    expect(sent).toMatchObject({
      GroupName: ENV.DIGEST_SCHEDULE_GROUP,
      ScheduleExpression: "rate(15 minutes)",
      ActionAfterCompletion: "DELETE",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: ENV.DIGEST_FUNCTION_ARN, RoleArn: ENV.DIGEST_SCHEDULER_ROLE_ARN },
    });
    // REST JSON timestamps are epoch seconds.
    const end = Number(sent.EndDate) * 1000;
    expect(end - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1_000);
    expect(end - before).toBeLessThan(2 * 3_600_000 + 60_000);
    const input = JSON.parse(String((sent.Target as { Input: string }).Input));
    expect(input).toMatchObject({
      incident: {
        channel: CHANNEL,
        region: "ap-northeast-1",
        clusters: ["tutorial"],
        everyMinutes: 15,
      },
      time: "<aws.scheduler.scheduled-time>",
    });
  });

  it("refuses a second schedule in the same channel, pointing at stop", async () => {
    nock(SCHEDULER)
      .post(`/schedules/incident-${CHANNEL}`)
      .reply(...awsError(409, "ConflictException", "Schedule already exists."));

    const text = await inChannel("digest tutorial --every 15m --for 2h");

    expect(text).toContain("An incident digest already runs in this channel");
  });

  it("still posts the digest, and says why, when the schedule cannot be created", async () => {
    nock(SCHEDULER)
      .post(`/schedules/incident-${CHANNEL}`)
      .reply(...awsError(403, "AccessDeniedException", "not authorized"));

    const text = await inChannel("digest tutorial --every 15m --for 2h");

    expect(text).toMatch(/^Incident digest \(tutorial\)/);
    expect(text).toContain(
      "The incident digest could not be scheduled: the bot's IAM role may not call CreateSchedule (AccessDeniedException)",
    );
  });

  it("offers Refresh as the plain digest: refreshing never schedules again", async () => {
    nock(SCHEDULER)
      .post(`/schedules/incident-${CHANNEL}`)
      .reply(...awsError(409, "ConflictException", "Schedule already exists."));

    const out = await runEcsCommand("digest tutorial --every 15m --for 2h", ctx, undefined, {
      channel: CHANNEL,
    });

    expect(out.doc.command).toBe("digest tutorial");
  });

  it("stops the channel's schedule, or says there was none", async () => {
    nock(SCHEDULER)
      .delete(`/schedules/incident-${CHANNEL}`)
      .query(true)
      .reply(200, {})
      .delete(`/schedules/incident-${CHANNEL}`)
      .query(true)
      .reply(...awsError(404, "ResourceNotFoundException", "Schedule not found."));

    const firstLine = async (command: string) => (await inChannel(command)).split("\n")[0];
    expect(await firstLine("digest stop")).toBe(
      "Incident digest stopped: no more digests will be posted in this channel.",
    );
    expect(await firstLine("digest stop")).toBe(
      "No incident digest runs in this channel: nothing to stop.",
    );
  });

  it.each([
    ["digest --every 15m", "give both --every (how often) and --for (how long)"],
    ["digest --every 1m --for 1h", "--every is from 5m to 1h"],
    ["digest --every 30m --for 15m", "--for is from 15m to 24h, and at least --every"],
    ["digest --every soon --for 1h", "--every takes a duration such as 15m or 2h"],
  ])("refuses %s with a clear message and no AWS call", async (command, reason) => {
    aws.emulator.resetStats();
    expect(await inChannel(command)).toContain(`Cannot make that digest: ${reason}.`);
    expect(aws.emulator.stats().total).toBe(0);
  });

  it("answers --every/--for outside a Slack channel (the CLI) in one line: ask the digest again", async () => {
    aws.emulator.resetStats();
    const out = await runEcsCommand("digest staging --every 15m --for 2h", ctx);
    const bare = await runEcsCommand("digest --for 2h", ctx);

    expect(renderText(out.doc)).toBe(
      "--every and --for schedule digests in a Slack channel; in the terminal, run digest staging again.\n",
    );
    expect(renderText(bare.doc)).toBe(
      "--every and --for schedule digests in a Slack channel; in the terminal, run digest again.\n",
    );
    expect(aws.emulator.stats().total).toBe(0);
  });
});

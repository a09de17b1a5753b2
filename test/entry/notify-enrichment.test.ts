import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { relocateFleet } from "../../emulator/fleet/relocate.ts";
import type { Fleet } from "../../emulator/fleet/types.ts";
import { NOTIFY_FUNCTION_ACTIONS } from "../../src/aws/iam-actions.ts";
import { incidentEnricher } from "../../src/commands/reads/incident-enrichment.ts";
import { parsePlaces } from "../../src/domain/places.ts";
import { type NotifyDeps, notifyDepsFrom, notifyEvent } from "../../src/entry/notify.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";
import { BOT_TOKEN } from "../support/slack-lambda.ts";
import { CHANNEL, notifyDeps, slackApi, TABLE, useNotifyPath } from "./support/notify-path.ts";

// Incidents read fresh with health's rules (issue 23): an EventBridge event of a demo fleet
// service → the light read and health's report from the loopback emulator → the incidents table
// (dynalite) → Slack's Web API (nock). What is asserted is what the Slack message says.

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const DISCOVERY = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/ecs_service_discovery`;
const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition`;
const OOM_TASK = "6f7a8b9c0d1e42f3a4b5c6d7e8f90a17";

let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
const calls = useNotifyPath();

/** The demo fleet, with billing-worker's previous deployment (billing-worker:11) still listed. */
function fleetWithPreviousDeployment(): Fleet {
  const fleet = loadDemoFleet();
  const billing = fleet.services.find((s) => s.serviceName === "billing-worker");
  const primary = billing?.deployments?.[0];
  const definition = fleet.taskDefinitions.find((t) =>
    t.taskDefinitionArn?.endsWith("/billing-worker:12"),
  );
  if (!billing || !primary || !definition) throw new Error("demo fleet changed");
  fleet.taskDefinitions.push({
    ...definition,
    taskDefinitionArn: `${TD}/billing-worker:11`,
    revision: 11,
  });
  billing.deployments = [
    primary,
    {
      ...primary,
      id: "ecs-svc/1111111111111111111",
      status: "ACTIVE",
      taskDefinition: `${TD}/billing-worker:11`,
      createdAt: "2026-11-20T09:00:00.000Z",
      rolloutState: "COMPLETED",
      rolloutStateReason: "ECS deployment ecs-svc/1111111111111111111 completed.",
    },
  ];
  return fleet;
}

async function start(fleet: Fleet = fleetWithPreviousDeployment()) {
  aws = await useEmulatedAws(fleet);
}

afterEach(async () => {
  await aws?.stop();
});

const slack = () => slackApi(calls);

/** The path's deps with the incident enricher over the demo fleet's region and account. */
function deps(routes?: string, deadlineMs?: number): NotifyDeps {
  return {
    ...notifyDeps(undefined, { routes }),
    enrichment: incidentEnricher({
      places: [{ label: REGION, region: REGION }],
      ownAccount: ACCOUNT,
      ...(deadlineMs ? { deadlineMs, glanceDeadlineMs: deadlineMs } : {}),
    }),
  };
}

interface Stop {
  id: string;
  service: string;
  task: string;
  time: string;
  cluster?: string;
  stopCode?: string;
  stoppedReason?: string;
  container?: { name: string; exitCode?: number; reason?: string; image?: string };
  taskDefinition?: string;
}

/** An ECS task state change (STOPPED) of a demo fleet service, in the demo fleet's account. */
function stopEvent(s: Stop) {
  const cluster = s.cluster ?? DISCOVERY;
  const clusterName = cluster.slice(cluster.lastIndexOf("/") + 1);
  const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${clusterName}/${s.task}`;
  return {
    version: "0",
    id: s.id,
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: ACCOUNT,
    time: s.time,
    region: REGION,
    resources: [taskArn],
    detail: {
      clusterArn: cluster,
      taskArn,
      taskDefinitionArn: s.taskDefinition ?? `${TD}/${s.service}:12`,
      group: `service:${s.service}`,
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stoppedAt: s.time,
      version: 3,
      ...(s.stopCode ? { stopCode: s.stopCode } : {}),
      ...(s.stoppedReason ? { stoppedReason: s.stoppedReason } : {}),
      containers: s.container ? [{ ...s.container, lastStatus: "STOPPED", taskArn }] : [],
    },
  };
}

const oomStop = (id = "oom-1", time = "2026-11-23T15:14:22Z", task = OOM_TASK) =>
  stopEvent({
    id,
    service: "billing-worker",
    task,
    time,
    stopCode: "EssentialContainerExited",
    stoppedReason: "Essential container in task exited",
    taskDefinition: `${TD}/billing-worker:12`,
    container: {
      name: "worker",
      exitCode: 137,
      reason: "OutOfMemoryError: Container killed due to memory usage",
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/billing-worker:12.0.1`,
    },
  });

/** A deployment's routine scale-in stop. */
const scaleIn = (id: string, service: string, time: string, task: string) =>
  stopEvent({
    id,
    service,
    task,
    time,
    stopCode: "ServiceSchedulerInitiated",
    stoppedReason: "Scaling activity initiated by (deployment ecs-svc/6284107735519046792)",
    container: { name: "worker", exitCode: 0 },
  });

const posts = () => calls.filter((c) => c.method === "chat.postMessage" && !c.thread_ts);

describe("an incident read fresh with health's rules", () => {
  it("posts the deciding cause, the task definition change and the stopped task's log stream", async () => {
    await start();
    slack();
    await notifyEvent(oomStop(), deps());

    expect(posts()).toHaveLength(1);
    const [post] = posts();
    // The headline: what happened, and health's deciding cause.
    expect(post?.text).toMatch(
      /^✖ billing-worker \(ecs_service_discovery\): task stopped — DOWN: 0 of 2 tasks running; last stop: /,
    );
    const blocks = String(post?.blocks);
    expect(blocks).toContain("billing-worker:11 → billing-worker:12");
    expect(blocks).toContain(
      "deployment ecs-svc/6284107735519046792 started 2026-11-23 15:10 UTC, 4 min before, FAILED",
    );
    expect(blocks).toContain("raise memory in the task definition");
    expect(blocks).toContain(
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fbilling-worker/log-events/worker$252Fworker$252F6f7a8b9c0d1e42f3a4b5c6d7e8f90a17",
    );
    expect(blocks).toContain("Logs of stopped task 6f7a8b9c0d1e");
  });

  it("calls only what the notify function's role grants (NOTIFY_FUNCTION_ACTIONS)", async () => {
    await start();
    slack();
    await notifyEvent(oomStop(), deps());
    const prefix: Record<string, string> = {
      ECS: "ecs",
      ServiceDiscovery: "servicediscovery",
      CloudWatch: "cloudwatch",
      Route53: "route53",
      STS: "sts",
    };
    const called = new Set(
      aws.emulator.requests.map((r) => `${prefix[r.service] ?? r.service}:${r.operation}`),
    );
    expect(called.size).toBeGreaterThan(3);
    for (const action of called) expect(NOTIFY_FUNCTION_ACTIONS).toContain(action);
  });

  it("keeps the enrichment in the incident: a later edit still shows the cause without reading health again", async () => {
    await start();
    slack();
    const d = deps();
    await notifyEvent(oomStop(), d);
    aws.emulator.resetStats();
    // Another task of the same incident, past the 10 s between edits.
    await notifyEvent(
      oomStop("oom-2", "2026-11-23T15:33:46Z", "7a8b9c0d1e2f43a4b5c6d7e8f9a0b128"),
      d,
    );
    const update = calls.find((c) => c.method === "chat.update");
    expect(update?.text).toContain("— DOWN: 0 of 2 tasks running");
    expect(update?.blocks).toContain("billing-worker:11 → billing-worker:12");
    // Folding read nothing but the light read (kept ~25 s): no health report per event.
    const operations = aws.emulator.requests.map((r) => r.operation);
    expect(operations.filter((o) => o !== "DescribeServices")).toEqual([]);
  });

  it("says a denied read in the message and still posts what the event says", async () => {
    await start();
    aws.emulator.setDenied(["ECS.DescribeServices"]);
    slack();
    await notifyEvent(oomStop(), deps());

    expect(posts()).toHaveLength(1);
    const [post] = posts();
    // The headline is the event's: a gap decides nothing.
    expect(post?.text).toMatch(/^▲ billing-worker \(ecs_service_discovery\): task stopped 2026-/);
    expect(post?.blocks).toContain("Health not read: AWS denied DescribeServices");
    expect(post?.blocks).toContain("Container `worker` exit 137");
  });

  it("posts within the deadline when AWS is slow, and says health was not read in time", async () => {
    await start();
    aws.emulator.setLatency(3_000, "DescribeServices");
    slack();
    const started = Date.now();
    await notifyEvent(oomStop(), deps(undefined, 300));
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.blocks).toContain("Health not read: DescribeServices did not answer");
  });

  it("reads a member account's service through its role (BOT_TARGETS)", async () => {
    const MEMBER = "210987654321";
    aws = await useEmulatedAws(loadDemoFleet(), 0, {
      otherFleets: [relocateFleet(fleetWithPreviousDeployment(), MEMBER, "us-east-1")],
    });
    slack();
    const places = parsePlaces(
      JSON.stringify([
        { name: "tokyo", region: REGION },
        {
          name: "prod-us",
          account: `arn:aws:iam::${MEMBER}:role/ecs-chatops-read`,
          region: "us-east-1",
        },
      ]),
    );
    if (!places.ok) throw new Error(places.errors.join());
    const event = JSON.parse(
      JSON.stringify(oomStop()).replaceAll(ACCOUNT, MEMBER).replaceAll(REGION, "us-east-1"),
    ) as ReturnType<typeof oomStop>;
    await notifyEvent(event, {
      ...deps(),
      enrichment: incidentEnricher({ places: places.places, ownAccount: ACCOUNT }),
    });
    const [post] = posts();
    expect(post?.text).toContain("— DOWN: 0 of 2 tasks running");
    expect(post?.blocks).toContain(
      "0 of 2 tasks running when read in prod-us (210987654321) us-east-1",
    );
    expect(aws.emulator.requests.map((r) => r.operation)).toContain("AssumeRole");
  });

  it("opens a failed deployment with health's cause and the logs of the last task health saw stop", async () => {
    await start();
    slack();
    await notifyEvent(
      {
        version: "0",
        id: "deploy-failed",
        "detail-type": "ECS Deployment State Change",
        source: "aws.ecs",
        account: ACCOUNT,
        time: "2026-11-23T15:33:52Z",
        region: REGION,
        resources: [
          `arn:aws:ecs:${REGION}:${ACCOUNT}:service/ecs_service_discovery/billing-worker`,
        ],
        detail: {
          eventType: "ERROR",
          eventName: "SERVICE_DEPLOYMENT_FAILED",
          deploymentId: "ecs-svc/6284107735519046792",
          updatedAt: "2026-11-23T15:33:51Z",
          reason: "ECS deployment circuit breaker: tasks failed to start.",
        },
      },
      deps(),
    );
    const [post] = posts();
    expect(post?.text).toMatch(/: deployment failed — DOWN: 0 of 2 tasks running; last stop: /);
    expect(post?.blocks).toContain("billing-worker:11 → billing-worker:12");
    // The deployment is the event's own: named once.
    expect(post?.blocks).not.toContain("Deployment `ecs-svc/6284107735519046792`");
    expect(post?.blocks).toContain("Logs of stopped task 8b9c0d1e2f3a");
  });

  it("says a service the read does not find, and still posts", async () => {
    await start();
    slack();
    await notifyEvent(
      stopEvent({
        id: "gone-1",
        service: "deleted-service",
        task: "d1",
        time: "2026-11-23T15:40:00Z",
        stopCode: "TaskFailedToStart",
        stoppedReason: "CannotPullContainerError: not found",
      }),
      deps(),
    );
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.blocks).toContain(
      "Health not read: service ecs_service_discovery/deleted-service not found in ap-northeast-1",
    );
  });

  it("says so when the event's account is not a place the bot reads", async () => {
    await start();
    slack();
    const event = { ...oomStop(), account: "999988887777" };
    await notifyEvent(event, deps());
    expect(posts()[0]?.blocks).toContain(
      "Not enriched: account 999988887777 in ap-northeast-1 is not a place the bot reads (BOT_TARGETS)",
    );
    expect(aws.emulator.requests).toEqual([]);
  });

  it("opens the grace rule's incident from the counts it read: routine stops, the service below desired for 5 min", async () => {
    await start();
    slack();
    const d = deps();
    await notifyEvent(scaleIn("s1", "billing-worker", "2026-11-23T15:40:00Z", "a1"), d);
    await notifyEvent(scaleIn("s2", "billing-worker", "2026-11-23T15:43:00Z", "a2"), d);
    expect(calls).toEqual([]);
    await notifyEvent(scaleIn("s3", "billing-worker", "2026-11-23T15:45:01Z", "a3"), d);

    expect(posts().map((c) => c.text)).toEqual([
      expect.stringMatching(
        /^✖ billing-worker \(ecs_service_discovery\): below desired count — DOWN: 0 of 2 tasks running/,
      ),
    ]);
    expect(posts()[0]?.blocks).toContain(
      "What happened: 0 of 2 tasks running for 5 min after routine stops",
    );
  });

  it("hears the load balancer: a checkout task stopped for failing ELB health checks gets target health (issue 24)", async () => {
    await start();
    slack();
    const tg = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/checkout-tg/3f2a1b0c9d8e7f60`;
    await notifyEvent(
      stopEvent({
        id: "elb-1",
        service: "checkout",
        cluster: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/tutorial`,
        task: "d4e3f6a8b0c27b5c9d1f3e4a6b8c0d23",
        time: "2026-11-23T15:40:00Z",
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: `Task failed ELB health checks in (target-group ${tg})`,
        taskDefinition: `${TD}/checkout:4`,
        container: { name: "checkout", exitCode: 143 },
      }),
      deps(),
    );

    const [post] = posts();
    expect(post?.text).toMatch(
      /^▲ checkout \(tutorial\): .* — DEGRADED: 1 of 3 targets of checkout-tg unhealthy: .*answered 503, matcher 200/,
    );
    const called = new Set(
      aws.emulator.requests
        .filter((r) => r.service === "ELBv2")
        .map((r) => `elasticloadbalancing:${r.operation}`),
    );
    expect([...called].sort()).toEqual([
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]);
    for (const action of called) expect(NOTIFY_FUNCTION_ACTIONS).toContain(action);
  });

  it("reads nothing for an event it ignores or a task that started", async () => {
    await start();
    slack();
    const running = {
      ...stopEvent({
        id: "r1",
        service: "billing-worker",
        task: "b1",
        time: "2026-11-23T15:40:00Z",
      }),
    };
    running.detail = { ...running.detail, lastStatus: "RUNNING", desiredStatus: "RUNNING" };
    await notifyEvent(running, deps());
    await notifyEvent({ id: "x", source: "aws.ec2", detail: {} }, deps());
    expect(aws.emulator.requests).toEqual([]);
  });

  it("delivers a route that names the service's Cloud Map namespaces, and not one that names others", async () => {
    await start();
    slack();
    const routes = [
      "routes:",
      "  - channel: C0INTERNAL1",
      "    match: { namespace: internal.* }",
      "  - channel: C0STAGING01",
      "    match: { namespace: staging }",
    ].join("\n");
    const event = stopEvent({
      id: "api-1",
      service: "api-service",
      task: "c1",
      time: "2026-11-23T15:40:00Z",
      taskDefinition: `${TD}/api:8`,
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      container: { name: "api", exitCode: 1 },
    });
    await notifyEvent(event, deps(routes));
    expect(posts().map((c) => c.channel)).toEqual(["C0INTERNAL1"]);
  });

  it("builds the production deps from the environment (notifyDepsFrom): SSM's token and routes, the table, a local Slack", async () => {
    aws = await useEmulatedAws(fleetWithPreviousDeployment(), 0, {
      parameters: {
        "/test/token": BOT_TOKEN,
        "/test/targets": `targets: []\nroutes:\n  - channel: ${CHANNEL}\n`,
      },
    });
    const seen: string[] = [];
    const fake = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen.push(`${req.url} ${new URLSearchParams(body).get("text")}`);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ ok: true, ts: "1700000000.000001" }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const d = await notifyDepsFrom(
        {
          INCIDENTS_TABLE: TABLE,
          SLACK_BOT_TOKEN_PARAM: "/test/token",
          DIGEST_TARGETS_PARAM: "/test/targets",
          BOT_REGIONS: REGION,
          BOT_ACCOUNT_ID: ACCOUNT,
        },
        { slackApiUrl: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/api/` },
      );
      await notifyEvent(oomStop(), d);
    } finally {
      fake.close();
    }
    expect(seen).toEqual([
      expect.stringMatching(
        /^\/api\/chat\.postMessage ✖ billing-worker \(ecs_service_discovery\): task stopped — DOWN: 0 of 2/,
      ),
    ]);
  });
});

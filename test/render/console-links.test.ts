import { describe, expect, it } from "vitest";
import type { HealthAnswer, WhoisAnswer, WhyAnswer } from "../../src/domain/answer.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { consoleOfPlace } from "../../src/render/console-links.ts";
import type { Doc, UrlLink } from "../../src/render/document.ts";
import { healthDocument } from "../../src/render/health-document.ts";
import { renderText } from "../../src/render/text.ts";
import { whoisDocument } from "../../src/render/whois-document.ts";
import { whyDocument } from "../../src/render/why-document.ts";
import { demoFleetAnswers } from "../support/answers.ts";

// The AWS console links of the demo fleet's answers: what each offers first, and the rest.

const ask = demoFleetAnswers();
const TOKYO = "https://ap-northeast-1.console.aws.amazon.com";

const labels = (doc: Doc) => (doc.console ?? []).map((l) => l.label);
const link = (doc: Doc, label: string) => doc.console?.find((l) => l.label === label)?.url;

/** The URL buttons Slack shows, in order. */
function urlButtons(doc: Doc, view?: "full"): string[] {
  const message = renderBlocks(doc, view ? { view } : undefined);
  return message.blocks.flatMap((b) =>
    b.type === "actions"
      ? b.elements.flatMap((e) => ("url" in e && e.url ? [String(e.url)] : []))
      : [],
  );
}

describe("console links in health", () => {
  it("offers the stopped task's log stream first when the service's tasks stop (awslogs options of its task definition)", async () => {
    const doc = healthDocument(
      await ask<HealthAnswer>("health ecs_service_discovery/billing-worker"),
    );

    expect(labels(doc)[0]).toBe("Logs of stopped task 8b9c0d1e2f3a");
    // awslogs-group /ecs/billing-worker, awslogs-stream-prefix worker, container worker.
    expect(doc.console?.[0]?.url).toBe(
      `${TOKYO}/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fbilling-worker/log-events/worker$252Fworker$252F8b9c0d1e2f3a44b5c6d7e8f9a0b1c239`,
    );
    expect(labels(doc)).toContain("Service billing-worker");
    expect(link(doc, "Service billing-worker")).toBe(
      `${TOKYO}/ecs/v2/clusters/ecs_service_discovery/services/billing-worker/health?region=ap-northeast-1`,
    );
  });

  it("shows only that first link in the first view, and up to five in Details", async () => {
    const doc = healthDocument(
      await ask<HealthAnswer>("health ecs_service_discovery/billing-worker"),
    );
    const first = doc.console?.[0]?.url ?? "";

    expect(doc.console?.length).toBeLessThanOrEqual(5);
    if (doc.glance) expect(urlButtons(doc)).toEqual([first]);
    expect(urlButtons(doc, "full")).toEqual((doc.console ?? []).map((l) => l.url));
  });

  it("offers the unhealthy task's page before the service when an endpoint is unhealthy", async () => {
    const doc = healthDocument(await ask<HealthAnswer>("health api.internal.local"));

    expect(labels(doc).slice(0, 2)).toEqual([
      "Task 5e6f7a8b9c0d (unhealthy)",
      "Service api-service",
    ]);
    expect(link(doc, "Task 5e6f7a8b9c0d (unhealthy)")).toBe(
      `${TOKYO}/ecs/v2/clusters/ecs_service_discovery/tasks/5e6f7a8b9c0d41e2f3a4b5c6d7e8f906/configuration?region=ap-northeast-1`,
    );
  });

  it("opens a healthy service's page first", async () => {
    const doc = healthDocument(await ask<HealthAnswer>("health nginx.service-connect"));

    expect(labels(doc)[0]).toBe("Service service-connect-nginx-service");
  });

  it("prints every console link in the terminal", async () => {
    const doc = healthDocument(
      await ask<HealthAnswer>("health ecs_service_discovery/billing-worker"),
    );

    expect(renderText(doc)).toContain(
      `Logs of stopped task 8b9c0d1e2f3a: ${doc.console?.[0]?.url}`,
    );
  });
});

describe("console links in whois", () => {
  it("opens the service, its unhealthy task and its security groups", async () => {
    const doc = whoisDocument(await ask<WhoisAnswer>("whois api.internal.local"));

    expect(labels(doc)[0]).toBe("Service api-service");
    expect(labels(doc)).toContain("Task 5e6f7a8b9c0d (unhealthy)");
    expect(labels(doc).some((l) => /^Security group sg-[0-9a-f]+$/.test(l))).toBe(true);
  });

  it("names the cluster of services that share a name", async () => {
    const doc = whoisDocument(await ask<WhoisAnswer>("whois api"));

    expect(labels(doc)).toContain("Service ecs_service_discovery/api-service");
    expect(labels(doc)).toContain("Service staging/api-service");
  });

  it("opens the task asked about first", async () => {
    const doc = whoisDocument(await ask<WhoisAnswer>("whois 10.0.3.103"));

    expect(labels(doc)[0]).toMatch(/^Task 5e6f7a8b9c0d/);
  });
});

describe("console links in why", () => {
  it("opens the security group of the broken link first, then the services", async () => {
    const answer = await ask<WhyAnswer>("why tutorial/legacy-report api.service-connect");
    const doc = whyDocument(answer);
    const report = answer.kind === "found" ? answer.reports[0] : undefined;
    const groups = (report?.fixes ?? [])
      .flatMap((f) => f.resources)
      .filter((r) => r.startsWith("sg-"));

    // The name fix redeploys legacy-report: its page before the target's.
    const expected = [
      ...groups.map((g) => `Security group ${g}`),
      "Service legacy-report",
      "Service api-service",
    ];
    expect(groups[0]).toBe("sg-0c0ffee00000b0001");
    expect(labels(doc).slice(0, expected.length)).toEqual(expected);
  });
});

describe("console links read in several places", () => {
  const links: UrlLink[] = [
    { label: "Service api", url: `${TOKYO}/ecs/v2/clusters/c/services/api/health?region=x` },
  ];

  it("names the account of another account's page, so nobody reads the wrong account", () => {
    expect(consoleOfPlace(links, { account: "210987654321", region: "us-east-1" }, false)).toEqual([
      { label: "Service api (account 210987654321)", url: links[0]?.url },
    ]);
  });

  it("leaves the bot's own account's links as they are in one place, and names the region across several", () => {
    expect(consoleOfPlace(links, { region: "ap-northeast-1" }, false)).toEqual(links);
    expect(consoleOfPlace(links, { region: "ap-northeast-1" }, true)?.[0]?.label).toBe(
      "Service api (ap-northeast-1)",
    );
  });
});

describe("console links of a stopped task's logs", () => {
  type Found = Extract<HealthAnswer, { kind: "found" }>;
  const billing = async () => {
    const answer = await ask<HealthAnswer>("health ecs_service_discovery/billing-worker");
    if (answer.kind !== "found") throw new Error("the demo fleet has billing-worker");
    return answer;
  };
  /** The answer with the service's task-definition log settings replaced. */
  const withLogs = (answer: Found, patch: (arn: string) => unknown): Found => ({
    ...answer,
    reports: answer.reports.map((r) => {
      const ecs = r.resolution.publisher.ecs;
      const taskLogs = ecs?.taskLogs && patch(ecs.taskLogs.taskDefinitionArn);
      return {
        ...r,
        resolution: {
          ...r.resolution,
          publisher: { ...r.resolution.publisher, ecs: ecs && { ...ecs, taskLogs } },
        },
      } as typeof r;
    }),
  });

  it("opens the log group when no stream prefix names the stream (the Docker container ID)", async () => {
    const answer = withLogs(await billing(), (arn) => ({
      taskDefinitionArn: arn,
      containers: [{ name: "worker", awslogs: { group: "/ecs/billing-worker" } }],
    }));

    const doc = healthDocument(answer);

    expect(labels(doc)[0]).toBe("Log group /ecs/billing-worker");
    expect(doc.console?.[0]?.url).toBe(
      `${TOKYO}/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fecs$252Fbilling-worker`,
    );
  });

  it("links no logs of a task that ran another task definition than the one read: its page leads", async () => {
    const answer = withLogs(await billing(), () => ({
      taskDefinitionArn:
        "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/billing-worker:11",
      containers: [
        { name: "worker", awslogs: { group: "/ecs/billing-worker", streamPrefix: "worker" } },
      ],
    }));

    expect(labels(healthDocument(answer))[0]).toBe("Task 8b9c0d1e2f3a (stopped)");
  });

  it("links no logs of a task that never started (its image could not be pulled): its page leads", async () => {
    const doc = healthDocument(
      await ask<HealthAnswer>("health ecs_service_discovery/invoice-renderer"),
    );

    expect(labels(doc)[0]).toMatch(/^Task [0-9a-f]{12} \(stopped\)$/);
    expect(labels(doc).some((l) => l.startsWith("Logs"))).toBe(false);
  });
});

describe("console links of target groups", () => {
  it("opens the service's target group (DescribeServices loadBalancers) after its security groups", async () => {
    const answer = await ask<WhoisAnswer>("whois api.internal.local");
    if (answer.kind !== "found") throw new Error("the demo fleet has api.internal.local");
    const arn =
      "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api-tg/73e2d6bc24d8a067";
    const patched: WhoisAnswer = {
      ...answer,
      resolutions: answer.resolutions.map((r) => ({
        ...r,
        endpoints: [],
        publisher: {
          ...r.publisher,
          ecs: r.publisher.ecs && {
            ...r.publisher.ecs,
            loadBalancers: [{ targetGroupArn: arn, containerName: "api", containerPort: 8080 }],
          },
        },
      })),
    };

    const doc = whoisDocument(patched);

    expect(link(doc, "Target group api-tg")).toBe(
      `${TOKYO}/ec2/home?region=ap-northeast-1#TargetGroup:targetGroupArn=${arn}`,
    );
  });
});

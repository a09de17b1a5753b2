import { describe, expect, it } from "vitest";
import type { EcsTask } from "../../../src/domain/facts.ts";
import { type HealthInput, judgeHealth } from "../../../src/domain/health.ts";
import {
  judgeTargetHealth,
  type TargetHealthJudgement,
} from "../../../src/domain/load-balancing/target-health.ts";
import type { TargetHealth, TargetState } from "../../../src/domain/load-balancing/types.ts";
import { buildResolution } from "../../../src/domain/resolution.ts";
import { stopAdvice, stopKind } from "../../../src/domain/stops.ts";
import { nginxFacts } from "../../support/facts.ts";
import { CHECKOUT_TG_ARN, checkoutTg, shopAlb } from "./support.ts";

// Target health in /ecs health: the app-layer signal beside ECS and Cloud Map. One verdict, its
// deciding reason and next step; a waiting target is never the failure; unknown target health is
// partial, never better or worse; no DOWN above healthy targets.

const NOW = new Date("2026-11-23T12:00:00Z");
const IPS = ["10.0.1.23", "10.0.2.47"];

function targets(states: [TargetState, string?, string?][]): TargetHealth[] {
  return states.map(([state, reason, description], i) => ({
    targetGroupArn: CHECKOUT_TG_ARN,
    id: IPS[i] ?? "10.0.9.9",
    port: 8080,
    healthCheckPort: "8080",
    state,
    ...(reason ? { reason } : {}),
    ...(description ? { description } : {}),
  }));
}

function judged(read: TargetHealth[] | { why: string }, grace?: number): TargetHealthJudgement {
  const facts = nginxFacts();
  return judgeTargetHealth({
    service: "tutorial/service-connect-nginx-service",
    groups: [
      {
        arn: CHECKOUT_TG_ARN,
        group: { known: true, value: checkoutTg() },
        targets: Array.isArray(read) ? { known: true, value: read } : { known: false, ...read },
        loadBalancers: [shopAlb()],
      },
    ],
    tasks: facts.tasks.map((t) => ({ taskId: t.id, ip: t.ipv4, startedAt: t.startedAt })),
    ...(grace ? { gracePeriodSeconds: grace } : {}),
    now: NOW,
  });
}

function input(targetHealth?: TargetHealthJudgement, extra: Partial<HealthInput> = {}) {
  const facts = nginxFacts();
  const name = "nginx.service-connect";
  const resolution = buildResolution(
    { query: name, subject: { kind: "name", name }, focusName: { name } },
    facts,
  );
  return {
    resolution,
    service: facts.service,
    stoppedTasks: [],
    clients: [],
    gaps: [],
    ...(targetHealth ? { targetHealth } : {}),
    ...extra,
  };
}

const MISMATCH = "Target.ResponseCodeMismatch";
const CODES_503 = "Health checks failed with these codes: [503]";

describe("health with target health", () => {
  it("says how many targets are healthy beside the endpoints and tasks", () => {
    const report = judgeHealth(input(judged(targets([["healthy"], ["healthy"]]))));
    expect(report.level).toBe("healthy");
    expect(report.reason).toBe(
      "2 of 2 endpoints healthy, 2 of 2 targets healthy, 2 of 2 tasks running, deployment COMPLETED",
    );
  });

  it("one target failing its check: degraded, the check against the app's answer decides", () => {
    const report = judgeHealth(
      input(judged(targets([["healthy"], ["unhealthy", MISMATCH, CODES_503]]))),
    );
    expect(report.level).toBe("degraded");
    expect(report.reason).toBe(
      "1 of 2 targets of checkout-tg unhealthy: 10.0.2.47 (task 1a2b3c4d5e6f) Target.ResponseCodeMismatch: GET /healthz on 8080 answered 503, matcher 200",
    );
    expect(report.findings[report.deciding ?? -1]?.layer).toBe("app");
    expect(report.nextCheck).toMatch(/^App: the app reports itself failing/);
    expect(report.nextCheck).toContain("target-health-reason-codes");
  });

  it("every target failing: down, and the balancer's fail-open is said", () => {
    const report = judgeHealth(
      input(
        judged(
          targets([
            ["unhealthy", "Target.Timeout"],
            ["unhealthy", "Target.Timeout"],
          ]),
        ),
      ),
    );
    expect(report.level).toBe("down");
    expect(report.reason).toMatch(
      /^0 of 2 targets of checkout-tg healthy: 10\.0\.1\.23 .*Target\.Timeout: GET \/healthz on 8080 got no answer within 5 s; 1 more \(Target\.Timeout\)$/,
    );
    expect(report.findings[report.deciding ?? -1]?.layer).toBe("path");
    expect(report.nextCheck).toMatch(/^Path: the tasks' security groups must allow TCP 8080/);
    expect(report.nextCheck).toContain("fail-open");
  });

  it("a target in the grace period is waiting: never the deciding failure", () => {
    const th = judgeTargetHealth({
      ...{ service: "s", now: NOW, gracePeriodSeconds: 300 },
      groups: [
        {
          arn: CHECKOUT_TG_ARN,
          group: { known: true, value: checkoutTg() },
          targets: {
            known: true,
            value: targets([["healthy"], ["unhealthy", MISMATCH, CODES_503]]),
          },
        },
      ],
      tasks: [
        { taskId: "t1", ip: IPS[0], startedAt: new Date("2026-11-23T09:00:00Z") },
        { taskId: "t2", ip: IPS[1], startedAt: new Date("2026-11-23T11:58:00Z") },
      ],
    });
    const report = judgeHealth(input(th));
    expect(report.level).toBe("healthy");
    expect(report.findings).toMatchObject([{ level: "note" }]);
    expect(report.findings[0]?.text).toMatch(/within the service's health-check grace period/);
    expect(report.nextCheck).toMatch(
      /^Healthy\. Wait: ECS ignores this until 2026-11-23 12:03 UTC/,
    );
  });

  it("nothing healthy yet but nothing failed: starting, with wait as the step, never down", () => {
    const report = judgeHealth(
      input(
        judged(
          targets([
            ["initial", "Elb.InitialHealthChecking"],
            ["initial", "Elb.InitialHealthChecking"],
          ]),
        ),
      ),
    );
    expect(report.level).toBe("degraded");
    expect(report.reason).toMatch(
      /^starting: none of 2 targets of checkout-tg healthy yet, 2 waiting/,
    );
    expect(report.nextCheck).toMatch(/^Wait: /);
  });

  it("a zone the balancer does not use: degraded, the load balancer's zones are the step", () => {
    const report = judgeHealth(
      input(judged(targets([["healthy"], ["unused", "Target.NotInUse"]]))),
    );
    expect(report.level).toBe("degraded");
    expect(report.reason).toMatch(
      /^1 of 2 targets of checkout-tg get no traffic: .*Target\.NotInUse/,
    );
    expect(report.nextCheck).toMatch(/^Load balancer: enable that zone/);
  });

  it("targets whose health checks are disabled are said apart, never counted as failing", () => {
    const report = judgeHealth(
      input(
        judged(
          targets([
            ["unavailable", "Target.HealthCheckDisabled"],
            ["unavailable", "Target.HealthCheckDisabled"],
          ]),
        ),
      ),
    );
    expect(report.level).toBe("healthy");
    expect(report.reason).toBe(
      "2 of 2 endpoints healthy, 2 targets not health-checked, 2 of 2 tasks running, deployment COMPLETED",
    );
  });

  it("draining targets of a deployment change nothing", () => {
    const report = judgeHealth(
      input(
        judged([
          ...targets([["healthy"], ["healthy"]]),
          {
            targetGroupArn: CHECKOUT_TG_ARN,
            id: "10.0.9.9",
            port: 8080,
            state: "draining",
            reason: "Target.DeregistrationInProgress",
          },
        ]),
      ),
    );
    expect(report.level).toBe("healthy");
    expect(report.reason).toContain("2 of 2 targets healthy");
  });

  it("unknown target health is partial: the verdict is neither better nor worse", () => {
    const throttled = judged({ why: "AWS throttled DescribeTargetHealth (Throttling)" });
    const without = judgeHealth(input());
    const report = judgeHealth(input(throttled));
    expect(report.level).toBe(without.level);
    expect(report.reason).toBe(without.reason);
    expect(report.unknown).toEqual(["target health of checkout-tg"]);
    expect(report.gaps).toContainEqual({
      what: "target health of checkout-tg",
      why: "AWS throttled DescribeTargetHealth (Throttling)",
    });
  });

  it("a gap the read already reported is not counted twice", () => {
    const throttled = judged({ why: "throttled" });
    const report = judgeHealth(
      input(throttled, { gaps: [{ what: "target health of checkout-tg", why: "throttled" }] }),
    );
    expect(report.unknown).toEqual(["target health of checkout-tg"]);
  });

  it("no DOWN above healthy targets: a down finding elsewhere is capped at degraded", () => {
    const facts = nginxFacts();
    const all = facts.tasks.map((t) => ({ ...t, healthStatus: "UNHEALTHY" }));
    facts.tasks = all;
    const name = "nginx.service-connect";
    const resolution = buildResolution(
      { query: name, subject: { kind: "name", name }, focusName: { name } },
      facts,
    );
    const base = { resolution, service: facts.service, stoppedTasks: [], clients: [], gaps: [] };
    expect(judgeHealth(base).level).toBe("down");
    const report = judgeHealth({
      ...base,
      targetHealth: judged(targets([["healthy"], ["healthy"]])),
    });
    expect(report.level).toBe("degraded");
    expect(report.reason).toMatch(/\(yet 2 targets pass the balancer's health checks\)$/);
  });
});

describe("health asked about one task behind the balancer", () => {
  function askedAbout(ip: string, th: TargetHealthJudgement) {
    const facts = nginxFacts();
    const task = facts.tasks.find((t) => t.ipv4 === ip);
    const resolution = buildResolution(
      { query: ip, subject: { kind: "task", taskId: task?.id ?? "", ip } },
      facts,
    );
    return judgeHealth({
      resolution,
      service: facts.service,
      stoppedTasks: [],
      gaps: [],
      targetHealth: th,
    });
  }
  const th = () => judged(targets([["healthy"], ["unhealthy", MISMATCH, CODES_503]]));

  it("never calls healthy a task that fails the balancer's checks", () => {
    const report = askedAbout("10.0.2.47", th());
    expect(report.reason).toMatch(
      /— the task you asked about \(10\.0\.2\.47, task 1a2b3c4d5e6f\) fails the health checks of checkout-tg \(Target\.ResponseCodeMismatch\)$/,
    );
  });

  it("says healthy of the task whose target passes", () => {
    expect(askedAbout("10.0.1.23", th()).reason).toMatch(
      /— the task you asked about \(10\.0\.1\.23, task 0f4e5d6c7b8a\) is healthy$/,
    );
  });
});

describe("a task stopped for failing ELB health checks", () => {
  const task: EcsTask = {
    arn: "arn:aws:ecs:ap-northeast-1:111122223333:task/tutorial/0123456789abcdef",
    id: "0123456789abcdef",
    clusterName: "tutorial",
    taskDefinitionArn: "arn:aws:ecs:ap-northeast-1:111122223333:task-definition/checkout:3",
    lastStatus: "STOPPED",
    desiredStatus: "STOPPED",
    stopCode: "ServiceSchedulerInitiated",
    stoppedReason: `Task failed ELB health checks in (target-group ${CHECKOUT_TG_ARN})`,
    stoppedAt: new Date("2026-11-23T11:40:00Z"),
    containers: [{ name: "checkout", exitCode: 137 }],
  };

  it("gets load-balancer advice naming its target group, not container advice", () => {
    expect(stopKind(task)).toBe("elb-health-check");
    const advice = stopAdvice(task, "tutorial/checkout");
    expect(advice).toMatch(
      /^Load balancer: ECS stopped the task because it failed the health checks of checkout-tg/,
    );
    expect(advice).toContain("killed after stopTimeout, not out of memory");
    expect(advice).toContain(
      "aws ecs update-service --cluster tutorial --service checkout --health-check-grace-period-seconds N",
    );
    expect(advice).not.toMatch(/container logs|Read its logs/);
  });

  it("leads the down finding of a service whose tasks keep failing them", () => {
    const facts = nginxFacts();
    if (facts.service) facts.service = { ...facts.service, runningCount: 0 };
    facts.tasks = [];
    const name = "nginx.service-connect";
    const resolution = buildResolution(
      { query: name, subject: { kind: "name", name }, focusName: { name } },
      facts,
    );
    const report = judgeHealth({
      resolution,
      service: facts.service,
      stoppedTasks: [task],
      gaps: [],
    });
    expect(report.level).toBe("down");
    expect(report.nextCheck).toMatch(/^Load balancer: ECS stopped the task/);
  });
});

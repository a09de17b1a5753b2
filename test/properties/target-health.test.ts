import fc from "fast-check";
import { expect, it } from "vitest";
import { judgeHealth } from "../../src/domain/health.ts";
import {
  judgeTargetHealth,
  type ServiceTargetGroup,
} from "../../src/domain/load-balancing/target-health.ts";
import { TARGET_STATES, type TargetHealth } from "../../src/domain/load-balancing/types.ts";
import { buildResolution } from "../../src/domain/resolution.ts";
import { checkoutTg } from "../domain/load-balancing/support.ts";
import { nginxFacts } from "../support/facts.ts";
import { propsParameters } from "./support.ts";

// Target health in /ecs health, over random target groups: unread target health is never healthy
// nor unhealthy and changes no verdict; the verdict never contradicts the targets' states; a
// target within the grace period is never the deciding failure. Pure: no emulator, many runs.
//
// Replaying: npm run test:props -- --seed S --path P --test "target" test/properties/target-health.test.ts

const NOW = new Date("2026-11-23T12:00:00Z");
const STATES = TARGET_STATES;
const REASONS = [
  undefined,
  "Target.ResponseCodeMismatch",
  "Target.Timeout",
  "Target.FailedHealthChecks",
  "Elb.InternalError",
  "Elb.InitialHealthChecking",
  "Elb.RegistrationInProgress",
  "Target.NotInUse",
  "Target.DeregistrationInProgress",
  "Target.InvalidState",
  "Target.IpUnusable",
  "Target.HealthCheckDisabled",
];

const targetArb = fc.record({
  state: fc.constantFrom(...STATES),
  reason: fc.constantFrom(...REASONS),
  /** 0 and 1 are the service's two tasks; others are targets of no running task. */
  who: fc.nat(3),
});
const groupArb = fc.record({
  readable: fc.boolean(),
  targets: fc.array(targetArb, { maxLength: 4 }),
});
const caseArb = fc.record({
  groups: fc.array(groupArb, { minLength: 1, maxLength: 2 }),
  grace: fc.constantFrom(0, 300),
  /** Minutes since each of the two tasks started. */
  started: fc.tuple(fc.constantFrom(1, 200), fc.constantFrom(1, 200)),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const IPS = ["10.0.1.23", "10.0.2.47", "10.0.9.2", "10.0.9.3"];

function build(c: Case) {
  const facts = nginxFacts();
  const groups: ServiceTargetGroup[] = c.groups.map((g, i) => {
    const tg = checkoutTg({
      arn: `arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:targetgroup/tg-${i}/0123`,
      name: `tg-${i}`,
    });
    const seen = new Set<number>();
    const targets: TargetHealth[] = g.targets
      .filter((t) => !seen.has(t.who) && seen.add(t.who))
      .map((t) => ({
        targetGroupArn: tg.arn,
        id: IPS[t.who] ?? "10.0.9.9",
        port: 8080,
        state: t.state,
        ...(t.reason ? { reason: t.reason } : {}),
      }));
    return {
      arn: tg.arn,
      group: { known: true, value: tg },
      targets: g.readable ? { known: true, value: targets } : { known: false, why: "throttled" },
    };
  });
  const tasks = facts.tasks.map((t, i) => ({
    taskId: t.id,
    ip: t.ipv4,
    startedAt: new Date(NOW.getTime() - (c.started[i] ?? 200) * 60_000),
  }));
  const targetHealth = judgeTargetHealth({
    service: "tutorial/nginx",
    groups,
    tasks,
    gracePeriodSeconds: c.grace,
    now: NOW,
  });
  const name = "nginx.service-connect";
  const resolution = buildResolution(
    { query: name, subject: { kind: "name", name }, focusName: { name } },
    facts,
  );
  const base = { resolution, service: facts.service, stoppedTasks: [], clients: [], gaps: [] };
  return { targetHealth, base, report: judgeHealth({ ...base, targetHealth }) };
}

// Counterexamples found before, run first every time.
const EXAMPLES: [Case][] = [
  // A task waiting to be registered in one group while unused in another: the deciding finding
  // is the other group's, about the same address.
  [
    {
      groups: [
        { readable: true, targets: [{ state: "unused", reason: undefined, who: 0 }] },
        { readable: true, targets: [] },
      ],
      grace: 300,
      started: [1, 200],
    },
  ],
];
const params = () => propsParameters<[Case]>(300, EXAMPLES);

it("unread target health is never healthy nor unhealthy, and unread alone changes no verdict", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { targetHealth, base, report } = build(c);
      targetHealth.groups.forEach((g, i) => {
        if (c.groups[i]?.readable) return;
        expect(g.level).toBe("unknown");
        expect(g.targets.every((t) => t.verdict === "unknown")).toBe(true);
        expect(report.unknown).toContain(`target health of ${g.name}`);
      });
      if (c.groups.every((g) => !g.readable)) {
        const without = judgeHealth(base);
        expect(report.level).toBe(without.level);
        expect(report.reason).toBe(without.reason);
      }
    }),
    params(),
  );
});

it("the verdict never contradicts the targets' states", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { targetHealth, report } = build(c);
      const healthy = targetHealth.groups.reduce((n, g) => n + g.healthy, 0);
      // No DOWN above healthy targets.
      if (healthy > 0) expect(report.level).not.toBe("down");
      for (const g of targetHealth.groups) {
        const count = (v: string) => g.targets.filter((t) => t.verdict === v).length;
        expect(g.healthy).toBe(count("healthy"));
        if (g.level === "down") expect(g.healthy === 0 && count("unhealthy") > 0).toBe(true);
        if (g.level === "healthy") expect(count("unhealthy") + count("unused")).toBe(0);
        if (count("unhealthy") > 0) expect(["down", "degraded"]).toContain(g.level);
      }
      // Healthy only when no read group says otherwise.
      if (report.level === "healthy") {
        expect(targetHealth.groups.every((g) => ["healthy", "unknown"].includes(g.level))).toBe(
          true,
        );
      }
    }),
    params(),
  );
});

it("a target in its grace period is never the deciding failure", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { targetHealth, report } = build(c);
      const waiting = targetHealth.groups.flatMap((g) =>
        g.targets.filter((t) => t.graceEnds !== undefined),
      );
      const deciding = report.deciding === undefined ? undefined : report.findings[report.deciding];
      for (const t of waiting) {
        expect(t.verdict).toBe("initial");
        // The deciding finding may name a waiting target only to say: wait.
        const about = (text: string) =>
          text.includes(`targets of ${t.targetGroup}`) &&
          text.includes(t.target.split(":")[0] ?? "");
        if (deciding && about(deciding.text)) expect(deciding.next).toMatch(/^Wait: /);
      }
      const failing = targetHealth.groups.some((g) =>
        g.targets.some((t) => t.verdict === "unhealthy"),
      );
      if (waiting.length > 0 && !failing && report.level === "down") {
        // Down can only come from elsewhere than the balancer (none of these facts say so).
        expect(deciding?.text).not.toMatch(/targets of tg-/);
      }
    }),
    params(),
  );
});

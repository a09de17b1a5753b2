import fc from "fast-check";
import { expect, it } from "vitest";
import {
  judgeTargetHealth,
  type TaskAsTarget,
} from "../../src/domain/load-balancing/target-health.ts";
import type { TargetHealth } from "../../src/domain/load-balancing/types.ts";
import { CHECKOUT_TG_ARN, checkoutTg, NOW } from "../domain/load-balancing/support.ts";
import { propsParameters } from "./support.ts";

// Instance targets of bridge/host tasks over random placements: a target is only ever matched to
// the task on its EC2 instance whose registered container port is bound to its port, and a task
// whose container instance is unknown is never given a target. Pure: no emulator, many runs.
//
// Replaying: npm run test:props -- --seed S --path P --test "instance" test/properties/instance-targets.test.ts

const INSTANCES = ["i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb", "i-0cccccccccccccccc"];
const HOST_PORTS = [32768, 32769, 32770, 80];
const REGISTERED = 80;

const taskArb = fc.record({
  instance: fc.nat(1),
  known: fc.boolean(),
  /** Container port 80 (registered) or 9090 (another), each bound to a host port. */
  bindings: fc.array(
    fc.record({
      containerPort: fc.constantFrom(80, 9090),
      hostPort: fc.constantFrom(...HOST_PORTS),
    }),
    { maxLength: 2 },
  ),
});
const targetArb = fc.record({
  instance: fc.nat(2),
  port: fc.constantFrom(...HOST_PORTS),
  failing: fc.boolean(),
});
const caseArb = fc.record({
  tasks: fc.array(taskArb, { minLength: 1, maxLength: 4 }),
  targets: fc.array(targetArb, { maxLength: 5 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case) {
  // A host port is bound once per instance (Docker refuses a second binding).
  const taken = new Set<string>();
  const tasks: TaskAsTarget[] = c.tasks.map((t, i) => {
    const instanceId = INSTANCES[t.instance] ?? "";
    const bindings = t.bindings.filter((b) => {
      const key = `${instanceId}:${b.hostPort}`;
      return !taken.has(key) && taken.add(key);
    });
    return {
      taskId: `task-${i}`,
      ...(t.known ? { instanceId } : { instanceUnknown: "throttled" }),
      bindings,
    };
  });
  const seen = new Set<string>();
  const targets: TargetHealth[] = c.targets
    .map((t) => ({ id: INSTANCES[t.instance] ?? "", port: t.port, failing: t.failing }))
    .filter((t) => !seen.has(`${t.id}:${t.port}`) && seen.add(`${t.id}:${t.port}`))
    .map((t) => ({
      targetGroupArn: CHECKOUT_TG_ARN,
      id: t.id,
      port: t.port,
      state: t.failing ? "unhealthy" : "healthy",
      ...(t.failing ? { reason: "Target.Timeout" } : {}),
    }));
  const judged = judgeTargetHealth({
    service: "legacy/web",
    groups: [
      {
        arn: CHECKOUT_TG_ARN,
        group: { known: true, value: checkoutTg({ targetType: "instance", port: 80 }) },
        targets: { known: true, value: targets },
      },
    ],
    tasks,
    registers: [{ targetGroupArn: CHECKOUT_TG_ARN, containerPort: REGISTERED }],
    now: NOW,
  });
  return { tasks, judged };
}

it("an instance target is only ever the task on its instance with its port bound to the registered one", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { tasks, judged } = build(c);
      for (const t of judged.groups[0]?.targets ?? []) {
        if (!t.taskId || t.state === undefined) continue;
        const task = tasks.find((x) => x.taskId === t.taskId);
        expect(task?.instanceUnknown).toBeUndefined();
        const [id, port] = t.target.split(":");
        expect(task?.instanceId).toBe(id);
        expect(
          task?.bindings?.some(
            (b) => b.containerPort === REGISTERED && String(b.hostPort) === port,
          ),
        ).toBe(true);
      }
    }),
    propsParameters<[Case]>(300),
  );
});

it("a task whose instance is unknown is unknown in the group, never failing nor missing", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const { tasks, judged } = build(c);
      for (const task of tasks.filter((x) => x.instanceUnknown)) {
        const verdict = judged.tasks.find((x) => x.taskId === task.taskId)?.verdict;
        expect(verdict).toBe("unknown");
      }
    }),
    propsParameters<[Case]>(300),
  );
});

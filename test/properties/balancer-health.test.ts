import fc from "fast-check";
import { expect, it } from "vitest";
import type { Fleet, FleetService } from "../../emulator/fleet/types.ts";
import {
  example,
  type FleetAndPicks,
  fleetAndPicks,
  nth,
  PROPERTY_TIMEOUT,
  propsParameters,
  useFleetEmulator,
  verdictLines,
} from "./support.ts";

// Target health in /ecs health over seeded incident fleets whose services sit behind real
// balancers (emulator/fleet/balancers.ts), asked through the emulator: a failing or unread target
// is never an all-clear; unread target health alone changes no verdict; a deleted target group is
// a finding, never "could not read".
//
// Replaying: npm run test:props -- --seed S --path P --test "<part of its name>" test/properties/balancer-health.test.ts

const emulator = useFleetEmulator();
/** The failure message: the question, the fleet to replay it on, and the answer. */
const why = (b: Behind, run: FleetAndPicks, text: string) =>
  `${b.question} (fleet ${run.fleetSeed})\n${text}`;
const last = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
const groupName = (arn: string) => arn.split("/")[1] ?? arn;

interface Behind {
  service: FleetService;
  question: string;
  /** The groups ELB has, and those the service names that it does not (deleted). */
  live: string[];
  gone: string[];
  /** A target of a live group fails the balancer's health checks. */
  failing: boolean;
}

/** The fleet's services that name target groups, as the fleet JSON alone says. */
function behindBalancers(fleet: Fleet): Behind[] {
  const groups = new Set((fleet.targetGroups ?? []).map((g) => g.TargetGroupArn));
  return fleet.services.flatMap((service): Behind[] => {
    const arns = (service.loadBalancers ?? []).flatMap((l) =>
      l.targetGroupArn ? [l.targetGroupArn] : [],
    );
    if (arns.length === 0 || (service.desiredCount ?? 0) === 0) return [];
    const live = arns.filter((a) => groups.has(a));
    return [
      {
        service,
        question: `health ${last(service.clusterArn)}/${service.serviceName}`,
        live,
        gone: arns.filter((a) => !groups.has(a)),
        failing: (fleet.targetHealth ?? []).some(
          (h) => live.includes(h.TargetGroupArn) && h.TargetHealth?.State === "unhealthy",
        ),
      },
    ];
  });
}

/** The verdict's first two words ("▲ DEGRADED"), or the whole first line when there is none. */
const verdictOf = (text: string) =>
  (verdictLines(text)[0] ?? text.split("\n")[0] ?? "").split(" ").slice(0, 2).join(" ");

/** Target health denied (most runs) or throttled beyond the retries (one run in three). */
function unreadable(picks: number[]) {
  if ((picks[2] ?? 0) % 3 === 0) emulator.throttle(1, ["ELBv2.DescribeTargetHealth"]);
  else emulator.deny(["ELBv2.DescribeTargetHealth"]);
}

/**
 * A property (a vitest test) over one service of a seeded fleet that names target groups, picked
 * by `want`; `examples`: fleets and picks run first every time.
 */
function propertyOfServicesBehind(
  name: string,
  want: (b: Behind) => boolean,
  body: (run: FleetAndPicks, behind: Behind, fleet: Fleet) => Promise<void>,
  examples: [FleetAndPicks][] = [],
) {
  it(
    name,
    async () => {
      const property = fc.asyncProperty(fleetAndPicks, async (run) => {
        const fleet = emulator.use(run.fleetSeed);
        const behind = nth(behindBalancers(fleet).filter(want), run.picks[0] ?? 0);
        if (behind) await body(run, behind, fleet);
      });
      await fc.assert(property, propsParameters(6, examples));
    },
    PROPERTY_TIMEOUT,
  );
}

propertyOfServicesBehind(
  "never says ✔ HEALTHY while a target of the service's groups fails, nor while its target health is unread without saying partial",
  (b) => b.live.length > 0,
  async (run, behind) => {
    const read = await emulator.ask(behind.question);
    if (behind.failing) {
      expect(read.headline, why(behind, run, read.text)).not.toMatch(/^✔/);
      expect(read.firstHeadline).not.toMatch(/^✔|HEALTHY/);
    }
    unreadable(run.picks);
    const unread = await emulator.ask(behind.question);
    if (!/^✖ DOWN/.test(unread.headline)) {
      expect(unread.headline, why(behind, run, unread.text)).toMatch(/partial/);
    }
  },
);

propertyOfServicesBehind(
  "unread target health alone never moves the verdict: the same as without the service's readable groups",
  (b) => b.live.length > 0,
  async (run, behind, fleet) => {
    // The same fleet, the service naming only its deleted groups (if any): no target signal.
    const without = structuredClone(fleet);
    const twin = without.services.find((s) => s.serviceArn === behind.service.serviceArn);
    if (twin)
      twin.loadBalancers = (twin.loadBalancers ?? []).filter(
        (l) => !behind.live.includes(l.targetGroupArn ?? ""),
      );
    emulator.serve(without, run.fleetSeed);
    const baseline = await emulator.ask(behind.question);
    emulator.use(run.fleetSeed);
    unreadable(run.picks);
    const unread = await emulator.ask(behind.question);
    expect(verdictOf(unread.text), why(behind, run, unread.text)).toBe(verdictOf(baseline.text));
  },
);

propertyOfServicesBehind(
  "reports a deleted target group the service still names as gone, never as could not read",
  (b) => b.gone.length > 0,
  async (run, behind) => {
    // Target health read, or denied: DescribeTargetGroups still says the group does not exist.
    if ((run.picks[1] ?? 0) % 2 === 1) emulator.deny(["ELBv2.DescribeTargetHealth"]);
    const answer = await emulator.ask(behind.question);
    for (const arn of behind.gone) {
      const name = groupName(arn);
      const text = why(behind, run, answer.text);
      expect(answer.text, text).not.toMatch(new RegExp(`could not read [^\\n]*${name}`));
      expect(answer.text, text).toContain(`${name} no longer exists`);
    }
    expect(answer.headline).not.toMatch(/^✔/);
  },
  // Fleets 1 and 2 have services naming deleted groups: read, then denied.
  [example(1, 0, 0), example(2, 1, 1)],
);

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withBalancers } from "../../../emulator/fleet/balancers.ts";
import { generateFleet } from "../../../emulator/fleet/generate.ts";
import { awsContext } from "../../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../../src/commands/reads/digest-of-scope.ts";
import { useEmulatedAws } from "../../support/emulated-aws.ts";

// Issue 24: a digest over a generated fleet whose services sit behind real balancers
// (emulator/fleet/balancers.ts), some failing, some naming a deleted target group, judges target
// health honestly: what AWS answered is never "could not read".

const fleet = withBalancers(generateFleet({ services: 40, clusters: 4, namespaces: 2 }), 0.6, 3);
const groups = new Set((fleet.targetGroups ?? []).map((g) => g.TargetGroupArn));
const named = (s: (typeof fleet.services)[number]) =>
  (s.loadBalancers ?? []).flatMap((l) => (l.targetGroupArn ? [l.targetGroupArn] : []));
/** Services naming only a deleted group. */
const onlyDeleted = fleet.services.filter(
  (s) => named(s).length > 0 && named(s).every((arn) => !groups.has(arn)),
);
let aws: Awaited<ReturnType<typeof useEmulatedAws>>;

beforeAll(async () => {
  aws = await useEmulatedAws(fleet);
});
afterAll(async () => {
  await aws.stop();
});

describe("a digest of generated services behind balancers, some naming a deleted target group", () => {
  it("is never partial for a deleted group, and names it as the service's degradation", async () => {
    expect(onlyDeleted.length).toBeGreaterThan(0);
    const { digest } = await makeDigest(
      awsContext("ap-northeast-1"),
      { name: "balancers", scope: { clusters: "all", namespaces: [] } },
      undefined,
    );

    expect(digest.counts.unknown).toBe(0);
    for (const service of onlyDeleted) {
      const offender = digest.offenders.find((o) => o.entry.service === service.serviceName);
      expect(offender?.level, service.serviceName).toBe("degraded");
      expect(offender?.reason).toMatch(/target group .*-old no longer exists \(deleted\?\)/);
    }
  });

  it("is the same fleet for the same share and seed", () => {
    const again = withBalancers(
      generateFleet({ services: 40, clusters: 4, namespaces: 2 }),
      0.6,
      3,
    );
    expect(JSON.stringify(again)).toBe(JSON.stringify(fleet));
  });
});

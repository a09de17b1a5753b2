import { describe, expect, it } from "vitest";
import { loadDemoFleet } from "../../emulator/fleet/demo.ts";
import { forgetOwnDynamo } from "../../src/aws/own-dynamo.ts";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { makeDigest } from "../../src/commands/reads/digest-of-scope.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { digestDocument } from "../../src/render/digest-document.ts";
import { renderText } from "../../src/render/text.ts";
import { useDynalite } from "../support/dynalite.ts";
import { useEmulatorPerFile } from "../support/emulator-per-file.ts";

// The digest of the demo fleet, judged by /ecs health's own rules: worst first, each with the
// reason health gives, the healthy rest in one line.

const aws = useEmulatorPerFile();
const ctx = () => awsContext("ap-northeast-1");

/**
 * The demo fleet with checkout's failing target healthy (issue 24: checkout-tg's 503 makes the
 * tutorial cluster degraded): for the cases whose point is an all-clear, or its absence.
 */
async function withTargetsHealthy<T>(work: () => Promise<T>): Promise<T> {
  const fleet = loadDemoFleet();
  for (const t of fleet.targetHealth ?? []) t.TargetHealth = { State: "healthy" };
  aws.emulator.setFleet(fleet);
  try {
    return await work();
  } finally {
    aws.emulator.setFleet(loadDemoFleet());
  }
}

describe("/ecs digest on the demo fleet", () => {
  it("puts the services that are down first with their stop reason, the degraded next, the healthy in one line", async () => {
    const text = renderText((await runEcsCommand("digest", ctx)).doc);
    const lines = text.split("\n");

    expect(lines[0]).toMatch(
      /^Digest \(every cluster\) at \d\d:\d\d UTC: 2 down, 3 degraded, 5 healthy$/,
    );
    expect(lines[2]).toMatch(
      /^✖ DOWN ecs_service_discovery\/billing-worker: 0 of 2 tasks running; last stop: .*OutOfMemoryError/,
    );
    expect(lines[5]).toMatch(
      /^✖ DOWN ecs_service_discovery\/invoice-renderer: 0 of 1 tasks running; tasks never start: .*CannotPullContainerError/,
    );
    expect(lines[8]).toBe(
      "▲ DEGRADED ecs_service_discovery/api-service: 1 of 3 endpoints unhealthy: 10.0.3.103 (container health check failing: api)",
    );
    expect(lines[9]).toBe("  /ecs health api.service-connect · /ecs traffic api.service-connect");
    // checkout fails the balancer's health check on one target (issue 24).
    expect(text).toMatch(
      /▲ DEGRADED tutorial\/checkout: 1 of 3 targets of checkout-tg unhealthy: .*answered 503, matcher 200/,
    );
    expect(text).toContain("5 other services healthy.");
  });

  it("covers the named clusters and namespaces only", async () => {
    const text = renderText((await runEcsCommand("digest tutorial", ctx)).doc);

    expect(text.split("\n")[0]).toMatch(/^Digest \(tutorial\) at .*: 1 degraded, 4 healthy$/);
  });

  it("refuses a name that is neither a cluster nor a namespace, suggesting the one it resembles", async () => {
    const text = renderText((await runEcsCommand("digest tutorail", ctx)).doc);
    const mixed = renderText((await runEcsCommand("digest staging tutorail", ctx)).doc);

    expect(text).toBe(
      "No cluster or namespace tutorail in ap-northeast-1. Did you mean tutorial?\n",
    );
    // Never a digest of the rest over a typo.
    expect(mixed).toBe(text);
  });

  it("never makes an empty digest over a typo when the clusters cannot be listed", async () => {
    aws.emulator.setDenied(["ECS.ListClusters"]);
    const typo = renderText((await runEcsCommand("digest tutorail", ctx)).doc);
    const right = renderText((await runEcsCommand("digest tutorial", ctx)).doc);

    // AWS says there is no such cluster, and the namespaces were listed: not a namespace either.
    expect(typo).toBe("No cluster or namespace tutorail in ap-northeast-1.\n");
    // (what ListClusters would have told of the services' clusters is read as partial)
    expect(right.split("\n")[0]).toMatch(
      /^Digest \(tutorial\) at \d\d:\d\d UTC: 1 degraded, 4 healthy(;|$)/,
    );
  });

  it("tries a name it could not check against the kind it could not list", async () => {
    aws.emulator.setDenied(["ServiceDiscovery.ListNamespaces"]);
    const text = renderText((await runEcsCommand("digest tutorial mesh", ctx)).doc);

    // mesh is no cluster, and the namespaces could not be listed: it may be one, and that is said.
    expect(text.split("\n")[0]).toMatch(
      /^Digest \(cluster tutorial; namespace mesh\) at \d\d:\d\d UTC: 1 degraded, 4 healthy; the Cloud Map namespaces could not be listed \(denied\)(;|$)/,
    );
  });

  it("is one line when quiet and every service of the scope is healthy", async () => {
    const { digest } = await withTargetsHealthy(() =>
      makeDigest(
        ctx(),
        { name: "tutorial", scope: { clusters: ["tutorial"], namespaces: [] } },
        undefined,
      ),
    );

    expect(renderText(digestDocument(digest, true))).toMatch(
      /^All 5 services healthy in tutorial at \d\d:\d\d UTC\n$/,
    );
  });

  it("reports the rest and says what is missing when a cluster cannot be listed", async () => {
    const { digest, gaps } = await makeDigest(
      ctx(),
      { name: "t", scope: { clusters: ["tutorial", "gone"], namespaces: [] } },
      undefined,
    );

    expect(digest.total).toBe(5);
    expect(gaps.map((g) => g.what)).toEqual(["the services of cluster gone"]);
  });

  it("never says all healthy over a cluster it could not list: names it and why, quiet too", async () => {
    // ecs_service_discovery holds the two services that are down: unlisted, they must not vanish.
    aws.emulator.setDenied(["ECS.ListServices:ecs_service_discovery"]);
    const scope = "tutorial ecs_service_discovery";
    const [quiet, full] = await withTargetsHealthy(async () => [
      renderText((await runEcsCommand(`digest ${scope} --quiet`, ctx)).doc),
      renderText((await runEcsCommand(`digest ${scope}`, ctx)).doc),
    ]);

    expect(quiet.split("\n")[0]).toMatch(
      /^5 services healthy in tutorial, ecs_service_discovery at \d\d:\d\d UTC; cluster ecs_service_discovery could not be read \(denied\)$/,
    );
    expect(quiet).not.toMatch(/All \d+ services healthy/);
    expect(full.split("\n")[0]).toMatch(
      /^Digest \(tutorial, ecs_service_discovery\) at \d\d:\d\d UTC: 5 healthy; cluster ecs_service_discovery could not be read \(denied\)$/,
    );
    expect(full).not.toMatch(/All \d+ services healthy/);
  });

  it("never says all healthy when the traffic that could make a service degraded was not read", async () => {
    aws.emulator.setDenied(["CloudWatch.GetMetricData"]);
    const [quiet, full] = await withTargetsHealthy(async () => [
      renderText((await runEcsCommand("digest tutorial --quiet", ctx)).doc),
      renderText((await runEcsCommand("digest tutorial", ctx)).doc),
    ]);

    expect(quiet.split("\n")[0]).toMatch(
      /^5 services healthy in tutorial at \d\d:\d\d UTC; \d services? judged on partial reads \(.+ could not be read/,
    );
    expect(quiet).not.toMatch(/All \d+ services healthy/);
    expect(full.split("\n")[0]).toMatch(/: 5 healthy; \d services? judged on partial reads/);
    expect(full).not.toMatch(/All \d+ services healthy/);
  });

  it("names the cluster whose services could not be described instead of a bare count of unknowns", async () => {
    aws.emulator.setDenied(["ECS.DescribeServices:ecs_service_discovery"]);
    const quiet = renderText(
      (await runEcsCommand("digest tutorial ecs_service_discovery --quiet", ctx)).doc,
    );

    // Its services are judged from what else could be read (tasks, Cloud Map), or unknown.
    expect(quiet.split("\n")[0]).toMatch(
      /4 healthy, \d unknown; cluster ecs_service_discovery could not be read \(denied\)(;|$)/,
    );
    // None listed a moment ago is dropped as gone: the ones not judged at all are unknown.
    expect(quiet).toMatch(/\? ecs_service_discovery\/billing-worker: could not be read: /);
    expect(quiet).not.toMatch(/All \d+ services healthy/);
  });

  it("says the clusters could not be listed rather than that the region has no service", async () => {
    aws.emulator.setDenied(["ECS.ListClusters"]);
    const text = renderText((await runEcsCommand("digest --quiet", ctx)).doc);

    expect(text.split("\n")[0]).toMatch(/the clusters could not be listed \(denied\)$/);
    expect(text).not.toContain("No service found");
  });

  it("says what changed since the last digest of the same scope, kept in DynamoDB", async () => {
    const store = await useDynalite("ecs-chatops-test-digests", "DigestHistoryTable");
    process.env.DIGEST_TABLE = "ecs-chatops-test-digests";
    forgetOwnDynamo();
    try {
      const first = renderText((await runEcsCommand("digest ecs_service_discovery", ctx)).doc);
      const text = renderText((await runEcsCommand("digest ecs_service_discovery", ctx)).doc);

      expect(first).toContain("First digest of this scope: the next one will say what changed.");
      expect(text).toMatch(
        // The failure's own start (the first of its stopped tasks ECS keeps), with the day: not the first digest.
        /✖ DOWN ecs_service_discovery\/invoice-renderer: .* · still failing since 2026-11-23 16:05 UTC/,
      );
      expect(text).not.toContain("First digest");
    } finally {
      delete process.env.DIGEST_TABLE;
      forgetOwnDynamo();
      await store.stop();
    }
  });

  it("keeps no history from Details' re-read: the next digest still compares with the one posted", async () => {
    const store = await useDynalite("ecs-chatops-test-digests", "DigestHistoryTable");
    process.env.DIGEST_TABLE = "ecs-chatops-test-digests";
    forgetOwnDynamo();
    try {
      const details = await runEcsCommand("digest ecs_service_discovery", ctx, undefined, {
        rereading: true,
      });
      const next = renderText((await runEcsCommand("digest ecs_service_discovery", ctx)).doc);

      expect(renderText(details.doc)).toContain("First digest of this scope");
      expect(next).toContain("First digest of this scope: the next one will say what changed.");
    } finally {
      delete process.env.DIGEST_TABLE;
      forgetOwnDynamo();
      await store.stop();
    }
  });
});

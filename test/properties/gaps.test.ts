import fc from "fast-check";
import { expect, it } from "vitest";
import type { RecordedRequest } from "../../emulator/server.ts";
import {
  example,
  type FleetAndPicks,
  fleetAndPicks,
  nth,
  PROPERTY_TIMEOUT,
  propsParameters,
  publishedAliases,
  truthOf,
  useFleetEmulator,
  verdictLines,
} from "./support.ts";

// Whatever could not be read (denied, throttled past the retries) and could change the verdict is
// named in the headline: never an all-clear that hides it.

const emulator = useFleetEmulator();

/** Reads that decide a verdict: services, tasks, endpoints' health, the callers' 5xx. */
const VERDICT_READS = [
  "ECS.ListClusters",
  "ECS.ListServices",
  "ECS.DescribeServices",
  "ECS.ListTasks",
  "ECS.DescribeTasks",
  "ServiceDiscovery.ListNamespaces",
  "ServiceDiscovery.ListInstances",
  "ServiceDiscovery.DiscoverInstances",
  "ServiceDiscovery.GetInstancesHealthStatus",
  "CloudWatch.GetMetricData",
];

const key = (r: RecordedRequest) => `${r.service}.${r.operation}`;
const same = (a: RecordedRequest, b: RecordedRequest) =>
  key(a) === key(b) && JSON.stringify(a.body) === JSON.stringify(b.body);

/** Verdict reads answered with an error and never answered after (retries included). */
function failedReads(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter(
    (r, i) =>
      VERDICT_READS.includes(key(r)) &&
      (r.denied || r.throttled) &&
      !requests.slice(i + 1).some((later) => same(later, r) && !later.denied && !later.throttled),
  );
}

const GAP = /partial|could not|not read|unread|unknown|incomplete/i;

/**
 * A digest of named clusters needs no ListClusters: each name is checked by listing its services.
 * When every name was listed that way, a refused ListClusters left nothing of the answer unread.
 */
function unreadForDigest(question: string, requests: RecordedRequest[]): RecordedRequest[] {
  const failed = failedReads(requests);
  const names = question
    .split(/\s+/)
    .slice(1)
    .filter((w) => !w.startsWith("--"));
  const listed = (name: string) =>
    requests.some(
      (r) =>
        key(r) === "ECS.ListServices" &&
        !r.denied &&
        !r.throttled &&
        (r.body as { cluster?: string }).cluster?.split("/").pop() === name,
    );
  return names.length > 0 && names.every(listed)
    ? failed.filter((r) => key(r) !== "ECS.ListClusters")
    : failed;
}

/**
 * A digest never reads as complete over an unread part, and names a cluster it could not list;
 * a health verdict names what it could not read, unless it is DOWN (nothing unread makes it worse).
 */
function expectUnreadNamed(
  question: string,
  answer: { headline: string; text: string; first: string },
  failed: ReturnType<typeof failedReads>,
  where: string,
) {
  if (question.startsWith("digest")) {
    // As for health: DOWN is decided by what was read, and nothing unread makes it worse; a
    // digest whose every service is DOWN (no healthy, degraded or noisy count) hides nothing.
    const notDown = [...answer.headline.matchAll(/(\d+) (?:degraded|noisy|healthy|unknown)/g)];
    const allDown = /\d+ down/.test(answer.headline) && notDown.every((m) => m[1] === "0");
    // In the full answer's headline, and in the first view Slack shows.
    if (!allDown) expect(answer.headline, where).toMatch(GAP);
    if (!allDown) expect(answer.first, where).toMatch(GAP);
    const unlisted = failed.find((r) => key(r) === "ECS.ListServices" && r.denied)?.body as
      | { cluster?: string }
      | undefined;
    if (unlisted?.cluster) {
      const name = unlisted.cluster.slice(unlisted.cluster.lastIndexOf("/") + 1);
      expect(answer.headline, where).toContain(name);
      expect(answer.first, where).toContain(name);
    }
    return;
  }
  for (const verdict of verdictLines(answer.text)) {
    if (verdict.startsWith("✖ DOWN")) continue;
    expect(verdict, where).toMatch(GAP);
    // Unknown is never left to Details.
    expect(answer.first, where).toMatch(GAP);
  }
}

it(
  "names in a digest's headline what could not be read, and the cluster it could not list",
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fleetAndPicks,
        fc.subarray(VERDICT_READS, { maxLength: 2 }),
        fc.constantFrom(0, 0, 0.15),
        async ({ fleetSeed, picks }, denied, throttleRate) => {
          const fleet = emulator.use(fleetSeed);
          const truth = truthOf(fleet);
          const [a = 0, b = 0] = picks;
          const cluster = nth(truth.clusters, a) ?? "";
          // One cluster's services unlisted, as for a role scoped to some clusters.
          const deniedCluster = b % 3 === 0 ? [`ECS.ListServices:${cluster}`] : [];
          emulator.deny([...denied, ...deniedCluster]);
          emulator.throttle(throttleRate);
          // Every cluster, or the unlisted cluster beside another one; quiet or not.
          const other = nth(
            truth.clusters.filter((c) => c !== cluster),
            a,
          );
          const scope = b % 4 >= 2 && other ? ` ${other} ${cluster}` : "";
          const questions = [`digest${scope}${b % 2 ? " --quiet" : ""}`];
          for (const question of questions) {
            const answer = await emulator.ask(question);
            const failed = unreadForDigest(question, answer.requests);
            if (failed.length === 0) continue;
            const where = `${question} (fleet ${fleetSeed}; denied ${[...denied, ...deniedCluster].join(", ") || "nothing"}; throttle ${throttleRate}; failed ${failed.map(key).join(", ")})\n${answer.text}`;
            expectUnreadNamed(question, answer, failed, where);
          }
        },
      ),
      propsParameters<[FleetAndPicks, string[], number]>(6, [
        // Known counterexample (regression): digest with ECS.ListServices:tutorial denied said
        // "6 down, 3 degraded, 3 healthy" without naming tutorial.
        [...example(1), [], 0],
        // Known counterexample (regression of the property itself): every service DOWN on its
        // container health check, Cloud Map unread: "2 down, 0 healthy" is the whole truth.
        [...example(24, 11, 769255), ["ServiceDiscovery.DiscoverInstances"], 0],
        // Known counterexample (of the property): 'digest staging prod-core' with ListClusters
        // denied read both clusters by listing their services; nothing of it was unread.
        [...example(1, 259487, 403294), ["ECS.ListClusters"], 0],
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

it(
  "names in a health verdict what could not be read, unless the verdict is already DOWN",
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fleetAndPicks,
        fc.subarray(VERDICT_READS, { maxLength: 2 }),
        fc.constantFrom(0, 0, 0.15),
        async ({ fleetSeed, picks }, denied, throttleRate) => {
          const fleet = emulator.use(fleetSeed);
          const truth = truthOf(fleet);
          const [a = 0, b = 0, c = 0] = picks;
          const cluster = nth(truth.clusters, a) ?? "";
          // One cluster's services unlisted, as for a role scoped to some clusters.
          const deniedCluster = b % 3 === 0 ? [`ECS.ListServices:${cluster}`] : [];
          emulator.deny([...denied, ...deniedCluster]);
          emulator.throttle(throttleRate);
          const service = nth(
            truth.services.filter((s) => s.desired > 0),
            c,
          );
          const alias = nth(publishedAliases(truth), c);
          const questions = [
            ...(service ? [`health ${service.cluster}/${service.name}`] : []),
            ...(alias ? [`health ${alias.dnsName}`] : []),
          ];
          for (const question of questions) {
            const answer = await emulator.ask(question);
            const failed = failedReads(answer.requests);
            if (failed.length === 0) continue;
            const where = `${question} (fleet ${fleetSeed}; denied ${[...denied, ...deniedCluster].join(", ") || "nothing"}; throttle ${throttleRate}; failed ${failed.map(key).join(", ")})\n${answer.text}`;
            expectUnreadNamed(question, answer, failed, where);
          }
        },
      ),
      propsParameters(),
    );
  },
  PROPERTY_TIMEOUT,
);

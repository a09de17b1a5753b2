import fc from "fast-check";
import { expect, it } from "vitest";
import {
  example,
  fleetAndPicks,
  nth,
  PROPERTY_TIMEOUT,
  propsParameters,
  publishedAliases,
  truthOf,
  unknownName,
  useFleetEmulator,
  verdictLines,
} from "./support.ts";

// The verdict is never worse than the truth computed from the fleet by a deliberately simple
// oracle (support.ts truthOf), nor an all-clear for what does not exist.

const emulator = useFleetEmulator();
const why = (question: string, seed: number, text: string) =>
  `${question} (fleet ${seed})\n${text}`;

it(
  "never calls a service with a RUNNING HEALTHY task DOWN, nor one with no task running HEALTHY (asked by name or task address)",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, b = 0] = picks;
        const judged = truth.services.filter((s) => s.desired > 0);
        // Half the runs ask about a service with healthy and unhealthy tasks: where it goes wrong.
        const mixed = judged.filter((s) => s.healthyRunning > 0 && s.healthyRunning < s.running);
        const service = nth(b % 2 === 0 && mixed.length > 0 ? mixed : judged, a);
        if (!service) return;
        // By cluster/name, and by each running task's address (a bad task of a good service too).
        const questions = [
          `health ${service.cluster}/${service.name}`,
          ...service.runningIps.map((ip) => `health ${ip}`),
        ];
        for (const question of questions) {
          const answer = await emulator.ask(question);
          const verdicts = verdictLines(answer.text);
          expect(verdicts, why(question, fleetSeed, answer.text)).toHaveLength(1);
          const verdict = verdicts[0] ?? "";
          // The first view's headline gives the same verdict as the full answer's.
          expect(answer.firstHeadline, why(question, fleetSeed, answer.text)).toBe(
            verdict.length <= 150 ? verdict : answer.firstHeadline,
          );
          expect(answer.firstHeadline.split(" ").slice(0, 2)).toEqual(
            verdict.split(" ").slice(0, 2),
          );
          if (service.healthyRunning > 0) {
            expect(verdict, why(question, fleetSeed, answer.text)).not.toMatch(/^✖ DOWN/);
          }
          if (service.running === 0) {
            expect(verdict, why(question, fleetSeed, answer.text)).not.toMatch(/^✔ HEALTHY/);
          }
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): health 10.0.3.103 answered DOWN 0 of 1 while api-service has healthy tasks
        example(1),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

it(
  "answers a name nobody publishes, or a published alias on a port it does not publish, as not found: never a verdict",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const aliases = publishedAliases(truthOf(fleet));
        const [c = 0, d = 0] = picks;
        const questions: [string, RegExp][] = [[`health ${unknownName(fleet, d)}`, /not found/i]];
        const alias = nth(aliases, c);
        if (alias) {
          const ports = new Set(
            aliases.filter((x) => x.dnsName === alias.dnsName).map((x) => x.port),
          );
          let port = alias.port + 1 + (d % 7);
          while (ports.has(port)) port++;
          // Its own words: nothing on that port, and the ports the name is published on.
          questions.push([
            `health ${alias.dnsName}:${port}`,
            new RegExp(
              `^Nothing publishes port ${port} on ${alias.dnsName.replaceAll(".", "\\.")}: it publishes port`,
            ),
          ]);
        }
        for (const [question, headline] of questions) {
          const answer = await emulator.ask(question);
          expect(verdictLines(answer.text), why(question, fleetSeed, answer.text)).toEqual([]);
          expect(answer.headline, why(question, fleetSeed, answer.text)).toMatch(headline);
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): health nginx.service-connect:81 answered HEALTHY
        example(1),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

it(
  "answers `why` from a client that does not exist as client not found: never judged",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, e = 0] = picks;
        const target = nth(publishedAliases(truth), e);
        const cluster = nth(truth.clusters, a);
        if (!target || !cluster) return;
        // Both forms of a client name: cluster/name and a bare name.
        const ghost = unknownName(fleet, e + 1);
        for (const client of [`${cluster}/${ghost}`, ghost]) {
          const question = `why ${client} ${target.dnsName}`;
          const answer = await emulator.ask(question);
          expect(answer.headline, why(question, fleetSeed, answer.text)).toMatch(/not found/i);
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): why tutorial/ghost-1 nginx.service-connect answered nothing found broken
        example(1),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

it(
  "never says Cloud Map still lists an address it does not list (asked about stopping and stopped tasks)",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, b = 0] = picks;
        const ip = nth(b % 2 === 0 ? truth.drainingIps : truth.stoppedIps, a);
        if (!ip) return;
        const registered = new Set(fleet.instances.map((i) => i.attributes.AWS_INSTANCE_IPV4));
        for (const verb of ["health", "whois"]) {
          const question = `${verb} ${ip}`;
          const answer = await emulator.ask(question);
          for (const claim of answer.text.matchAll(/Cloud Map still lists (\d+\.\d+\.\d+\.\d+)/g)) {
            expect(registered.has(claim[1]), why(question, fleetSeed, answer.text)).toBe(true);
          }
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): health 10.0.128.5, a draining task ECS deregistered,
        // said "Cloud Map still lists 10.0.128.5 … clients resolve a dead IP".
        example(3),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

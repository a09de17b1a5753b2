import fc from "fast-check";
import { expect, it } from "vitest";
import {
  example,
  fleetAndPicks,
  nth,
  PROPERTY_TIMEOUT,
  propsParameters,
  publishedAliases,
  type ServiceTruth,
  sectionLines,
  truthOf,
  useFleetEmulator,
} from "./support.ts";

// Every fix names only resources of the broken link: the client's or the target's cluster,
// service, security groups, subnets' network ACLs, VPCs, Lambda function; and a service already
// in a Service Connect namespace is never moved to another one. Read from the rendered `why`
// answer: what the engineer reads and would copy.

const emulator = useFleetEmulator();

/** The Fix section's lines of a rendered `why` answer. */
function fixLines(text: string): string[] {
  // "Fix (…)" for one broken link, "Fix every broken link, in this order (…)" for several.
  return sectionLines(text, /^Fix /);
}

const flags = (fix: string, flag: string) =>
  [...fix.matchAll(new RegExp(`${flag}[ =]'?([^\\s,']+)`, "g"))].map((m) => m[1] ?? "");

it(
  "fixes name only resources of the client and the target of the question",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, b = 0, c = 0] = picks;
        const aliases = publishedAliases(truth);
        const target = nth(aliases, b);
        if (!target) return;
        // Clients: ECS services by cluster/name (one each), and Lambda functions.
        const clients: ({ kind: "ecs"; s: ServiceTruth } | { kind: "lambda"; name: string })[] = [
          ...truth.services.map((s) => ({ kind: "ecs" as const, s })),
          ...truth.lambdas.map((l) => ({ kind: "lambda" as const, name: l.name })),
        ];
        const client = nth(clients, a);
        if (!client) return;
        const port = c % 2 ? `:${target.port}` : "";
        const clientArg =
          client.kind === "ecs" ? `${client.s.cluster}/${client.s.name}` : `lambda:${client.name}`;
        const question = `why ${clientArg} ${target.dnsName}${port}`;
        const answer = await emulator.ask(question);
        // The commands of the fix block (its prose names links, not resources to change).
        const fixes = fixLines(answer.text).filter((l) => l.startsWith("aws "));
        if (fixes.length === 0) return;

        const ends: ServiceTruth[] = [target.service, ...(client.kind === "ecs" ? [client.s] : [])];
        const lambda =
          client.kind === "lambda" ? truth.lambdas.find((l) => l.name === client.name) : undefined;
        const subnets = [...ends.flatMap((e) => e.subnets), ...(lambda?.subnets ?? [])];
        const allowed = {
          services: new Set(ends.map((e) => `${e.cluster}/${e.name}`)),
          groups: new Set([
            ...ends.flatMap((e) => e.securityGroups),
            ...(lambda?.securityGroups ?? []),
          ]),
          acls: new Set(subnets.flatMap((s) => truth.aclsOfSubnet.get(s) ?? [])),
          vpcs: new Set(subnets.flatMap((s) => truth.vpcOfSubnet.get(s) ?? [])),
          functions: new Set(lambda ? [lambda.name] : []),
        };
        const where = `${question} (fleet ${fleetSeed})\n${answer.text}`;
        for (const fix of fixes) {
          const clusters = flags(fix, "--cluster");
          const services = flags(fix, "--service");
          clusters.forEach((cluster, i) => {
            expect(allowed.services, where).toContain(`${cluster}/${services[i]}`);
          });
          for (const group of [...flags(fix, "--group-id"), ...flags(fix, "--source-group")]) {
            expect(allowed.groups, where).toContain(group);
          }
          for (const acl of flags(fix, "--network-acl-id"))
            expect(allowed.acls, where).toContain(acl);
          for (const vpc of [...flags(fix, "--vpc-id"), ...flags(fix, "VPCId")]) {
            expect(allowed.vpcs, where).toContain(vpc);
          }
          for (const name of flags(fix, "--function-name")) {
            expect(allowed.functions, where).toContain(name);
          }
          // A service already in a namespace is not moved to another: its other callers would break.
          for (const namespace of flags(fix, "namespace")) {
            clusters.forEach((cluster, i) => {
              const service = ends.find((e) => e.cluster === cluster && e.name === services[i]);
              if (service && service.namespaces.length > 0) {
                expect(service.namespaces, where).toContain(namespace);
              }
            });
          }
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): why nginx-service api.staging moved it into namespace staging
        example(1, 0, 4),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

/** The ✖ links of a layer's section ("2. Path …") of a rendered `why` answer. */
function brokenLinks(text: string, layer: RegExp): string[] {
  return sectionLines(text, layer).filter((l) => l.startsWith("✖"));
}

it(
  "gives every broken link a fix that names it, and the headline counts them",
  async () => {
    await fc.assert(
      fc.asyncProperty(fleetAndPicks, async ({ fleetSeed, picks }) => {
        const fleet = emulator.use(fleetSeed);
        const truth = truthOf(fleet);
        const [a = 0, b = 0] = picks;
        const target = nth(publishedAliases(truth), b);
        const clients = [
          ...truth.services.map((s) => `${s.cluster}/${s.name}`),
          ...truth.lambdas.map((l) => `lambda:${l.name}`),
        ];
        // Half the runs from a Lambda: its subnet's ACL breaks several links of the demo fleet.
        const lambdas = clients.filter((x) => x.startsWith("lambda:"));
        const client = nth(b % 2 === 0 && lambdas.length > 0 ? lambdas : clients, a);
        if (!target || !client) return;
        const question = `why ${client} ${target.dnsName}`;
        const answer = await emulator.ask(question);
        const broken = [
          ...brokenLinks(answer.text, /^1\. Name/),
          ...brokenLinks(answer.text, /^2\. Path/),
          ...brokenLinks(answer.text, /^3\. App/),
        ];
        if (broken.length < 2) return;
        const said = `${question} (fleet ${fleetSeed})\n${answer.text}`;
        // The headline counts them, and the fix block names each one (one command may open
        // several links, e.g. subnets sharing a route table: it names them all).
        expect(answer.headline, said).toContain(`${broken.length} broken links`);
        const entries = fixLines(answer.text).filter((l) => /^\d+\. /.test(l));
        for (const line of broken) {
          const link = line.slice(2, line.indexOf(": "));
          expect(
            entries.some((e) => e.includes(link)),
            `${said}\nno fix names the broken link ${link}`,
          ).toBe(true);
        }
        // Every command the fix block proposes is one of AWS's, never a leftover sentence.
        for (const l of fixLines(answer.text).filter((x) => x.startsWith("aws "))) {
          expect(l, said).toMatch(/^aws [a-z0-9-]+ [a-z-]+ --/);
        }
      }),
      propsParameters(6, [
        // Known counterexample (regression): why lambda:order-webhook nginx.service-connect fixed only the name link
        example(1, 1, 0),
      ]),
    );
  },
  PROPERTY_TIMEOUT,
);

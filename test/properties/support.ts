// Property tests over seeded incident fleets (emulator/fleet/incidents.ts generateIncidentFleet): one
// emulator per test file, a fleet swapped in per run, questions asked through runEcsCommand (the
// entry Slack and the CLI share) and rendered by the real renderers, judged against an oracle
// computed from the fleet JSON alone.
//
// Replaying: a failure prints `{ seed: S, path: "P" }` and the counterexample. Run that property
// again with
//   npm run test:props -- --seed S --path P --test "<part of its name>" test/properties/<file>
// (PROPS_SEED, PROPS_PATH; PROPS_RUNS for more runs). The counterexample's fleetSeed and the
// question in the failure message are the regression test: generateIncidentFleet(fleetSeed),
// then ask that question.

import fc from "fast-check";
import { afterAll, beforeAll } from "vitest";
import { slackTexts } from "../../bench/slack-texts.ts";
import { generateIncidentFleet } from "../../emulator/fleet/incidents.ts";
import type { Fleet, FleetService } from "../../emulator/fleet/types.ts";
import type { RecordedRequest } from "../../emulator/server.ts";
import { awsContext, clearSharedCache } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks, type SlackMessage } from "../../src/render/blocks.ts";
import { plain } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "../support/emulated-aws.ts";

/**
 * fast-check parameters from the environment: PROPS_RUNS (default `runs`), PROPS_SEED, PROPS_PATH.
 * `examples`: counterexamples found before, run first every time (the regression tests);
 * PROPS_NO_EXAMPLES=1 leaves them out, to look past them for other failures.
 */
export function propsParameters<T>(runs = 6, examples: T[] = []): fc.Parameters<T> {
  const numRuns = Number(process.env.PROPS_RUNS ?? runs);
  const seed = process.env.PROPS_SEED === undefined ? undefined : Number(process.env.PROPS_SEED);
  const path = process.env.PROPS_PATH;
  return {
    numRuns,
    examples: process.env.PROPS_NO_EXAMPLES ? [] : examples,
    ...(seed === undefined ? {} : { seed }),
    ...(path === undefined ? {} : { path }),
    // Every run asks the emulator: shrinking is bounded so a failure is reported in seconds.
    endOnFailure: false,
    interruptAfterTimeLimit: 120_000,
    markInterruptAsFailure: false,
    verbose: 1,
  };
}

/** Generous: each run asks a few questions of a loopback emulator. */
export const PROPERTY_TIMEOUT = 240_000;

export interface Asked {
  question: string;
  text: string;
  headline: string;
  /** Slack's first view (the glance, when the answer has one), and the full answer (Details). */
  blocks: SlackMessage;
  full: SlackMessage;
  /** What the first view says: its headline, and every text a Slack user reads in it. */
  firstHeadline: string;
  first: string;
  requests: RecordedRequest[];
}

/** One emulator for the file; `ask` swaps in a seeded fleet and asks questions of it. */
export function useFleetEmulator() {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>>;
  let current: number | undefined;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws.stop();
  });
  return {
    /** Serves the incident fleet of `seed` (nothing denied, no throttling) from now on. */
    use(seed: number): Fleet {
      const fleet = generateIncidentFleet(seed);
      aws.emulator.setFleet(fleet, seed);
      aws.emulator.setDenied([]);
      aws.emulator.setThrottleRate(0);
      current = seed;
      return fleet;
    },
    /** Serves `fleet` (a variant of seed `seed`'s) from now on, nothing denied, no throttling. */
    serve(fleet: Fleet, seed: number) {
      aws.emulator.setFleet(fleet, seed);
      aws.emulator.setDenied([]);
      aws.emulator.setThrottleRate(0);
      current = seed;
    },
    deny(operations: string[]) {
      aws.emulator.setDenied(operations);
    },
    throttle(rate: number, operations?: string[]) {
      aws.emulator.setThrottleRate(rate, operations);
    },
    /** Asks one question from a cold cache, as a new Lambda container would. */
    async ask(question: string): Promise<Asked> {
      if (current === undefined) throw new Error("use(seed) first");
      clearSharedCache();
      aws.emulator.resetStats();
      const output = await runEcsCommand(question, () => awsContext("ap-northeast-1"));
      const text = renderText(output.doc);
      return {
        question,
        text,
        headline: text.split("\n")[0] ?? "",
        blocks: renderBlocks(output.doc),
        full: renderBlocks(output.doc, { view: "full" }),
        firstHeadline: output.doc.glance ? plain(output.doc.glance.headline) : output.doc.summary,
        first: slackTexts(renderBlocks(output.doc).blocks).join("\n"),
        requests: [...aws.emulator.requests],
      };
    },
  };
}

// ---- The oracle: deliberately simple, from the fleet JSON only ----

export interface ServiceTruth {
  cluster: string;
  name: string;
  desired: number;
  /** RUNNING tasks, and those of them whose health is HEALTHY. */
  running: number;
  healthyRunning: number;
  runningIps: string[];
  /** Published Service Connect aliases (dnsName, port) and DNS names. */
  aliases: { dnsName: string; port: number; namespace: string; discoveryName: string }[];
  namespaces: string[];
  securityGroups: string[];
  subnets: string[];
}

export interface Truth {
  services: ServiceTruth[];
  clusters: string[];
  namespaces: string[];
  /** Every address an ENI holds now, with what holds it: a task, a Lambda, a load balancer, … */
  holders: Map<string, string>;
  /** Addresses of tasks that still hold their ENI without RUNNING (draining). */
  drainingIps: string[];
  /** Addresses of STOPPED tasks (ENI deleted). */
  stoppedIps: string[];
  lambdas: { name: string; securityGroups: string[]; subnets: string[] }[];
  /** Security group → its VPC's network ACLs and the VPC, for the fix property. */
  aclsOfSubnet: Map<string, string[]>;
  vpcOfSubnet: Map<string, string>;
}

const last = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

function taskIp(task: Fleet["tasks"][number]): string | undefined {
  return task.attachments
    ?.find((a) => a.type === "ElasticNetworkInterface")
    ?.details?.find((d) => d.name === "privateIPv4Address")?.value;
}

function serviceTruth(fleet: Fleet, service: FleetService): ServiceTruth {
  const tasks = fleet.tasks.filter(
    (t) => t.clusterArn === service.clusterArn && t.group === `service:${service.serviceName}`,
  );
  const running = tasks.filter((t) => t.lastStatus === "RUNNING");
  const primary = service.deployments?.find((d) => d.status === "PRIMARY");
  const sc = primary?.serviceConnectConfiguration;
  const scNamespace = fleet.namespaces.find(
    (n) => n.Arn === sc?.namespace || n.Name === sc?.namespace,
  );
  const aliases: ServiceTruth["aliases"] = [];
  for (const published of sc?.enabled ? (sc.services ?? []) : []) {
    const discoveryName = published.discoveryName ?? published.portName ?? "";
    for (const alias of published.clientAliases ?? []) {
      aliases.push({
        dnsName: alias.dnsName ?? `${discoveryName}.${scNamespace?.Name}`,
        port: alias.port ?? 0,
        namespace: scNamespace?.Name ?? "",
        discoveryName,
      });
    }
  }
  // Service Discovery (DNS) registries: NAME.NAMESPACE in a DNS namespace.
  for (const registry of service.serviceRegistries ?? []) {
    const cloudMap = fleet.cloudMapServices.find((s) => s.Arn === registry.registryArn);
    const namespace = fleet.namespaces.find((n) => n.Id === cloudMap?.NamespaceId);
    if (cloudMap && namespace?.Type?.startsWith("DNS")) {
      aliases.push({
        dnsName: `${cloudMap.Name}.${namespace.Name}`,
        port: registry.port ?? registry.containerPort ?? 0,
        namespace: namespace.Name,
        discoveryName: cloudMap.Name,
      });
    }
  }
  const network = service.networkConfiguration?.awsvpcConfiguration;
  return {
    cluster: last(service.clusterArn),
    name: service.serviceName,
    desired: service.desiredCount ?? 0,
    running: running.length,
    healthyRunning: running.filter((t) => t.healthStatus === "HEALTHY").length,
    runningIps: running.flatMap((t) => taskIp(t) ?? []),
    aliases,
    // The Service Connect namespace it is in (a client-only service too), and its DNS ones.
    namespaces: [
      ...new Set([
        ...(sc?.enabled && scNamespace ? [scNamespace.Name] : []),
        ...aliases.map((a) => a.namespace),
      ]),
    ],
    securityGroups: network?.securityGroups ?? [],
    subnets: network?.subnets ?? [],
  };
}

export function truthOf(fleet: Fleet): Truth {
  const holders = new Map<string, string>();
  const drainingIps: string[] = [];
  const stoppedIps: string[] = [];
  for (const task of fleet.tasks) {
    const ip = taskIp(task);
    if (!ip) continue;
    if (task.lastStatus === "STOPPED") stoppedIps.push(ip);
    else {
      holders.set(ip, `task ${last(task.taskArn)}`);
      if (task.lastStatus !== "RUNNING") drainingIps.push(ip);
    }
  }
  for (const eni of fleet.networkInterfaces ?? []) {
    for (const a of eni.PrivateIpAddresses ?? [{ PrivateIpAddress: eni.PrivateIpAddress }]) {
      if (a.PrivateIpAddress) holders.set(a.PrivateIpAddress, eni.Description ?? "an ENI");
    }
  }
  const aclsOfSubnet = new Map<string, string[]>();
  for (const acl of fleet.networkAcls ?? []) {
    for (const association of acl.Associations ?? []) {
      if (association.SubnetId) {
        aclsOfSubnet.set(association.SubnetId, [
          ...(aclsOfSubnet.get(association.SubnetId) ?? []),
          acl.NetworkAclId,
        ]);
      }
    }
  }
  const vpcOfSubnet = new Map<string, string>();
  for (const vpc of fleet.vpcs ?? []) {
    for (const subnet of vpc.subnets) vpcOfSubnet.set(subnet.subnetId, vpc.vpcId);
  }
  return {
    services: fleet.services.map((s) => serviceTruth(fleet, s)),
    clusters: fleet.clusters.map((c) => c.clusterName),
    namespaces: fleet.namespaces.map((n) => n.Name),
    holders,
    drainingIps,
    stoppedIps,
    lambdas: (fleet.lambdaFunctions ?? []).map((f) => ({
      name: f.FunctionName,
      securityGroups: f.VpcConfig?.SecurityGroupIds ?? [],
      subnets: f.VpcConfig?.SubnetIds ?? [],
    })),
    aclsOfSubnet,
    vpcOfSubnet,
  };
}

/** Every alias (dnsName:port) any service publishes. */
export function publishedAliases(truth: Truth) {
  return truth.services.flatMap((s) => s.aliases.map((a) => ({ ...a, service: s })));
}

/** Service names used in more than one cluster. */
export function sharedServiceNames(truth: Truth): string[] {
  const clusters = new Map<string, Set<string>>();
  for (const s of truth.services)
    clusters.set(s.name, (clusters.get(s.name) ?? new Set()).add(s.cluster));
  return [...clusters].filter(([, c]) => c.size > 1).map(([name]) => name);
}

/** Discovery names published in more than one namespace. */
export function sharedDiscoveryNames(truth: Truth): string[] {
  const namespaces = new Map<string, Set<string>>();
  for (const a of publishedAliases(truth)) {
    namespaces.set(
      a.discoveryName,
      (namespaces.get(a.discoveryName) ?? new Set()).add(a.namespace),
    );
  }
  return [...namespaces].filter(([, n]) => n.size > 1).map(([name]) => name);
}

/** A name no service, cluster, namespace or Cloud Map service of the fleet uses. */
export function unknownName(fleet: Fleet, salt: number): string {
  const used = new Set([
    ...fleet.services.map((s) => s.serviceName),
    ...fleet.cloudMapServices.map((s) => s.Name),
    ...fleet.clusters.map((c) => c.clusterName),
    ...fleet.namespaces.map((n) => n.Name),
  ]);
  let name = `ghost-${(salt % 9973).toString(36)}`;
  while (used.has(name)) name = `${name}x`;
  return name;
}

/** `items[i mod length]`: fast-check picks indexes, which shrink well. */
export function nth<T>(items: readonly T[], i: number): T | undefined {
  return items.length === 0 ? undefined : items[i % items.length];
}

/** A fleet seed and a few indexes to pick questions with. */
export type FleetAndPicks = { fleetSeed: number; picks: number[] };
/** Fleet `fleetSeed` (1: mostly the demo fleet's services) with these picks. */
export const example = (fleetSeed: number, ...picks: number[]): [FleetAndPicks] => [
  { fleetSeed, picks: [...picks, 0, 0, 0, 0, 0, 0].slice(0, 6) },
];

export const fleetAndPicks = fc.record({
  fleetSeed: fc.integer({ min: 1, max: 0x7fffffff }),
  picks: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 6, maxLength: 6 }),
});

/** The verdict lines of a health answer (one per report), or the not-found line. */
export function verdictLines(text: string): string[] {
  return text.split("\n").filter((l) => /^(✔ HEALTHY|▲ DEGRADED|✖ DOWN|\? UNKNOWN) /.test(l));
}

/** Says what could not be read, in words a user recognises. */
export const NAMES_A_GAP = /partial|could not|not read|unknown|incomplete|\?/i;

/** The lines of the section headed `heading…:` in rendered text (indented by two). */
export function sectionLines(text: string, heading: RegExp): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("  ")) break;
    out.push(line.trim());
  }
  return out;
}

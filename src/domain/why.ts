// `/ecs why CLIENT TARGET`: why A cannot reach B, judged link by link in the operator's order
// (name, path, app). How a why is judged: src/domain/README.md. The links are in ./why/.

import { dialledTaskReport, type HealthReport } from "./health.ts";
import type { Known } from "./known.ts";
import { hostOf, type NameBinding } from "./resolution/bindings.ts";
import { appChecks } from "./why/app.ts";
import type { WhyCheck, WhyFix } from "./why/check.ts";
import {
  type Counterpart,
  clientLabel,
  dialledPort,
  type NetworkFacts,
  shortName,
  type WhyClient,
} from "./why/client.ts";
import { fixesInOrder } from "./why/fixes.ts";
import { nameChecks } from "./why/name.ts";
import { pathChecksOf } from "./why/path.ts";
import { brokenVerdict, unknownOutcome } from "./why/verdict.ts";

export interface WhyReport {
  client: string;
  /** The target as a client dials it: "api.internal.local:8080". */
  target: string;
  status: "reachable" | "broken" | "unknown";
  verdict: string;
  /** One per broken link, in the order to apply them (rules first, deployments last). */
  fixes: WhyFix[];
  checks: WhyCheck[];
  next: string;
  /** The health report of the target, for the renderer's links (none: no ECS service behind it). */
  health?: HealthReport;
}

function targetName(report: HealthReport): string {
  const focus = report.resolution.bindings[0];
  const r = report.resolution;
  if (r.subject.kind === "task" && r.subject.ip && r.query === r.subject.ip) {
    const port = dialledPort(focus);
    return port ? `${r.subject.ip}:${port}` : r.subject.ip;
  }
  if (!focus) return `${r.publisher.cluster}/${r.publisher.service}`;
  return /:\d+$/.test(focus.name)
    ? focus.name
    : `${focus.name}${focus.containerPort ? `:${focus.containerPort}` : ""}`;
}

export interface WhyInput {
  client: WhyClient;
  report: HealthReport;
  network: NetworkFacts;
  region: string;
  /**
   * What the client's own Service Connect namespace publishes, read only when the target's alias
   * is in another namespace (see crossNamespace): where to look for the target's counterpart.
   */
  counterparts?: Known<Counterpart[]>;
}

/**
 * Asked by service, task or IP, the target's names are all candidates: judge the one this client
 * would use (a Service Connect alias of its own namespace, else a DNS name), not merely the first.
 */
function forClient(client: WhyClient, health: HealthReport): HealthReport {
  // Asked by a task's IP, the client dials that task alone (the health report judges its service).
  const report = dialledTaskReport(health);
  const r = report.resolution;
  if (r.subject.kind === "name" || r.bindings.length < 2) return report;
  const usable = (b: NameBinding) =>
    b.scope.kind === "service-connect"
      ? client.kind === "service" && client.ecs?.serviceConnectNamespace === b.scope.namespace
      : b.scope.kind === "dns";
  const chosen = r.bindings.find(usable);
  if (!chosen || chosen === r.bindings[0]) return report;
  const bindings = [chosen, ...r.bindings.filter((b) => b !== chosen)];
  return { ...report, resolution: { ...r, bindings } };
}

/**
 * The client and the target's namespaces when the alias this client would use is in another
 * Service Connect namespace than its own: the command then reads what the client's namespace
 * publishes, for a counterpart (see WhyInput.counterparts). Undefined otherwise.
 */
export function crossNamespace(
  client: WhyClient,
  health: HealthReport,
): { own: string; target: string } | undefined {
  const focus = forClient(client, health).resolution.bindings[0];
  const own = client.kind === "service" ? client.ecs?.serviceConnectNamespace : undefined;
  if (!own || focus?.scope.kind !== "service-connect" || focus.scope.namespace === own) return;
  return { own, target: focus.scope.namespace };
}

/**
 * What a target stands for, each exactly as it must be typed: for a bare word, every name of each
 * service found whose discovery name it is (one service can publish it twice: by DNS and through
 * Service Connect), else the service itself; for anything else, each service. More than one is
 * ambiguous: the answer lists them and judges none.
 */
export function targetChoices(typed: string, bareWord: boolean, reports: HealthReport[]): string[] {
  const word = typed.toLowerCase();
  const choices = reports.flatMap((report) => {
    const r = report.resolution;
    const label = `${r.publisher.cluster}/${r.publisher.service}`;
    if (!bareWord) return [label];
    const named = r.bindings.filter((b) => b.discoveryName.toLowerCase() === word).map(hostOf);
    return named.length > 0 && r.subject.kind === "name" ? named : [label];
  });
  return [...new Set(choices)];
}

/**
 * The whole chain; the verdict counts every broken link and leads with the first in the
 * operator's order (name, then path, then app); one fix per broken link.
 */
export function judgeWhy(input: WhyInput): WhyReport {
  const { client, network } = input;
  const report = forClient(client, input.report);
  const who = shortName(client);
  const target = targetName(report);
  const checks = [
    ...nameChecks(client, report, network, input.region, input.counterparts),
    ...pathChecksOf(client, report, network),
    ...appChecks(client, report),
  ];
  const broken = checks.filter((c) => c.status === "broken");
  const unknown = checks.filter((c) => c.status === "unknown");
  const flowing = checks.find((c) => c.link === "traffic from the client" && c.status === "ok");
  const base = { client: clientLabel(client), target, checks, health: report };
  const again = `/ecs why ${clientLabel(client)} ${report.query}`;
  const [first] = broken;
  if (first) {
    const seen =
      flowing && first.layer !== "app"
        ? ` (yet its traffic showed in the last ${report.traffic?.window.label ?? "15m"}: the rule changed since, or some of its tasks still get through)`
        : "";
    const lead = `${first.link.endsWith("(replies)") ? "the replies are dropped: " : ""}${first.detail}${seen}`;
    const apart = crossNamespace(client, report) !== undefined;
    const fixes = fixesInOrder(broken, apart);
    const only = fixes.length === 1 ? fixes[0] : undefined;
    const ask = fixes.find((f) => f.ask)?.ask;
    return {
      ...base,
      status: "broken",
      verdict: brokenVerdict(who, target, broken, lead),
      fixes,
      // Across environments nothing is to be applied: the question is the wrong pair.
      next: apart
        ? ask
          ? `Ask about the client's own environment instead: ${ask}`
          : "No fix is proposed: the client and the target are in different Service Connect namespaces (different environments)."
        : only
          ? only.command
            ? `Fix (${first.layer}): run the command above, then ${again} again.`
            : `Fix the ${first.layer} link above, then ${again} again.`
          : `Apply the ${fixes.length} fixes above in the order given, then ${again} again.`,
    };
  }
  if (unknown.length > 0) return { ...base, ...unknownOutcome(who, target, unknown) };
  return {
    ...base,
    fixes: [],
    status: "reachable",
    verdict: `✔ ${who} can reach ${target}: the name resolves for it, the rules let TCP ${dialledPort(report.resolution.bindings[0]) ?? ""} through both ways, and ${report.resolution.healthy} endpoint${report.resolution.healthy === 1 ? " is" : "s are"} healthy${flowing ? "; its traffic shows in the metrics" : ""}`,
    next: `Everything the bot can read is open. If it still fails, look inside the task: is the app listening on that port, does a firewall in the container drop it (ECS Exec into ${who} and connect to ${target})?`,
  };
}

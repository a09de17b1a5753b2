import type { HealthAnswer } from "../domain/answer.ts";
import type { Finding, HealthLevel, HealthReport } from "../domain/health.ts";
import type { NameBinding } from "../domain/resolution/bindings.ts";
import type { TrafficReport } from "../domain/traffic.ts";
import { healthConsole } from "./console-links.ts";
import { crossLinks, type Doc, type Line, type Section } from "./document.ts";
import {
  endpointLine,
  gapLines,
  matchesLine,
  partialClause,
  typedNames,
  when,
  whoisDocument,
} from "./whois-document.ts";

const BADGE: Record<HealthLevel, string> = {
  healthy: "✔ HEALTHY",
  degraded: "▲ DEGRADED",
  down: "✖ DOWN",
  unknown: "? UNKNOWN",
};

const MARK: Record<Finding["level"], string> = { down: "✖", degraded: "▲", note: "ℹ" };

function ecsLines(r: HealthReport): Line[] {
  const p = r.resolution.publisher;
  const e = p.ecs;
  if (!e)
    return [
      ["Service ", { code: `${p.cluster}/${p.service}` }, " · could not be read (see below)"],
    ];
  const lines: Line[] = [
    [
      "Service ",
      { code: `${p.cluster}/${p.service}` },
      ` · ${e.running} running / ${e.desired} desired / ${e.pending} pending · task definition `,
      { code: e.taskDefinition },
    ],
  ];
  const breaker = r.circuitBreaker?.enable
    ? ` · circuit breaker on${r.circuitBreaker.rollback ? " (rollback)" : ""}`
    : " · circuit breaker off";
  lines.push([
    `Deployment ${e.rolloutState ?? "?"} since ${when(e.deployedAt)}${r.failedTasks ? ` · ${r.failedTasks} failed tasks` : ""}${(r.deploymentCount ?? 0) > 1 ? ` · ${r.deploymentCount} deployments active` : ""}${breaker}`,
    e.rolloutStateReason ? `: ${e.rolloutStateReason}` : "",
  ]);
  return lines;
}

/** The verdict line: badge, subject, the deciding reason, and what could not be read. */
export function headline(r: HealthReport): string {
  return `${BADGE[r.level]} ${r.subject}: ${r.reason}${partialClause(r.unknown)}`;
}

function clientLines(r: HealthReport, focus: NameBinding): Line[] {
  const stale = r.staleClients;
  if (stale === undefined) {
    return [
      [
        focus.appearedAt
          ? "Could not tell which clients can resolve it: the namespace's services could not be read."
          : "Could not tell which clients can resolve it: when the name first appeared could not be read.",
      ],
    ];
  }
  const part = r.clientsChecked;
  const leftOut: Line[] = part
    ? [
        [
          `Checked ${part.checked} of the namespace's clients${part.unchecked > 0 ? `; ${part.unchecked} more on its first page of services` : ""}${part.more ? `${part.unchecked > 0 ? " and" : "; "} every service past that page` : ""} not checked: one answer reads a bounded part of a big namespace. A client not checked may still predate the name.`,
        ],
      ]
    : [];
  if (stale.length === 0) {
    return [
      [
        part
          ? `Every client checked deployed after ${focus.name} first appeared (${when(focus.appearedAt)}).`
          : `Every Service Connect service in the namespace deployed after ${focus.name} first appeared (${when(focus.appearedAt)}): all can resolve it.`,
      ],
      ...leftOut,
    ];
  }
  return [
    ...stale.map(
      (c): Line => [
        { code: `${c.cluster}/${c.service}` },
        ` deployed ${when(c.deployedAt)}, before ${focus.name} first appeared (${when(focus.appearedAt)}): it cannot resolve it until redeployed`,
      ],
    ),
    ...leftOut,
  ];
}

function trafficLine(t: TrafficReport): Line {
  const pct = (v?: number) => (v === undefined ? "–" : `${(v * 100).toFixed(2)}%`);
  const n = (v?: number) => Math.round(v ?? 0).toLocaleString("en-US");
  const ms = (v?: number) => (v === undefined ? "–" : `${Math.round(v)} ms`);
  switch (t.protocol) {
    case "tcp":
      return [
        `TCP: ${n(t.newConnections.current)} new connections · ${n(t.activeConnections.current)} active (avg) · ${n(t.bytes.current)} bytes (no request metrics exist for a TCP port)`,
      ];
    case "grpc":
      return [
        `${n(t.requests.current)} gRPC requests · p99 ${ms(t.latency.p99.current)} (before: ${ms(t.latency.p99.previous)})`,
      ];
    default:
      return [
        `${n(t.requests.current)} requests · 5xx ${pct(t.errorRate.current)} (before: ${pct(t.errorRate.previous)}) · p99 ${ms(t.latency.p99.current)} (before: ${ms(t.latency.p99.previous)})`,
      ];
  }
}

function reportSections(r: HealthReport): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: headline(r) }]] }];
  // The deciding finding leads the headline (with the asked task's place after it, if any).
  const others = r.findings.filter(
    (f) => f.text !== r.reason && !r.reason.startsWith(`${f.text} — `),
  );
  if (others.length > 0) {
    sections.push({
      heading: "Also",
      lines: others.map((f) => [`${MARK[f.level]} ${f.layer}: ${f.text}`]),
    });
  }
  sections.push({ heading: "ECS", lines: ecsLines(r) });
  const focus = r.resolution.bindings[0];
  // A task asked about that no longer serves (stopped) is shown apart from the endpoints.
  const asked = r.resolution.askedTask;
  if (asked && !r.resolution.endpoints.some((e) => e.asked)) {
    sections.push({ heading: "The task you asked about", lines: [endpointLine(asked)] });
  }
  sections.push({
    heading: focus
      ? `Endpoints of ${focus.name} (Cloud Map and ECS)`
      : "Tasks (the service publishes no name)",
    lines:
      r.resolution.endpoints.length > 0
        ? r.resolution.endpoints.map(endpointLine)
        : [
            [
              r.resolution.endpointsKnown
                ? "None: nothing is registered or running."
                : "Unknown: neither the Cloud Map endpoints nor the ECS tasks could be read.",
            ],
          ],
  });
  if (r.stopped && r.stopped.length > 0) {
    sections.push({
      heading: "Recently stopped tasks",
      lines: r.stopped.map((s) => [{ code: s.taskId.slice(0, 12) }, ` ${s.note}`]),
    });
  }
  if (r.events.length > 0) {
    sections.push({
      heading: "Latest service events",
      lines: r.events.map((e) => [
        `${when(e.at)} ${e.message}${e.count > 1 ? ` (×${e.count}${e.about.length > 1 ? `: ${e.about.join(", ")}` : ""})` : ""}`,
      ]),
    });
  }
  if (focus?.scope.kind === "service-connect") {
    sections.push({ heading: "Service Connect clients", lines: clientLines(r, focus) });
  }
  if (r.traffic && r.traffic.status === "ok") {
    sections.push({
      heading: `Service Connect traffic, last ${r.traffic.window.label}`,
      lines: [trafficLine(r.traffic)],
    });
  }
  sections.push({ heading: "Next check", lines: [[r.nextCheck]] });
  return sections;
}

export function healthDocument(answer: HealthAnswer): Doc {
  if (answer.kind !== "found") return whoisDocument(answer, "health");
  const names = answer.reports.flatMap((r) => typedNames(answer.query, r.resolution));
  const matches = answer.reports.length > 1 ? matchesLine(answer.query, names) : undefined;
  const sections = [
    ...(matches ? [{ lines: [matches] }] : []),
    ...answer.reports.flatMap(reportSections),
  ];
  return {
    summary: answer.reports.map(headline).join(" | "),
    sections,
    notes: gapLines(answer.gaps),
    links: crossLinks("health", answer.query),
    console: healthConsole(answer.reports),
  };
}

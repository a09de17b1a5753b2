import type { HealthAnswer } from "../domain/answer.ts";
import type { HealthLevel, HealthReport } from "../domain/health.ts";
import { crossLinks, type Doc, type Line, type Section } from "./document.ts";
import { endpointLine, gapLines, when, whoisDocument } from "./whois-document.ts";

const BADGE: Record<HealthLevel, string> = {
  healthy: "✔ HEALTHY",
  degraded: "▲ DEGRADED",
  down: "✖ DOWN",
};

function ecsLines(r: HealthReport): Line[] {
  const p = r.resolution.publisher;
  const lines: Line[] = [
    [
      "Service ",
      { code: `${p.cluster}/${p.service}` },
      ` · ${p.running} running / ${p.desired} desired / ${p.pending} pending · task definition `,
      { code: p.taskDefinition },
    ],
  ];
  const breaker = r.circuitBreaker?.enable
    ? ` · circuit breaker on${r.circuitBreaker.rollback ? " (rollback)" : ""}`
    : " · circuit breaker off";
  lines.push([
    `Deployment ${p.rolloutState ?? "?"} since ${when(p.deployedAt)}${r.failedTasks ? ` · ${r.failedTasks} failed tasks` : ""}${r.deploymentCount > 1 ? ` · ${r.deploymentCount} deployments active` : ""}${breaker}`,
    p.rolloutStateReason ? `: ${p.rolloutStateReason}` : "",
  ]);
  return lines;
}

function reportSections(r: HealthReport): Section[] {
  const sections: Section[] = [
    { lines: [[{ bold: `${BADGE[r.level]} ${r.subject}: ${r.reason}` }]] },
  ];
  if (r.findings.length > 1) {
    sections.push({
      heading: "Also",
      lines: r.findings.slice(1).map((f) => [`${BADGE[f.level].split(" ")[0]} ${f.text}`]),
    });
  }
  sections.push({ heading: "ECS", lines: ecsLines(r) });
  const focus = r.resolution.bindings[0];
  sections.push({
    heading: focus
      ? `Endpoints of ${focus.name} (Cloud Map and ECS)`
      : "Tasks (the service publishes no name)",
    lines:
      r.resolution.endpoints.length > 0
        ? r.resolution.endpoints.map(endpointLine)
        : [["None: nothing is registered or running."]],
  });
  if (r.stopped.length > 0) {
    sections.push({
      heading: "Recently stopped tasks",
      lines: r.stopped.map((s) => [{ code: s.taskId.slice(0, 12) }, ` ${s.note}`]),
    });
  }
  if (r.events.length > 0) {
    sections.push({
      heading: "Latest service events",
      lines: r.events.map((e) => [
        `${when(e.at)} ${e.message}${e.count > 1 ? ` (×${e.count})` : ""}`,
      ]),
    });
  }
  if (r.staleClients !== undefined && focus?.scope.kind === "service-connect") {
    sections.push({
      heading: "Service Connect clients",
      lines:
        r.staleClients.length === 0
          ? [
              [
                "Every Service Connect service in the namespace deployed after this one: all can resolve it.",
              ],
            ]
          : r.staleClients.map((c) => [
              { code: `${c.cluster}/${c.service}` },
              ` deployed ${when(c.deployedAt)}, before this service's deployment: redeploy to resolve ${focus.name}`,
            ]),
    });
  }
  if (r.traffic && r.traffic.status === "ok") {
    const t = r.traffic;
    const pct = (v?: number) => (v === undefined ? "–" : `${(v * 100).toFixed(2)}%`);
    sections.push({
      heading: `Service Connect traffic, last ${t.window.label}`,
      lines: [
        [
          `${Math.round(t.requests.current ?? 0).toLocaleString("en-US")} requests · 5xx ${pct(t.errorRate.current)} (before: ${pct(t.errorRate.previous)}) · p99 ${Math.round(t.latency.p99.current ?? 0)} ms (before: ${Math.round(t.latency.p99.previous ?? 0)} ms)`,
        ],
      ],
    });
  }
  sections.push({ heading: "Next check", lines: [[r.nextCheck]] });
  return sections;
}

export function healthDocument(answer: HealthAnswer): Doc {
  if (answer.kind !== "found") return whoisDocument(answer);
  const sections = answer.reports.flatMap(reportSections);
  return {
    summary: answer.reports.map((r) => `${BADGE[r.level]} ${r.subject}: ${r.reason}`).join(" | "),
    sections,
    notes: gapLines(answer.gaps),
    links: crossLinks("health", answer.query),
  };
}

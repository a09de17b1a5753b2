// The app link: does the target answer (its endpoints, its recent stops, the client's traffic).

import type { HealthReport } from "../health.ts";
import type { WhyCheck } from "./check.ts";
import { dialledPort, type ServiceClient, type WhyClient } from "./client.ts";

export function appChecks(client: WhyClient, report: HealthReport): WhyCheck[] {
  const r = report.resolution;
  const focus = r.bindings[0];
  const port = dialledPort(focus);
  const subject = report.subject;
  const checks: WhyCheck[] = [];
  const endpoints = `${r.healthy} of ${r.endpoints.length} endpoints healthy${port ? ` on TCP ${port}` : ""}`;
  switch (report.level) {
    case "down":
      checks.push({
        layer: "app",
        link: "endpoints",
        status: "broken",
        detail: `${subject} is down: ${report.reason}`,
        remedy: {
          advice: report.nextCheck,
          resources: [`${r.publisher.cluster}/${r.publisher.service}`],
        },
      });
      break;
    case "unknown":
      checks.push({ layer: "app", link: "endpoints", status: "unknown", detail: report.reason });
      break;
    case "degraded":
      checks.push({
        layer: "app",
        link: "endpoints",
        status: "note",
        detail: `${endpoints}; degraded: ${report.reason}`,
      });
      break;
    default:
      checks.push({ layer: "app", link: "endpoints", status: "ok", detail: endpoints });
  }
  const stopped = report.stopped;
  checks.push(
    stopped === undefined
      ? {
          layer: "app",
          link: "recent stops",
          status: "unknown",
          detail: "the stopped tasks could not be read",
        }
      : stopped.length === 0
        ? { layer: "app", link: "recent stops", status: "ok", detail: "no task stopped recently" }
        : {
            layer: "app",
            link: "recent stops",
            status: "note",
            detail: `${stopped.length} stopped recently; last: ${stopped[0]?.note}`,
          },
  );
  if (focus?.scope.kind === "service-connect" && client.kind === "service") {
    checks.push(trafficCheck(client, report));
  }
  return checks;
}

/** Service Connect traffic from this client in the last 15 minutes: if any, name and path work. */
function trafficCheck(client: ServiceClient, report: HealthReport): WhyCheck {
  const link = "traffic from the client";
  const t = report.traffic;
  if (!t) {
    const gap = report.gaps.find((g) => /metric|traffic|CloudWatch/i.test(`${g.what} ${g.why}`));
    return {
      layer: "app",
      link,
      status: gap ? "unknown" : "note",
      detail: gap ? `Service Connect metrics: ${gap.why}` : "Service Connect metrics not measured",
    };
  }
  const caller = t.callers.find(
    (c) => c.cluster === client.cluster && c.service === client.service,
  );
  const sent = caller ? (caller.requests ?? caller.perTarget ?? caller.bytes ?? 0) : 0;
  if (!caller || sent <= 0) {
    return {
      layer: "app",
      link,
      status: "note",
      detail: `no Service Connect traffic from ${client.service} to ${t.discoveryName} in the last ${t.window.label}`,
    };
  }
  const what =
    caller.requests !== undefined
      ? `${Math.round(caller.requests).toLocaleString("en-US")} requests${caller.errorRate !== undefined ? ` (${(caller.errorRate * 100).toFixed(1)} % 5xx)` : ""}`
      : caller.bytes !== undefined
        ? `${Math.round(caller.bytes).toLocaleString("en-US")} bytes`
        : "traffic";
  return {
    layer: "app",
    link,
    status: "ok",
    detail: `${client.service} sent ${what} to ${t.discoveryName} in the last ${t.window.label}: its name and path worked then`,
  };
}

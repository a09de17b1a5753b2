import type { TrafficAnswer, TrafficResult } from "../domain/answer.ts";
import type { CallerTraffic, Figure, TrafficReport } from "../domain/traffic.ts";
import {
  crossLinks,
  type Doc,
  GRAPH_ACTION_ID,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { gapLines, matchesLine, whoisDocument } from "./whois-document.ts";

const count = (v: number | undefined) =>
  v === undefined ? "–" : Math.round(v).toLocaleString("en-US");
const percent = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(2)}%`);
const ms = (v: number | undefined) =>
  v === undefined ? "–" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

function bytes(v: number | undefined): string {
  if (v === undefined) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = v;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit]}`;
}

/** Change against the previous window: "+12%", "−3%", "new", or nothing to compare. */
export function delta(f: Figure): string {
  if (f.current === undefined || f.previous === undefined) return "Δ n/a";
  if (f.previous === 0) return f.current === 0 ? "Δ 0%" : "Δ new";
  const change = ((f.current - f.previous) / f.previous) * 100;
  const rounded = Math.abs(change) < 10 ? change.toFixed(1) : Math.round(change).toString();
  return `Δ ${change >= 0 ? "+" : "−"}${rounded.replace("-", "")}%`;
}

function row(label: string, value: string, f: Figure): Line {
  return [`${label} `, { bold: value }, ` (${delta(f)})`, f.spark ? ` ${f.spark}` : ""];
}

function nextCheck(r: TrafficReport, asked: string): string {
  const err = r.errorRate.current ?? 0;
  const before = r.errorRate.previous ?? 0;
  const p99 = r.latency.p99;
  const host = r.name.replace(/:\d+$/, "");
  if (r.status === "no-traffic") {
    // Proxies count what reaches them: blocked traffic leaves no metric at all, so silence is
    // "name or path", in that order.
    return `Name or path: nothing reached ${r.name} through Service Connect. Name first: are the callers Service Connect services in its namespace, deployed after it first appeared (/ecs whois ${host})? Then path: do ${r.publisher.service}'s security groups allow its proxy port from the callers' security groups, and do the subnets' network ACLs allow it both ways?`;
  }
  if (r.protocol === "http" && err >= 0.01 && err > 2 * before) {
    return `App: 5xx is ${percent(err)} (was ${percent(before)}) and p99 ${ms(p99.current)} (was ${ms(p99.previous)}): the name resolves and traffic arrives, so look at the app. See /ecs health ${asked}.`;
  }
  if (p99.current !== undefined && p99.previous !== undefined && p99.current > 2 * p99.previous) {
    return `App: p99 went from ${ms(p99.previous)} to ${ms(p99.current)}; check the publisher's CPU and memory, then /ecs health ${asked}.`;
  }
  if (r.protocol === "tcp") {
    return `Connections arrive. If one client fails, compare it with the others in /ecs health ${asked}: a Service Connect client that shows no bytes cannot resolve the name or is blocked on the path.`;
  }
  return `Traffic looks steady. If one caller fails, compare its row above with the others: a Service Connect caller with no requests cannot resolve the name or is blocked on the path (/ecs whois ${host}).`;
}

function figureLines(r: TrafficReport): Line[] {
  const rate = r.rate.current === undefined ? "–" : `${r.rate.current.toFixed(1)}/s`;
  const connections: Line[] = [
    row("New connections", count(r.newConnections.current), r.newConnections),
    row("Active connections (avg)", count(r.activeConnections.current), r.activeConnections),
    row("Processed", bytes(r.bytes.current), r.bytes),
  ];
  if (r.protocol === "tcp") return connections;
  const latency = [
    row("p50", ms(r.latency.p50.current), r.latency.p50),
    row("p90", ms(r.latency.p90.current), r.latency.p90),
    row("p99", ms(r.latency.p99.current), r.latency.p99),
  ];
  const requests = [
    row(
      r.protocol === "grpc" ? "gRPC requests" : "Requests",
      count(r.requests.current),
      r.requests,
    ),
    row("Rate", rate, r.rate),
  ];
  if (r.protocol === "grpc") return [...requests, ...latency, ...connections];
  return [
    ...requests,
    [
      "HTTP 2xx / 3xx / 4xx / 5xx ",
      {
        bold: [r.codes["2XX"], r.codes["3XX"], r.codes["4XX"], r.codes["5XX"]]
          .map((f) => count(f.current))
          .join(" / "),
      },
    ],
    row("5xx rate", percent(r.errorRate.current), r.errorRate),
    ...latency,
    ...connections,
  ];
}

function headLine(r: TrafficReport): string {
  const w = r.window.label;
  if (r.protocol === "tcp") {
    return `${r.name} (TCP): ${count(r.newConnections.current)} new connections, ${count(r.activeConnections.current)} active, ${bytes(r.bytes.current)} in the last ${w}`;
  }
  const rate = r.rate.current === undefined ? "–" : r.rate.current.toFixed(1);
  if (r.protocol === "grpc") {
    return `${r.name} (gRPC): ${count(r.requests.current)} requests (${rate}/s), p99 ${ms(r.latency.p99.current)} in the last ${w}`;
  }
  return `${r.name}: ${count(r.requests.current)} requests (${rate}/s), 5xx ${percent(r.errorRate.current)}, p99 ${ms(r.latency.p99.current)} in the last ${w}`;
}

function callerLine(c: CallerTraffic, protocol: TrafficReport["protocol"]): Line {
  const who = { code: `${c.cluster}/${c.service}` };
  if (protocol === "tcp") return [who, `: ${bytes(c.bytes)}`];
  if (protocol === "grpc") {
    return [
      who,
      `: ${count(c.perTarget)} requests per target (RequestCountPerTarget), p99 ${ms(c.p99)}`,
    ];
  }
  return [who, `: ${count(c.requests)} requests, 5xx ${percent(c.errorRate)}, p99 ${ms(c.p99)}`];
}

/** What AWS measures where: server side every client of the proxy, per caller only Service Connect. */
function measuredLines(result: Extract<TrafficResult, { kind: "report" }>): Line[] {
  const r = result.report;
  const lines: Line[] = [];
  if (result.viaAlias) {
    lines.push(["Measured through the Service Connect alias ", { code: result.viaAlias }, "."]);
  }
  if (r.protocol !== "tcp") {
    lines.push([
      `Requests, connections and bytes are counted by ${r.publisher.service}'s proxies: every client that reaches them, DNS and IP clients included. ${r.protocol === "http" ? "HTTP codes, the 5xx rate, latency" : "Latency"} and callers are counted by the callers' proxies: Service Connect callers only.`,
    ]);
  }
  if (r.outside !== undefined) {
    lines.push([
      `${count(r.outside)} of the requests came from outside Service Connect (DNS or IP clients): they are not in the codes, latency or callers.`,
    ]);
  }
  return lines;
}

function reportSections(
  result: Extract<TrafficResult, { kind: "report" }>,
  asked: string,
): Section[] {
  const r = result.report;
  const w = r.window.label;
  const sections: Section[] = [
    { lines: [[{ bold: headLine(r) }]] },
    {
      heading: `Service Connect traffic of ${r.publisher.cluster}/${r.publisher.service} (discovery name ${r.discoveryName}), last ${w} vs the ${w} before`,
      lines: figureLines(r).concat(r.notes.map((n) => [n])),
    },
  ];
  const measured = measuredLines(result);
  if (measured.length > 0) sections.push({ lines: measured });
  sections.push({
    heading: `Service Connect callers (${r.callers.length})`,
    lines:
      r.callers.length > 0
        ? r.callers.map((c) => callerLine(c, r.protocol))
        : [["No Service Connect caller reported traffic in this window."]],
  });
  sections.push({ heading: "Next check", lines: [[nextCheck(r, asked)]] });
  return sections;
}

function resultSections(result: TrafficResult, window: string, asked: string): Section[] {
  switch (result.kind) {
    case "report":
      return reportSections(result, asked);
    case "no-service-connect":
      return [
        {
          lines: [
            [
              {
                bold: `No Service Connect metrics for ${result.service}: the service does not publish through Service Connect.`,
              },
            ],
            [
              result.names.length > 0
                ? `It is reached as ${result.names.join(", ")} (DNS or Cloud Map), which CloudWatch does not measure per request; load balancer or application metrics are the place to look.`
                : "It publishes no name at all.",
            ],
          ],
        },
      ];
    case "unread":
      return [
        {
          lines: [
            [
              {
                bold: `No traffic figures for ${result.target.name} in the last ${window}: CloudWatch could not be read (see below).`,
              },
            ],
          ],
        },
      ];
    case "service-unread":
      return [
        {
          lines: [
            [
              {
                bold: `No traffic figures for ${result.service}: the ECS service could not be read, so which Service Connect name to measure is unknown (see below).`,
              },
            ],
          ],
        },
      ];
  }
}

/** What to type to ask about this result's service alone (see typedNames). */
function typedName(query: string, result: TrafficResult): string {
  switch (result.kind) {
    case "report":
    case "unread": {
      const { target } = result;
      return target.discoveryName.toLowerCase() === query.toLowerCase()
        ? target.name.replace(/:\d+$/, "")
        : `${target.publisher.cluster}/${target.publisher.service}`;
    }
    default:
      return result.service;
  }
}

export function trafficDocument(answer: TrafficAnswer): Doc {
  if (answer.kind !== "found") return whoisDocument(answer, "traffic");
  const names = answer.results.map((r) => typedName(answer.query, r));
  const matches = answer.results.length > 1 ? matchesLine(answer.query, names) : undefined;
  const measured = answer.results.flatMap((r) =>
    resultSections(r, answer.window.label, answer.query),
  );
  const sections = [...(matches ? [{ lines: [matches] }] : []), ...measured];
  const first = measured[0]?.lines[0];
  return {
    summary: first ? plain(first) : answer.query,
    sections,
    notes: gapLines(answer.gaps),
    links: [
      ...crossLinks("traffic", answer.query),
      ...(answer.results.some((r) => r.kind === "report")
        ? [
            {
              actionId: GRAPH_ACTION_ID,
              label: "Graph",
              command: `traffic ${answer.query} ${answer.window.label} --graph`,
            },
          ]
        : []),
    ],
  };
}

import type { TrafficAnswer, TrafficResult } from "../domain/answer.ts";
import type { Figure, TrafficReport } from "../domain/traffic.ts";
import {
  crossLinks,
  type Doc,
  GRAPH_ACTION_ID,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { gapLines, whoisDocument } from "./whois-document.ts";

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
  if (r.status === "no-traffic") {
    return `Name: nothing reached ${r.name} through Service Connect. Check the callers can resolve it (/ecs whois ${r.name.split(":")[0]}) and that they are Service Connect services in its namespace.`;
  }
  if (err >= 0.01 && err > 2 * before) {
    return `App: 5xx is ${percent(err)} (was ${percent(before)}) and p99 ${ms(p99.current)} (was ${ms(p99.previous)}): the name resolves and traffic arrives, so look at the app. See /ecs health ${asked}.`;
  }
  if (p99.current !== undefined && p99.previous !== undefined && p99.current > 2 * p99.previous) {
    return `App: p99 went from ${ms(p99.previous)} to ${ms(p99.current)}; check the publisher's CPU and memory, then /ecs health ${asked}.`;
  }
  return `Traffic looks steady. If one caller fails, compare its row above with the others: a caller with no requests cannot resolve the name (/ecs whois ${r.name.split(":")[0]}).`;
}

function reportSections(
  result: Extract<TrafficResult, { kind: "report" }>,
  asked: string,
): Section[] {
  const r = result.report;
  const w = r.window.label;
  const head: Line = [
    {
      bold: `${r.name}: ${count(r.requests.current)} requests (${r.rate.current === undefined ? "–" : r.rate.current.toFixed(1)}/s), 5xx ${percent(r.errorRate.current)}, p99 ${ms(r.latency.p99.current)} in the last ${w}`,
    },
  ];
  const lines: Line[] = [
    row("Requests", count(r.requests.current), r.requests),
    row("Rate", r.rate.current === undefined ? "–" : `${r.rate.current.toFixed(1)}/s`, r.rate),
    [
      "HTTP 2xx / 3xx / 4xx / 5xx ",
      {
        bold: [r.codes["2XX"], r.codes["3XX"], r.codes["4XX"], r.codes["5XX"]]
          .map((f) => count(f.current))
          .join(" / "),
      },
    ],
    row("5xx rate", percent(r.errorRate.current), r.errorRate),
    row("p50", ms(r.latency.p50.current), r.latency.p50),
    row("p90", ms(r.latency.p90.current), r.latency.p90),
    row("p99", ms(r.latency.p99.current), r.latency.p99),
    row("New connections", count(r.newConnections.current), r.newConnections),
    row("Active connections (avg)", count(r.activeConnections.current), r.activeConnections),
    row("Processed", bytes(r.bytes.current), r.bytes),
  ];
  const sections: Section[] = [
    { lines: [head] },
    {
      heading: `Service Connect traffic of ${r.discoveryName} (published by ${r.publisher.cluster}/${r.publisher.service}), last ${w} vs the ${w} before`,
      lines: lines.concat(r.notes.map((n) => [n])),
    },
  ];
  if (result.viaAlias) {
    sections.push({
      lines: [
        [
          "Measured through the Service Connect alias ",
          { code: result.viaAlias },
          ": clients that reach this service by DNS are not in these figures (Service Connect measures only what passes its proxies).",
        ],
      ],
    });
  }
  sections.push({
    heading: `Callers (${r.callers.length})`,
    lines:
      r.callers.length > 0
        ? r.callers.map((c) => [
            { code: `${c.cluster}/${c.service}` },
            `: ${count(c.requests)} requests, 5xx ${percent(c.errorRate)}, p99 ${ms(c.p99)}`,
          ])
        : [["No Service Connect caller reported requests in this window."]],
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
  }
}

export function trafficDocument(answer: TrafficAnswer): Doc {
  if (answer.kind !== "found") return whoisDocument(answer);
  const sections = answer.results.flatMap((r) =>
    resultSections(r, answer.window.label, answer.query),
  );
  const first = sections[0]?.lines[0];
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

import type { TrafficAnswer, TrafficResult } from "../domain/answer.ts";
import type { RecentDifference } from "../domain/traffic/recent.ts";
import { WINDOW_NAMES } from "../domain/traffic/window.ts";
import type { CallerTraffic, Figure, TrafficReport } from "../domain/traffic.ts";
import {
  askLinks,
  type CommandLink,
  crossLinks,
  type Doc,
  GLANCE_HEADLINE_MAX,
  type Glance,
  GRAPH_ACTION_ID,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { clip } from "./glance-text.ts";
import {
  balancerFact,
  balancerHeadline,
  balancerNext,
  balancerSections,
} from "./traffic-balancer.ts";
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

/**
 * Change against the previous window: of a count or rate relative ("+12%", "−3%", "new"); of a
 * share (a 0..1 figure shown as a percentage) in percentage points ("+22.3 pts"), since 0.34% →
 * 22.6% is not "+6552%"; or nothing to compare.
 */
export function delta(f: Figure, unit: "percent" | "points" = "percent"): string {
  if (f.current === undefined || f.previous === undefined) return "Δ n/a";
  const sign = (x: number) => (x >= 0 ? "+" : "−");
  if (unit === "points") {
    if (f.current === f.previous) return "Δ 0 pts";
    const points = (f.current - f.previous) * 100;
    return `Δ ${sign(points)}${Math.abs(points).toFixed(Math.abs(points) < 1 ? 2 : 1)} pts`;
  }
  if (f.previous === 0) return f.current === 0 ? "Δ 0%" : "Δ new";
  const change = ((f.current - f.previous) / f.previous) * 100;
  const rounded = Math.abs(change) < 10 ? change.toFixed(1) : Math.round(change).toString();
  return `Δ ${sign(change)}${rounded.replace("-", "")}%`;
}

function row(
  label: string,
  value: string,
  f: Figure,
  unit: "percent" | "points" = "percent",
): Line {
  return [`${label} `, { bold: value }, ` (${delta(f, unit)})`, f.spark ? ` ${f.spark}` : ""];
}

/** "5xx 22.60% (window 0.33%)": each figure of the last 15 minutes that differs. */
function differenceText(d: RecentDifference): string {
  switch (d.figure) {
    case "5xx":
      return `5xx ${percent(d.recent)} (window ${percent(d.window)})`;
    case "p99":
      return `p99 ${ms(d.recent)} (window ${ms(d.window)})`;
    case "rate":
      return `${perSecond(d.recent)} (window ${perSecond(d.window)})`;
  }
}

const perSecond = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(1)}/s`);

/** The figures line of the last 15 minutes, beside a longer window's. */
function recentLine(r: TrafficReport): Line | undefined {
  const recent = r.recent;
  if (!recent) return undefined;
  const label = `Last ${recent.window.label}: `;
  if (!recent.report) return [label, { bold: "could not be read (see below)" }];
  if (recent.differences.length > 0)
    return [label, { bold: recent.differences.map(differenceText).join(", ") }];
  const x = recent.report;
  const figures =
    r.protocol === "tcp"
      ? `${count(x.newConnections.current)} new connections, ${bytes(x.bytes.current)}`
      : `${count(x.requests.current)} requests, ${r.protocol === "http" ? `5xx ${percent(x.errorRate.current)}, ` : ""}p99 ${ms(x.latency.p99.current)}`;
  return [label, `in line with the ${r.window.label} (${figures})`];
}

/** `above`: where the figures and callers' rows are, "above" in the full answer. */
function nextCheck(r: TrafficReport, asked: string, above = "above"): string {
  const err = r.errorRate.current ?? 0;
  const before = r.errorRate.previous ?? 0;
  const p99 = r.latency.p99;
  const host = r.name.replace(/:\d+$/, "");
  const recent = new Map((r.recent?.differences ?? []).map((d) => [d.figure, d]));
  const recently = r.recent?.window.label;
  const began = recent.get("rate");
  if (r.status === "no-traffic" && began && (began.recent ?? 0) > 0) {
    return `Traffic began in the last ${recently} (${perSecond(began.recent)}), after the ${r.window.label} window's end: see its figures ${above}, and /ecs traffic ${asked} ${recently} for them alone.`;
  }
  if (r.status === "no-traffic") {
    // Proxies count what reaches them: blocked traffic leaves no metric at all, so silence is
    // "name or path", in that order.
    return `Name or path: nothing reached ${r.name} through Service Connect. Name first: are the callers Service Connect services in its namespace, deployed after it first appeared (/ecs whois ${host})? Then path: do ${r.publisher.service}'s security groups allow its proxy port from the callers' security groups, and do the subnets' network ACLs allow it both ways?`;
  }
  if (r.protocol === "http" && err >= 0.01 && err > 2 * before) {
    return `App: 5xx is ${percent(err)} (was ${percent(before)}) and p99 ${ms(p99.current)} (was ${ms(p99.previous)}): the name resolves and traffic arrives, so look at the app. See /ecs health ${asked}.`;
  }
  // The window can be calm while its last minutes are not: never "steady" against them.
  const burst = recent.get("5xx");
  if (burst && (burst.recent ?? 0) > (burst.window ?? 0)) {
    const slow = recent.get("p99");
    return `App: in the last ${recently} 5xx is ${percent(burst.recent)} (${r.window.label} window ${percent(burst.window)})${slow && (slow.recent ?? 0) > (slow.window ?? 0) ? ` and p99 ${ms(slow.recent)} (window ${ms(slow.window)})` : ""}: the name resolves and traffic arrives, so look at the app. See /ecs health ${asked}.`;
  }
  if (p99.current !== undefined && p99.previous !== undefined && p99.current > 2 * p99.previous) {
    return `App: p99 went from ${ms(p99.previous)} to ${ms(p99.current)}; check the publisher's CPU and memory, then /ecs health ${asked}.`;
  }
  const slow = recent.get("p99");
  if (slow && (slow.recent ?? 0) > (slow.window ?? 0)) {
    return `App: in the last ${recently} p99 is ${ms(slow.recent)} (${r.window.label} window ${ms(slow.window)}); check the publisher's CPU and memory, then /ecs health ${asked}.`;
  }
  const rate = recent.get("rate");
  if (rate) {
    return rate.recent === 0
      ? `Traffic stopped in the last ${recently} (${r.window.label} window ${perSecond(rate.window)}): name or path. Are the callers still running and resolving the name (/ecs whois ${host}), and is the path open (/ecs health ${asked})?`
      : `Traffic changed in the last ${recently}: ${perSecond(rate.recent)} against ${perSecond(rate.window)} over the ${r.window.label}. If a caller stopped, compare its row ${above} with the others (/ecs whois ${host}).`;
  }
  if (r.protocol === "tcp") {
    return `Connections arrive. If one client fails, compare it with the others in /ecs health ${asked}: a Service Connect client that shows no bytes cannot resolve the name or is blocked on the path.`;
  }
  const over =
    r.recent && !r.recent.report ? ` over the ${r.window.label} (its last ${recently} unread)` : "";
  return `Traffic looks steady${over}. If one caller fails, compare its row ${above} with the others: a Service Connect caller with no requests cannot resolve the name or is blocked on the path (/ecs whois ${host}).`;
}

function figureLines(r: TrafficReport): Line[] {
  const recent = recentLine(r);
  return [...windowLines(r), ...(recent ? [recent] : [])];
}

function windowLines(r: TrafficReport): Line[] {
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
    row("5xx rate", percent(r.errorRate.current), r.errorRate, "points"),
    ...latency,
    ...connections,
  ];
}

/** "5xx 22.59%": a figure of the last 15 minutes that differs, for the headline. */
function recentFigure(d: RecentDifference): string {
  switch (d.figure) {
    case "5xx":
      return `5xx ${percent(d.recent)}`;
    case "p99":
      return `p99 ${ms(d.recent)}`;
    case "rate":
      return `rate ${perSecond(d.recent)}`;
  }
}

/**
 * The headline, at most GLANCE_HEADLINE_MAX characters, with what of the last 15 minutes
 * differs: the window's figures give way first (the rate, then the count), never the recent part.
 */
function headLine(r: TrafficReport): string {
  const differs = r.recent?.differences ?? [];
  const recent = !r.recent
    ? ""
    : !r.recent.report
      ? `; last ${r.recent.window.label}: could not be read`
      : differs.length > 0
        ? `; last ${r.recent.window.label}: ${differs.map(recentFigure).join(", ")}`
        : "";
  const room = GLANCE_HEADLINE_MAX - recent.length;
  const fits = windowHeadLines(r).find((h) => h.length <= room);
  return `${fits ?? clip(windowHeadLines(r).at(-1) ?? r.name, room)}${recent}`;
}

/** The window's headline, then shorter ones: without the rate, without the counts. */
function windowHeadLines(r: TrafficReport): string[] {
  const w = r.window.label;
  if (r.protocol === "tcp") {
    return [
      `${r.name} (TCP): ${count(r.newConnections.current)} new connections, ${count(r.activeConnections.current)} active, ${bytes(r.bytes.current)} in the last ${w}`,
      `${r.name} (TCP): ${count(r.newConnections.current)} new connections in the last ${w}`,
    ];
  }
  const rate = r.rate.current === undefined ? "–" : r.rate.current.toFixed(1);
  const requests = count(r.requests.current);
  const p99 = `p99 ${ms(r.latency.p99.current)}`;
  if (r.protocol === "grpc") {
    return [
      `${r.name} (gRPC): ${requests} requests (${rate}/s), ${p99} in the last ${w}`,
      `${r.name} (gRPC): ${requests} requests, ${p99} in the last ${w}`,
      `${r.name} (gRPC): ${p99} in the last ${w}`,
    ];
  }
  const errors = `5xx ${percent(r.errorRate.current)}`;
  return [
    `${r.name}: ${requests} requests (${rate}/s), ${errors}, ${p99} in the last ${w}`,
    `${r.name}: ${requests} requests, ${errors}, ${p99} in the last ${w}`,
    `${r.name}: ${errors}, ${p99} in the last ${w}`,
  ];
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
  const service = `${r.publisher.cluster}/${r.publisher.service}`;
  return [...sections, ...balancerSections(r.balancers ?? [], service)];
}

/** A service without Service Connect behind a load balancer: the balancer's figures alone. */
function balancerOnlySections(result: Extract<TrafficResult, { kind: "balancer" }>): Section[] {
  const { service, balancers } = result;
  return [
    { lines: [[{ bold: balancerHeadline(service, balancers) }]] },
    {
      lines: [
        [
          `${service} does not publish through Service Connect: this traffic is its load balancer's alone, as the balancer measured it (clients that reach the tasks another way are not counted).`,
        ],
      ],
    },
    ...balancerSections(balancers),
    { heading: "Next check", lines: [[balancerNext(service, balancers[0])]] },
  ];
}

function resultSections(result: TrafficResult, window: string, asked: string): Section[] {
  switch (result.kind) {
    case "report":
      return reportSections(result, asked);
    case "balancer":
      return balancerOnlySections(result);
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
        ...balancerSections(result.balancers ?? []),
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

/** A sparkline longer than this is left to Details. */
const SPARK_MAX = 24;
const NEXT_MAX = 300;

/**
 * "5xx 5.76% in 1h (Δ +5.4 pts) ▁▁▄██ · *22.59%* in the last 15m": a figure of the window with
 * its trend, beside the same figure of its last 15 minutes, bold where they differ.
 */
function figureFact(
  r: TrafficReport,
  label: string,
  value: string,
  f: Figure,
  recent?: { value: (x: TrafficReport) => string; differs?: RecentDifference["figure"] },
  unit: "percent" | "points" = "percent",
): Line {
  const spark = f.spark && f.spark.length <= SPARK_MAX ? ` ${f.spark}` : "";
  const line: Line = [`${label} ${value} in ${r.window.label} (${delta(f, unit)})${spark}`];
  const part = r.recent;
  if (!part || !recent) return line;
  const last = ` in the last ${part.window.label}`;
  if (!part.report) return [...line, ` · could not be read${last}`];
  const differs = part.differences.some((d) => d.figure === recent.differs);
  const figure = recent.value(part.report);
  return [...line, " · ", differs ? { bold: figure } : figure, last];
}

/** Requests, 5xx and p99 (connections and bytes for TCP), each beside its last 15 minutes. */
function glanceFacts(r: TrafficReport): Line[] {
  const rateOf = (x: TrafficReport) => perSecond(x.status === "no-traffic" ? 0 : x.rate.current);
  if (r.protocol === "tcp") {
    return [
      figureFact(r, "New connections", count(r.newConnections.current), r.newConnections, {
        value: (x) => count(x.newConnections.current),
      }),
      figureFact(r, "Processed", bytes(r.bytes.current), r.bytes, {
        value: (x) => bytes(x.bytes.current),
      }),
    ];
  }
  const requests = figureFact(
    r,
    r.protocol === "grpc" ? "gRPC requests" : "Requests",
    `${count(r.requests.current)} (${perSecond(r.rate.current)})`,
    r.requests,
    { value: rateOf, differs: "rate" },
  );
  const p99 = figureFact(r, "p99", ms(r.latency.p99.current), r.latency.p99, {
    value: (x) => ms(x.latency.p99.current),
    differs: "p99",
  });
  if (r.protocol === "grpc") return [requests, p99];
  const errors = figureFact(
    r,
    "5xx",
    percent(r.errorRate.current),
    r.errorRate,
    { value: (x) => percent(x.errorRate.current), differs: "5xx" },
    "points",
  );
  return [requests, errors, p99];
}

/** One measured name's first view: the headline, its figures beside their last minutes, the next check. */
function reportGlance(r: TrafficReport, asked: string, links: CommandLink[]): Glance {
  return {
    headline: [headLine(r)],
    facts: [...glanceFacts(r), ...(r.balancers ?? []).map(balancerFact)],
    next: [clip(nextCheck(r, asked, "in Details"), NEXT_MAX)],
    links,
  };
}

/** A service whose traffic is its balancers' alone: who measured it, in the first line. */
function balancerGlance(
  result: Extract<TrafficResult, { kind: "balancer" }>,
  links: CommandLink[],
): Glance {
  return {
    headline: [clip(balancerHeadline(result.service, result.balancers), GLANCE_HEADLINE_MAX)],
    facts: [
      ...result.balancers.map(balancerFact),
      ["No Service Connect: this is the load balancer's traffic alone."],
    ],
    next: [clip(balancerNext(result.service, result.balancers[0]), NEXT_MAX)],
    links,
  };
}

/** Several services matched: each one's headline, each a button to ask it alone. */
function matchesGlance(answer: Found, names: string[], links: CommandLink[]): Glance {
  const lines = answer.results.map((result, i): Line => {
    const first = resultSections(result, answer.window.label, answer.query)[0]?.lines[0];
    return [clip(first ? plain(first) : (names[i] ?? ""), FACT_MAX)];
  });
  return {
    headline: [
      clip(`${answer.query} matches ${answer.results.length} services`, GLANCE_HEADLINE_MAX),
    ],
    facts: lines
      .slice(0, MATCHES_SHOWN)
      .concat(
        lines.length > MATCHES_SHOWN
          ? [[`… and ${lines.length - MATCHES_SHOWN} more (Details)`]]
          : [],
      ),
    next: ["Ask about one alone with its button."],
    asks: askLinks([...new Set(names)].map((n) => `traffic ${n} ${answer.window.label}`)),
    links,
  };
}

const FACT_MAX = 160;
const MATCHES_SHOWN = 4;
type Found = Extract<TrafficAnswer, { kind: "found" }>;

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

/** What /ecs traffic accepts: a name, and one of its windows. */
const USAGE: Line[] = [
  [{ code: "/ecs traffic <name>" }, " the last hour against the hour before"],
  [
    { code: "/ecs traffic <name> 15m" },
    ` a window: ${WINDOW_NAMES.join(", ")} (a window longer than 15m shows its last 15m too)`,
  ],
  [{ code: "/ecs traffic <cluster>/<service> 1d" }, " an ECS service (name, cluster/name or ARN)"],
  [{ code: "/ecs traffic <name> 7d --graph" }, " with the CloudWatch graph"],
  [
    "Replace the parts in angle brackets with your own names; ",
    { code: "/ecs help traffic" },
    " shows yours.",
  ],
];

function invalidDocument(answer: Extract<TrafficAnswer, { kind: "invalid" }>): Doc {
  const typed = answer.query.length > 80 ? `${answer.query.slice(0, 80)}…` : answer.query;
  const head: Line = typed
    ? [{ bold: "Cannot measure " }, { code: typed }, `: ${answer.reason}.`]
    : [{ bold: `Cannot measure that: ${answer.reason}.` }];
  return {
    summary: `Cannot measure that: ${answer.reason}.`,
    sections: [{ lines: [head] }, { heading: "Usage", lines: USAGE }],
    notes: [],
  };
}

export function trafficDocument(answer: TrafficAnswer): Doc {
  if (answer.kind === "invalid") return invalidDocument(answer);
  if (answer.kind !== "found") return whoisDocument(answer, "traffic");
  const names = answer.results.map((r) => typedName(answer.query, r));
  const matches = answer.results.length > 1 ? matchesLine(answer.query, names) : undefined;
  const measured = answer.results.flatMap((r) =>
    resultSections(r, answer.window.label, answer.query),
  );
  const sections = [...(matches ? [{ lines: [matches] }] : []), ...measured];
  const first = measured[0]?.lines[0];
  const graph: CommandLink[] = answer.results.some((r) => r.kind === "report")
    ? [
        {
          actionId: GRAPH_ACTION_ID,
          label: "Graph",
          command: `traffic ${answer.query} ${answer.window.label} --graph`,
        },
      ]
    : [];
  const cross = crossLinks("traffic", answer.query);
  // The first view: the graph first, then Health; an answer with nothing measured is short.
  const glanceLinks = [...graph, ...cross.filter((l) => l.label === "Health")];
  const [only] = answer.results;
  const glance =
    answer.results.length > 1
      ? matchesGlance(answer, names, glanceLinks)
      : only?.kind === "report"
        ? reportGlance(only.report, answer.query, glanceLinks)
        : only?.kind === "balancer"
          ? balancerGlance(only, glanceLinks)
          : undefined;
  return {
    summary: first ? plain(first) : answer.query,
    sections,
    notes: gapLines(answer.gaps),
    links: [...cross, ...graph],
    ...(glance ? { glance } : {}),
  };
}

import type { HealthAnswer } from "../domain/answer.ts";
import type { Finding, HealthLevel, HealthReport } from "../domain/health.ts";
import type { TargetHealthJudgement } from "../domain/load-balancing/target-health.ts";
import type { NameBinding } from "../domain/resolution/bindings.ts";
import type { Endpoint } from "../domain/resolution/endpoints.ts";
import type { TrafficReport } from "../domain/traffic.ts";
import { healthConsole } from "./console-links.ts";
import {
  askLinks,
  crossLinks,
  type Doc,
  GLANCE_HEADLINE_MAX,
  type Glance,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { clip, splitAt } from "./glance-text.ts";
import { failingTargetFacts, targetGroupSection, withoutSource } from "./health-targets.ts";
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

/**
 * A task's line says what the balancer says of it too: a task failing its target group's health
 * check is never drawn healthy under a headline that names it (target health is health's
 * app-layer signal beside Cloud Map and ECS). Unread target health changes no mark.
 */
function asTheBalancerSees(e: Endpoint, judged: TargetHealthJudgement | undefined): Endpoint {
  const task = judged?.tasks.find(
    (t) =>
      e.taskId &&
      (t.taskId === e.taskId ||
        e.taskId.endsWith(`/${t.taskId}`) ||
        t.taskId.endsWith(`/${e.taskId}`)),
  );
  const failing = task?.targets.find((t) => t.verdict === "unhealthy");
  // A bridge/host task has no IP of its own: its instance:port target is where the balancer sees it.
  const shown = e.ip ? undefined : (failing ?? task?.targets[0]);
  const noted = (said: string) => (e.note ? `${e.note}; ${said}` : said);
  const at = shown?.target.startsWith("i-") ? `${shown.target} ` : "";
  // Its instance unread: which target it is stays unknown, said, and its mark left as it was.
  if (shown && !failing && shown.verdict === "unknown" && !at) {
    return { ...e, note: noted(`${shown.targetGroup} target unknown`) };
  }
  if (!failing || e.state === "unhealthy") {
    return shown && at ? { ...e, note: noted(`${shown.targetGroup} ${at}${shown.verdict}`) } : e;
  }
  const said = `${failing.targetGroup} ${at}${failing.reason ?? "unhealthy"}`;
  return { ...e, state: "unhealthy", note: noted(said) };
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

function trafficLine(t: TrafficReport, before = true): Line {
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
        `${n(t.requests.current)} gRPC requests · p99 ${ms(t.latency.p99.current)}${before ? ` (before: ${ms(t.latency.p99.previous)})` : ""}`,
      ];
    default:
      return [
        before
          ? `${n(t.requests.current)} requests · 5xx ${pct(t.errorRate.current)} (before: ${pct(t.errorRate.previous)}) · p99 ${ms(t.latency.p99.current)} (before: ${ms(t.latency.p99.previous)})`
          : `${n(t.requests.current)} requests · 5xx ${pct(t.errorRate.current)} · p99 ${ms(t.latency.p99.current)}`,
      ];
  }
}

/** The findings besides the one the reason states (none: every finding is another). */
const otherFindings = (r: HealthReport): Finding[] => r.findings.filter((_, i) => i !== r.deciding);

function reportSections(r: HealthReport): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: headline(r) }]] }];
  // The deciding finding leads the headline (with the asked task's place after it, if any).
  const others = otherFindings(r);
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
        ? r.resolution.endpoints.map((e) => endpointLine(asTheBalancerSees(e, r.targetHealth)))
        : [
            [
              r.resolution.endpointsKnown
                ? "None: nothing is registered or running."
                : "Unknown: neither the Cloud Map endpoints nor the ECS tasks could be read.",
            ],
          ],
  });
  const targets = targetGroupSection(r);
  if (targets) sections.push(targets);
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

/** "▲ DEGRADED x: …" within the first view's headline, and what did not fit, for a fact. */
function glanceHeadline(
  r: HealthReport,
  max = GLANCE_HEADLINE_MAX,
): { head: string; rest: string } {
  // What could not be read stays in the headline; the reason gives way.
  const partial = partialClause(r.unknown);
  const full = `${BADGE[r.level]} ${r.subject}: ${r.reason}`;
  // A deciding finding with a brief form says it whole rather than cut (its facts follow).
  const deciding = r.deciding === undefined ? undefined : r.findings[r.deciding];
  const brief =
    deciding?.brief && r.reason.startsWith(deciding.text)
      ? `${BADGE[r.level]} ${r.subject}: ${deciding.brief}${r.reason.slice(deciding.text.length)}`
      : undefined;
  const fits = (t: string) => t.length <= max - partial.length;
  if (!fits(full) && brief && fits(brief)) return { head: `${brief}${partial}`, rest: "" };
  const { head, rest } = splitAt(full, max - partial.length);
  return { head: `${head}${partial}`, rest: rest && `${rest[0]?.toUpperCase()}${rest.slice(1)}` };
}

/** The ECS service in one line: tasks, task definition, deployment. */
function serviceLine(r: HealthReport): Line {
  const p = r.resolution.publisher;
  const e = p.ecs;
  const key = { code: `${p.cluster}/${p.service}` };
  if (!e) return ["Service ", key, " could not be read"];
  const failed = r.failedTasks ? ` (${r.failedTasks} failed tasks)` : "";
  const deployments = (r.deploymentCount ?? 0) > 1 ? ` (${r.deploymentCount} active)` : "";
  return [
    "Service ",
    key,
    `: ${e.running} of ${e.desired} running${e.pending ? `, ${e.pending} pending` : ""} · task definition `,
    { code: e.taskDefinition },
    ` · deployment ${e.rolloutState ?? "?"}${deployments}${failed}`,
  ];
}

/** Endpoints shown in a first view before "and N more". */
const ENDPOINTS_SHOWN = 3;
/** Other findings a first view names, one line each. */
const ALSO_SHOWN = 2;
const FACT_MAX = 160;
const NEXT_MAX = 300;

/** The facts that decide the verdict: what the headline left out, the endpoints at fault. */
function decidingFacts(r: HealthReport, rest: string): Line[] {
  const facts: Line[] = rest ? [[clip(rest, FACT_MAX * 2)]] : [];
  const deciding = r.deciding === undefined ? undefined : r.findings[r.deciding];
  if (deciding?.unhealthyEndpoints) {
    const unhealthy = r.resolution.endpoints.filter((e) => e.state === "unhealthy");
    for (const e of unhealthy.slice(0, ENDPOINTS_SHOWN)) {
      const address = e.ip ? `${e.ip}${e.port ? `:${e.port}` : ""}` : "(no IP)";
      facts.push([
        "✖ ",
        { code: address },
        ` ${e.availabilityZone ?? "?"} · task `,
        { code: (e.taskId ?? "?").slice(0, 12) },
        ` · Cloud Map ${e.cloudMapHealth ?? "?"} · ECS ${[e.lastStatus, e.healthStatus].filter(Boolean).join("/") || "?"}`,
      ]);
    }
    if (unhealthy.length > ENDPOINTS_SHOWN)
      facts.push([`… and ${unhealthy.length - ENDPOINTS_SHOWN} more unhealthy (Details)`]);
  }
  return facts;
}

/** The other findings, one line each, the first few only. */
function alsoFacts(r: HealthReport): Line[] {
  const others = otherFindings(r);
  const lines = others
    .slice(0, ALSO_SHOWN)
    .map(
      (f): Line => [
        { bold: "Also:" },
        ` ${MARK[f.level]} ${f.layer}: ${clip(f.brief ?? f.text, FACT_MAX)}`,
      ],
    );
  if (others.length > ALSO_SHOWN)
    lines.push([`… and ${others.length - ALSO_SHOWN} more findings (Details)`]);
  return lines;
}

/**
 * One service's first view: the verdict and its deciding cause, the facts behind it, the other
 * findings in a line each, the service in one line, and the next check. Healthy: short.
 */
function reportGlance(r: HealthReport, query: string): Glance {
  const { head, rest } = glanceHeadline(r);
  const traffic = r.traffic?.status === "ok" ? r.traffic : undefined;
  const quiet = r.level === "healthy" && r.findings.length === 0;
  const facts = [
    ...decidingFacts(r, rest),
    ...failingTargetFacts(r, FACT_MAX),
    ...alsoFacts(r),
    serviceLine(r),
    ...(quiet && traffic
      ? [[`Last ${traffic.window.label}: `, ...trafficLine(traffic, false)]]
      : []),
  ];
  const named = r.resolution.bindings.length > 0;
  // A step too long keeps its words and leaves its source to the details.
  const step = r.nextCheck.length > NEXT_MAX ? withoutSource(r.nextCheck) : r.nextCheck;
  const next = !quiet
    ? clip(step, NEXT_MAX)
    : named
      ? "If a caller still fails, Whois says whether it can resolve the name; Details has the path to check."
      : "If it cannot reach a name, or a caller cannot reach it, Details says what to check.";
  const measured = r.resolution.bindings.some((b) => b.scope.kind === "service-connect");
  return { headline: [head], facts, next: [next], links: glanceLinks(query, measured) };
}

/** Traffic first (the usual next question) where Service Connect measures it, then Whois. */
function glanceLinks(query: string, measured = true) {
  const links = crossLinks("health", query);
  const traffic = measured ? links.filter((l) => l.label === "Traffic") : [];
  return [...traffic, ...links.filter((l) => l.label !== "Traffic")];
}

const ORDER: Record<HealthLevel, number> = { down: 0, degraded: 1, unknown: 2, healthy: 3 };
/** Services an ambiguous query's first view lists before "and N more". */
const REPORTS_SHOWN = 4;

/** Several services matched: each one's verdict worst first, each a button to ask it alone. */
function matchesGlance(answer: Extract<HealthAnswer, { kind: "found" }>): Glance {
  const typed = answer.reports.map((r) => ({
    report: r,
    name: typedNames(answer.query, r.resolution)[0] ?? r.subject,
  }));
  const worst = [...typed].sort((a, b) => ORDER[a.report.level] - ORDER[b.report.level]);
  const counts = (Object.keys(ORDER) as HealthLevel[])
    .map((l) => [l, answer.reports.filter((r) => r.level === l).length] as const)
    .filter(([, n]) => n > 0)
    .map(([l, n]) => `${n} ${l}`)
    .join(", ");
  const facts: Line[] = worst
    .slice(0, REPORTS_SHOWN)
    .map(({ report }) => [glanceHeadline(report, FACT_MAX).head]);
  if (worst.length > REPORTS_SHOWN)
    facts.push([`… and ${worst.length - REPORTS_SHOWN} more (Details)`]);
  return {
    headline: [
      clip(
        `${answer.query} matches ${answer.reports.length} services: ${counts}`,
        GLANCE_HEADLINE_MAX,
      ),
    ],
    facts,
    next: ["Ask about one alone with its button."],
    asks: askLinks(worst.map(({ name }) => `health ${name}`)),
    links: glanceLinks(answer.query),
  };
}

export function healthDocument(answer: HealthAnswer): Doc {
  if (answer.kind !== "found") return whoisDocument(answer, "health");
  const names = answer.reports.flatMap((r) => typedNames(answer.query, r.resolution));
  const matches = answer.reports.length > 1 ? matchesLine(answer.query, names) : undefined;
  const sections = [
    ...(matches ? [{ lines: [matches] }] : []),
    ...answer.reports.flatMap(reportSections),
  ];
  const [first] = answer.reports;
  const glance =
    first && answer.reports.length === 1
      ? reportGlance(first, answer.query)
      : matchesGlance(answer);
  return {
    // A notification reads as the first view's headline.
    summary:
      answer.reports.length === 1
        ? plain(glance.headline)
        : answer.reports.map(headline).join(" | "),
    sections,
    notes: gapLines(answer.gaps),
    links: crossLinks("health", answer.query),
    console: healthConsole(answer.reports),
    glance,
  };
}

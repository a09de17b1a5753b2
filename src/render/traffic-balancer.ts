// The traffic a load balancer measured for a service's target group, said apart from Service
// Connect's: who measured it is in every heading and fact ("measured by shop-alb (ALB)").
import type { BalancerFigure, BalancerTraffic } from "../domain/traffic/balancer.ts";
import type { Line, Section } from "./document.ts";

const count = (v: number | undefined) =>
  v === undefined ? "–" : Math.round(v).toLocaleString("en-US");
const percent = (v: number | undefined) => (v === undefined ? "–" : `${(v * 100).toFixed(2)}%`);
const ms = (v: number | undefined) =>
  v === undefined ? "–" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

/** "Δ +12%", "Δ new", "Δ n/a": against the window before. */
function change(f: BalancerFigure | undefined): string {
  if (f?.current === undefined || f.previous === undefined) return "Δ n/a";
  if (f.previous === 0) return f.current === 0 ? "Δ 0%" : "Δ new";
  const c = ((f.current - f.previous) / f.previous) * 100;
  const r = Math.abs(c) < 10 ? Math.abs(c).toFixed(1) : Math.round(Math.abs(c)).toString();
  return `Δ ${c >= 0 ? "+" : "−"}${r}%`;
}

/** "shop-alb (ALB)", "edge-nlb (NLB)". */
export function measuredBy(b: BalancerTraffic): string {
  return `${b.group.loadBalancer} (${b.group.type === "application" ? "ALB" : "NLB"})`;
}

function hostsLine(b: BalancerTraffic): Line {
  if (b.unhealthyMax === undefined && b.healthyMin === undefined)
    return ["Targets: no health-check figures in this window (health checks off, or no data)."];
  return [
    "Targets: at most ",
    { bold: count(b.unhealthyMax) },
    " unhealthy at once, at least ",
    { bold: count(b.healthyMin) },
    " healthy (UnHealthyHostCount Maximum, HealthyHostCount Minimum)",
  ];
}

function figureLines(b: BalancerTraffic): Line[] {
  const row = (label: string, value: string, f?: BalancerFigure): Line => [
    `${label} `,
    { bold: value },
    ` (${change(f)})`,
    f?.spark ? ` ${f.spark}` : "",
  ];
  if (b.group.type === "network") {
    return [
      row("New flows (whole balancer)", count(b.newFlows?.current), b.newFlows),
      row("Target resets (whole balancer)", count(b.targetResets?.current), b.targetResets),
      hostsLine(b),
      [
        `New flows and resets are counted per load balancer, not per target group: they include ${b.group.loadBalancer}'s other target groups.`,
      ],
    ];
  }
  return [
    row("Requests", count(b.requests?.current), b.requests),
    row(
      "Target 5xx",
      `${count(b.target5xx?.current)}, ${percent(b.errorRate?.current)} of requests`,
      b.target5xx,
    ),
    row("Response time avg", ms(b.averageMs?.current), b.averageMs),
    row("Response time p99", ms(b.p99Ms?.current), b.p99Ms),
    row("ELB 5xx (whole balancer)", count(b.elb5xx?.current), b.elb5xx),
    hostsLine(b),
    [
      `ELB 5xx are the balancer's own answers (no healthy target, a target that did not answer…), counted per load balancer, not per target group: they include ${b.group.loadBalancer}'s other target groups. Health checks are not counted as requests.`,
    ],
  ];
}

/**
 * One section per target group, headed by who measured it. With `service` (beside Service
 * Connect's figures, whose next check reads only theirs), a balancer's own concern is said in it.
 */
export function balancerSections(
  balancers: readonly BalancerTraffic[],
  service?: string,
): Section[] {
  return balancers.map((b) => {
    const w = b.window.label;
    const heading = `Measured by ${measuredBy(b)}, target group ${b.group.targetGroup}, last ${w} vs the ${w} before`;
    if (b.status === "unread")
      return {
        heading,
        lines: [[{ bold: "Could not be read (see below): unknown, not zero." }]],
      };
    const next = service ? balancerNext(service, b) : undefined;
    const concern = next && !next.endsWith("looks steady.") ? [[`Next: ${next}`]] : [];
    return { heading, lines: [...figureLines(b), ...concern] };
  });
}

/** The first view's one line of a balancer's figures. */
export function balancerFact(b: BalancerTraffic): Line {
  const by = `Measured by ${measuredBy(b)}: `;
  if (b.status === "unread") return [by, "could not be read (unknown, not zero)"];
  if (b.group.type === "network")
    return [
      by,
      `${count(b.healthyMin)} healthy / ${count(b.unhealthyMax)} unhealthy targets at worst, ${count(b.newFlows?.current)} new flows (whole balancer)`,
    ];
  return [
    by,
    `${count(b.requests?.current)} requests, target 5xx ${percent(b.errorRate?.current)}, p99 ${ms(b.p99Ms?.current)}, up to ${count(b.unhealthyMax)} targets unhealthy`,
  ];
}

/** The headline of a service whose traffic is its balancers' alone. */
export function balancerHeadline(service: string, balancers: readonly BalancerTraffic[]): string {
  const [b] = balancers;
  if (!b)
    return `${service}: its target groups could not be read, so its load balancer traffic is unknown`;
  const by = `via ${measuredBy(b)}`;
  if (b.status === "unread")
    return `${service}: load balancer traffic could not be read (unknown, not zero)`;
  if (b.group.type === "application" && !b.requests?.current)
    return `${service} ${by}: no request reached target group ${b.group.targetGroup} in the last ${b.window.label}`;
  if (b.group.type === "network")
    return `${service} ${by}: ${count(b.newFlows?.current)} new flows, up to ${count(b.unhealthyMax)} targets unhealthy in the last ${b.window.label}`;
  return `${service} ${by}: ${count(b.requests?.current)} requests, target 5xx ${percent(b.errorRate?.current)}, p99 ${ms(b.p99Ms?.current)} in the last ${b.window.label}`;
}

/** What to look at next, from a balancer's own figures. */
export function balancerNext(service: string, b: BalancerTraffic | undefined): string {
  if (!b || b.status === "unread") return `See /ecs health ${service} for its targets' health.`;
  const failing = (b.unhealthyMax ?? 0) > 0;
  if (b.group.type === "application" && !b.requests?.current)
    return `No request reached ${b.group.targetGroup} through ${b.group.loadBalancer}: do its listener rules forward to ${b.group.targetGroup}, and do clients reach ${b.group.loadBalancer} (/ecs whois ${service})?`;
  const errors = (b.errorRate?.current ?? 0) >= 0.01;
  if (failing && errors)
    return `Targets: up to ${count(b.unhealthyMax)} unhealthy and ${percent(b.errorRate?.current)} of requests answered 5xx by the targets: see /ecs health ${service} for which target fails its health check and why.`;
  if (failing)
    return `Targets: up to ${count(b.unhealthyMax)} failed ${b.group.loadBalancer}'s health checks while requests mostly succeeded: see /ecs health ${service} for which and why.`;
  if (errors)
    return `App: the targets answered ${percent(b.errorRate?.current)} of requests with 5xx: look at the app (/ecs health ${service}).`;
  return `Traffic through ${b.group.loadBalancer} looks steady.`;
}

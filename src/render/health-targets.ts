// What the load balancer says of a service, as /ecs health draws it: each target group and its
// targets in the details, the failing targets among the first view's facts.
import type { HealthReport } from "../domain/health.ts";
import type { TargetHealthView } from "../domain/load-balancing/health-findings.ts";
import type {
  JudgedGroup,
  JudgedTarget,
  TargetVerdict,
} from "../domain/load-balancing/target-health.ts";
import type { GoneTargetGroup } from "../domain/load-balancing/types.ts";
import type { Line, Section } from "./document.ts";
import { clip } from "./glance-text.ts";

const MARK: Record<TargetVerdict, string> = {
  healthy: "✔",
  unhealthy: "✖",
  unknown: "?",
  initial: "▲",
  draining: "▲",
  unused: "▲",
  unchecked: "·",
};

/** Failing targets a first view names before "and N more". */
const FAILING_SHOWN = 3;

const groupHead = (g: JudgedGroup): string =>
  g.level === "unknown"
    ? `${g.name}: target health unknown (${g.why ?? "not read"})`
    : `${g.name} · ${g.level} · ${g.healthy} of ${g.inService} targets healthy`;

/** "10.0.3.62:8080 · task c3d2e5a7b9f1 · unhealthy Target.ResponseCodeMismatch: …". */
function targetLine(t: JudgedTarget): Line {
  const task: Line = t.taskId ? [" · task ", { code: t.taskId.slice(0, 12) }] : [];
  const state = `${t.verdict}${t.reason ? ` ${t.reason}` : ""}`;
  const aws = t.description && t.verdict !== "healthy" ? ` (AWS: ${t.description})` : "";
  const next = t.verdict === "healthy" ? "" : ` Next: ${t.next} (${t.source})`;
  return [
    `  ${MARK[t.verdict]} `,
    { code: t.target },
    ...task,
    ` · ${state}: ${t.what}${aws}.${next}`,
  ];
}

/** "✖ checkout-old-tg · gone: AWS says it does not exist (TargetGroupNotFound); …". */
const goneLine = (g: GoneTargetGroup): Line => [
  "✖ ",
  { code: g.name },
  ` · gone: AWS says it does not exist (TargetGroupNotFound); ${g.cluster}/${g.service} still names it`,
];

/** The details: every target group, then each of its targets (an unread group: why alone). */
export function targetGroupSection(r: HealthReport): Section | undefined {
  const view: TargetHealthView | undefined = r.targetHealth;
  const groups = view?.groups ?? [];
  const gone = view?.gone ?? [];
  if (groups.length === 0 && gone.length === 0) return undefined;
  return {
    heading: "Load balancer target groups",
    lines: [
      ...gone.map(goneLine),
      ...groups.flatMap((g): Line[] => [
        [{ code: g.name }, groupHead(g).slice(g.name.length)],
        ...(g.level === "unknown" ? [] : g.targets.map(targetLine)),
      ]),
    ],
  };
}

/** The first view's facts: the targets failing the balancer's checks, the first few. */
export function failingTargetFacts(r: HealthReport, max: number): Line[] {
  if (r.level === "healthy") return [];
  const failing = (r.targetHealth?.groups ?? []).flatMap((g) =>
    g.targets.filter((t) => t.verdict === "unhealthy"),
  );
  const lines = failing
    .slice(0, FAILING_SHOWN)
    .map(
      (t): Line => [
        "✖ ",
        { code: t.target },
        ...(t.taskId ? [" · task ", { code: t.taskId.slice(0, 12) }] : []),
        ` · ${clip(`${t.targetGroup} ${t.reason ?? "unhealthy"}: ${t.what}`, max)}`,
      ],
    );
  if (failing.length > FAILING_SHOWN)
    lines.push([`… and ${failing.length - FAILING_SHOWN} more failing targets (Details)`]);
  return lines;
}

/** A next step too long for a first view loses its trailing source (the details keep it). */
export function withoutSource(next: string): string {
  return next.replace(/\s*\(https?:\/\/[^()\s]+\)\s*$/, "");
}

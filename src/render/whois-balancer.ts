// The whois answer of a load balancer or target group (issue 24): the mechanism, the balancer,
// its listeners and the rules that forward to each target group, the groups' ECS services and
// targets with health, and who can reach it. A word that also names ECS services lists each.

import type { Gap } from "../domain/facts.ts";
import type { BalancerWhois, GroupWhois } from "../domain/load-balancing/whois.ts";
import type { Resolution } from "../domain/resolution.ts";
import {
  ACTION_IDS,
  askLinks,
  type CommandLink,
  type Doc,
  type Glance,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { fitHeadline } from "./whois-glance.ts";

const MARK = { healthy: "✔", unhealthy: "✖", unknown: "?" } as const;

function markOf(verdict: string): string {
  return verdict === "healthy" ? MARK.healthy : verdict === "unhealthy" ? MARK.unhealthy : "?";
}

function targetLines(g: GroupWhois): Line[] {
  if (!g.targets.known) {
    return [["? Targets: unknown, their health could not be read (", g.targets.why, ")."]];
  }
  if (g.judged.targets.length === 0) return [["No registered targets."]];
  return g.judged.targets.map((t): Line => {
    const state = t.state ?? t.verdict;
    const reason = t.reason ? ` ${t.reason}` : "";
    const words = t.description ? `: ${t.description}` : "";
    const task: Line = t.taskId ? [" (task ", { code: t.taskId.slice(0, 12) }, ")"] : [];
    return [`${markOf(t.verdict)} `, { code: t.target }, ...task, ` ${state}${reason}${words}`];
  });
}

function checkText(g: GroupWhois): string {
  const hc = g.group.healthCheck;
  if (!hc.enabled) return "health checks off";
  const port = !hc.port || hc.port === "traffic-port" ? "the traffic port" : `port ${hc.port}`;
  const path = hc.path ? ` ${hc.path}` : "";
  const matcher = hc.matcher ? `, matcher ${hc.matcher}` : "";
  return `health check ${hc.protocol ?? ""}${path} on ${port}${matcher}`.replace("  ", " ");
}

function servicesLine(g: GroupWhois): Line {
  if (!g.services.known) return [`ECS services: unknown (${g.services.why}).`];
  if (g.services.value.length === 0) return ["ECS services: none registers in it."];
  // Named by the targets, the list is of the services with tasks in the group: say so.
  return [
    g.servicesByTargets ? "ECS services with targets in it: " : "ECS services: ",
    ...g.services.value.flatMap(
      (s, i): Line => [...(i ? [", "] : []), { code: `${s.cluster}/${s.service}` }],
    ),
  ];
}

/** The next step of each failing target's reason (or of its grace period), once per step. */
function nextLines(g: GroupWhois): Line[] {
  const failing = g.judged.targets.filter((t) => t.verdict === "unhealthy" || t.graceEnds);
  return [...new Set(failing.map((t) => t.next))].map((next): Line => [`Next: ${next}`]);
}

/** Which listeners forward to the group; unread is unknown, never "none". */
function forwardedFrom(g: GroupWhois): string {
  if (g.routes.length > 0) {
    return g.routesUnknown === undefined
      ? g.routes.join("; ")
      : `${g.routes.join("; ")}, maybe more (rules not read: ${g.routesUnknown})`;
  }
  return g.routesUnknown === undefined
    ? "no listener rule forwards to it"
    : `unknown (listeners or rules not read: ${g.routesUnknown})`;
}

function groupSection(g: GroupWhois): Section {
  const proto = g.group.protocol ? `${g.group.protocol} ${g.group.port ?? ""}`.trim() : "lambda";
  return {
    heading: `Target group ${g.group.name}`,
    lines: [
      [`${proto}, ${g.group.targetType} targets, ${checkText(g)}.`],
      [`Forwarded from: ${forwardedFrom(g)}.`],
      servicesLine(g),
      ...(g.tasksUnknown ? [[`? Which task each target is: unknown (${g.tasksUnknown}).`]] : []),
      ...targetLines(g),
      ...nextLines(g),
    ],
  };
}

function balancerSection(b: BalancerWhois): Section {
  const lb = b.balancer;
  const lines: Line[] = [];
  if (b.alias) lines.push([{ code: b.alias }, " is a Route 53 alias record of this balancer."]);
  if (lb) {
    lines.push(
      ["Mechanism: load balancer (Elastic Load Balancing)."],
      [`${lb.type} load balancer, ${lb.scheme}, state ${lb.state}.`],
      ["DNS name: ", { code: lb.dnsName }],
      [
        `VPC ${lb.vpcId}; zones ${lb.zones.map((z) => `${z.zone} (${z.subnetId})`).join(", ") || "none"}.`,
      ],
      [`Security groups: ${lb.securityGroups.join(", ") || "none"}.`],
    );
    if (!b.listeners.known) lines.push([`Listeners: unknown (${b.listeners.why}).`]);
    else if (b.listeners.value.length === 0) lines.push(["Listeners: none."]);
    else
      lines.push([
        `Listeners: ${b.listeners.value.map((l) => `${l.protocol} ${l.port}`).join(", ")}.`,
      ]);
  }
  return { heading: lb ? `Load balancer ${lb.name}` : "No load balancer", lines };
}

/** The sections of one balancer's answer. */
export function balancerSections(b: BalancerWhois): Section[] {
  return [
    { lines: [[{ bold: b.headline }]] },
    balancerSection(b),
    ...b.groups.map(groupSection),
    { heading: "Who can reach it", lines: b.reach.map((r): Line => [r]) },
  ];
}

/** Health and Traffic of the services behind it (the balancer itself has neither). */
function serviceLinks(b: BalancerWhois): CommandLink[] {
  const services = b.groups.flatMap((g) => (g.services.known ? g.services.value : []));
  const [first] = services;
  if (!first) return [];
  const name = `${first.cluster}/${first.service}`;
  return [
    { actionId: ACTION_IDS.health, label: "Health", command: `health ${name}` },
    { actionId: ACTION_IDS.traffic, label: "Traffic", command: `traffic ${name}` },
  ];
}

function oneBalancerGlance(b: BalancerWhois): Glance {
  const { head, rest } = fitHeadline(b.headline);
  const failing = b.groups.flatMap((g) =>
    g.judged.targets.filter((t) => t.verdict === "unhealthy"),
  );
  const facts: Line[] = [
    ...(rest ? [[rest]] : []),
    ...failing
      .slice(0, 2)
      .map(
        (t): Line => [
          "✖ ",
          { code: t.target },
          ` ${t.reason ?? "unhealthy"}${t.description ? `: ${t.description}` : ""}`,
        ],
      ),
    ...(b.reach[0] ? [[b.reach[0]]] : []),
  ];
  const next = failing[0]?.next;
  return {
    headline: [head],
    facts,
    ...(next ? { next: [next] } : {}),
    links: serviceLinks(b),
  };
}

/** What to type to ask about this balancer or group alone. */
function askFor(b: BalancerWhois): string {
  if (b.matched === "target-group" && b.groups[0]) return b.groups[0].group.arn;
  return b.balancer?.dnsName ?? b.groups[0]?.group.arn ?? "";
}

/**
 * The found answer when load balancers are in it: one balancer alone, or every thing the word
 * names listed (services and balancers), one button each, none judged for the others.
 */
export function balancerDocument(
  query: string,
  resolutions: readonly Resolution[],
  balancers: readonly BalancerWhois[],
  gaps: readonly Gap[],
  verb: string,
  serviceSections: Section[],
  notes: Line[],
): Doc {
  const sections = [...serviceSections, ...balancers.flatMap(balancerSections)];
  const [only] = balancers;
  if (resolutions.length === 0 && balancers.length === 1 && only) {
    const glance = oneBalancerGlance(only);
    const partial = gaps.length > 0 ? " (partial: see the notes)" : "";
    return {
      summary: `${plain(glance.headline)}${partial}`,
      sections,
      notes,
      links: glance.links ?? [],
      glance,
    };
  }
  const services = [
    ...new Set(resolutions.map((r) => `${r.publisher.cluster}/${r.publisher.service}`)),
  ];
  const choices = [
    ...services.map((s) => ({ ask: s, line: [{ code: s }, " → ECS service"] as Line })),
    ...balancers.map((b) => ({
      ask: askFor(b),
      line: [
        {
          code:
            b.matched === "target-group"
              ? (b.groups[0]?.group.name ?? query)
              : (b.balancer?.name ?? query),
        },
        ` → ${b.matched === "target-group" ? "target group" : "load balancer"}: ${b.headline}`,
      ] as Line,
    })),
  ];
  const head = fitHeadline(`${query} names ${choices.length} things: ask about one alone`).head;
  return {
    summary: head,
    sections: [{ lines: [[head], ...choices.map((c) => c.line)] }, ...sections],
    notes,
    glance: {
      headline: [head],
      facts: choices.map((c) => c.line),
      asks: askLinks(choices.map((c) => `${verb} ${c.ask}`)),
    },
  };
}

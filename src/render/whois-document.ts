import type { SearchScope, WhoisAnswer } from "../domain/answer.ts";
import type { Gap } from "../domain/facts.ts";
import {
  type AddressHolder,
  holderHeadline,
  holderLine,
  holderNote,
  type IpFinding,
} from "../domain/network-interface.ts";
import {
  hostOf,
  listenLabel,
  type NameBinding,
  type Scope,
} from "../domain/resolution/bindings.ts";
import { type Endpoint, endpointCount } from "../domain/resolution/endpoints.ts";
import { outsideAlternatives, reachWithoutName } from "../domain/resolution/publisher.ts";
import type { Resolution, UnpublishedPort } from "../domain/resolution.ts";
import { whoisConsole } from "./console-links.ts";
import {
  askLinks,
  crossLinks,
  type Doc,
  type Glance,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { balancerDocument } from "./whois-balancer.ts";
import {
  fitHeadline,
  ENDPOINT_MARK as MARK,
  oneNameGlance,
  severalNamesGlance,
} from "./whois-glance.ts";

export const USAGE: Line[] = [
  [
    { code: "/ecs whois <service>.<namespace>" },
    " a Service Connect alias (optionally ",
    { code: ":PORT" },
    ")",
  ],
  [{ code: "/ecs whois <service>.<dns namespace>" }, " a Service Discovery DNS name"],
  [{ code: "/ecs whois <service>" }, " a bare Cloud Map name, searched in every namespace"],
  [{ code: "/ecs whois <IP>" }, " the task behind an IP, and every name pointing at it"],
  [{ code: "/ecs whois <cluster>/<service>" }, " an ECS service (name, cluster/name or ARN)"],
  [{ code: "/ecs whois <task ID>" }, " a task ID or ARN"],
  [
    "Replace the parts in angle brackets with your own names; ",
    { code: "/ecs help whois" },
    " shows yours.",
  ],
];

export function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "?";
}

function shortId(id: string | undefined): string {
  return id ? id.slice(0, 12) : "?";
}

/** Services named in "who can resolve it"; the rest are counted. */
const LISTED = 10;

function scopeLine(binding: NameBinding, r: Resolution): Line {
  const scope: Scope = binding.scope;
  const name = binding.name;
  switch (scope.kind) {
    case "service-connect": {
      const clients = scope.clientServices;
      const who =
        clients === undefined
          ? "(the list of those services could not be read)"
          : scope.clientServicesMore
            ? `(more than ${clients.length} services; the first page read: ${clients.slice(0, LISTED).join(", ")}, …)`
            : clients.length > LISTED
              ? `(${clients.length} such services: ${clients.slice(0, LISTED).join(", ")} and ${clients.length - LISTED} more)`
              : `(${clients.length} such service${clients.length === 1 ? "" : "s"}: ${clients.join(", ") || "none"})`;
      return [
        { code: name },
        `: Service Connect alias in ${scope.namespaceType === "HTTP" ? "HTTP" : "DNS"} namespace `,
        { code: scope.namespace },
        `. Resolvable only inside tasks of Service Connect-enabled services in that namespace ${who}. Not in VPC DNS: a Lambda, an EC2 host or a task outside such a service cannot resolve it; instead they can ${outsideAlternatives(binding, r.bindings, r.publisher)}.`,
      ];
    }
    case "dns": {
      const records =
        scope.records.map((r) => `${r.type}, TTL ${r.ttl}s`).join("; ") || "no records";
      if (!scope.privateZone) {
        return [
          { code: name },
          `: public DNS name (${records}) in namespace `,
          { code: scope.namespace },
          ": resolvable from anywhere.",
        ];
      }
      const vpcs =
        scope.vpcIds === undefined
          ? "the VPCs attached to its private hosted zone (could not be read)"
          : scope.vpcIds.length === 0
            ? "no VPC: the private hosted zone is attached to none"
            : `${scope.vpcIds.length > 1 ? "VPCs" : "VPC"} ${scope.vpcIds.join(", ")}`;
      return [
        { code: name },
        `: Service Discovery DNS name (${records}) in Route 53 private namespace `,
        { code: scope.namespace },
        `. Resolvable by any client in ${vpcs} through VPC DNS (with enableDnsSupport and enableDnsHostnames on): tasks, EC2 hosts, a Lambda attached to ${(scope.vpcIds?.length ?? 0) > 1 ? "one of them" : "that VPC"}.`,
      ];
    }
    case "cloud-map-api":
      return [
        { code: name },
        ": Cloud Map name in HTTP namespace ",
        { code: scope.namespace },
        ". No DNS: clients find it only by calling Cloud Map's DiscoverInstances API.",
      ];
    case "unconfirmed":
      return [
        { code: name },
        ": Cloud Map name in HTTP namespace ",
        { code: scope.namespace },
        ". No DNS. The ECS service could not be read, so whether it is a Service Connect discovery name (clients then use its alias) or an API-only name is unknown.",
      ];
  }
}

function codes(items: string[]): Line {
  return items.flatMap((a, i): Line => (i ? [", ", { code: a }] : [{ code: a }]));
}

function publisherLines(r: Resolution): Line[] {
  const p = r.publisher;
  const e = p.ecs;
  const focus = r.bindings[0];
  const lines: Line[] = [
    [
      "Cluster ",
      { code: p.cluster },
      " · service ",
      { code: p.service },
      e ? ` (${e.status})` : "",
    ],
  ];
  if (e) {
    lines.push([
      "Task definition ",
      { code: e.taskDefinition },
      ` · ${e.running} running / ${e.desired} desired / ${e.pending} pending`,
    ]);
  } else {
    lines.push(["ECS service state could not be read (see below)."]);
  }
  if (focus) {
    const port = focus.containerPort ?? "?";
    lines.push([
      "Container ",
      { code: focus.containerName ?? "?" },
      " · port name ",
      { code: focus.portName ?? "-" },
      ` · containerPort ${port}`,
      focus.appProtocol
        ? ` · appProtocol ${focus.appProtocol}`
        : focus.scope.kind === "service-connect"
          ? " · no appProtocol (TCP)"
          : "",
    ]);
    if (focus.scope.kind === "service-connect") {
      lines.push([
        "Cloud Map service ",
        { code: focus.discoveryName },
        ` in ${focus.namespace} (the discovery name: clients cannot resolve it, they use the alias)`,
        focus.appearedAt ? `, first appeared ${when(focus.appearedAt)}` : "",
      ]);
      lines.push([`Proxy listens on ${listenLabel(focus)}`]);
    } else {
      lines.push(["Cloud Map service ", { code: focus.discoveryName }, ` in ${focus.namespace}`]);
    }
  }
  const aliases = r.bindings.filter((b) => b.scope.kind === "service-connect").map((b) => b.name);
  if (aliases.length > 0) lines.push(["Client aliases ", ...codes(aliases)]);
  const others = r.bindings.slice(1).filter((b) => b.scope.kind !== "service-connect");
  if (others.length > 0) lines.push(["Also published as ", ...codes(others.map((b) => b.name))]);
  if (e?.rolloutState) {
    lines.push([
      `Deployment ${e.rolloutState} since ${when(e.deployedAt)}`,
      e.rolloutStateReason ? `: ${e.rolloutStateReason}` : "",
    ]);
  }
  if (e && e.securityGroups.length > 0)
    lines.push(["Security groups ", ...codes(e.securityGroups)]);
  return lines;
}

function cloudMapHealth(e: Endpoint): string {
  if (e.cloudMapHealth === undefined) return "-";
  // UNKNOWN is what Cloud Map reports for a service without a health check: normal.
  return e.cloudMapHealth === "UNKNOWN" ? "registered (no health check)" : e.cloudMapHealth;
}

export function endpointLine(e: Endpoint): Line {
  const address = e.ip ? `${e.ip}${e.port ? `:${e.port}` : ""}` : "(no IP)";
  const ecs =
    [e.lastStatus, e.healthStatus].filter(Boolean).join("/") ||
    (e.state === "unknown" ? "unread" : "not in ECS");
  const line: Line = [
    `${MARK[e.state]} `,
    { code: address },
    ` ${e.availabilityZone ?? "?"} · Cloud Map ${cloudMapHealth(e)} · ECS ${ecs} · task `,
    { code: shortId(e.taskId) },
    ` · started ${when(e.startedAt)}`,
  ];
  if (e.note) line.push(` · ${e.note}`);
  if (e.asked) line.push(" · ◀ the task you asked about");
  return line;
}

/** " (partial: could not read A, B and 2 more)": what a headline was judged without. */
export function partialClause(unread: readonly string[]): string {
  if (unread.length === 0) return "";
  const more = unread.length > 2 ? ` and ${unread.length - 2} more` : "";
  return ` (partial: could not read ${unread.slice(0, 2).join(", ")}${more})`;
}

export function gapLines(gaps: Gap[]): Line[] {
  return gaps.map((g) => [`Partial answer: could not read ${g.what}: ${g.why}.`]);
}

function noNameLine(r: Resolution): Line {
  const e = r.publisher.ecs;
  if (!e)
    return ["Unknown: the ECS service could not be read, so the names it publishes are unknown."];
  if (e.serviceConnectClientOnly) {
    return [
      "No name of its own: it is a Service Connect client of namespace ",
      { code: e.serviceConnectNamespace ?? "?" },
      `. Its tasks resolve that namespace's aliases; ${reachWithoutName(r.publisher)}.`,
    ];
  }
  if (e.loadBalancers.length > 0) {
    return [
      `No DNS or Service Connect name (neither Service Connect nor a service registry): ${reachWithoutName(r.publisher)}.`,
    ];
  }
  return [
    "No name: the service uses neither Service Connect nor a service registry, so only its task IPs reach it.",
  ];
}

function endpointsHeading(r: Resolution): string {
  const focus = r.bindings[0];
  return `Endpoints (${endpointCount(r)}${focus ? ` for ${focus.name}` : ""})`;
}

function resolutionSections(r: Resolution, partial = ""): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: `${r.verdict}${partial}` }]] }];
  sections.push({
    heading: "Who can resolve it",
    lines: r.bindings.length > 0 ? r.bindings.map((b) => scopeLine(b, r)) : [noNameLine(r)],
  });
  sections.push({ heading: "Published by", lines: publisherLines(r) });
  const empty: Line = r.endpointsKnown
    ? ["No endpoint: nothing is registered or running."]
    : ["Unknown: neither the Cloud Map endpoints nor the ECS tasks could be read (see below)."];
  // A task that no longer serves (stopped) is shown apart: it is not one of the endpoints.
  const apart = r.askedTask && !r.endpoints.some((e) => e.asked) ? r.askedTask : undefined;
  if (apart) sections.push({ heading: "Task", lines: [endpointLine(apart)] });
  sections.push({
    heading: endpointsHeading(r),
    lines: r.endpoints.length > 0 ? r.endpoints.map(endpointLine) : [empty],
  });
  sections.push({ heading: "Next check", lines: [[r.nextCheck]] });
  return sections;
}

/**
 * What to type to ask about one match of a word alone: every name of it that the word stands for
 * (a service can publish it twice: by DNS and through Service Connect), else the service itself.
 */
export function typedNames(query: string, r: Resolution): string[] {
  const word = query.toLowerCase();
  const named = r.bindings.filter((b) => b.discoveryName.toLowerCase() === word).map(hostOf);
  return named.length > 0 && r.subject.kind === "name"
    ? named
    : [`${r.publisher.cluster}/${r.publisher.service}`];
}

/**
 * A word that matched several names: each exactly as it must be typed, for every command that
 * answers them all (undefined for one match).
 */
export function matchesLine(query: string, names: readonly string[]): Line | undefined {
  const distinct = [...new Set(names)];
  if (distinct.length < 2) return undefined;
  return [
    { bold: `${query} matches ${distinct.length} names.` },
    " To ask about one alone, type it exactly: ",
    ...codes(distinct),
  ];
}

/**
 * An IP found in no task: what holds it in the VPCs, and which tasks were searched. The holder
 * the headline names already gets only what the headline leaves out.
 */
function ipLines(finding: IpFinding, where: SearchScope, headlined?: AddressHolder): Line[] {
  const region = where.regions.join(", ");
  const clusters = where.clusters.join(", ") || "none";
  const holders: Line[] =
    finding.holders?.length === 0
      ? [
          [
            `No network interface in ${region} holds ${finding.ip}: it is no address of this account's VPCs there now (another account's or region's, or released).`,
          ],
        ]
      : (finding.holders ?? []).flatMap((h): Line[] => {
          if (h !== headlined) return [[holderLine(finding.ip, h)]];
          const note = holderNote(h);
          return note ? [[note]] : [];
        });
  const interfaces = `the network interfaces of its VPCs${finding.holders ? "" : " (unread)"}`;
  const tasks = {
    none: "; ECS not searched, as the address is no task's",
    stopped: `, then the recently stopped tasks of clusters ${clusters} (a running task's interface would have shown)`,
    "running-and-stopped": `, then the running and recently stopped tasks of clusters ${clusters}`,
  }[finding.tasks];
  return [...holders, [`Looked in region ${region}: ${interfaces}${tasks}.`]];
}

/** NAME:PORT whose name is published on other ports only: those ports, and what to type. */
function unpublishedPortDoc(gaps: Gap[], port: UnpublishedPort, verb: string): Doc {
  const ports = [...new Set(port.published.map((p) => p.port ?? "?"))];
  const head = `Nothing publishes port ${port.port} on ${port.name}: it publishes port${ports.length > 1 ? "s" : ""} ${ports.join(", ")}`;
  const commands = port.published.map((p) => `/ecs ${verb} ${p.name}`);
  const asks = askLinks(commands);
  return {
    summary: `${head} (${commands[0]})`,
    sections: [{ lines: [[{ bold: head }], ["Try ", ...codes(commands)]], asks }],
    notes: gapLines(gaps),
    glance: { headline: [fitHeadline(head).head], facts: [], asks },
  };
}

/**
 * The first view of "not found": the headline (what holds the address, or not found), then what
 * the answer says next, the suggestions left to their buttons.
 */
function notFoundGlance(
  headline: string,
  lines: Line[],
  suggested: boolean,
  asks: Glance["asks"],
): Glance {
  const rest = lines.slice(1);
  const said = suggested ? rest.slice(1) : rest;
  const facts =
    said.length > 3 ? [...said.slice(0, 2), [`… ${said.length - 2} more lines in Details`]] : said;
  return { headline: [fitHeadline(headline).head], facts, asks };
}

/** `verb`: the command whose answer this is, for the commands it suggests. */
export function whoisDocument(answer: WhoisAnswer, verb = "whois"): Doc {
  switch (answer.kind) {
    case "invalid": {
      const typed = answer.query.length > 80 ? `${answer.query.slice(0, 80)}…` : answer.query;
      const head: Line = typed
        ? [{ bold: "Cannot look up" }, " ", { code: typed }, `: ${answer.reason}.`]
        : [{ bold: `Cannot look that up: ${answer.reason}.` }];
      return {
        summary: `Cannot look that up: ${answer.reason}.`,
        sections: [{ lines: [head] }, { heading: "Usage", lines: USAGE }],
        notes: [],
      };
    }
    case "not-found": {
      if (answer.unpublishedPort)
        return unpublishedPortDoc(answer.gaps, answer.unpublishedPort, verb);
      const where = answer.searched;
      // An address something holds is answered with its holder: "Not found" only when nothing
      // holds it. Several places: the first place whose network names one.
      const findings: { finding: IpFinding; place?: string }[] = answer.network
        ? [{ finding: answer.network }]
        : (where.places ?? []).flatMap((p) =>
            p.network ? [{ finding: p.network, place: p.label }] : [],
          );
      const held = findings.find((f) => (f.finding.holders?.length ?? 0) > 0);
      const holder = held?.finding.holders?.[0];
      const heldLine =
        held && holder
          ? `${holderHeadline(held.finding.ip, holder, answer.gaps.length === 0)}${held.place && where.places && where.places.length > 1 ? ` (in ${held.place})` : ""}`
          : undefined;
      // Not found in a search that could not read everything is not the same answer.
      const lines: Line[] = [
        heldLine
          ? [{ bold: heldLine }]
          : answer.gaps.length > 0
            ? [{ bold: "Not found, but the search was incomplete:" }, " ", { code: answer.query }]
            : [{ bold: "Not found:" }, " ", { code: answer.query }],
      ];
      if (answer.suggestions.length > 0) {
        lines.push([
          "Did you mean ",
          ...answer.suggestions.flatMap((s, i): Line => (i ? [", ", { code: s }] : [{ code: s }])),
          "?",
        ]);
      }
      const scope = (namespaces: string[], clusters: string[]) =>
        `namespaces ${namespaces.join(", ") || "none"}; clusters ${clusters.join(", ") || "none"}`;
      if (where.places) {
        lines.push(["Looked in:"]);
        for (const p of where.places) {
          const head: Line = ["• ", { bold: p.label }];
          if (!p.read) {
            lines.push([...head, ": not searched (nothing could be read there, see below)."]);
          } else if (p.network) {
            const here = { regions: [p.label], namespaces: p.namespaces, clusters: p.clusters };
            // Place by place, each place's holders in full: the headline named one place's.
            lines.push([...head, ":"], ...ipLines(p.network, here).map((l): Line => ["  ", ...l]));
          } else {
            lines.push([...head, `: ${scope(p.namespaces, p.clusters)}.`]);
          }
        }
      } else if (answer.network) {
        lines.push(...ipLines(answer.network, where, holder));
      } else if (where.loadBalancers && where.namespaces.length + where.clusters.length === 0) {
        lines.push([`Looked in region ${where.regions.join(", ")}: ${where.loadBalancers}.`]);
      } else {
        const elb = where.loadBalancers ? `; ${where.loadBalancers}` : "";
        lines.push([
          `Looked in region ${where.regions.join(", ")}: ${scope(where.namespaces, where.clusters)}${elb}.`,
        ]);
      }
      const asks = askLinks(answer.suggestions.map((s) => `${verb} ${s}`));
      // The notification says what the first line says: an incomplete search stays said.
      const guess = answer.suggestions[0] ? ` (did you mean ${answer.suggestions[0]}?)` : "";
      const summary = heldLine ?? `${plain(lines[0] ?? [])}${guess}`;
      return {
        summary,
        sections: [{ lines, asks }],
        notes: gapLines(answer.gaps),
        glance: notFoundGlance(summary, lines, answer.suggestions.length > 0, asks),
      };
    }
    case "found": {
      const sections: Section[] = [];
      const typed = answer.resolutions.flatMap((resolution) =>
        typedNames(answer.query, resolution).map((name) => ({ typed: name, resolution })),
      );
      const names = [...new Set(typed.map((t) => t.typed))];
      const matches = matchesLine(answer.query, names);
      if (matches) sections.push({ lines: [matches] });
      // What could not be read (a cluster unlisted may hold another owner of the name, a task
      // list unread leaves endpoints unknown) is in the first line, never only at the foot.
      const partial = partialClause([
        ...new Set(answer.gaps.filter((g) => !g.absent).map((g) => g.what)),
      ]);
      for (const r of answer.resolutions) sections.push(...resolutionSections(r, partial));
      if (answer.balancers && answer.balancers.length > 0) {
        return balancerDocument(
          answer.query,
          answer.resolutions,
          answer.balancers,
          answer.gaps,
          verb,
          sections,
          gapLines(answer.gaps),
        );
      }
      const links = crossLinks("whois", answer.query);
      const [only] = answer.resolutions;
      const glance =
        names.length > 1 || !only
          ? severalNamesGlance(answer.query, typed, partial, verb)
          : oneNameGlance(only, partial, links);
      return {
        // The notification reads as the first view's headline (the verdicts are in the sections).
        summary: plain(glance.headline),
        sections,
        notes: gapLines(answer.gaps),
        links,
        glance,
        console: whoisConsole(answer.resolutions),
      };
    }
  }
}

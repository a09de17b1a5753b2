import type { WhoisAnswer } from "../domain/answer.ts";
import type { Gap } from "../domain/facts.ts";
import type { Endpoint, NameBinding, Resolution, Scope } from "../domain/resolution.ts";
import { crossLinks, type Doc, type Line, type Section } from "./document.ts";

export const USAGE: Line[] = [
  [
    { code: "/ecs whois nginx.service-connect" },
    " a Service Connect alias (optionally ",
    { code: ":80" },
    ")",
  ],
  [{ code: "/ecs whois api.internal.local" }, " a Service Discovery DNS name"],
  [{ code: "/ecs whois nginx" }, " a bare Cloud Map name, searched in every namespace"],
  [{ code: "/ecs whois 10.0.1.23" }, " the task behind an IP, and every name pointing at it"],
  [
    { code: "/ecs whois tutorial/service-connect-nginx-service" },
    " an ECS service (name, cluster/name or ARN)",
  ],
  [{ code: "/ecs whois 0f4e5d6c7b8a49e1a2b3c4d5e6f70801" }, " a task ID or ARN"],
];

export function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "?";
}

function shortId(id: string | undefined): string {
  return id ? id.slice(0, 12) : "?";
}

function scopeLine(binding: NameBinding): Line {
  const scope: Scope = binding.scope;
  const name = binding.name;
  switch (scope.kind) {
    case "service-connect": {
      const clients = scope.clientServices;
      const who =
        clients === undefined
          ? "(the list of those services could not be read)"
          : `(${clients.length} such service${clients.length === 1 ? "" : "s"}: ${clients.join(", ") || "none"})`;
      return [
        { code: name },
        `: Service Connect alias in ${scope.namespaceType === "HTTP" ? "HTTP" : "DNS"} namespace `,
        { code: scope.namespace },
        `. Resolvable only inside tasks of Service Connect-enabled services in that namespace ${who}. Not in VPC DNS: a Lambda, an EC2 host or a task outside such a service cannot resolve it.`,
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
            : `VPC ${scope.vpcIds.join(", ")}`;
      return [
        { code: name },
        `: Service Discovery DNS name (${records}) in Route 53 private namespace `,
        { code: scope.namespace },
        `. Resolvable by any client in ${vpcs} through VPC DNS: tasks, EC2 hosts, a Lambda attached to that VPC.`,
      ];
    }
    case "cloud-map-api":
      return [
        { code: name },
        ": Cloud Map name in HTTP namespace ",
        { code: scope.namespace },
        ". No DNS: clients find it only by calling Cloud Map's DiscoverInstances API.",
      ];
  }
}

function publisherLines(r: Resolution): Line[] {
  const p = r.publisher;
  const focus = r.bindings[0];
  const lines: Line[] = [
    ["Cluster ", { code: p.cluster }, " · service ", { code: p.service }, ` (${p.status})`],
    [
      "Task definition ",
      { code: p.taskDefinition },
      ` · ${p.running} running / ${p.desired} desired / ${p.pending} pending`,
    ],
  ];
  if (focus) {
    const port = focus.containerPort ?? "?";
    lines.push([
      "Container ",
      { code: focus.containerName ?? "?" },
      " · port name ",
      { code: focus.portName ?? "-" },
      ` · containerPort ${port}`,
      focus.appProtocol ? ` · appProtocol ${focus.appProtocol}` : "",
    ]);
    lines.push(["Discovery name ", { code: `${focus.discoveryName}.${focus.namespace}` }]);
  }
  const aliases = r.bindings.filter((b) => b.scope.kind === "service-connect").map((b) => b.name);
  if (aliases.length > 0) {
    lines.push([
      "Client aliases ",
      ...aliases.flatMap((a, i): Line => (i ? [", ", { code: a }] : [{ code: a }])),
    ]);
  }
  const others = r.bindings.slice(1).filter((b) => b.scope.kind !== "service-connect");
  if (others.length > 0) {
    lines.push([
      "Also published as ",
      ...others.flatMap((b, i): Line => (i ? [", ", { code: b.name }] : [{ code: b.name }])),
    ]);
  }
  if (p.rolloutState) {
    lines.push([
      `Deployment ${p.rolloutState} since ${when(p.deployedAt)}`,
      p.rolloutStateReason ? `: ${p.rolloutStateReason}` : "",
    ]);
  }
  if (p.securityGroups.length > 0) {
    lines.push([
      "Security groups ",
      ...p.securityGroups.flatMap((g, i): Line => (i ? [", ", { code: g }] : [{ code: g }])),
    ]);
  }
  return lines;
}

const MARK: Record<Endpoint["state"], string> = {
  unhealthy: "✖ UNHEALTHY",
  stale: "✖ STALE",
  unregistered: "! UNREGISTERED",
  healthy: "✔ healthy",
};

export function endpointLine(e: Endpoint): Line {
  const address = e.ip ? `${e.ip}${e.port ? `:${e.port}` : ""}` : "(no IP)";
  const ecs = [e.lastStatus, e.healthStatus].filter(Boolean).join("/") || "not in ECS";
  const line: Line = [
    `${MARK[e.state]} `,
    { code: address },
    ` ${e.availabilityZone ?? "?"} · Cloud Map ${e.cloudMapHealth ?? "-"} · ECS ${ecs} · task `,
    { code: shortId(e.taskId) },
    ` · started ${when(e.startedAt)}`,
  ];
  if (e.note) line.push(` · ${e.note}`);
  return line;
}

export function gapLines(gaps: Gap[]): Line[] {
  return gaps.map((g) => [`Partial answer: could not read ${g.what}: ${g.why}.`]);
}

function resolutionSections(r: Resolution): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: r.verdict }]] }];
  if (r.bindings.length > 0) {
    sections.push({ heading: "Who can resolve it", lines: r.bindings.map(scopeLine) });
  } else {
    sections.push({
      heading: "Who can resolve it",
      lines: [
        [
          "No name: the service uses neither Service Connect nor a service registry, so only its task IPs reach it.",
        ],
      ],
    });
  }
  sections.push({ heading: "Published by", lines: publisherLines(r) });
  const heading =
    r.subject.kind === "task"
      ? "Task"
      : `Endpoints (${r.healthy} of ${r.endpoints.length} healthy${r.bindings[0] ? ` for ${r.bindings[0].name}` : ""})`;
  sections.push({
    heading,
    lines:
      r.endpoints.length > 0
        ? r.endpoints.map(endpointLine)
        : [["No endpoint: nothing is registered or running."]],
  });
  sections.push({ heading: "Next check", lines: [[r.nextCheck]] });
  return sections;
}

export function whoisDocument(answer: WhoisAnswer): Doc {
  switch (answer.kind) {
    case "invalid": {
      const typed = answer.query.length > 80 ? `${answer.query.slice(0, 80)}…` : answer.query;
      const head: Line = typed
        ? [{ bold: "Cannot look up " }, { code: typed }, `: ${answer.reason}.`]
        : [{ bold: `Cannot look that up: ${answer.reason}.` }];
      return {
        summary: `Cannot look that up: ${answer.reason}.`,
        sections: [{ lines: [head] }, { heading: "Usage", lines: USAGE }],
        notes: [],
      };
    }
    case "not-found": {
      const where = answer.searched;
      // Not found in a search that could not read everything is not the same answer.
      const lines: Line[] = [
        answer.gaps.length > 0
          ? [{ bold: "Not found, but the search was incomplete: " }, { code: answer.query }]
          : [{ bold: "Not found: " }, { code: answer.query }],
      ];
      if (answer.suggestions.length > 0) {
        lines.push([
          "Did you mean ",
          ...answer.suggestions.flatMap((s, i): Line => (i ? [", ", { code: s }] : [{ code: s }])),
          "?",
        ]);
      }
      lines.push([
        `Looked in region ${where.regions.join(", ")}: namespaces ${where.namespaces.join(", ") || "none"}; clusters ${where.clusters.join(", ") || "none"}.`,
      ]);
      return {
        summary: `Not found: ${answer.query}${answer.suggestions[0] ? ` (did you mean ${answer.suggestions[0]}?)` : ""}`,
        sections: [{ lines }],
        notes: gapLines(answer.gaps),
      };
    }
    case "found": {
      const sections: Section[] = [];
      if (answer.resolutions.length > 1) {
        sections.push({
          lines: [[{ bold: `${answer.resolutions.length} matches for ` }, { code: answer.query }]],
        });
      }
      for (const r of answer.resolutions) sections.push(...resolutionSections(r));
      return {
        summary: answer.resolutions.map((r) => r.verdict).join(" | "),
        sections,
        notes: gapLines(answer.gaps),
        links: crossLinks("whois", answer.query),
      };
    }
  }
}

import type { WhyAnswer } from "../domain/answer.ts";
import type { CheckStatus, WhyCheck, WhyLayer, WhyReport } from "../domain/why.ts";
import { ACTION_IDS, type CommandLink, type Doc, type Line, type Section } from "./document.ts";
import { gapLines, whoisDocument } from "./whois-document.ts";

const MARK: Record<CheckStatus, string> = { ok: "✔", broken: "✖", unknown: "?", note: "•" };

const LAYERS: { layer: WhyLayer; heading: (client: string) => string }[] = [
  { layer: "name", heading: (c) => `1. Name (can ${c} resolve it)` },
  { layer: "path", heading: () => "2. Path (do the VPC's rules let TCP through, both ways)" },
  { layer: "app", heading: () => "3. App (does something healthy answer on that port)" },
];

export const WHY_EXAMPLES: Line[] = [
  [{ code: "/ecs why tutorial/web-frontend api.service-connect:8080" }, " a working pair"],
  [{ code: "/ecs why lambda:report-mailer api.internal.local" }, " a Lambda outside the VPC"],
  [{ code: "/ecs why tutorial/legacy-report api.service-connect" }, " deployed before the alias"],
];

/** An AWS CLI command is shown as code, to copy; advice in words stays words. */
function fixLine(fix: string): Line {
  return fix.startsWith("aws ") && !fix.includes(" (starts") && !fix.includes(", or ")
    ? [{ code: fix }]
    : [fix];
}

function checkLine(c: WhyCheck): Line {
  return [`${MARK[c.status]} `, { bold: c.link }, `: ${c.detail}`];
}

function reportSections(r: WhyReport): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: r.verdict }]] }];
  if (r.fix) {
    sections.push({
      heading: "Fix (for you to read and run: the bot only reads)",
      lines: [fixLine(r.fix)],
    });
  }
  for (const { layer, heading } of LAYERS) {
    const checks = r.checks.filter((c) => c.layer === layer);
    if (checks.length > 0)
      sections.push({ heading: heading(r.client), lines: checks.map(checkLine) });
  }
  sections.push({ heading: "Next check", lines: [[r.next]] });
  return sections;
}

function targetLinks(report: WhyReport): CommandLink[] {
  const name = report.health.query;
  return [
    { actionId: ACTION_IDS.whois, label: "Whois target", command: `whois ${name}` },
    { actionId: ACTION_IDS.health, label: "Health target", command: `health ${name}` },
  ];
}

export function whyDocument(answer: WhyAnswer): Doc {
  switch (answer.kind) {
    case "invalid": {
      const head: Line = [{ bold: `Cannot answer that: ${answer.reason}.` }];
      return {
        summary: `Cannot answer that: ${answer.reason}.`,
        sections: [{ lines: [head] }, { heading: "Examples", lines: WHY_EXAMPLES }],
        notes: [],
      };
    }
    case "client-not-found": {
      const lines: Line[] = [
        answer.gaps.length > 0
          ? [{ bold: "Client not found, but the search was incomplete: " }, { code: answer.client }]
          : [{ bold: "Client not found: " }, { code: answer.client }],
        [
          "A client is an ECS service (cluster/name or ARN), one of its tasks (ID or IP), or lambda:NAME.",
        ],
      ];
      return {
        summary: `Client not found: ${answer.client}`,
        sections: [{ lines }],
        notes: gapLines(answer.gaps),
      };
    }
    case "not-found":
      return whoisDocument(answer);
    case "found": {
      const first = answer.reports[0];
      return {
        summary: answer.reports.map((r) => r.verdict).join(" | "),
        sections: answer.reports.flatMap(reportSections),
        notes: gapLines(answer.gaps),
        links: first ? targetLinks(first) : [],
      };
    }
  }
}

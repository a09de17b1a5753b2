import type { WhyAnswer } from "../domain/answer.ts";
import type { CheckStatus, WhyCheck, WhyFix, WhyLayer } from "../domain/why/check.ts";
import type { WhyReport } from "../domain/why.ts";
import { whyQuestion } from "../domain/why-query.ts";
import { whyConsole } from "./console-links.ts";
import {
  ACTION_IDS,
  askLinks,
  type CommandLink,
  type Doc,
  type Line,
  type Section,
} from "./document.ts";
import { gapLines, whoisDocument } from "./whois-document.ts";

const MARK: Record<CheckStatus, string> = { ok: "✔", broken: "✖", unknown: "?", note: "•" };

const LAYERS: { layer: WhyLayer; heading: (client: string) => string }[] = [
  { layer: "name", heading: (c) => `1. Name (can ${c} resolve it)` },
  { layer: "path", heading: () => "2. Path (do the VPC's rules let TCP through, both ways)" },
  { layer: "app", heading: () => "3. App (does something healthy answer on that port)" },
];

export const WHY_EXAMPLES: Line[] = [
  [
    { code: "/ecs why <cluster>/<service> <service>.<namespace>" },
    " a service and a name it calls",
  ],
  [{ code: "/ecs why <task ID or IP> <service>.<namespace>:PORT" }, " one task, one port"],
  [{ code: "/ecs why lambda:<function> <service>.<dns namespace>" }, " a Lambda function"],
  [
    "Replace the parts in angle brackets with your own names; ",
    { code: "/ecs help why" },
    " shows yours.",
  ],
];

/**
 * One fix: the link it opens and what to do in words, then what to copy (an AWS CLI command, or
 * the question to ask instead) as code. Numbered when there are several: the order to apply them.
 */
function fixLines(fix: WhyFix, index: number, count: number): Line[] {
  const number = count > 1 ? `${index + 1}. ` : "";
  const copy = fix.command ?? fix.ask;
  return [[number, { bold: fix.link }, `: ${fix.advice}`], ...(copy ? [[{ code: copy }]] : [])];
}

/** Each question to ask instead, as code, one a line. */
const questionLines = (questions: string[]): Line[] => questions.map((q) => [{ code: q }]);

/** The questions to ask instead of one not found: in words, and as buttons in Slack. */
const didYouMean = (questions: string[]): Section => ({
  heading: "Did you mean",
  lines: questionLines(questions),
  asks: askLinks(questions),
});

function checkLine(c: WhyCheck): Line {
  return [`${MARK[c.status]} `, { bold: c.link }, `: ${c.detail}`];
}

function reportSections(r: WhyReport): Section[] {
  const sections: Section[] = [{ lines: [[{ bold: r.verdict }]] }];
  if (r.fixes.length > 0) {
    sections.push({
      heading:
        r.fixes.length > 1
          ? "Fix every broken link, in this order (for you to read and run: the bot only reads)"
          : "Fix (for you to read and run: the bot only reads)",
      lines: r.fixes.flatMap((f, i) => fixLines(f, i, r.fixes.length)),
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
          ? [
              { bold: "Client not found, but the search was incomplete:" },
              " ",
              { code: answer.client },
            ]
          : [{ bold: "Client not found:" }, " ", { code: answer.client }],
        [
          "A client is an ECS service (cluster/name or ARN), one of its tasks (ID or IP), or lambda:NAME.",
        ],
      ];
      const sections: Section[] = [{ lines }];
      if (answer.suggestions.length > 0) {
        sections.push(didYouMean(answer.suggestions.map((s) => whyQuestion(s, answer.target))));
      }
      return {
        summary: `Client not found: ${answer.client}`,
        sections,
        notes: gapLines(answer.gaps),
      };
    }
    case "ambiguous": {
      const head = `${answer.typed} matches ${answer.choices.length} ${answer.role}s: ask about one of them, exactly as written below`;
      const questions = answer.choices.map((c) =>
        answer.role === "client" ? whyQuestion(c, answer.other) : whyQuestion(answer.other, c),
      );
      return {
        summary: head,
        sections: [{ lines: [[{ bold: head }]] }, { lines: questionLines(questions) }],
        notes: gapLines(answer.gaps),
      };
    }
    case "not-found": {
      const client = answer.client;
      // Its ports, each as the whole question to ask.
      if (client && answer.unpublishedPort) return whoisDocument(answer, `why ${client}`);
      if (!client || answer.suggestions.length === 0) return whoisDocument(answer);
      // The suggestions as the whole question to ask, not as names alone.
      const doc = whoisDocument({ ...answer, suggestions: [] });
      const ask = didYouMean(answer.suggestions.map((s) => whyQuestion(client, s)));
      return { ...doc, sections: [...doc.sections, ask] };
    }
    case "found": {
      const first = answer.reports[0];
      return {
        summary: answer.reports.map((r) => r.verdict).join(" | "),
        sections: answer.reports.flatMap(reportSections),
        notes: gapLines(answer.gaps),
        links: first ? targetLinks(first) : [],
        console: whyConsole(answer.reports),
      };
    }
  }
}

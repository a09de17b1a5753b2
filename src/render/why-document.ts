import type { WhyAnswer } from "../domain/answer.ts";
import type { CheckStatus, WhyCheck, WhyFix, WhyLayer } from "../domain/why/check.ts";
import type { WhyReport } from "../domain/why.ts";
import { whyQuestion } from "../domain/why-query.ts";
import { whyConsole } from "./console-links.ts";
import {
  ACTION_IDS,
  askLinks,
  type CommandLink,
  type CopyText,
  type Doc,
  type Glance,
  type Line,
  plain,
  type Section,
} from "./document.ts";
import { gapLines, whoisDocument } from "./whois-document.ts";
import { fitHeadline } from "./whois-glance.ts";

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
      copy: copyFixes(r.fixes),
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

/** Each fix's AWS CLI command to copy, numbered as the fixes are (the bot never runs them). */
function copyFixes(fixes: WhyFix[]): CopyText[] {
  return fixes.flatMap((f, i) =>
    f.command
      ? [{ label: fixes.length > 1 ? `Copy fix ${i + 1}` : "Copy fix", text: f.command }]
      : [],
  );
}

/** A check's detail up to its first clause: what is wrong, without the evidence after it. */
function firstClause(text: string): string {
  const { head } = fitHeadline(text, 140);
  return head;
}

/** One broken (or unknown) link in one line: its number in fix order, its layer, its name. */
function linkFact(c: WhyCheck, number: string): Line {
  return [
    `${MARK[c.status]} ${number}${c.layer} · `,
    { bold: c.link },
    `: ${firstClause(c.detail)}`,
  ];
}

/** At most this many links in the first view; Details has them all. */
const FACTS_MAX = 4;

/**
 * The first view of one why report: the verdict and the deciding broken link in the headline,
 * each broken link in one line in the order to fix them, their commands to copy, the next step.
 * A healthy answer is its verdict and what it rests on.
 */
function reportGlance(r: WhyReport, links: CommandLink[]): Glance {
  const broken = r.checks.filter((c) => c.status === "broken");
  const unknown = r.checks.filter((c) => c.status === "unknown");
  // The fixes' order first (rules before deployments), then any broken link without a fix.
  const ordered = [
    ...r.fixes.flatMap((f) => broken.filter((c) => c.link === f.link).slice(0, 1)),
    ...broken.filter((c) => !r.fixes.some((f) => f.link === c.link)),
  ];
  const numbered = ordered.map((c, i) => linkFact(c, ordered.length > 1 ? `${i + 1}. ` : ""));
  const facts: Line[] = [...numbered, ...unknown.map((c) => linkFact(c, ""))];
  let headline: string;
  if (ordered.length > 0) {
    // "✖ a cannot reach b:80": the verdict up to its first clause, then the broken links in the
    // order the facts below list them (the order to fix them), so the two never disagree.
    const verdict = r.verdict.split(": ")[0] ?? r.verdict;
    const count = ordered.length > 1 ? `${ordered.length} broken links: ` : "broken: ";
    const named = ordered.map((c) => `${c.layer} (${c.link})`).join(", ");
    headline = fitHeadline(`${verdict}: ${count}${named}`).head;
  } else {
    const { head, rest } = fitHeadline(r.verdict);
    headline = head;
    if (rest) facts.unshift([rest]);
    // A healthy answer's notes (a degraded endpoint) still bear on it.
    if (unknown.length === 0)
      facts.push(...r.checks.filter((c) => c.status === "note").map((c) => linkFact(c, "")));
  }
  const shown =
    facts.length > FACTS_MAX
      ? [
          ...facts.slice(0, FACTS_MAX - 1),
          [`… and ${facts.length - FACTS_MAX + 1} more in Details`],
        ]
      : facts;
  return {
    headline: [headline],
    facts: shown,
    next: [r.next],
    links,
    asks: askLinks(r.fixes.flatMap((f) => (f.command || !f.ask ? [] : [f.ask]))),
    copy: copyFixes(r.fixes),
  };
}

/** The first report's first view; more reports (several places) are counted, never hidden. */
function foundGlance(first: WhyReport, reports: number): Glance {
  // A broken answer's primary buttons are its fixes; a healthy one's, the target's health.
  const links = first.status === "broken" ? [] : targetLinks(first).slice(1);
  const glance = reportGlance(first, links);
  if (reports < 2) return glance;
  const more = `${reports - 1} more answer${reports > 2 ? "s" : ""} in Details.`;
  return { ...glance, facts: [...glance.facts, [more]] };
}

function targetLinks(report: WhyReport): CommandLink[] {
  if (!report.health) return [];
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
      const ask = didYouMean(answer.suggestions.map((s) => whyQuestion(s, answer.target)));
      if (answer.suggestions.length > 0) sections.push(ask);
      const [head = [], ...facts] = lines;
      return {
        summary: `Client not found: ${answer.client}`,
        sections,
        notes: gapLines(answer.gaps),
        glance: { headline: [plain(head)], facts, asks: ask.asks },
      };
    }
    case "ambiguous": {
      const head = `${answer.typed} matches ${answer.choices.length} ${answer.role}s: ask about one of them, exactly as written below`;
      const questions = answer.choices.map((c) =>
        answer.role === "client" ? whyQuestion(c, answer.other) : whyQuestion(answer.other, c),
      );
      // One button per question: none is picked for the user.
      const asks = askLinks(questions);
      const headline = `${answer.typed} matches ${answer.choices.length} ${answer.role}s: ask about one alone`;
      return {
        summary: head,
        sections: [{ lines: [[{ bold: head }]] }, { lines: questionLines(questions), asks }],
        notes: gapLines(answer.gaps),
        glance: { headline: [fitHeadline(headline).head], facts: [], asks },
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
      const glance = doc.glance && { ...doc.glance, asks: ask.asks };
      return { ...doc, sections: [...doc.sections, ask], ...(glance ? { glance } : {}) };
    }
    case "found": {
      const first = answer.reports[0];
      const glance = first ? foundGlance(first, answer.reports.length) : undefined;
      return {
        summary: glance ? plain(glance.headline) : "",
        sections: answer.reports.flatMap(reportSections),
        notes: gapLines(answer.gaps),
        links: first ? targetLinks(first) : [],
        ...(glance ? { glance } : {}),
        console: whyConsole(answer.reports),
      };
    }
  }
}

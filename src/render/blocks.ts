import type { KnownBlock } from "@slack/types";
import {
  CONSOLE_ACTION_ID,
  COPY_FIX_ACTION_ID,
  type CommandLink,
  type CopyText,
  clock,
  DETAILS_ACTION_ID,
  type Doc,
  FULL_ANSWER_ACTION_ID,
  type Glance,
  type Line,
  plain,
  REFRESH_ACTION_ID,
  type Section,
  SHARE_ACTION_ID,
  type UrlLink,
} from "./document.ts";
import { codeSpan, cutMrkdwn, cutPlain, escapeMrkdwn } from "./escape.ts";
import { firstClauseEnd } from "./glance-text.ts";

// Slack's limits: 3,000 characters per section text, 50 blocks per message, 10 elements per
// context block, 25 per actions block, 75 per button label, 2,000 per button value.
export const SECTION_MAX = 3000;
export const BLOCKS_MAX = 50;
const CONTEXT_MAX = 10;
const VALUE_MAX = 2000;
const LABEL_MAX = 75;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** A bold span is a label or a headline: a longer one is bold up to its first clause only. */
export const BOLD_MAX = 150;

/** Where a long bold span's headline ends, in order of preference: none gives 0. */
const CLAUSE_ENDS = [". ", " — ", ": ", "; ", ", "];

/** The end of the first clause outside parentheses within BOLD_MAX characters, else 0. */
const headlineEnd = (text: string) => firstClauseEnd(text, BOLD_MAX, CLAUSE_ENDS);

/** Plain words: escaped, and a star or backtick of AWS's text never opens bold or code. */
const plainMrkdwn = (text: string) => escapeMrkdwn(text).replace(/\*/g, "∗").replace(/`/g, "ˋ");

/**
 * `*bold*` as Slack draws it: the stars touch the words (spaces move outside), never an empty
 * span, and a span past BOLD_MAX is bold up to its first clause, the rest plain.
 */
export function boldMrkdwn(text: string): string {
  const inner = text.trim();
  if (!inner) return text;
  const lead = text.slice(0, text.length - text.trimStart().length);
  const trail = text.slice(text.trimEnd().length);
  const cut = inner.length > BOLD_MAX ? headlineEnd(inner) : inner.length;
  const head = cut > 0 ? `*${plainMrkdwn(inner.slice(0, cut))}*` : "";
  return `${lead}${head}${plainMrkdwn(inner.slice(cut))}${trail}`;
}

// Slack reads a star touching a letter (or another star) as part of the word: a zero-width
// space keeps a bold span apart from what it touches.
const JOINS = /[\p{L}\p{N}*_~`]/u;

/** Slack's mention of a user ID; anything not shaped like one is drawn as plain text. */
function userMention(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : plainMrkdwn(`@${id}`);
}

function mrkdwn(line: Line): string {
  // Two bold spans side by side are one bold span ("**" is no boundary to Slack).
  const spans: Line = [];
  for (const s of line) {
    const last = spans.at(-1);
    if (typeof s === "object" && "bold" in s && typeof last === "object" && last && "bold" in last)
      spans[spans.length - 1] = { bold: last.bold + s.bold };
    else spans.push(s);
  }
  let out = "";
  for (const s of spans) {
    const drawn =
      typeof s === "string"
        ? plainMrkdwn(s)
        : "code" in s
          ? codeSpan(s.code)
          : "bold" in s
            ? boldMrkdwn(s.bold)
            : userMention(s.user);
    // Plain stars are drawn as ∗: a star at either side is a bold span's.
    const touches =
      (drawn.startsWith("*") && JOINS.test(out.at(-1) ?? "")) ||
      (out.endsWith("*") && JOINS.test(drawn[0] ?? ""));
    out += touches ? `\u200B${drawn}` : drawn;
  }
  return out;
}

/** Joins lines into one section text under Slack's limit, cutting with a count of what is left. */
function sectionText(heading: string | undefined, lines: Line[]): { text: string; cut: number } {
  const head = heading?.trim() ? `${boldMrkdwn(heading.trim())}\n` : "";
  const rendered = lines.map((l) => cutMrkdwn(mrkdwn(l), SECTION_MAX - 100));
  let text = head;
  for (let i = 0; i < rendered.length; i++) {
    const next = `${text}${text === head ? "" : "\n"}${rendered[i]}`;
    const reserve = i < rendered.length - 1 ? 40 : 0;
    if (next.length + reserve > SECTION_MAX)
      return { text: `${text}\n… and ${rendered.length - i} more`, cut: rendered.length - i };
    text = next;
  }
  // A heading alone (its lines left to buttons) ends without a blank line.
  return { text: text === head ? head.trimEnd() : text, cut: 0 };
}

/** A section's lines in Slack: a line that only repeats a question its buttons ask is left to them. */
function slackLines(section: Section): Line[] {
  const asked = new Set((section.asks ?? []).flatMap((a) => [a.command, `/ecs ${a.command}`]));
  const repeats = (l: Line) => {
    const [span] = l;
    return l.length === 1 && typeof span === "object" && "code" in span && asked.has(span.code);
  };
  const kept = section.lines.filter((l) => !repeats(l));
  // A section needs some text: with neither a heading nor another line, the words stay.
  return kept.length > 0 || section.heading ? kept : section.lines;
}

type Button =
  | CommandLink
  | { url: UrlLink; actionId: string }
  | { copy: CopyText; actionId: string };

/** A console link opens its page; its click still reaches the bot, which only acknowledges it. */
const urlButtons = (links: readonly UrlLink[]): Button[] =>
  links
    .filter((url) => url.url.length <= 3000)
    .map((url, i) => ({ url, actionId: `${CONSOLE_ACTION_ID}_${i}` }));

/** A fix too long for a button's value stays in the text only. */
const copyButtons = (texts: readonly CopyText[] | undefined): Button[] =>
  (texts ?? [])
    .filter((copy) => copy.text.length <= VALUE_MAX)
    .map((copy, i) => ({ copy, actionId: `${COPY_FIX_ACTION_ID}_${i}` }));

/** Buttons: /ecs commands, fixes to copy, console pages (action IDs unique within their block). */
function actions(links: Button[]): KnownBlock {
  return {
    type: "actions",
    elements: links.slice(0, 25).map((b) => {
      const label = "url" in b ? b.url.label : "copy" in b ? b.copy.label : b.label;
      const text = { type: "plain_text" as const, text: cutPlain(label, LABEL_MAX, "…") };
      if ("url" in b) return { type: "button", action_id: b.actionId, text, url: b.url.url };
      const value = "copy" in b ? b.copy.text : b.command;
      return { type: "button", action_id: b.actionId, text, value: cutPlain(value, VALUE_MAX) };
    }),
  };
}

/** The small print: notes, then the time read (which survives the 10-element limit). */
function notesBlock(doc: Doc): KnownBlock[] {
  const notes = doc.notes
    .map((n) => cutMrkdwn(mrkdwn(n), SECTION_MAX))
    .slice(0, doc.asOf ? CONTEXT_MAX - 1 : CONTEXT_MAX);
  if (doc.asOf) notes.push(`As of ${clock(doc.asOf)}`);
  return notes.length > 0
    ? [{ type: "context", elements: notes.map((text) => ({ type: "mrkdwn", text })) }]
    : [];
}

/** Refresh and Share re-run the answer's own command. */
const commandButtons = (command: string): CommandLink[] => [
  { actionId: REFRESH_ACTION_ID, label: "Refresh", command },
  { actionId: SHARE_ACTION_ID, label: "Share in channel", command },
];

/**
 * The first view: the headline, the deciding facts and the next step in one section, the
 * questions as buttons, then the first view's buttons with Details (the whole answer) first
 * after the answer's own, and the small print. Partial-answer notes stay: unknown is said here.
 */
function glanceBlocks(doc: Doc, glance: Glance): KnownBlock[] {
  const lines = [
    boldMrkdwn(plain(glance.headline)),
    ...glance.facts.map((f) => cutMrkdwn(mrkdwn(f), SECTION_MAX / 4)),
    ...(glance.next ? [`${boldMrkdwn("Next:")} ${mrkdwn(glance.next)}`] : []),
  ];
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: cutMrkdwn(lines.join("\n"), SECTION_MAX) } },
  ];
  if (glance.asks?.length) blocks.push(actions(glance.asks));
  const buttons: Button[] = [...(glance.links ?? []), ...copyButtons(glance.copy)];
  if (doc.command)
    buttons.push({ actionId: DETAILS_ACTION_ID, label: "Details", command: doc.command });
  buttons.push(...urlButtons((doc.console ?? []).slice(0, 1)));
  if (doc.command) buttons.push(...commandButtons(doc.command));
  if (buttons.length > 0) {
    const block = actions(buttons);
    // One obvious action (Slack's guidance): the answer's own first button, else Details.
    const [first] = block.type === "actions" ? block.elements : [];
    if (first?.type === "button") first.style = "primary";
    blocks.push(block);
  }
  return [...blocks, ...notesBlock(doc)];
}

export interface RenderOptions {
  /** "first" (Slack's answer: the glance when the document has one) or "full" (Details). */
  view?: "first" | "full";
}

/**
 * Block Kit for Slack: one section per document section, buttons, notes as context. Never over
 * Slack's limits: what does not fit is cut with a count, and a button offers the whole answer.
 */
export function renderBlocks(doc: Doc, options: RenderOptions = {}): SlackMessage {
  const text = cutMrkdwn(plainMrkdwn(doc.summary), SECTION_MAX);
  // Without a command there is no Details to click: the whole answer is the first view.
  if (doc.glance && doc.command && options.view !== "full")
    return { text, blocks: glanceBlocks(doc, doc.glance) };
  const sections: KnownBlock[] = [];
  let cut = 0;
  for (const section of doc.sections) {
    const { text, cut: lost } = sectionText(section.heading, slackLines(section));
    cut += lost;
    sections.push({ type: "section", text: { type: "mrkdwn", text } });
    const buttons: Button[] = [
      ...(section.asks ?? []),
      ...(section.links ?? []),
      ...copyButtons(section.copy),
    ];
    if (buttons.length > 0) sections.push(actions(buttons));
  }
  const tail: KnownBlock[] = [];
  const buttons: Button[] = [...(doc.links ?? [])];
  // Room for the buttons, the notes and the "left out" line.
  const room = BLOCKS_MAX - 3;
  const shown = sections.slice(0, room);
  const leftOut = sections.length - shown.length;
  if (leftOut > 0) {
    tail.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `… and ${leftOut} more parts left out` }],
    });
  }
  buttons.push(...urlButtons((doc.console ?? []).slice(0, 5)));
  if (doc.command) {
    buttons.push(...commandButtons(doc.command));
    if (cut > 0 || leftOut > 0) {
      buttons.push({
        actionId: FULL_ANSWER_ACTION_ID,
        label: "Full answer as a file",
        command: doc.command,
      });
    }
  }
  if (buttons.length > 0) tail.push(actions(buttons));
  tail.push(...notesBlock(doc));
  return { text, blocks: [...shown, ...tail] };
}

import type { KnownBlock } from "@slack/types";
import {
  type CommandLink,
  clock,
  type Doc,
  FULL_ANSWER_ACTION_ID,
  type Line,
  REFRESH_ACTION_ID,
  SHARE_ACTION_ID,
} from "./document.ts";
import { codeSpan, cutMrkdwn, cutPlain, escapeMrkdwn } from "./escape.ts";

// Slack's limits: 3,000 characters per section text, 50 blocks per message, 10 elements per
// context block, 25 per actions block, 2,000 characters per button value.
export const SECTION_MAX = 3000;
export const BLOCKS_MAX = 50;
const CONTEXT_MAX = 10;
const VALUE_MAX = 2000;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

function mrkdwn(line: Line): string {
  return line
    .map((s) => {
      if (typeof s === "string") return escapeMrkdwn(s);
      if ("code" in s) return codeSpan(s.code);
      return s.bold ? `*${escapeMrkdwn(s.bold).replace(/\*/g, "∗")}*` : "";
    })
    .join("");
}

/** Joins lines into one section text under Slack's limit, cutting with a count of what is left. */
function sectionText(heading: string | undefined, lines: Line[]): { text: string; cut: number } {
  const head = heading ? `*${escapeMrkdwn(heading)}*\n` : "";
  const rendered = lines.map((l) => cutMrkdwn(mrkdwn(l), SECTION_MAX - 100));
  let text = head;
  for (let i = 0; i < rendered.length; i++) {
    const next = `${text}${text === head ? "" : "\n"}${rendered[i]}`;
    const reserve = i < rendered.length - 1 ? 40 : 0;
    if (next.length + reserve > SECTION_MAX)
      return { text: `${text}\n… and ${rendered.length - i} more`, cut: rendered.length - i };
    text = next;
  }
  return { text, cut: 0 };
}

/** Buttons that run /ecs commands (action IDs need be unique only within their block). */
function actions(links: CommandLink[]): KnownBlock {
  return {
    type: "actions",
    elements: links.slice(0, 25).map((b) => ({
      type: "button",
      action_id: b.actionId,
      text: { type: "plain_text", text: b.label },
      value: cutPlain(b.command, VALUE_MAX),
    })),
  };
}

/**
 * Block Kit for Slack: one section per document section, buttons, notes as context. Never over
 * Slack's limits: what does not fit is cut with a count, and a button offers the whole answer.
 */
export function renderBlocks(doc: Doc): SlackMessage {
  const sections: KnownBlock[] = [];
  let cut = 0;
  for (const section of doc.sections) {
    const { text, cut: lost } = sectionText(section.heading, section.lines);
    cut += lost;
    sections.push({ type: "section", text: { type: "mrkdwn", text } });
    if (section.links?.length) sections.push(actions(section.links));
  }
  const tail: KnownBlock[] = [];
  const buttons = (doc.links ?? []).map((l) => ({
    actionId: l.actionId,
    label: l.label,
    command: l.command,
  }));
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
  if (doc.command) {
    buttons.push(
      { actionId: REFRESH_ACTION_ID, label: "Refresh", command: doc.command },
      { actionId: SHARE_ACTION_ID, label: "Share in channel", command: doc.command },
    );
    if (cut > 0 || leftOut > 0) {
      buttons.push({
        actionId: FULL_ANSWER_ACTION_ID,
        label: "Full answer as a file",
        command: doc.command,
      });
    }
  }
  if (buttons.length > 0) tail.push(actions(buttons));
  // The time goes last and survives the 10-element limit of a context block.
  const notes = doc.notes
    .map((n) => cutMrkdwn(mrkdwn(n), SECTION_MAX))
    .slice(0, doc.asOf ? CONTEXT_MAX - 1 : CONTEXT_MAX);
  if (doc.asOf) notes.push(`As of ${clock(doc.asOf)}`);
  if (notes.length > 0) {
    tail.push({ type: "context", elements: notes.map((text) => ({ type: "mrkdwn", text })) });
  }
  return { text: cutMrkdwn(escapeMrkdwn(doc.summary), SECTION_MAX), blocks: [...shown, ...tail] };
}

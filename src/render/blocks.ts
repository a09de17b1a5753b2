import type { KnownBlock } from "@slack/types";
import type { Doc, Line } from "./document.ts";
import { codeSpan, escapeMrkdwn } from "./escape.ts";

// Slack's limits: 3,000 characters per section text, 50 blocks per message.
const SECTION_MAX = 3000;
const BLOCKS_MAX = 50;

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

/** Joins lines into section texts that each stay under Slack's limit, cutting with a count. */
function sectionTexts(heading: string | undefined, lines: Line[]): string[] {
  const head = heading ? `*${escapeMrkdwn(heading)}*\n` : "";
  const rendered = lines.map(mrkdwn);
  let text = head;
  for (let i = 0; i < rendered.length; i++) {
    const next = `${text}${text === head ? "" : "\n"}${rendered[i]}`;
    const reserve = i < rendered.length - 1 ? 40 : 0;
    if (next.length + reserve > SECTION_MAX) {
      return [`${text}\n… and ${rendered.length - i} more`];
    }
    text = next;
  }
  return [text];
}

/** Block Kit for Slack: one section per document section, notes as context. */
export function renderBlocks(doc: Doc): SlackMessage {
  const blocks: KnownBlock[] = [];
  for (const section of doc.sections) {
    for (const text of sectionTexts(section.heading, section.lines)) {
      blocks.push({ type: "section", text: { type: "mrkdwn", text } });
    }
  }
  if (doc.links && doc.links.length > 0) {
    blocks.push({
      type: "actions",
      elements: doc.links.map((l) => ({
        type: "button",
        action_id: l.actionId,
        text: { type: "plain_text", text: l.label },
        // Slack caps a button value at 2,000 characters; names are at most 255.
        value: l.command.slice(0, 2000),
      })),
    });
  }
  if (doc.notes.length > 0) {
    blocks.push({
      type: "context",
      elements: doc.notes
        .slice(0, 10)
        .map((n) => ({ type: "mrkdwn", text: mrkdwn(n).slice(0, SECTION_MAX) })),
    });
  }
  const kept = blocks.length > BLOCKS_MAX ? blocks.slice(0, BLOCKS_MAX - 1) : blocks;
  if (kept !== blocks) {
    kept.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `… ${blocks.length - kept.length} more parts left out` }],
    });
  }
  return { text: escapeMrkdwn(doc.summary).slice(0, SECTION_MAX), blocks: kept };
}

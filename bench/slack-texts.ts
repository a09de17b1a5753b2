// What a Slack user reads in a message, as issue 22's sizes count it: section texts, context
// texts and button labels. Shared by `npm run bench:messages` and the first-view tests.
import type { KnownBlock } from "@slack/types";

/** Every text a Slack user reads in the message: sections, context, button labels. */
export function slackTexts(blocks: readonly KnownBlock[]): string[] {
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === "section" && block.text) texts.push(block.text.text);
    if (block.type === "context") {
      for (const e of block.elements) if ("text" in e) texts.push(e.text);
    }
    if (block.type === "actions") {
      for (const e of block.elements) if (e.type === "button") texts.push(e.text.text);
    }
  }
  return texts;
}

export interface ViewSize {
  chars: number;
  lines: number;
  buttons: number;
}

/** A message's characters, lines and buttons, as counted above. */
export function viewSize(blocks: readonly KnownBlock[]): ViewSize {
  const texts = slackTexts(blocks);
  return {
    chars: texts.reduce((n, t) => n + t.length, 0),
    lines: texts.reduce((n, t) => n + t.split("\n").length, 0),
    buttons: blocks.reduce((n, b) => n + (b.type === "actions" ? b.elements.length : 0), 0),
  };
}

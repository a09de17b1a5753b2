import type { KnownBlock } from "@slack/types";
import type { SlackMessage } from "../../src/render/blocks.ts";

// What Slack misreads in mrkdwn (test/render/mrkdwn.test.ts checks every demo answer with it).

/** A bold span is a label or a headline: over this, it is a paragraph. */
const BOLD_MAX = 150;

/** Whatever Slack does not count as a word character next to a delimiter. */
const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

/** What Slack misreads in one mrkdwn text: each problem with the text around it. */
export function mrkdwnProblems(text: string): string[] {
  const problems: string[] = [];
  const at = (line: string, i: number) => JSON.stringify(line.slice(Math.max(0, i - 30), i + 30));
  // Escapes: a raw < > or & is Slack's control syntax (a mention, a link, an entity).
  const unescaped = text.replace(/&(amp|lt|gt);/g, "");
  if (/[<>&]/.test(unescaped)) problems.push(`unescaped < > or &: ${JSON.stringify(text)}`);
  for (const raw of text.split("\n")) {
    if ((raw.match(/`/g) ?? []).length % 2 === 1) problems.push(`unclosed code: ${at(raw, 0)}`);
    // Code is literal: a word in its place (a delimiter touching it touches a word).
    const line = raw.replace(/`[^`]*`/g, "C");
    const stars = [...line.matchAll(/\*/g)].map((m) => m.index);
    if (stars.length % 2 === 1) problems.push(`unbalanced *: ${at(line, stars[0] ?? 0)}`);
    for (let k = 0; k + 1 < stars.length; k += 2) {
      const open = stars[k] as number;
      const close = stars[k + 1] as number;
      const inner = line.slice(open + 1, close);
      const before = line[open - 1];
      const after = line[close + 1];
      if (inner.length === 0) problems.push(`empty bold span: ${at(line, open)}`);
      else if (isSpace(inner[0])) problems.push(`bold opens on a space: ${at(line, open)}`);
      else if (isSpace(inner.at(-1))) problems.push(`bold closes on a space: ${at(line, close)}`);
      if (isWord(before) || before === "*")
        problems.push(`bold opens in a word: ${at(line, open)}`);
      if (isWord(after) || after === "*")
        problems.push(`bold closes in a word: ${at(line, close)}`);
      if (inner.length > BOLD_MAX)
        problems.push(`bold paragraph (${inner.length}): ${at(line, open)}`);
    }
    // No italics or strike are drawn: an underscore or tilde that opens must find no closer.
    for (const mark of ["_", "~"]) {
      const opens: number[] = [];
      for (let i = 0; i < line.length; i++) {
        if (line[i] !== mark) continue;
        const before = line[i - 1];
        const after = line[i + 1];
        if (opens.length > 0 && !isSpace(before) && !isWord(after) && after !== mark) {
          problems.push(`unintended ${mark} span: ${at(line, i)}`);
          break;
        }
        if (!isWord(before) && before !== mark && !isSpace(after)) opens.push(i);
      }
    }
  }
  return problems;
}

/** Every mrkdwn text of a message: the fallback, the sections' and the context blocks'. */
export function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks as KnownBlock[]) {
    if (block.type === "section" && block.text?.type === "mrkdwn") texts.push(block.text.text);
    if (block.type === "context") {
      for (const e of block.elements) if (e.type === "mrkdwn") texts.push(e.text);
    }
  }
  return texts;
}

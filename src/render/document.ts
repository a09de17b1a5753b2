// A renderer-neutral document: the text and Block Kit renderers both draw from it, so the
// CLI and Slack always say the same thing.

export type Span = string | { code: string } | { bold: string };
export type Line = Span[];

export interface Section {
  heading?: string;
  lines: Line[];
}

export interface Doc {
  /** One line for notifications and Slack's `text` fallback. */
  summary: string;
  sections: Section[];
  /** Small print: partial-answer notes, timestamps. */
  notes: Line[];
}

export function plain(line: Line): string {
  return line.map((s) => (typeof s === "string" ? s : "code" in s ? s.code : s.bold)).join("");
}

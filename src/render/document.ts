// A renderer-neutral document: the text and Block Kit renderers both draw from it, so the
// CLI and Slack always say the same thing.

export type Span = string | { code: string } | { bold: string };
export type Line = Span[];

export interface Section {
  heading?: string;
  lines: Line[];
  /** Buttons for this section alone (a digest's Health and Traffic of one service). */
  links?: CommandLink[];
  /**
   * The questions this section suggests ("did you mean"), as buttons after it in Slack. Its lines
   * say them in words for the terminal; Slack leaves out a line that only repeats a button's.
   */
  asks?: CommandLink[];
}

export interface Doc {
  /** One line for notifications and Slack's `text` fallback. */
  summary: string;
  sections: Section[];
  /** Small print: partial-answer notes, timestamps. */
  notes: Line[];
  /** Follow-up commands offered as buttons in Slack and as hints in text. */
  links?: CommandLink[];
  /** The /ecs command text that produced it: for Refresh, Share and the rest of a cut answer. */
  command?: string;
  /** When the data was read: an answer pasted into an incident log must say how old it is. */
  asOf?: Date;
}

/** A button that runs another /ecs command on the same name. */
export interface CommandLink {
  /** Block Kit action_id: one per command, so the handler can route on it. */
  actionId: string;
  label: string;
  /** The /ecs command text to run, e.g. "health nginx.service-connect". */
  command: string;
}

export const ACTION_IDS = {
  whois: "ecs_whois",
  health: "ecs_health",
  traffic: "ecs_traffic",
} as const;

/** Re-runs the command and replaces the message with fresh data. */
export const REFRESH_ACTION_ID = "ecs_refresh";
/** Reposts the answer visibly in the channel, with who shared it. */
export const SHARE_ACTION_ID = "ecs_share";

/** "16:05:12 UTC", the time an answer was read. */
export function clock(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Posts the whole answer, cut in Slack, as a text file. */
export const FULL_ANSWER_ACTION_ID = "ecs_full_answer";

/** Posts the traffic graph of the name into the channel. */
export const GRAPH_ACTION_ID = "ecs_graph";

/** A "did you mean" button; numbered, as a block's action IDs must differ. */
export const SUGGESTION_ACTION_ID = "ecs_suggestion";

/**
 * Each suggested question ("whois nginx.service-connect", "/ecs why a b") as a button. One with
 * Slack's control characters (no AWS name has them) stays words only, never a button's value.
 */
export function askLinks(questions: readonly string[]): CommandLink[] {
  return questions
    .map((q) => q.replace(/^\/ecs\s+/, ""))
    .filter((command) => !/[<>&]/.test(command))
    .map((command, i) => ({ actionId: `${SUGGESTION_ACTION_ID}_${i}`, label: command, command }));
}

/** Buttons to the other two answers for the same name. */
export function crossLinks(current: keyof typeof ACTION_IDS, name: string): CommandLink[] {
  const labels = { whois: "Whois", health: "Health", traffic: "Traffic" } as const;
  return (Object.keys(ACTION_IDS) as (keyof typeof ACTION_IDS)[])
    .filter((c) => c !== current)
    .map((c) => ({ actionId: ACTION_IDS[c], label: labels[c], command: `${c} ${name}` }));
}

export function plain(line: Line): string {
  return line.map((s) => (typeof s === "string" ? s : "code" in s ? s.code : s.bold)).join("");
}

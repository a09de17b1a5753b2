// A renderer-neutral document: the text and Block Kit renderers both draw from it, so the
// CLI and Slack always say the same thing.

/** `user`: a Slack user ID from Slack's own payload (who muted): a mention in Slack, @ID in text. */
export type Span = string | { code: string } | { bold: string } | { user: string };
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
  /** Fix commands of this section offered to copy. */
  copy?: CopyText[];
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
  /**
   * What Slack shows first, chosen from the verdict; the sections above are one Details click
   * away. Absent: the whole answer is short enough to be its own first view.
   */
  glance?: Glance;
  /** Links into the AWS console (service, task, security group, log stream), most useful first. */
  console?: UrlLink[];
}

/**
 * An answer's first view: read in five seconds. The headline is the verdict and its deciding
 * cause; the facts are the few that decide it; the next step is one line.
 */
export interface Glance {
  /** At most GLANCE_HEADLINE_MAX characters. */
  headline: Line;
  facts: Line[];
  next?: Line;
  /** The first view's own buttons, most useful first; Details, Refresh and Share are added. */
  links?: CommandLink[];
  /** Questions as buttons: "did you mean", or one per name an ambiguous query matched. */
  asks?: CommandLink[];
  /** Fix commands offered to copy (the bot only reads; the user runs them). */
  copy?: CopyText[];
}

/** A command for the user to copy and run, never run by the bot. */
export interface CopyText {
  /** The button's words, e.g. "Copy fix 1". */
  label: string;
  /** The shell command sent back alone, as a code block. */
  text: string;
}

/** Issue 22's sizes: a headline a glance takes in, and a first view that fits a phone screen. */
export const GLANCE_HEADLINE_MAX = 150;
export const GLANCE_MAX = 900;

/** A button that opens a page (the AWS console), not a command. */
export interface UrlLink {
  label: string;
  url: string;
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

/** Shows the whole answer: in the thread of a channel's answer, or in place of an ephemeral one. */
export const DETAILS_ACTION_ID = "ecs_details";

/** A console link button: Slack still sends its click, which the bot acknowledges and ignores. */
export const CONSOLE_ACTION_ID = "ecs_console";

/** Sends a fix command alone, as a code block to copy (the bot itself never runs it). */
export const COPY_FIX_ACTION_ID = "ecs_copy_fix";

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

/** A span's words without marks. */
export function spanText(s: Span): string {
  if (typeof s === "string") return s;
  if ("code" in s) return s.code;
  return "bold" in s ? s.bold : `@${s.user}`;
}

export function plain(line: Line): string {
  return line.map(spanText).join("");
}

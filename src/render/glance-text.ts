// Cutting words to fit a first view: at a clause, never mid-word, and saying so with "…".

/** Where a long text may end: a sentence, a clause, a list item. */
const ENDS = [". ", "; ", " — ", ": ", ", "];

/** The last place before `max` where a sentence or clause ends outside parentheses (0: none). */
function lastEnd(text: string, max: number): { at: number; end: string } {
  let depth = 0;
  let found = { at: 0, end: "" };
  for (let i = 1; i < Math.min(text.length, max); i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const end = ENDS.find((e) => text.startsWith(e, i));
      if (end) found = { at: i, end };
    }
  }
  return found;
}

/**
 * The first end of `ends`, in their order of preference, outside parentheses within `max`
 * characters: where a headline's first clause ends (0: none).
 */
export function firstClauseEnd(text: string, max: number, ends: readonly string[]): number {
  for (const end of ends) {
    let depth = 0;
    for (let i = 1; i < Math.min(text.length, max + 1); i++) {
      const c = text[i];
      if (c === "(") depth++;
      else if (c === ")") depth = Math.max(0, depth - 1);
      else if (depth === 0 && text.startsWith(end, i)) return i;
    }
  }
  return 0;
}

/**
 * The text split to fit `max` characters: its head ends at the latest sentence or clause that
 * fits (a word, failing those) and the rest is what was left out, for the full answer.
 */
export function splitAt(text: string, max: number): { head: string; rest: string } {
  if (text.length <= max) return { head: text, rest: "" };
  // Room for the "…" a cut head ends with.
  const room = max - 1;
  const { at, end } = lastEnd(text, room);
  // A clause that keeps too little is no headline: a word cut keeps more.
  if (at >= room / 3) {
    const head = end === ". " ? text.slice(0, at + 1) : `${text.slice(0, at)}…`;
    return { head, rest: text.slice(at + end.length) };
  }
  const space = text.lastIndexOf(" ", room);
  const cut = space > room / 3 ? space : room;
  return { head: `${text.slice(0, cut)}…`, rest: text.slice(cut).trimStart() };
}

/** The text cut to `max` characters at a clause (see splitAt). */
export const clip = (text: string, max: number): string => splitAt(text, max).head;

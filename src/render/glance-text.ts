// Cutting words to fit a first view: at a clause, never mid-word, and saying so with "…".

/** Where a long text may end, most preferred first: a sentence, then a clause, then a list item. */
const ENDS = [". ", "; ", " — ", ": ", ", "];

/** The last place before `max` where `end` starts outside parentheses (0: none). */
function lastEnd(text: string, end: string, max: number): number {
  let depth = 0;
  let found = 0;
  for (let i = 0; i < Math.min(text.length, max); i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0 && i > 0 && text.startsWith(end, i)) found = i;
  }
  return found;
}

/**
 * The text split to fit `max` characters: its head ends at the latest sentence or clause that
 * fits (a word, failing those) and the rest is what was left out, for the full answer.
 */
export function splitAt(text: string, max: number): { head: string; rest: string } {
  if (text.length <= max) return { head: text, rest: "" };
  // Room for the "…" a cut head ends with.
  const room = max - 1;
  for (const end of ENDS) {
    const at = lastEnd(text, end, room);
    // A clause that keeps too little is no headline: a later, shorter end is no better.
    if (at >= room / 3) {
      const head = end === ". " ? text.slice(0, at + 1) : `${text.slice(0, at)}…`;
      return { head, rest: text.slice(at + end.length) };
    }
  }
  const space = text.lastIndexOf(" ", room);
  const at = space > room / 3 ? space : room;
  return { head: `${text.slice(0, at)}…`, rest: text.slice(at).trimStart() };
}

/** The text cut to `max` characters at a clause (see splitAt). */
export const clip = (text: string, max: number): string => splitAt(text, max).head;

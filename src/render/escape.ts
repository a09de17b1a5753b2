/**
 * Slack's mrkdwn control characters. Escaping &, < and > is what Slack asks for: it stops
 * <!channel>, <!here>, <@U…> and links from being injected through a name the user typed.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline code cannot hold a backtick; swap it for a look-alike so the span stays closed. */
export function codeSpan(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "ˋ")}\``;
}

/**
 * What a cut must keep whole, in the order Slack reads it: an escape (`&lt;`), a `<…>` sequence
 * (`<@U123>`, `<!here>`, `<https://…|label>`), an inline code span, a bold span and a surrogate
 * pair; anything else is one UTF-16 unit. A backtick or star without its closing mate is a
 * single unit, as Slack shows it literally.
 */
const UNIT =
  /&(?:amp|lt|gt);|<[^<>\n]*>|`[^`\n]*`|\*[^*\n]*\*|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;

/**
 * Rendered mrkdwn cut to at most `max` characters, `marker` included. The cut falls only between
 * whole units: an escape, sequence, code or bold span that would be cut is dropped entirely,
 * so no `&l`, no open backtick or star and no half emoji is left to change what follows.
 */
export function cutMrkdwn(text: string, max: number, marker = "…"): string {
  if (text.length <= max) return text;
  const room = max - marker.length;
  if (room < 0) return "";
  let end = 0;
  for (const unit of text.matchAll(UNIT)) {
    const next = unit.index + unit[0].length;
    if (next > room) break;
    end = next;
  }
  return `${text.slice(0, end).trimEnd()}${marker}`;
}

/** Plain text cut to at most `max` characters, `marker` included, never between surrogate halves. */
export function cutPlain(text: string, max: number, marker = ""): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - marker.length);
  if (end > 0 && isHigh(text.charCodeAt(end - 1)) && isLow(text.charCodeAt(end))) end--;
  return `${text.slice(0, end)}${marker}`;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

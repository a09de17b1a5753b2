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

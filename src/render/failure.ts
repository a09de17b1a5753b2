/**
 * What the asker reads when a lookup failed on the bot's side: the detail is in the log, never in
 * the channel. One sentence wherever a lookup can fail (slash command, mention, deferred job).
 */
export function lookupFailedText(): string {
  return "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.";
}

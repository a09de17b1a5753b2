/** "2026-11-23 15:40 UTC": the minute, as answers print times; "?" when unknown. */
export function utcMinute(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "?";
}

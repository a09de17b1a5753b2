import { clock, type Doc, plain } from "./document.ts";

/** Plain text for the terminal: the same content as the Slack message, without markup. */
export function renderText(doc: Doc): string {
  const out: string[] = [];
  for (const section of doc.sections) {
    if (out.length > 0) out.push("");
    if (section.heading) out.push(`${section.heading}:`);
    for (const line of section.lines) out.push(`${section.heading ? "  " : ""}${plain(line)}`);
    if (section.links?.length) {
      out.push(`  ${section.links.map((l) => `/ecs ${l.command}`).join(" · ")}`);
    }
  }
  if (doc.links && doc.links.length > 0) {
    out.push("", `More: ${doc.links.map((l) => `/ecs ${l.command}`).join(" · ")}`);
  }
  if (doc.console && doc.console.length > 0) {
    out.push("", "AWS console:", ...doc.console.map((c) => `  ${c.label}: ${c.url}`));
  }
  if (doc.notes.length > 0 || doc.asOf) {
    out.push("");
    for (const note of doc.notes) out.push(plain(note));
    if (doc.asOf) out.push(`As of ${clock(doc.asOf)}`);
  }
  return `${out.join("\n")}\n`;
}

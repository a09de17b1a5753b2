// What every XML answer of the emulator shares (Route 53's REST-XML and the Query protocols).

/** Text as XML character data or an attribute value. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

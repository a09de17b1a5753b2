import type { SlackMessage } from "../../src/render/blocks.ts";

/** Every Block Kit limit Slack enforces that an answer could hit; returns the violations. */
export function blockKitViolations(message: SlackMessage): string[] {
  const problems: string[] = [];
  if (message.blocks.length > 50) problems.push(`${message.blocks.length} blocks`);
  if (!message.text) problems.push("no text fallback");
  for (const block of message.blocks) {
    if (block.type === "section") {
      const text = block.text?.text ?? "";
      if (text.length === 0 || text.length > 3000)
        problems.push(`section of ${text.length} characters`);
    }
    if (block.type === "context" && block.elements.length > 10)
      problems.push("context with more than 10 elements");
    if (block.type === "actions") {
      if (block.elements.length > 25) problems.push("more than 25 buttons");
      for (const element of block.elements) {
        if (element.type === "button" && (element.value ?? "").length > 2000)
          problems.push("button value over 2000");
        if (element.type === "button" && element.text.text.length > 75)
          problems.push("button label over 75");
      }
    }
  }
  return problems;
}

import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";

/** Every button of a document's Block Kit rendering, in order. */
export const buttons = (doc: Doc) =>
  renderBlocks(doc).blocks.flatMap((b) =>
    b.type === "actions" ? b.elements.flatMap((e) => (e.type === "button" ? [e] : [])) : [],
  );

/** The "did you mean" buttons alone: [label, the command it asks]. */
export const suggestionButtons = (doc: Doc) =>
  buttons(doc)
    .filter((b) => b.action_id?.startsWith("ecs_suggestion"))
    .map((b) => [b.text.text, b.value]);

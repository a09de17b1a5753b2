import type { CommandProgress } from "../domain/answer.ts";
import type { SlackMessage } from "./blocks.ts";
import { escapeMrkdwn } from "./escape.ts";

/** "Digest of tutorial: clusters 3/8 read…": the line that stands in for a slow answer. */
export function progressLine(p: CommandProgress): string {
  const steps: string[] = [];
  if (!p.clusters) steps.push("listing the services…");
  else {
    steps.push(`clusters ${p.clusters.done}/${p.clusters.total} read`);
    if (p.services) steps.push(`services ${p.services.done}/${p.services.total} judged`);
  }
  const text = steps.join(", ");
  return `Digest of ${p.scope}: ${text.endsWith("…") ? text : `${text}…`}`;
}

/** The progress line as a Slack message; the answer replaces it when it is ready. */
export function progressMessage(p: CommandProgress): SlackMessage {
  const line = escapeMrkdwn(progressLine(p));
  return {
    text: line,
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: `:hourglass_flowing_sand: ${line}` }] },
    ],
  };
}

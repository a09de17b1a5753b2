import { afterAll, beforeAll } from "vitest";
import { awsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import type { Doc } from "../../src/render/document.ts";
import { renderText } from "../../src/render/text.ts";
import { useEmulatedAws } from "./emulated-aws.ts";

/**
 * The demo fleet behind the loopback emulator for one test file; returns `ask`, which runs an
 * /ecs command on it and gives back the domain answer, for a document builder to render.
 */
export function demoFleetAnswers() {
  let aws: Awaited<ReturnType<typeof useEmulatedAws>> | undefined;
  beforeAll(async () => {
    aws = await useEmulatedAws();
  });
  afterAll(async () => {
    await aws?.stop();
  });
  return async <A>(text: string): Promise<A> =>
    (await runEcsCommand(text, () => awsContext("ap-northeast-1"))).answer as A;
}

/** What a terminal user reads: the text rendering, line by line. */
export const textLines = (doc: Doc) => renderText(doc).split("\n");

/** Everything a Slack user can read or click in the Block Kit rendering, as one string. */
export const blockText = (doc: Doc) => JSON.stringify(renderBlocks(doc));

/** Section headings in order (undefined for a section without one). */
export const headings = (doc: Doc) => doc.sections.map((s) => s.heading);

import { WebClient } from "@slack/web-api";
import type { CommandOutput } from "../commands/router.ts";
import { renderBlocks } from "../render/blocks.ts";
import type { DeferredJob } from "./deferred-job.ts";
import { postToResponseUrl } from "./respond.ts";

export interface DeferredRunDeps {
  run: (text: string) => Promise<CommandOutput>;
  /** The traffic graph PNG of an output, if it has one. */
  graphOf: (output: CommandOutput) => Promise<Uint8Array | undefined>;
  botToken: () => Promise<string>;
}

const FAILED =
  "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.";

/** The asynchronous half of a slow lookup: run it, answer at response_url, then post any graph. */
export async function runDeferredJob(job: DeferredJob, deps: DeferredRunDeps): Promise<void> {
  const options = { responseType: job.responseType, replaceOriginal: job.replaceOriginal };
  let output: CommandOutput;
  try {
    output = await deps.run(job.command);
  } catch (error) {
    console.error(JSON.stringify({ msg: "deferred lookup failed", error: String(error) }));
    await postToResponseUrl(job.responseUrl, { text: FAILED, blocks: [] }, options);
    return;
  }
  await postToResponseUrl(job.responseUrl, renderBlocks(output.doc), options);
  if (!job.graph) return;
  const png = await deps.graphOf(output).catch(() => undefined);
  const client = new WebClient(await deps.botToken());
  if (!png) {
    await postToResponseUrl(
      job.responseUrl,
      {
        text: "No graph: the name has no Service Connect metrics, or CloudWatch could not draw them.",
        blocks: [],
      },
      { ...options, replaceOriginal: false },
    );
    return;
  }
  const file = {
    file: Buffer.from(png),
    filename: "ecs-traffic.png",
    title: `/ecs ${job.command}`,
    alt_text: `CloudWatch graph of requests, 5xx and p99 for /ecs ${job.command}`,
  };
  const { channelId, threadTs } = job.graph;
  await client.filesUploadV2(
    threadTs
      ? { ...file, channel_id: channelId, thread_ts: threadTs }
      : { ...file, channel_id: channelId },
  );
}

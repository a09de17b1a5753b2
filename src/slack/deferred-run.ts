import type { KnownBlock } from "@slack/types";
import { WebClient } from "@slack/web-api";
import type { CommandOutput } from "../commands/router.ts";
import { renderBlocks, type SlackMessage } from "../render/blocks.ts";
import { renderText } from "../render/text.ts";
import type { DeferredJob } from "./deferred-job.ts";
import { logRequest } from "./request-log.ts";
import { postToResponseUrl } from "./respond.ts";

export interface DeferredRunDeps {
  run: (text: string) => Promise<CommandOutput>;
  /** The traffic graph PNG of an output, if it has one. */
  graphOf: (output: CommandOutput) => Promise<Uint8Array | undefined>;
  botToken: () => Promise<string>;
}

const FAILED =
  "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.";

async function deliver(
  job: DeferredJob,
  message: SlackMessage,
  client: () => Promise<WebClient>,
  first: boolean,
) {
  const to = job.destination;
  if (to.kind === "response_url") {
    await postToResponseUrl(to.url, message, {
      responseType: to.responseType,
      // Only the first post replaces "Looking up…"; later ones (a graph note) add to it.
      replaceOriginal: first && to.replaceOriginal,
    });
    return;
  }
  await (await client()).chat.postMessage({
    channel: to.channel,
    thread_ts: to.threadTs,
    ...message,
  });
}

/** "Shared by @someone" on top of a reposted answer; the ID comes from Slack's payload, not user text. */
function withSharer(message: SlackMessage, user: string | undefined): SlackMessage {
  if (!user || !/^[UW][A-Z0-9]{2,}$/.test(user)) return message;
  const shared: KnownBlock = {
    type: "context",
    elements: [{ type: "mrkdwn", text: `Shared by <@${user}>` }],
  };
  return {
    text: `Shared by <@${user}>: ${message.text}`,
    blocks: [shared, ...message.blocks].slice(0, 50),
  };
}

/** The asynchronous half of a slow lookup: run it, deliver the answer, then post any graph. */
export async function runDeferredJob(job: DeferredJob, deps: DeferredRunDeps): Promise<void> {
  const started = performance.now();
  let web: WebClient | undefined;
  const client = async () => {
    web ??= new WebClient(await deps.botToken());
    return web;
  };
  let output: CommandOutput;
  try {
    output = await deps.run(job.command);
  } catch (error) {
    logRequest({ ...job.context, kind: "deferred" }, started, "failed", { error: String(error) });
    await deliver(job, { text: FAILED, blocks: [] }, client, true);
    return;
  }
  if (job.fullText) {
    // The whole answer, uncut, as the plain text the CLI prints.
    const { channelId, threadTs } = job.fullText;
    const file = {
      content: renderText(output.doc),
      filename: "ecs-answer.txt",
      title: `/ecs ${job.command}`,
    };
    await (await client()).filesUploadV2(
      threadTs
        ? { ...file, channel_id: channelId, thread_ts: threadTs }
        : { ...file, channel_id: channelId },
    );
    logRequest({ ...job.context, kind: "deferred" }, started, "answered", { mode: "file" });
    return;
  }
  await deliver(job, withSharer(renderBlocks(output.doc), job.sharedBy), client, true);
  logRequest({ ...job.context, kind: "deferred" }, started, "answered");
  if (!job.graph) return;
  const png = await deps.graphOf(output).catch(() => undefined);
  if (!png) {
    const note =
      "No graph: the name has no Service Connect metrics, or CloudWatch could not draw them.";
    await deliver(job, { text: note, blocks: [] }, client, false);
    return;
  }
  const file = {
    file: Buffer.from(png),
    filename: "ecs-traffic.png",
    title: `/ecs ${job.command}`,
    alt_text: `CloudWatch graph of requests, 5xx and p99 for /ecs ${job.command}`,
  };
  const { channelId, threadTs } = job.graph;
  await (await client()).filesUploadV2(
    threadTs
      ? { ...file, channel_id: channelId, thread_ts: threadTs }
      : { ...file, channel_id: channelId },
  );
}

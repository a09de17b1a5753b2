import type { KnownBlock } from "@slack/types";
import { WebClient } from "@slack/web-api";
import { logger } from "../aws/logger.ts";
import type { CommandOutput } from "../commands/router.ts";
import { renderBlocks, type SlackMessage } from "../render/blocks.ts";
import { codeSpan } from "../render/escape.ts";
import { lookupFailedText } from "../render/failure.ts";
import { progressMessage } from "../render/progress.ts";
import { renderText } from "../render/text.ts";
import type { RunCommand } from "./budget.ts";
import type { UnsealedJob } from "./deferred-job.ts";
import { logRequest } from "./request-log.ts";
import { postToResponseUrl } from "./respond.ts";
import { StandIn } from "./stand-in.ts";

export interface DeferredRunDeps {
  run: RunCommand;
  /** The traffic graph PNG of an output, if it has one. */
  graphOf: (output: CommandOutput) => Promise<Uint8Array | undefined>;
  botToken: () => Promise<string>;
  /**
   * Epoch milliseconds by which the job must have said something (before the Lambda timeout):
   * a lookup still running then is abandoned, and the user told what was not done.
   */
  deadline?: number;
}

/** Slack API errors carry a code (`channel_not_found`, `not_in_channel`); anything else, its name. */
function why(error: unknown): string {
  const e = error as {
    data?: { error?: unknown };
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const code = e?.data?.error ?? e?.code ?? e?.name;
  return typeof code === "string" ? code : "an unknown error";
}

async function deliver(
  job: UnsealedJob,
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

/** A context line on top of an answer, within Block Kit's 50 blocks. */
function withNote(message: SlackMessage, note: string): SlackMessage {
  const top: KnownBlock = { type: "context", elements: [{ type: "mrkdwn", text: note }] };
  return {
    text: `${note.replace(/\.$/, "")}: ${message.text}`,
    blocks: [top, ...message.blocks].slice(0, 50),
  };
}

/** "Shared by @someone" on top of a reposted answer; the ID comes from Slack's payload, not user text. */
function withSharer(message: SlackMessage, user: string | undefined): SlackMessage {
  if (!user || !/^[UW][A-Z0-9]{2,}$/.test(user)) return message;
  return withNote(message, `Shared by <@${user}>`);
}

/** Slack's codes for a channel the bot cannot post in until someone invites it. */
const NOT_INVITED = new Set(["not_in_channel", "channel_not_found"]);

/**
 * Says `text` to the asker alone when the answer's own route failed: through the clicker's
 * response_url (a Details click, which also carries the answer itself, so nothing is lost), else
 * as an ephemeral message from the bot. False when there is nobody to tell.
 */
async function privately(
  job: UnsealedJob,
  text: string,
  client: () => Promise<WebClient>,
  answer?: SlackMessage,
): Promise<boolean> {
  const to = job.destination;
  if (to.kind === "thread" && to.fallbackUrl) {
    try {
      await postToResponseUrl(
        to.fallbackUrl,
        answer ? withNote(answer, text) : { text, blocks: [] },
        {
          responseType: "ephemeral",
          replaceOriginal: false,
        },
      );
      return true;
    } catch (error) {
      logger.info("ecs-chatops private fallback failed", { error: why(error) });
    }
  }
  const { channel, user } = job.context;
  if (!channel || !user) return false;
  await (await client()).chat.postEphemeral({ channel, user, text });
  return true;
}

class TooLate extends Error {}

function beforeDeadline<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TooLate()), Math.max(0, deadline - Date.now()));
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The asynchronous half of a slow lookup: run it, deliver the answer, then post any graph or
 * file. It never fails silently: every step that fails ends in a message to the user saying
 * what could not be done (through response_url or the thread, else as an ephemeral message).
 */
export async function runDeferredJob(job: UnsealedJob, deps: DeferredRunDeps): Promise<void> {
  const started = performance.now();
  const logged = { ...job.context, kind: "deferred" };
  let web: WebClient | undefined;
  const client = async () => {
    web ??= new WebClient(await deps.botToken(), { timeout: 5_000, retryConfig: { retries: 1 } });
    return web;
  };
  // A long command (a digest) reports progress in a message the answer then replaces. A file
  // answer has nothing to replace: it follows an answer already shown.
  const standIn = job.fullText
    ? undefined
    : new StandIn(job, client, (error) =>
        logger.info("ecs-chatops progress dropped", { error: why(error) }),
      );
  /** Says something to the asker when the answer itself cannot be delivered. */
  const tell = async (text: string, first: boolean) => {
    try {
      if (first && (await standIn?.replaceWith({ text, blocks: [] }))) return;
      await deliver(job, { text, blocks: [] }, client, first);
    } catch (error) {
      if (!(await privately(job, text, client))) throw error;
    }
  };

  let output: CommandOutput;
  try {
    output = await beforeDeadline(
      deps.run(job.command, {
        channel: job.context.channel,
        ...(job.context.user ? { user: job.context.user } : {}),
        // Details re-reads an answer already posted: it must not become the digest compared next.
        ...(job.view === "full" ? { rereading: true } : {}),
        onProgress: standIn && ((progress) => standIn.report(progressMessage(progress))),
      }),
      deps.deadline,
    );
  } catch (error) {
    const late = error instanceof TooLate;
    logRequest(logged, started, "failed", { error: late ? "deadline" : String(error) });
    await tell(
      late
        ? `\`/ecs ${job.command}\` did not finish in time: AWS answered too slowly for the whole lookup. Try again in a minute, or ask for one name.`
        : lookupFailedText(),
      true,
    );
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
    try {
      await (await client()).filesUploadV2(
        threadTs
          ? { ...file, channel_id: channelId, thread_ts: threadTs }
          : { ...file, channel_id: channelId },
      );
      logRequest(logged, started, "answered", { mode: "file" });
    } catch (error) {
      logRequest(logged, started, "failed", { mode: "file", error: why(error) });
      await tell(`The full answer could not be posted as a file (${why(error)}).`, false);
    }
    return;
  }
  // Details asks for the whole answer; anything else gets Slack's first view.
  const answer = withSharer(
    renderBlocks(output.doc, job.view ? { view: job.view } : {}),
    job.sharedBy,
  );
  try {
    const replaced = await standIn?.replaceWith(answer);
    if (!replaced) await deliver(job, answer, client, true);
    logRequest(logged, started, "answered", {
      ...(replaced ? { mode: "progress replaced" } : {}),
      ...(job.view ? { view: job.view } : {}),
    });
  } catch (error) {
    logRequest(logged, started, "failed", { error: why(error) });
    // The answer's own route failed (an expired response_url, a thread the bot left): the asker
    // still learns it, privately, if the bot can reach them.
    const command = codeSpan(`/ecs ${job.command}`);
    const to = job.destination;
    const text =
      to.kind === "thread" && to.fallbackUrl
        ? `I could not post the details of ${command} in the thread (${why(error)}), so only you see them here.${NOT_INVITED.has(why(error)) ? " Invite me to the channel to have them in the thread." : ""}`
        : `I could not post the answer to ${command} (${why(error)}). Run it again.`;
    await privately(job, text, client, to.kind === "thread" ? answer : undefined);
    return;
  }
  if (!job.graph) return;
  const png = await deps.graphOf(output).catch(() => undefined);
  if (!png) {
    await tell(
      "No graph: the name has no Service Connect metrics, or CloudWatch could not draw them.",
      false,
    );
    return;
  }
  const file = {
    file: Buffer.from(png),
    filename: "ecs-traffic.png",
    title: `/ecs ${job.command}`,
    alt_text: `CloudWatch graph of Service Connect traffic for /ecs ${job.command}`,
  };
  const { channelId, threadTs } = job.graph;
  try {
    await (await client()).filesUploadV2(
      threadTs
        ? { ...file, channel_id: channelId, thread_ts: threadTs }
        : { ...file, channel_id: channelId },
    );
  } catch (error) {
    logRequest(logged, started, "failed", { mode: "graph", error: why(error) });
    await tell(`The graph could not be uploaded (${why(error)}); the answer above stands.`, false);
  }
}

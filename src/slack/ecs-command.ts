import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { CommandOutput } from "../commands/router.ts";
import { renderBlocks } from "../render/blocks.ts";

export type RunCommand = (text: string) => Promise<CommandOutput>;

const FAILURE = {
  response_type: "ephemeral" as const,
  text: "Sorry, that lookup failed on my side. Try again in a minute; if it keeps failing, check the bot's logs.",
};

/** The `/ecs` slash command: run it and answer in the HTTP response, visible only to the asker. */
export function ecsCommand(run: RunCommand) {
  return async ({ command, ack, logger }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    try {
      const output = await run(command.text ?? "");
      await ack({ response_type: "ephemeral", ...renderBlocks(output.doc) });
    } catch (error) {
      // One catch per listener: the user gets a fixed message, the log gets the detail.
      logger.error("ecs command failed", error);
      await ack(FAILURE);
    }
  };
}

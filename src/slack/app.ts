import { App, AwsLambdaReceiver, type BlockAction, type ButtonAction, LogLevel } from "@slack/bolt";
import { COMMAND_BUTTON, commandButton } from "./command-buttons.ts";
import { type Defer, ecsCommand, type RunCommand } from "./ecs-command.ts";

export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
}

/** Bolt on Lambda: the receiver verifies Slack's signature and timestamp before any listener runs. */
export interface SlackAppOptions {
  run: RunCommand;
  defer?: Defer;
  budgetMs?: number;
}

/** About 2 s: room for a cold start and the network before Slack's 3-second limit. */
export const DEFAULT_BUDGET_MS = 2_000;

export function createSlackApp(secrets: SlackSecrets, options: SlackAppOptions) {
  const receiver = new AwsLambdaReceiver({
    signingSecret: secrets.signingSecret,
    // The default handler logs the signature header; ours logs only that it was rejected.
    invalidRequestSignatureHandler: () => {
      console.warn(JSON.stringify({ msg: "rejected request with an invalid Slack signature" }));
    },
  });
  const app = new App({
    receiver,
    // A token-only App calls auth.test (a Slack round trip) before its first listener runs;
    // slash commands answer through the HTTP response and need no bot identity.
    authorize: async () => ({ botToken: secrets.botToken }),
    logLevel: LogLevel.WARN,
  });
  app.command(
    "/ecs",
    ecsCommand({
      run: options.run,
      defer: options.defer,
      budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
    }),
  );
  app.action<BlockAction<ButtonAction>>(COMMAND_BUTTON, commandButton(options.defer));
  return { app, handler: receiver.toHandler() };
}

import { App, AwsLambdaReceiver, LogLevel } from "@slack/bolt";
import { ecsCommand, type RunCommand } from "./ecs-command.ts";

export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
}

/** Bolt on Lambda: the receiver verifies Slack's signature and timestamp before any listener runs. */
export function createSlackApp(secrets: SlackSecrets, run: RunCommand) {
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
  app.command("/ecs", ecsCommand(run));
  return { app, handler: receiver.toHandler() };
}

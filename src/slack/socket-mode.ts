import { SocketModeReceiver } from "@slack/bolt";
import { logger } from "../aws/logger.ts";
import { createSlackApp } from "./app.ts";
import type { Defer, RunCommand } from "./budget.ts";
import { type DeferredRunDeps, runDeferredJob } from "./deferred-run.ts";
import type { BotSettings } from "./settings.ts";

export interface SocketModeOptions {
  env: NodeJS.ProcessEnv;
  run: RunCommand;
  graphOf: DeferredRunDeps["graphOf"];
  settings: BotSettings;
}

/**
 * The same app over Socket Mode, for a developer's machine: no public URL, no deploy. A
 * long-lived process can finish slow lookups itself, so "defer" runs the job in process.
 */
export async function startSocketMode({ env, run, graphOf, settings }: SocketModeOptions) {
  const appToken = env.SLACK_APP_TOKEN;
  const botToken = env.SLACK_BOT_TOKEN;
  if (!appToken?.startsWith("xapp-") || !botToken?.startsWith("xoxb-")) {
    throw new Error(
      "Socket Mode needs SLACK_APP_TOKEN (xapp-…, an app-level token with connections:write) and SLACK_BOT_TOKEN (xoxb-…).",
    );
  }
  // In process, and never through Lambda: no MAC to add, nothing to run twice.
  const defer: Defer = async (job) => {
    void runDeferredJob(job, { run, graphOf, botToken: async () => botToken }).catch(
      (error: unknown) => logger.error("deferred job failed", { error: String(error) }),
    );
  };
  const receiver = new SocketModeReceiver({ appToken });
  const { app } = createSlackApp(
    { signingSecret: "", botToken },
    { run, defer, settings, receiver },
  );
  await app.start();
  return app;
}

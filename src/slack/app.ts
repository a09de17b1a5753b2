import {
  App,
  AwsLambdaReceiver,
  type BlockAction,
  type ButtonAction,
  LogLevel,
  type Receiver,
} from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { TtlCache } from "../aws/cache.ts";
import { accessControl, requesterOf } from "./access.ts";
import { DEFAULT_BUDGET_MS, type Defer, type RunCommand } from "./budget.ts";
import { COMMAND_BUTTON, commandButton } from "./command-buttons.ts";
import { appMention } from "./mention.ts";
import { logRequest } from "./request-log.ts";
import type { BotSettings } from "./settings.ts";
import { slashCommand } from "./slash-command.ts";

export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
}

export interface SlackAppOptions {
  run: RunCommand;
  defer?: Defer;
  budgetMs?: number;
  settings: BotSettings;
  /** Defaults to Bolt's AwsLambdaReceiver; Socket Mode passes its own. */
  receiver?: Receiver;
}

const GROUP_TTL_MS = 5 * 60_000;

/** Members of a user group, cached: an allowlist check must not cost a Slack call per request. */
function groupMembers(client: () => WebClient, cache: TtlCache) {
  return (group: string) =>
    cache.getOrLoad(`usergroup:${group}`, GROUP_TTL_MS, async () => {
      const out = await client().usergroups.users.list({ usergroup: group });
      return out.users ?? [];
    });
}

/** Bolt app: the receiver verifies Slack's signature and timestamp before any middleware runs. */
export function createSlackApp(secrets: SlackSecrets, options: SlackAppOptions) {
  const lambdaReceiver = options.receiver
    ? undefined
    : new AwsLambdaReceiver({
        signingSecret: secrets.signingSecret,
        // The default handler logs the signature header; ours logs only that it was rejected.
        invalidRequestSignatureHandler: () => {
          console.warn(JSON.stringify({ msg: "rejected request with an invalid Slack signature" }));
        },
      });
  const app = new App({
    receiver: options.receiver ?? lambdaReceiver,
    // A token-only App calls auth.test (a Slack round trip) before its first listener runs;
    // nothing here needs the bot's own identity.
    authorize: async () => ({ botToken: secrets.botToken }),
    logLevel: LogLevel.WARN,
  });
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const { run, defer, settings } = options;

  // Slack retries an event it got no 2xx for within 3 s (X-Slack-Retry-Num). Every first delivery
  // is answered within the budget, inline or deferred, and listeners never fail the request, so a
  // retry can only duplicate an answer: it is acknowledged and dropped, whatever its reason.
  app.use(async ({ context, body, next }) => {
    if (context.retryNum) {
      logRequest(
        { kind: "retry", command: "", ...requesterOf(body) },
        performance.now(),
        "ignored-retry",
        {
          retryNum: context.retryNum,
          retryReason: context.retryReason,
        },
      );
      return;
    }
    await next();
  });
  app.use(
    accessControl(
      settings,
      groupMembers(() => app.client, new TtlCache()),
      (who) => logRequest({ kind: "refused", command: "", ...who }, performance.now(), "refused"),
    ),
  );
  app.command("/ecs", slashCommand({ run, defer, budgetMs, settings }));
  app.action<BlockAction<ButtonAction>>(COMMAND_BUTTON, commandButton(defer, settings));
  app.event("app_mention", appMention({ run, defer, budgetMs }));
  return { app, handler: lambdaReceiver?.toHandler() };
}

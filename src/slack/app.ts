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
import { claimOrAnyway, type OnceStore } from "../aws/idempotency.ts";
import { accessControl, requesterOf } from "./access.ts";
import { DEFAULT_BUDGET_MS, type Defer, type RunCommand } from "./budget.ts";
import { COMMAND_BUTTON, commandButton } from "./command-buttons.ts";
import { CONSOLE_BUTTON, COPY_FIX_BUTTON, consoleLinkButton, copyFixButton } from "./copy-fix.ts";
import { incidentMuteButton, MUTE_BUTTON } from "./incident-mute.ts";
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
  /** Records which Events API deliveries were answered, across containers. */
  once?: OnceStore;
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
        // The handler's gate (verify.ts) checked the signature on the raw bytes and the
        // timestamp both ways before anything was parsed; Bolt gets the checked request.
        signatureVerification: false,
        // When API Gateway took the request: every budget counts from there.
        customPropertiesExtractor: (event) => ({
          receivedAt: (event as { requestContext?: { timeEpoch?: number } }).requestContext
            ?.timeEpoch,
        }),
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

  // Slack retries an Events API delivery it got no 2xx for within 3 s (X-Slack-Retry-Num), also
  // when the first one failed (http_error, connection_failed, …). Each event is answered once:
  // its event_id is recorded in the shared once-store when its handling starts; a retry of an
  // event recorded there (answered, or being answered) is dropped, any other is answered. Without
  // a store, or when it cannot be read, only http_timeout retries are dropped: those reached a
  // container, which answers them.
  app.use(async ({ context, body, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    const dropRetry = (reason: string) =>
      logRequest(
        { kind: "retry", command: "", ...requesterOf(body) },
        performance.now(),
        "ignored-retry",
        {
          retryNum: context.retryNum,
          retryReason: context.retryReason,
          reason,
        },
      );
    const timedOutRetry = Boolean(context.retryNum) && context.retryReason === "http_timeout";
    if (typeof eventId !== "string" || !options.once) {
      if (timedOutRetry) return dropRetry("http_timeout");
      await next();
      return;
    }
    const outcome = await claimOrAnyway(
      options.once,
      `event:${eventId}`,
      () => next(),
      // The store failed, not the listener: fall back to the retry reason.
      () => (timedOutRetry ? "skip" : "run"),
    );
    if (outcome.ran) return;
    if (outcome.reason === "skipped") dropRetry("http_timeout");
    else dropRetry(`already ${outcome.reason === "done" ? "answered" : "being answered"}`);
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
  app.action<BlockAction<ButtonAction>>(COPY_FIX_BUTTON, copyFixButton());
  // Unacknowledged, a link button's click shows a warning beside it in Slack.
  app.action<BlockAction<ButtonAction>>(CONSOLE_BUTTON, consoleLinkButton());
  // The table's code loads on the first click: it stays off the cold start.
  app.action<BlockAction<ButtonAction>>(
    MUTE_BUTTON,
    incidentMuteButton(async () => (await import("../aws/incidents-store.ts")).incidentsStore()),
  );
  app.event("app_mention", appMention({ run, defer, budgetMs }));
  return { app, handler: lambdaReceiver?.toHandler() };
}

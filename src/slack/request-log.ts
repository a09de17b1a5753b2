import { callLog } from "../aws/call-log.ts";
import { logger } from "../aws/logger.ts";

// One structured log line per request (src/aws/logger.ts), for CloudWatch Logs Insights. It names who asked and what
// happened; it never holds a token, a secret or a signature header.

export interface RequestContext {
  /** "slash_command", "block_actions", "app_mention", "deferred". */
  kind: string;
  command: string;
  team?: string;
  channel?: string;
  user?: string;
}

export type Outcome = "answered" | "deferred" | "refused" | "failed" | "ignored-retry";

export function logRequest(
  context: RequestContext,
  started: number,
  outcome: Outcome,
  extra: Record<string, unknown> = {},
): void {
  const stats = callLog.stats();
  logger.info("ecs-chatops request", {
    kind: context.kind,
    // The name asked about is an internal service name, kept short; never the raw payload.
    command: context.command.slice(0, 120),
    team: context.team,
    channel: context.channel,
    user: context.user,
    outcome,
    latencyMs: Math.round(performance.now() - started),
    awsCalls: stats.total,
    awsCallsByOperation: stats.calls,
    ...extra,
  });
}

import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { callLog } from "./aws/call-log.ts";
import { invokeAsync } from "./aws/lambda.ts";
import { awsContext, dropPendingLoads } from "./commands/aws-context.ts";
import { runEcsCommand } from "./commands/router.ts";
import { graphOfOutput } from "./commands/traffic.ts";
import { createSlackApp, type SlackSecrets } from "./slack/app.ts";
import { DEFAULT_BUDGET_MS } from "./slack/budget.ts";
import { type DeferredJob, isDeferredJob } from "./slack/deferred-job.ts";
import { runDeferredJob } from "./slack/deferred-run.ts";
import { loadSlackSecrets } from "./slack/secrets.ts";
import { readBotSettings } from "./slack/settings.ts";

type SlackHandler = NonNullable<ReturnType<typeof createSlackApp>["handler"]>;

// BOT_REGIONS is a list for the multi-region future; one region is served today.
const region = (): string =>
  (process.env.BOT_REGIONS ?? process.env.AWS_REGION ?? "ap-northeast-1").split(",")[0]?.trim() ||
  "ap-northeast-1";

const aws = () => awsContext(region());
const run = (text: string) => runEcsCommand(text, aws);

// Built once per container; warm invocations reuse the app, its secrets and the AWS clients.
let secrets: Promise<SlackSecrets> | undefined;
let slack: SlackHandler | undefined;

function slackSecrets(): Promise<SlackSecrets> {
  secrets ??= loadSlackSecrets();
  // A failed secret read must not stick: the next invocation tries again.
  secrets.catch(() => {
    secrets = undefined;
  });
  return secrets;
}

/** The asynchronous twin of this very function, where Lambda runs one. */
function deferToSelf(): ((job: DeferredJob) => Promise<void>) | undefined {
  const self = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return self ? (job) => invokeAsync(self, job) : undefined;
}

async function slackHandler(): Promise<SlackHandler> {
  if (!slack) {
    const budget = Number(process.env.ACK_BUDGET_MS ?? DEFAULT_BUDGET_MS);
    const { handler: built } = createSlackApp(await slackSecrets(), {
      run,
      defer: deferToSelf(),
      budgetMs: budget,
      settings: readBotSettings(),
    });
    if (!built) throw new Error("the Slack app has no Lambda handler");
    slack = built;
  }
  return slack;
}

const graphOf = graphOfOutput(aws);

/**
 * Lambda entry: Slack's requests through the HTTP API (payload v2), and deferred jobs this function
 * handed to itself. A promise-returning handler, no callback (Node 24+ runtimes reject those).
 */
export async function handler(
  event: APIGatewayProxyEventV2 | DeferredJob,
  context: Context,
): Promise<APIGatewayProxyResultV2 | undefined> {
  // Only principals allowed lambda:InvokeFunction can send a job; Slack's requests come through
  // API Gateway and are signature-checked by Bolt.
  // A lookup abandoned by an earlier invocation may still hold cache loads on frozen sockets.
  dropPendingLoads();
  // One request at a time per container: the call log counts this request's AWS calls only.
  callLog.reset();
  if (isDeferredJob(event)) {
    await runDeferredJob(event, {
      run,
      graphOf,
      botToken: async () => (await slackSecrets()).botToken,
    });
    return undefined;
  }
  const handle = await slackHandler();
  return handle(event, context, () => undefined);
}

import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from "aws-lambda";
import { awsContext } from "./commands/aws-context.ts";
import { runEcsCommand } from "./commands/router.ts";
import { createSlackApp } from "./slack/app.ts";
import { loadSlackSecrets } from "./slack/secrets.ts";

type SlackHandler = ReturnType<typeof createSlackApp>["handler"];

// BOT_REGIONS is a list for the multi-region future; one region is served today.
const region = (): string =>
  (process.env.BOT_REGIONS ?? process.env.AWS_REGION ?? "ap-northeast-1").split(",")[0]?.trim() ||
  "ap-northeast-1";

// Built once per container; warm invocations reuse the app, its secrets and the AWS clients.
let slack: Promise<SlackHandler> | undefined;

function slackHandler(): Promise<SlackHandler> {
  slack ??= loadSlackSecrets().then(
    (secrets) =>
      createSlackApp(secrets, (text) => runEcsCommand(text, () => awsContext(region()))).handler,
  );
  // A failed secret read must not stick: the next invocation tries again.
  slack.catch(() => {
    slack = undefined;
  });
  return slack;
}

/** Lambda entry (API Gateway HTTP API, payload v2): a promise-returning handler, no callback. */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  const handle = await slackHandler();
  return handle(event, context, () => undefined);
}

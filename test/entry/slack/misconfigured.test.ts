import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFormEvent, slashCommand } from "../../support/slack-events.ts";

// A deployment whose BOT_TARGETS is wrong: read once per container, at module load, so it is set
// before the handler is imported.
process.env.BOT_TARGETS = JSON.stringify([{ region: "us-east-1", account: "210987654321" }]);
const { useSlackLambda } = await import("../../support/slack-lambda.ts");

let lambda: Awaited<ReturnType<typeof useSlackLambda>>;
beforeAll(async () => {
  lambda = await useSlackLambda();
});
afterAll(async () => {
  delete process.env.BOT_TARGETS;
  await lambda.stop();
});

describe("Lambda handler with a wrong BOT_TARGETS", () => {
  it("answers every command with what is wrong in the configuration, and reads nothing", async () => {
    const result = await lambda.invoke(
      signedFormEvent(slashCommand("whois nginx.service-connect")),
    );

    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body ?? "{}") as { text: string; blocks: unknown[] };
    expect(body.text).toBe(
      "ECS ChatOps is misconfigured: it does not know which AWS accounts to read.",
    );
    const blocks = body.blocks as { text?: { text: string } }[];
    expect(blocks[0]?.text?.text).toContain(
      '• `BOT_TARGETS[0].account: "210987654321" is not an IAM role ARN`',
    );
    expect(lambda.emulator.stats().total).toBe(0);
  });
});

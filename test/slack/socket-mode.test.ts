import { describe, expect, it } from "vitest";
import { readBotSettings } from "../../src/slack/settings.ts";
import { startSocketMode } from "../../src/slack/socket-mode.ts";
import { BOT_TOKEN } from "../support/slack-lambda.ts";

describe("startSocketMode", () => {
  it("says which tokens it needs instead of failing later", async () => {
    const start = startSocketMode({
      env: { SLACK_BOT_TOKEN: BOT_TOKEN },
      run: () => Promise.reject(new Error("no lookup expected")),
      graphOf: async () => undefined,
      settings: readBotSettings({}),
    });

    await expect(start).rejects.toThrow("Socket Mode needs SLACK_APP_TOKEN (xapp-…");
  });
});

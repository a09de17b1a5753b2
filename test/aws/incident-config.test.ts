import { describe, expect, it, vi } from "vitest";
import {
  type IncidentConfig,
  IncidentConfigCache,
  loadIncidentConfig,
} from "../../src/aws/incident-config.ts";
import { BOT_TOKEN } from "../support/slack-lambda.ts";

// The routes are re-read at most once a minute: an operator's change applies within a minute,
// and a burst of events costs one SSM call.

const config: IncidentConfig = {
  botToken: BOT_TOKEN,
  routes: { configured: false, routes: [], errors: [] },
};

describe("the notification config of a container", () => {
  it("is read once a minute, and says when a call read it", async () => {
    const load = vi.fn().mockResolvedValue(config);
    const cache = new IncidentConfigCache(load);
    expect((await cache.get(0)).fresh).toBe(true);
    expect((await cache.get(59_999)).fresh).toBe(false);
    expect((await cache.get(60_000)).fresh).toBe(true);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("reads again after a failed read", async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error("throttled")).mockResolvedValue(config);
    const cache = new IncidentConfigCache(load);
    await expect(cache.get(0)).rejects.toThrow("throttled");
    expect((await cache.get(1)).config).toBe(config);
  });

  it("turns notifications off, not broken, when no parameter holds routes", async () => {
    expect(await loadIncidentConfig({ SLACK_BOT_TOKEN: BOT_TOKEN })).toEqual({
      botToken: BOT_TOKEN,
      routes: { configured: false, routes: [], errors: [] },
    });
    await expect(loadIncidentConfig({})).rejects.toThrow(/SLACK_BOT_TOKEN_PARAM/);
  });
});

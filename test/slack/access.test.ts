import { describe, expect, it } from "vitest";
import { isAllowed } from "../../src/slack/access.ts";
import { parseFlags, responseTypeFor } from "../../src/slack/command-flags.ts";
import { commandOfMention } from "../../src/slack/mention.ts";
import { readBotSettings } from "../../src/slack/settings.ts";

const noGroups = async () => [] as string[];

describe("isAllowed", () => {
  it("serves everyone when no allowlist is set", async () => {
    expect(
      await isAllowed(readBotSettings({}), { team: "T1", channel: "C1", user: "U1" }, noGroups),
    ).toBe(true);
  });

  it("requires the workspace, the channel and the user to be allowed together", async () => {
    const settings = readBotSettings({
      ALLOWED_TEAM_IDS: "T1",
      ALLOWED_CHANNEL_IDS: "C1, C2",
      ALLOWED_USER_IDS: "U1",
    });

    expect(await isAllowed(settings, { team: "T1", channel: "C2", user: "U1" }, noGroups)).toBe(
      true,
    );
    expect(await isAllowed(settings, { team: "T2", channel: "C2", user: "U1" }, noGroups)).toBe(
      false,
    );
    expect(await isAllowed(settings, { team: "T1", channel: "C3", user: "U1" }, noGroups)).toBe(
      false,
    );
    expect(await isAllowed(settings, { team: "T1", channel: "C1", user: "U9" }, noGroups)).toBe(
      false,
    );
  });

  it("lets members of an allowed user group in", async () => {
    const settings = readBotSettings({ ALLOWED_USERGROUP_IDS: "S1" });
    const members = async (group: string) => (group === "S1" ? ["U7"] : []);

    expect(await isAllowed(settings, { user: "U7" }, members)).toBe(true);
    expect(await isAllowed(settings, { user: "U8" }, members)).toBe(false);
  });
});

describe("parseFlags and responseTypeFor", () => {
  const settings = readBotSettings({ PUBLIC_CHANNEL_IDS: "C0WAR" });

  it("takes the delivery flags out of the command", () => {
    expect(parseFlags("traffic nginx 6h --graph --private")).toEqual({
      text: "traffic nginx 6h",
      graph: true,
      visibility: "private",
    });
  });

  it.each([
    [{ id: "C1", name: "inc-2026-checkout" }, undefined, "in_channel"],
    [{ id: "C0WAR", name: "war-room" }, undefined, "in_channel"],
    [{ id: "C1", name: "general" }, undefined, "ephemeral"],
    [{ id: "C1", name: "inc-2026-checkout" }, "private", "ephemeral"],
    [{ id: "C1", name: "general" }, "public", "in_channel"],
  ] as const)("answers in %o with %s as %s", (channel, visibility, expected) => {
    expect(responseTypeFor(settings, channel, visibility)).toBe(expected);
  });
});

describe("commandOfMention", () => {
  it("drops the bot's mention from the text", () => {
    expect(commandOfMention("<@U0ECSBOT01> whois nginx.service-connect")).toBe(
      "whois nginx.service-connect",
    );
  });
});

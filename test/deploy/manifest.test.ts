// Checks the Slack app manifest: the /ecs command, the minimal scope set, and that slash commands
// and interactivity reach the same Bolt endpoint.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface SlashCommand {
  command: string;
  url?: string;
  description: string;
  usage_hint?: string;
  should_escape?: boolean;
}

interface Manifest {
  _metadata?: { major_version?: number; minor_version?: number };
  display_information: { name: string; description?: string };
  features?: { bot_user?: { display_name: string }; slash_commands?: SlashCommand[] };
  oauth_config?: { scopes?: { bot?: string[]; user?: string[] } };
  settings?: {
    event_subscriptions?: unknown;
    interactivity?: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled?: boolean;
    socket_mode_enabled?: boolean;
    token_rotation_enabled?: boolean;
  };
}

const file = fileURLToPath(new URL("../../manifest.yml", import.meta.url));
const manifest = parse(readFileSync(file, "utf8"), { uniqueKeys: true }) as Manifest;
const commands = manifest.features?.slash_commands ?? [];
const ecs = commands.find((c) => c.command === "/ecs");

describe("manifest.yml", () => {
  it("describes the app and its bot user", () => {
    expect(manifest._metadata?.major_version ?? 1).toBe(1);
    expect(manifest.display_information.name).toBe("ECS ChatOps");
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.display_information.description?.length ?? 0).toBeGreaterThan(0);
    expect(manifest.display_information.description?.length ?? 0).toBeLessThanOrEqual(140);
    expect(manifest.features?.bot_user?.display_name).toBeTruthy();
  });

  it("declares /ecs with its usage hint, unescaped", () => {
    expect(commands.map((c) => c.command)).toEqual(["/ecs"]);
    expect(ecs?.usage_hint).toBe(
      "whois <name|ip|service> · health <name> · traffic <name> [1h] [--graph] · why <client> <target> · digest [cluster|namespace] · help",
    );
    expect(ecs?.should_escape).toBe(false);
    expect(ecs?.description).toBeTruthy();
    expect(ecs?.url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });

  it("asks for exactly the bot scopes used, and no user scopes", () => {
    expect(manifest.oauth_config?.scopes?.bot).toEqual([
      "app_mentions:read",
      "chat:write",
      "commands",
      "files:write",
      "usergroups:read",
    ]);
    expect(manifest.oauth_config?.scopes?.user).toBeUndefined();
  });

  it("sends interactivity to the same endpoint as the command", () => {
    expect(manifest.settings?.interactivity?.is_enabled).toBe(true);
    expect(manifest.settings?.interactivity?.request_url).toBe(ecs?.url);
  });

  it("is HTTP-mode, single-workspace, without token rotation", () => {
    expect(manifest.settings?.socket_mode_enabled).toBe(false);
    expect(manifest.settings?.org_deploy_enabled).toBe(false);
    expect(manifest.settings?.token_rotation_enabled).toBe(false);
  });

  it("subscribes to exactly the app_mention event, on the same endpoint", () => {
    expect(manifest.settings?.event_subscriptions).toEqual({
      request_url: ecs?.url,
      bot_events: ["app_mention"],
    });
  });
});

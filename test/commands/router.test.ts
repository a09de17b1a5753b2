import { describe, expect, it } from "vitest";
import type { AwsContext } from "../../src/commands/reads/aws-context.ts";
import { runEcsCommand } from "../../src/commands/router.ts";
import { renderBlocks } from "../../src/render/blocks.ts";
import { renderText } from "../../src/render/text.ts";

// Bad input must be answered before any AWS call: this factory fails the test if one is made.
const noAws = (): AwsContext => {
  throw new Error("an AWS call was attempted");
};

describe("runEcsCommand", () => {
  it("answers /ecs help with the whois usage", async () => {
    const out = await runEcsCommand("help", noAws);

    expect(renderText(out.doc)).toContain("/ecs whois <name | IP | service | task>");
  });

  it("answers an unknown subcommand with help that names it", async () => {
    const out = await runEcsCommand("frobnicate nginx", noAws);

    expect(out.command).toBe("help");
    expect(renderText(out.doc)).toContain("Unknown command frobnicate");
  });

  it.each([
    ["an empty name", "whois", "no name given"],
    ["10,000 characters", `whois ${"a".repeat(10_000)}`, "longer than 255 characters"],
    ["unicode", "whois nginx.sérvice", "names contain only"],
    ["a channel mention", "whois <!channel>", "names contain only"],
    ["a user mention", "whois <@U123>", "names contain only"],
    ["backticks", "whois `nginx`", "names contain only"],
    ["a shell substitution", "whois $(rm -rf /)", "give one name, without spaces"],
  ])("refuses %s with a usage message and no AWS call", async (_label, text, reason) => {
    const out = await runEcsCommand(text, noAws);
    const message = JSON.stringify(renderBlocks(out.doc));

    expect(renderText(out.doc)).toContain(reason);
    expect(renderText(out.doc)).toContain("/ecs whois <service>.<namespace>");
    expect(message).not.toMatch(/<!channel>|<@U123>/);
  });

  it("escapes an unknown subcommand that tries to mention everyone", async () => {
    const out = await runEcsCommand("<!here> hi", noAws);

    expect(JSON.stringify(renderBlocks(out.doc))).toContain("&lt;!here&gt;");
    expect(JSON.stringify(renderBlocks(out.doc))).not.toContain("<!here>");
  });

  it("echoes at most 40 characters of a 300-character unknown subcommand", async () => {
    const out = await runEcsCommand("x".repeat(300), noAws);
    const message = renderBlocks(out.doc);

    expect(renderText(out.doc)).toContain(`Unknown command ${"x".repeat(39)}…`);
    expect(message.text).toContain(`Unknown command ${"x".repeat(39)}…`);
    expect(JSON.stringify(message)).not.toContain("x".repeat(40));
  });
});

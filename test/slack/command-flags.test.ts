import { describe, expect, it } from "vitest";
import { parseFlags, responseTypeFor } from "../../src/slack/command-flags.ts";

// Flags change how an answer is delivered, never what is asked. (More cases in access.test.ts.)

describe("parseFlags", () => {
  it("takes flags from anywhere in the command and tidies the spaces left", () => {
    expect(parseFlags("  --public traffic   nginx --graph 6h ")).toEqual({
      text: "traffic nginx 6h",
      graph: true,
      visibility: "public",
    });
  });

  it("keeps an answer private when asked both ways", () => {
    expect(parseFlags("whois nginx --public --private").visibility).toBe("private");
  });

  it("leaves a command without flags as typed, delivered the channel's way", () => {
    expect(parseFlags("whois nginx.service-connect")).toEqual({
      text: "whois nginx.service-connect",
      graph: false,
      visibility: undefined,
    });
  });

  it("keeps a word that only looks like a flag", () => {
    expect(parseFlags("whois --graphs").text).toBe("whois --graphs");
  });
});

describe("responseTypeFor", () => {
  it("makes no channel an incident channel by its name when the prefix is empty", () => {
    const settings = { publicChannels: [], incidentChannelPrefix: "" };

    expect(responseTypeFor(settings, { id: "C1", name: "inc-checkout" })).toBe("ephemeral");
    expect(responseTypeFor(settings, { id: "C1" })).toBe("ephemeral");
  });

  it("needs the prefix at the start of the channel name", () => {
    const settings = { publicChannels: [], incidentChannelPrefix: "inc-" };

    expect(responseTypeFor(settings, { id: "C1", name: "old-inc-checkout" })).toBe("ephemeral");
    expect(responseTypeFor(settings, { id: "C1", name: "inc-checkout" })).toBe("in_channel");
  });
});

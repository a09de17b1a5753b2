import { describe, expect, it } from "vitest";
import { verifySlackRequest } from "../../src/slack/verify.ts";
import {
  SIGNING_SECRET,
  signedFormEvent,
  signedRawEvent,
  slashCommand,
} from "../support/slack-events.ts";

// The gate in front of Bolt: signature over the raw bytes, a 5-minute window either way, and
// nothing parsed before that. A hostile or odd body is refused with 400 or 401, never a 500.

const NOW = 1_795_500_000;

const signedRaw = (body: string, type: string) => signedRawEvent(body, type, NOW);

describe("verifySlackRequest", () => {
  it("accepts a signed slash command and hands Bolt UTF-8 text", () => {
    const verdict = verifySlackRequest(
      signedFormEvent(slashCommand("whois nginx.service-connect"), { timestamp: NOW }),
      SIGNING_SECRET,
      NOW + 2,
    );

    expect(verdict.ok).toBe(true);
    if (verdict.ok !== true) return;
    expect(verdict.event.isBase64Encoded).toBe(false);
    expect(new URLSearchParams(verdict.event.body).get("text")).toBe("whois nginx.service-connect");
  });

  it.each([
    ["six minutes old", NOW - 360],
    ["six minutes in the future", NOW + 360],
  ])("refuses a timestamp %s with 401", (_label, timestamp) => {
    const verdict = verifySlackRequest(
      signedFormEvent(slashCommand("whois nginx"), { timestamp }),
      SIGNING_SECRET,
      NOW,
    );

    expect(verdict).toEqual({
      ok: false,
      status: 401,
      reason: "timestamp outside the 5-minute window",
    });
  });

  it("refuses a forged signature and an unsigned request with 401", () => {
    const forged = signedFormEvent(slashCommand("whois nginx"), {
      timestamp: NOW,
      secret: "not-it",
    });
    const unsigned = signedFormEvent(slashCommand("whois nginx"), { timestamp: NOW });
    delete unsigned.headers["x-slack-signature"];

    expect(verifySlackRequest(forged, SIGNING_SECRET, NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(verifySlackRequest(unsigned, SIGNING_SECRET, NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it.each([
    ["JSON that does not parse", "{", "application/json"],
    [
      "a payload field that is not JSON",
      "payload=%7Bnot-json",
      "application/x-www-form-urlencoded",
    ],
    ["text/plain", "whois nginx", "text/plain"],
    ["a JSON array", "[1,2]", "application/json"],
    [
      "a charset other than UTF-8",
      "text=x",
      "application/x-www-form-urlencoded; charset=iso-8859-1",
    ],
  ])("answers a signed request with %s 400, without parsing it first", (_label, body, type) => {
    expect(verifySlackRequest(signedRaw(body, type), SIGNING_SECRET, NOW)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it("accepts a signed form post with a charset parameter", () => {
    const body = new URLSearchParams(slashCommand("whois nginx")).toString();

    const verdict = verifySlackRequest(
      signedRaw(body, "application/x-www-form-urlencoded; charset=utf-8"),
      SIGNING_SECRET,
      NOW,
    );

    expect(verdict.ok).toBe(true);
    if (verdict.ok === true) {
      expect(verdict.event.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    }
  });

  it("checks the signature over the bytes, so a command with non-ASCII text passes", () => {
    const body = new URLSearchParams(slashCommand("whois 注文-api.service-connect")).toString();

    const verdict = verifySlackRequest(
      signedRaw(body, "application/x-www-form-urlencoded"),
      SIGNING_SECRET,
      NOW,
    );

    expect(verdict.ok).toBe(true);
    if (verdict.ok === true) {
      expect(new URLSearchParams(verdict.event.body).get("text")).toBe(
        "whois 注文-api.service-connect",
      );
    }
  });

  it("answers Slack's unsigned SSL check without doing anything", () => {
    const check = signedRaw(
      "ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO",
      "application/x-www-form-urlencoded",
    );
    delete check.headers["x-slack-signature"];

    expect(verifySlackRequest(check, SIGNING_SECRET, NOW)).toEqual({ ok: "ssl_check" });
  });
});

import { describe, expect, it } from "vitest";
import {
  activeMutes,
  isMuted,
  MAX_MUTE_SECONDS,
  muteFor,
  parseDuration,
} from "../../../src/domain/incidents/mute.ts";

const now = new Date("2026-12-06T10:00:00Z");
const KEY = "111122223333/us-west-2/default/servicetest";

describe("a mute of one service in one channel", () => {
  it("holds until its time, for that service and that channel only", () => {
    const mute = muteFor(KEY, "C0OPS000001", 3600, now, "U0ALICE");
    expect(mute).toEqual({
      key: KEY,
      channel: "C0OPS000001",
      until: "2026-12-06T11:00:00.000Z",
      by: "U0ALICE",
    });
    expect(isMuted([mute], KEY, "C0OPS000001", new Date("2026-12-06T10:59:59Z"))).toBe(true);
    expect(isMuted([mute], KEY, "C0OPS000001", new Date("2026-12-06T11:00:00Z"))).toBe(false);
    expect(isMuted([mute], KEY, "C0TEAM00001", now)).toBe(false);
    expect(isMuted([mute], `${KEY}-2`, "C0OPS000001", now)).toBe(false);
    expect(activeMutes([mute], new Date("2026-12-06T12:00:00Z"))).toEqual([]);
  });

  it("lasts a week at most", () => {
    const mute = muteFor(KEY, "C0OPS000001", 30 * 86_400, now);
    expect(Date.parse(mute.until) - now.getTime()).toBe(MAX_MUTE_SECONDS * 1000);
  });
});

describe("reading the duration of /ecs alerts mute", () => {
  it.each([
    ["1h", 3600],
    ["30m", 1800],
    ["1h30m", 5400],
    ["2d", 172_800],
    [" 90s ", 90],
  ])("reads %s as %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toEqual({ seconds });
  });

  it.each([
    ["soon", "is not a duration"],
    ["1 hour", "is not a duration"],
    ["0m", "no time at all"],
    ["8d", "longer than a week"],
  ])("refuses %s", (text, error) => {
    const result = parseDuration(text);
    expect("error" in result && result.error).toContain(error);
  });
});

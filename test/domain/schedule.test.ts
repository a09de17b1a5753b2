import { describe, expect, it } from "vitest";
import { isDue, parseSchedule, type Schedule } from "../../src/domain/schedule.ts";

function schedule(expression: string): Schedule {
  const parsed = parseSchedule(expression);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

const at = (iso: string) => new Date(iso);

describe("digest schedules (EventBridge syntax, checked at each 15-minute tick)", () => {
  it("posts a weekday-morning cron at the tick that reaches its minute, and not on Saturday", () => {
    const morning = schedule("cron(0 9 ? * MON-FRI *)");
    expect(isDue(morning, at("2026-11-24T09:00:00Z"))).toBe(true); // Tuesday
    expect(isDue(morning, at("2026-11-24T08:45:00Z"))).toBe(false);
    expect(isDue(morning, at("2026-11-24T09:15:00Z"))).toBe(false);
    expect(isDue(morning, at("2026-11-28T09:00:00Z"))).toBe(false); // Saturday
  });

  it("posts a schedule between ticks at the next tick, never before its time", () => {
    const odd = schedule("cron(5 9 * * ? *)");
    expect(isDue(odd, at("2026-11-24T09:00:00Z"))).toBe(false);
    expect(isDue(odd, at("2026-11-24T09:15:00Z"))).toBe(true);
  });

  it("reads day-of-week 1 as Sunday, as EventBridge does", () => {
    const sunday = schedule("cron(30 6 ? * 1 *)");
    expect(isDue(sunday, at("2026-11-29T06:30:00Z"))).toBe(true); // Sunday
    expect(isDue(sunday, at("2026-11-30T06:30:00Z"))).toBe(false);
  });

  it("understands lists, ranges and steps", () => {
    const s = schedule("cron(0/30 8-18/2 1,15 JAN-MAR ? 2027)");
    expect(isDue(s, at("2027-02-15T10:30:00Z"))).toBe(true);
    expect(isDue(s, at("2027-02-15T09:30:00Z"))).toBe(false);
    expect(isDue(s, at("2027-04-15T10:30:00Z"))).toBe(false);
    expect(isDue(s, at("2026-02-15T10:30:00Z"))).toBe(false);
  });

  it("counts rates from midnight UTC: rate(1 day) at 00:00, rate(15 minutes) at every tick", () => {
    expect(isDue(schedule("rate(1 day)"), at("2026-11-24T00:00:00Z"))).toBe(true);
    expect(isDue(schedule("rate(1 day)"), at("2026-11-24T12:00:00Z"))).toBe(false);
    expect(isDue(schedule("rate(15 minutes)"), at("2026-11-24T12:15:00Z"))).toBe(true);
    expect(isDue(schedule("rate(6 hours)"), at("2026-11-24T12:00:00Z"))).toBe(true);
    expect(isDue(schedule("rate(6 hours)"), at("2026-11-24T13:00:00Z"))).toBe(false);
  });

  it("refuses what it cannot check, saying why", () => {
    expect(parseSchedule("cron(0 9 * * * *)")).toMatch(/one of day-of-month and day-of-week/);
    expect(parseSchedule("cron(0 9 L * ? *)")).toMatch(/L, W and # are not supported/);
    expect(parseSchedule("cron(0 25 * * ? *)")).toMatch(/hours "25" is not within 0-23/);
    expect(parseSchedule("cron(0 9 * *)")).toMatch(/not an EventBridge cron/);
    expect(parseSchedule("rate(0 minutes)")).toMatch(/at least 1 minute/);
  });
});

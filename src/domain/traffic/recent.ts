// The last 15 minutes of a longer window, kept apart so that a burst that started minutes ago is
// never averaged away by the hours or days around it.

import type { TrafficReport } from "../traffic.ts";
import { parseWindow, type TrafficWindow } from "./window.ts";

/** The recent part: the last 15 minutes, against the 15 before (one-minute periods). */
export const RECENT_WINDOW = parseWindow("15m") as TrafficWindow;

/** The recent part a window shows beside itself; none for a window that is only that. */
export function recentWindowOf(window: TrafficWindow): TrafficWindow | undefined {
  return window.seconds > RECENT_WINDOW.seconds ? RECENT_WINDOW : undefined;
}

/** A figure of the last 15 minutes that differs from the whole window's. */
export interface RecentDifference {
  figure: "5xx" | "p99" | "rate";
  recent?: number;
  window?: number;
}

export interface RecentPart {
  window: TrafficWindow;
  /** Undefined when it could not be read: unknown, not steady. */
  report?: TrafficReport;
  differences: RecentDifference[];
}

/** Twice or half, the doubling the window-against-window judgement uses too. */
const FACTOR = 2;
/** A 5xx share moves by at least a point before its change is told (0.1 % → 0.3 % is noise). */
const MIN_POINTS = 0.01;

function apart(recent: number | undefined, window: number | undefined): boolean {
  if (recent === undefined || window === undefined) return false;
  return recent > FACTOR * window || recent < window / FACTOR;
}

/** What of the last 15 minutes differs from the window: the 5xx share, p99, the request rate. */
function differences(window: TrafficReport, recent: TrafficReport): RecentDifference[] {
  const out: RecentDifference[] = [];
  if (window.protocol === "http") {
    const [r, w] = [recent.errorRate.current, window.errorRate.current];
    if (apart(r, w) && Math.abs((r ?? 0) - (w ?? 0)) >= MIN_POINTS)
      out.push({ figure: "5xx", recent: r, window: w });
  }
  if (window.protocol !== "tcp") {
    const [r, w] = [recent.latency.p99.current, window.latency.p99.current];
    if (apart(r, w)) out.push({ figure: "p99", recent: r, window: w });
    // A window with requests whose last 15 minutes have none stopped: that differs too.
    const rate = (x: TrafficReport) => (x.status === "no-traffic" ? 0 : x.rate.current);
    const [rr, wr] = [rate(recent), rate(window)];
    // A window ends at a whole period, its last 15 minutes at the last whole minute: traffic
    // that began since the window's end is in them alone.
    const began = (wr ?? 0) === 0 && (rr ?? 0) > 0;
    if (began || (wr !== undefined && wr > 0 && apart(rr, wr)))
      out.push({ figure: "rate", recent: rr, window: wr ?? 0 });
  }
  return out;
}

/** The window's report with its last 15 minutes beside it (`recent` undefined: unread). */
export function withRecent(
  report: TrafficReport,
  recent: TrafficReport | undefined,
): TrafficReport {
  return {
    ...report,
    recent: recent
      ? { window: recent.window, report: recent, differences: differences(report, recent) }
      : { window: RECENT_WINDOW, differences: [] },
  };
}

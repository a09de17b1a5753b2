// The windows `/ecs traffic` compares (each with the equal window before it), and their period.

export interface TrafficWindow {
  label: string;
  seconds: number;
  /** Chosen so both windows fit one GetMetricData call and the metric's retention. */
  period: number;
}

const WINDOWS: Record<string, TrafficWindow> = {
  "15m": { label: "15m", seconds: 15 * 60, period: 60 },
  "1h": { label: "1h", seconds: 3600, period: 60 },
  "6h": { label: "6h", seconds: 6 * 3600, period: 300 },
  "1d": { label: "1d", seconds: 86_400, period: 300 },
  // 60 s data is kept 15 days, 300 s data 63 days: the previous week still has 1-hour points.
  "7d": { label: "7d", seconds: 7 * 86_400, period: 3600 },
};

export const WINDOW_NAMES = Object.keys(WINDOWS);

export function parseWindow(text: string | undefined): TrafficWindow | undefined {
  const key = (text ?? "1h").toLowerCase().replace(/^24h$/, "1d").replace(/^60m$/, "1h");
  return WINDOWS[key];
}

// Mutes: one service's incidents kept out of one channel until a time. A muted incident still
// moves (counts, resolution, what was learned are kept), it only posts nothing there.

export interface Mute {
  /** The incident key of the service (incidentKey): account, region, cluster, service. */
  key: string;
  channel: string;
  /** ISO time the mute ends. */
  until: string;
  /** Who muted it (a Slack user ID), for `/ecs alerts`. */
  by?: string;
}

/** Longest mute: a week. A service silenced for longer should leave the route instead. */
export const MAX_MUTE_SECONDS = 7 * 86_400;

export function isMuted(mutes: readonly Mute[], key: string, channel: string, now: Date): boolean {
  return mutes.some(
    (m) => m.key === key && m.channel === channel && Date.parse(m.until) > now.getTime(),
  );
}

export function muteFor(
  key: string,
  channel: string,
  seconds: number,
  now: Date,
  by?: string,
): Mute {
  const until = new Date(now.getTime() + Math.min(seconds, MAX_MUTE_SECONDS) * 1000);
  return { key, channel, until: until.toISOString(), ...(by ? { by } : {}) };
}

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "1h", "30m", "1h30m", "2d" → seconds; an error sentence otherwise. */
export function parseDuration(input: string): { seconds: number } | { error: string } {
  const text = input.trim().toLowerCase();
  const parts = [...text.matchAll(/(\d+)\s*([smhd])/g)];
  const consumed = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || consumed.replace(/\s/g, "") !== text.replace(/\s/g, "")) {
    return { error: `"${input}" is not a duration (30m, 1h, 1h30m, 2d)` };
  }
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT[p[2] ?? "s"] ?? 1), 0);
  if (seconds <= 0) return { error: `"${input}" is no time at all` };
  if (seconds > MAX_MUTE_SECONDS)
    return { error: `"${input}" is longer than a week, the longest mute` };
  return { seconds };
}

/** Mutes still in force at `now` (expired ones are dropped when the list is written back). */
export const activeMutes = (mutes: readonly Mute[], now: Date): Mute[] =>
  mutes.filter((m) => Date.parse(m.until) > now.getTime());

// When a digest target is due. The deployment declares one EventBridge rule that ticks every
// TICK_MINUTES (targets live in an SSM parameter and change without a redeploy, so their own
// schedules cannot be deploy-time resources); each tick posts the targets whose schedule names a
// minute in the quarter hour that ends at the tick.
//
// Schedules use EventBridge's own syntax, so operators write what they know:
//   cron(minutes hours day-of-month month day-of-week year), UTC, day-of-week 1-7 = SUN-SAT, one of
//   day-of-month and day-of-week is "?" (EventBridge user guide, "Schedule expressions for rules");
//   rate(N minutes|hours|days), counted here from midnight UTC.
// L, W and # are EventBridge syntax too but are refused with a clear message rather than
// half-supported.

export const TICK_MINUTES = 15;

type Field = (value: number) => boolean;

export interface Schedule {
  /** Whether the schedule names this minute (UTC). */
  names(minute: Date): boolean;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Range {
  what: string;
  min: number;
  max: number;
  /** Names for values, the first one being `min`. */
  names?: string[];
}

const FIELDS: Range[] = [
  { what: "minutes", min: 0, max: 59 },
  { what: "hours", min: 0, max: 23 },
  { what: "day-of-month", min: 1, max: 31 },
  { what: "month", min: 1, max: 12, names: MONTHS },
  { what: "day-of-week", min: 1, max: 7, names: DAYS },
  { what: "year", min: 1970, max: 2199 },
];

function value(text: string, range: Range): number | undefined {
  const named = range.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? range.min + named : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return Number.isInteger(n) && n >= range.min && n <= range.max ? n : undefined;
}

/** One cron field: `*`, `?`, values, names, ranges, steps and lists of them. */
function field(text: string, range: Range): Field | string {
  if (text === "*" || text === "?") return () => true;
  if (/[LW#]/i.test(text) && !range.names?.some((n) => text.toUpperCase().includes(n))) {
    return `${range.what} "${text}": L, W and # are not supported here; list the days instead`;
  }
  const parts: Field[] = [];
  for (const part of text.split(",")) {
    const [span = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return `${range.what} "${text}": bad step`;
    let from: number | undefined;
    let to: number | undefined;
    if (span === "*") {
      from = range.min;
      to = range.max;
    } else {
      const [a = "", b] = span.split("-");
      from = value(a, range);
      to = b === undefined ? (stepText === undefined ? from : range.max) : value(b, range);
    }
    if (from === undefined || to === undefined || to < from) {
      return `${range.what} "${text}" is not within ${range.min}-${range.max}`;
    }
    const lo = from;
    const hi = to;
    parts.push((v) => v >= lo && v <= hi && (v - lo) % step === 0);
  }
  return (v) => parts.some((p) => p(v));
}

/** The schedule, or why it cannot be used. */
export function parseSchedule(expression: string): Schedule | string {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]?.startsWith("minute") ? 1 : rate[2]?.startsWith("hour") ? 60 : 1440;
    const every = n * unit;
    if (every < 1) return "rate must be at least 1 minute";
    return {
      names: (minute) => Math.floor(minute.getTime() / 60_000) % every === 0,
    };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  const words = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (words.length !== 6) {
    return "not an EventBridge cron(minutes hours day-of-month month day-of-week year) or rate(…)";
  }
  if ((words[2] === "?") === (words[4] === "?")) {
    return 'one of day-of-month and day-of-week must be "?" (EventBridge requires it)';
  }
  const fields: Field[] = [];
  for (const [i, word] of words.entries()) {
    const f = field(word, FIELDS[i] as Range);
    if (typeof f === "string") return f;
    fields.push(f);
  }
  const [minutes, hours, dom, month, dow, year] = fields as [
    Field,
    Field,
    Field,
    Field,
    Field,
    Field,
  ];
  return {
    names: (d) =>
      minutes(d.getUTCMinutes()) &&
      hours(d.getUTCHours()) &&
      dom(d.getUTCDate()) &&
      month(d.getUTCMonth() + 1) &&
      dow(d.getUTCDay() + 1) &&
      year(d.getUTCFullYear()),
  };
}

/** The tick's minute, floored (EventBridge stamps its events with the scheduled minute). */
export function tickOf(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 60_000) * 60_000);
}

/** Whether the schedule names a minute in (tick − TICK_MINUTES, tick]: never before its time. */
export function isDue(schedule: Schedule, tick: Date): boolean {
  const end = tickOf(tick).getTime();
  for (let i = 0; i < TICK_MINUTES; i++) {
    if (schedule.names(new Date(end - i * 60_000))) return true;
  }
  return false;
}

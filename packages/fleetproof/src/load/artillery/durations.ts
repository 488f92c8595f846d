/** Units Artillery accepts in durations (it parses them with the `ms` package). */
const UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  msecs: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

/**
 * An Artillery duration in milliseconds: a whole number is seconds (phases' duration, think); otherwise a
 * number with a unit as `ms` reads it ("10min", "1h", "500ms", "2.5 s"). Throws naming the value.
 */
export function artilleryDuration(value: unknown, key: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = /^(\d*\.?\d+) *([a-z]+)$/i.exec(text);
  const unit = m && UNITS[(m[2] as string).toLowerCase()];
  if (!m || unit === undefined || unit === null) {
    throw new Error(
      `${key}: got ${JSON.stringify(value)}, expected a number of seconds or a duration such as "30s", "10min" or "1h"`,
    );
  }
  return Number(m[1]) * unit;
}

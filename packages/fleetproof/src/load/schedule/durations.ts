/** k6/Artillery durations: "30s", "1m30s", "500ms", "2h"; a bare number is seconds. Returns milliseconds. */
export function parseDuration(value: string | number, key = 'duration'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  const text = String(value).trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === text) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
    return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  throw new Error(
    `${key}: got ${JSON.stringify(value)}, expected a duration such as "30s", "1m30s" or "500ms"`,
  );
}

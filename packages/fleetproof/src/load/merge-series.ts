import { FleetError } from '../errors.js';
import type { Outcome, SeriesSecond } from './load-metrics.js';
import { Trend, type TrendStats } from './trend.js';

/** A line of `load --out`: one second, and the segment it came from when the run was one (`2/4`). */
export type OutSecond = SeriesSecond & { segment?: string };

export interface MergedLoad {
  files: number;
  /** The segments merged (`1/4`…), when the runs were segments. */
  segments: string[];
  requests: number;
  failed: number;
  dropped: number;
  errors: Partial<Record<Outcome, number>>;
  /** The longest run's length. */
  durationMs: number;
  /** The most VUs at once: each second's VUs summed over the runs. */
  vusMax: number;
  /** Request durations from every run's histograms added together: never averaged percentiles. */
  duration: TrendStats;
}

/** Every segment of a set once, all of one split: else which are twice, missing, or from another split. */
function checkSegments(files: readonly { name: string; seconds: readonly OutSecond[] }[]): string[] {
  const labels = files.map((f) => f.seconds.find((s) => s.segment)?.segment);
  const unlabelled = files.filter((_, i) => labels[i] === undefined).map((f) => f.name);
  if (unlabelled.length === files.length) return [];
  if (unlabelled.length > 0)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `merge: ${unlabelled.join(', ')} ${unlabelled.length > 1 ? 'are' : 'is'} not from a --segment run, the others are; expected every file from one split`,
    );
  const counts = new Set(labels.map((l) => String(l).split('/')[1]));
  if (counts.size > 1)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `merge: got segments ${labels.join(', ')}, expected one split (i/n with one n)`,
    );
  const n = Number([...counts][0]);
  const seen = new Map<string, string>();
  for (const [i, label] of labels.entries()) {
    const name = files[i]?.name ?? '';
    const first = seen.get(String(label));
    if (first)
      throw new FleetError(
        'FLEET_ERR_USAGE',
        `merge: ${first} and ${name} are both segment ${label}: it would count twice`,
      );
    seen.set(String(label), name);
  }
  const missing = Array.from({ length: n }, (_, i) => `${i + 1}/${n}`).filter((l) => !seen.has(l));
  if (missing.length > 0)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `merge: segment ${missing.join(', ')} missing: expected all ${n} parts of the split`,
    );
  return Array.from({ length: n }, (_, i) => `${i + 1}/${n}`);
}

/**
 * Several `load --out` files as one run: counts summed, the durations' HDR histograms added (so percentiles are
 * the whole's, to the histograms' precision), VUs summed per second. Segments must make up their split whole.
 */
export function mergeSeries(files: readonly { name: string; seconds: readonly OutSecond[] }[]): MergedLoad {
  if (files.length === 0)
    throw new FleetError('FLEET_ERR_USAGE', 'merge: expected one or more load --out files');
  const segments = checkSegments(files);
  const duration = new Trend();
  const errors: Partial<Record<Outcome, number>> = {};
  const vusBySecond = new Map<number, number>();
  const merged = { requests: 0, failed: 0, dropped: 0, durationMs: 0 };
  for (const file of files)
    for (const s of file.seconds) {
      merged.requests += s.rps;
      merged.failed += s.failed;
      merged.dropped += s.dropped;
      merged.durationMs = Math.max(merged.durationMs, s.elapsedMs);
      for (const [kind, n] of Object.entries(s.errors))
        errors[kind as Outcome] = (errors[kind as Outcome] ?? 0) + (n ?? 0);
      const second = Math.round(s.elapsedMs / 1000);
      vusBySecond.set(second, (vusBySecond.get(second) ?? 0) + s.vus);
      if (s.latencyHdr) duration.addEncoded(s.latencyHdr);
    }
  return {
    files: files.length,
    segments,
    ...merged,
    errors,
    vusMax: Math.max(0, ...vusBySecond.values()),
    duration: duration.stats(),
  };
}

/** A `load --out` file's lines, each checked to be a second: a wrong file is named with its line. */
export function parseOutFile(name: string, text: string): OutSecond[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      const s = value as Partial<OutSecond> | undefined;
      if (!s || typeof s.rps !== 'number' || typeof s.elapsedMs !== 'number' || typeof s.failed !== 'number')
        throw new FleetError(
          'FLEET_ERR_USAGE',
          `merge: ${name} line ${n}: got ${JSON.stringify(line.slice(0, 60))}, expected a second of fleetproof load --out`,
        );
      return { errors: {}, dropped: 0, vus: 0, ...s } as OutSecond;
    });
}

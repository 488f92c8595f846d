/**
 * Failures by version during a deploy, from the balancer's per-target counts: the mixed-version window is
 * where a backward-incompatible migration shows, as errors of the version that was already serving.
 */
import { formatSeconds } from './time-mapping.js';
import type { Check, RunRecording } from './types.js';

export interface VersionFailures {
  version: string;
  answered: number;
  failed: number;
  /** Errors by kind: HTTP status ("500") or transport failure ("connect"). */
  kinds: Record<string, number>;
  /** ms from the run's start of the first second with an error. */
  firstFailedAt: number | undefined;
}

export function failuresByVersion(run: Pick<RunRecording, 'fleet'>, versions: string[]): VersionFailures[] {
  return versions.map((version) => {
    const found: VersionFailures = { version, answered: 0, failed: 0, kinds: {}, firstFailedAt: undefined };
    for (const point of run.fleet) {
      for (const target of point.targets) {
        if (target.appVersion !== version) continue;
        found.answered += target.rps;
        found.failed += target.errors;
        if (target.errors > 0) found.firstFailedAt ??= point.t;
        for (const [kind, n] of Object.entries(target.errorKinds ?? {}))
          found.kinds[kind] = (found.kinds[kind] ?? 0) + n;
      }
    }
    return found;
  });
}

const describeKinds = (kinds: Record<string, number>) =>
  Object.entries(kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${/^\d{3}$/.test(kind) ? `HTTP ${kind}` : kind} × ${n}`)
    .join(', ');

/**
 * The verdict no peer gives: every version serves without errors while versions are mixed. A failing version
 * is named with its error kinds, when they began (and whether that was after the new version's migration),
 * and what its instances logged.
 */
export function judgeVersionFailures(
  byVersion: VersionFailures[],
  migration: { version: string; at: number } | undefined,
  logLines: Record<string, string[]>,
): Check {
  const parts = byVersion.map((v) => {
    if (v.failed === 0) return `${v.version}: 0 of ${v.answered} failed`;
    const when =
      v.firstFailedAt === undefined
        ? ''
        : ` from ${formatSeconds(v.firstFailedAt / 1000)}${migration && migration.at <= v.firstFailedAt + 1000 ? `, after ${migration.version}'s migration at ${formatSeconds(migration.at / 1000)}` : ''}`;
    const logged = logLines[v.version]?.length
      ? `; its log: ${logLines[v.version]?.map((l) => JSON.stringify(l)).join(', ')}`
      : '';
    return `${v.version}: ${v.failed} of ${v.answered} failed (${describeKinds(v.kinds)})${when}${logged}`;
  });
  return {
    label: 'every version serves without errors while versions are mixed',
    passed: byVersion.every((v) => v.failed === 0),
    measured: parts.join('; '),
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.js';

/** Rows of the README's error table: | `FLEET_ERR_X` | exit | meaning | */
function documentedCodes(): Map<string, number> {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `(FLEET_ERR_\w+)` \| (\d+) \|/gm)];
  return new Map(rows.map((m) => [m[1] as string, Number(m[2])]));
}

describe('error codes', () => {
  it('every code is documented in the README with its exit code, and the README lists no other', () => {
    const documented = documentedCodes();
    const declared = new Map(Object.entries(ERROR_CODES).map(([code, v]) => [code, v.exitCode]));
    expect(documented).toEqual(declared);
  });

  it('exit codes avoid 0 and 1 (crash); 99 is only for failed thresholds, as k6', () => {
    for (const [code, { exitCode }] of Object.entries(ERROR_CODES)) {
      if (code !== 'FLEET_ERR_THRESHOLDS') expect([0, 1, 99]).not.toContain(exitCode);
    }
    expect(ERROR_CODES.FLEET_ERR_THRESHOLDS.exitCode).toBe(99);
  });
});

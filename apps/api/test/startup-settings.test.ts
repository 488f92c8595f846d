import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_DIST } from './api-harness.js';

describe('the built server with a bad setting', () => {
  it('exits 78 with one line naming the variable, the value and the expectation', () => {
    const result = spawnSync(process.execPath, [join(API_DIST, 'main.js')], {
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x', PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toBe(
      'invalid setting PORT: got "eighty", expected a whole number from 0 to 65535\n',
    );
  });
});

import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hydrateSymlinks } from './postgres-binaries.js';

describe('the PostgreSQL package’s library links, restored when npm did not run its install script', () => {
  it('makes each missing link from native/pg-symlinks.json, and leaves existing ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-pg-'));
    mkdirSync(join(dir, 'native', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'native', 'lib', 'libpq.so.5.18'), 'library');
    writeFileSync(
      join(dir, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' },
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so' },
      ]),
    );
    expect(hydrateSymlinks(dir)).toBe(2);
    expect(readlinkSync(join(dir, 'native', 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(readFileSync(join(dir, 'native', 'lib', 'libpq.so'), 'utf8')).toBe('library');
    expect(hydrateSymlinks(dir)).toBe(0);
  });
});

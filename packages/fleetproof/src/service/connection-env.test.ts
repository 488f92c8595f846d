import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/validate.js';
import { FleetError } from '../errors.js';
import {
  connectionAt,
  connectionFromUrl,
  fillTemplate,
  readDotEnv,
  serviceEnvironment,
} from './connection-env.js';

const db = connectionFromUrl('postgres://app:s%40cret@127.0.0.1:54329/notes');

describe('the database in the shape the service reads it', () => {
  it('splits a URL into its pieces, and moves it to another address', () => {
    expect(db).toEqual({
      url: 'postgres://app:s%40cret@127.0.0.1:54329/notes',
      host: '127.0.0.1',
      port: '54329',
      user: 'app',
      password: 's@cret',
      name: 'notes',
    });
    expect(connectionAt(db, '127.0.0.1', 5432)).toMatchObject({
      port: '5432',
      url: 'postgres://app:s%40cret@127.0.0.1:5432/notes',
    });
  });

  it('gives DATABASE_URL and the configured pieces, and fills {{ db.* }} / {{ env.* }} in service.env', () => {
    const config = validateConfig({
      service: {
        name: 's',
        command: ['node', 's.js'],
        port: 3000,
        version: 'v1',
        env: { DSN: 'host={{ db.host }} port={{db.port}}', KEY: '{{ env.API_KEY }}' },
      },
      database: { mode: 'embedded', env: { host: 'APP_DB_HOST', password: 'APP_DB_PASS' } },
    });
    expect(serviceEnvironment(config, { db, env: { API_KEY: 'k1' } })).toEqual({
      DATABASE_URL: db.url,
      APP_DB_HOST: '127.0.0.1',
      APP_DB_PASS: 's@cret',
      DSN: 'host=127.0.0.1 port=54329',
      KEY: 'k1',
    });
  });

  it.each([
    [
      '{{ env.MISSING }}',
      { db, env: {} },
      'service.env.X: {{ env.MISSING }} is not set in the environment or .env',
    ],
    ['{{ db.colour }}', { db, env: {} }, 'service.env.X: got {{ db.colour }}, expected one of {{ db.url }}'],
    [
      '{{ db.host }}',
      { db: undefined, env: {} },
      'service.env.X: {{ db.host }} needs a database section in the config',
    ],
  ])('refuses %s, naming where it was', (template, scope, message) => {
    expect(() => fillTemplate(template, scope, 'service.env.X')).toThrow(FleetError);
    expect(() => fillTemplate(template, scope, 'service.env.X')).toThrow(message);
  });

  it('reads .env (comments, export, quotes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-env-'));
    writeFileSync(
      join(dir, '.env'),
      '# secrets\nexport A=1\nB = \'two words\'\nC="x" # note\nD=3 # trailing\n',
    );
    expect(readDotEnv(dir)).toEqual({ A: '1', B: 'two words', C: 'x', D: '3' });
  });
});

import { describe, expect, it } from 'vitest';
import { DEV_TOKEN_SECRET, loadMigrationSettings, loadSettings, SettingsError } from './settings.js';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

function problem(env: Record<string, string>): string {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error('expected a SettingsError');
}

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings(base);
    expect(s).toMatchObject({
      PORT: 3000,
      APP_VERSION: 'V1',
      CPU_MODE: 'async',
      CPU_ITERATIONS: 1000,
      KEEP_ALIVE_TIMEOUT_MS: 65_000,
      HEADERS_TIMEOUT_MS: 66_000,
      BODY_LIMIT_BYTES: 102_400,
      HEALTH_DB_TIMEOUT_MS: 1000,
      SEED_DEMO_USERS: true,
      AUTH_TOKEN_SECRET: DEV_TOKEN_SECRET,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'invalid setting PORT: got "abc", expected a whole number from 0 to 65535'],
    [{ PORT: '70000' }, 'invalid setting PORT: got "70000", expected a whole number from 0 to 65535'],
    [
      { CPU_MODE: 'turbo' },
      'invalid setting CPU_MODE: got "turbo", expected async, blocking, fire-and-forget',
    ],
    [
      { CPU_ITERATIONS: '-5' },
      'invalid setting CPU_ITERATIONS: got "-5", expected a whole number from 0 to 1000000',
    ],
    [{ SEED_DEMO_USERS: 'yes' }, 'invalid setting SEED_DEMO_USERS: got "yes", expected true or false'],
    [
      { DATABASE_URL: 'mysql://x' },
      'invalid setting DATABASE_URL: got "mysql://x", expected a postgres:// connection URL',
    ],
  ])('%o → one line naming the variable, the value and the expectation', (env, expected) => {
    expect(problem({ ...base, ...env })).toBe(expected);
  });

  it('reports a missing DATABASE_URL as not set', () => {
    expect(problem({})).toBe('invalid setting DATABASE_URL: not set, expected a postgres:// connection URL');
  });

  it('lists every problem at once, one per line', () => {
    expect(problem({ ...base, PORT: 'x', CPU_MODE: 'y' }).split('\n')).toHaveLength(2);
  });

  it('never prints a password or secret it rejects', () => {
    expect(problem({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toContain('hunter2');
    expect(problem({ ...base, AUTH_TOKEN_SECRET: 'short' })).toContain('got "***"');
  });

  it('requires a token secret in production and turns demo users off there', () => {
    expect(problem({ ...base, NODE_ENV: 'production' })).toContain('AUTH_TOKEN_SECRET: not set');
    const s = loadSettings({ ...base, NODE_ENV: 'production', AUTH_TOKEN_SECRET: 'x'.repeat(32) });
    expect(s.SEED_DEMO_USERS).toBe(false);
  });

  it('keeps the headers timeout above the keep-alive timeout', () => {
    expect(problem({ ...base, KEEP_ALIVE_TIMEOUT_MS: '70000', HEADERS_TIMEOUT_MS: '66000' })).toBe(
      'invalid setting HEADERS_TIMEOUT_MS: got "66000", expected more than KEEP_ALIVE_TIMEOUT_MS (70000)',
    );
  });

  it('the migrator needs only DATABASE_URL, even in production, and seeds there only when asked', () => {
    expect(loadMigrationSettings({ ...base, NODE_ENV: 'production' })).toEqual({
      ...base,
      SEED_DEMO_USERS: false,
    });
    expect(
      loadMigrationSettings({ ...base, NODE_ENV: 'production', SEED_DEMO_USERS: 'true' }).SEED_DEMO_USERS,
    ).toBe(true);
    expect(() => loadMigrationSettings({})).toThrow('invalid setting DATABASE_URL: not set');
  });
});

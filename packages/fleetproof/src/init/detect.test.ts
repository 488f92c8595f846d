import { describe, expect, it } from 'vitest';
import { lit } from './config-template.js';
import { commandFromScript, databaseVariables, detectProject, envReads } from './detect.js';

describe('fleetproof init: what the files tell', () => {
  it.each([
    ['node server.js', ['node', 'server.js']],
    ['node --enable-source-maps dist/main.js', ['node', '--enable-source-maps', 'dist/main.js']],
    ['NODE_ENV=production node server.js', undefined],
    ['npm run build && node dist/main.js', undefined],
    ['nest start', undefined],
  ])('start script %j → %j', (script, argv) => {
    expect(commandFromScript(script)).toEqual(argv);
  });

  it('takes scripts.start, else main, else a Python entry, else nothing', () => {
    const base = { files: [], sources: [] };
    expect(detectProject({ ...base, packageJson: { scripts: { start: 'nest start' } } }).command).toEqual([
      'npm',
      'start',
      '--silent',
    ]);
    expect(detectProject({ ...base, packageJson: { main: 'index.js' } }).command).toEqual([
      'node',
      'index.js',
    ]);
    expect(
      detectProject({ files: ['server.py', 'README.md'], sources: [], packageJson: undefined }).command,
    ).toEqual(['python3', 'server.py']);
    expect(detectProject({ ...base, packageJson: {} }).command).toBeUndefined();
  });

  it('finds environment reads in JavaScript and Python', () => {
    const js = "const h = process.env.APP_DB_HOST; const p = process.env['APP_DB_PASS'];";
    const py = "os.environ.get('PGUSER'); os.getenv(\"PGDATABASE\"); os.environ['PGPORT']";
    expect(envReads(`${js}\n${py}`).sort()).toEqual([
      'APP_DB_HOST',
      'APP_DB_PASS',
      'PGDATABASE',
      'PGPORT',
      'PGUSER',
    ]);
  });

  it.each([
    [
      ['NOTES_DB_HOST', 'NOTES_DB_PORT', 'NOTES_DB_USER', 'NOTES_DB_PASSWORD', 'NOTES_DB_NAME', 'PORT'],
      {
        host: 'NOTES_DB_HOST',
        port: 'NOTES_DB_PORT',
        user: 'NOTES_DB_USER',
        password: 'NOTES_DB_PASSWORD',
        name: 'NOTES_DB_NAME',
      },
    ],
    [
      ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'],
      { host: 'PGHOST', port: 'PGPORT', user: 'PGUSER', password: 'PGPASSWORD', name: 'PGDATABASE' },
    ],
    [['DATABASE_URL', 'PORT'], { url: 'DATABASE_URL' }],
    [['POSTGRES_URI', 'REDIS_HOST'], { url: 'POSTGRES_URI' }],
  ])('database variables of %j', (names, expected) => {
    expect(databaseVariables(names)).toEqual(expected);
  });

  it('sees PostgreSQL in dependencies or code, and a migrate script', () => {
    const d = detectProject({
      packageJson: {
        name: '@acme/Notes API',
        scripts: { start: 'node s.js', 'db:migrate': 'knex migrate:latest' },
        dependencies: { knex: '3' },
      },
      files: [],
      sources: ['process.env.DB_HOST'],
    });
    expect(d).toMatchObject({
      name: 'notes-api',
      usesPostgres: true,
      migrateCommand: ['npm', 'run', 'db:migrate', '--silent'],
    });
    expect(
      detectProject({ packageJson: { main: 'a.js', dependencies: { express: '5' } }, files: [], sources: [] })
        .usesPostgres,
    ).toBe(false);
  });

  it('writes values as TypeScript in the house style', () => {
    expect(lit({ url: 'DATABASE_URL', 'a-b': [1, "it's"] })).toBe(
      "{ url: 'DATABASE_URL', 'a-b': [1, 'it\\'s'] }",
    );
  });
});

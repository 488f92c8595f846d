/**
 * What `fleetproof init` can tell about a project from its files alone: how to start the service, whether
 * it uses PostgreSQL and under which variable names, how it migrates. Pure: file contents in, guesses out.
 */

export interface ProjectFiles {
  /** package.json parsed, if there is one. */
  readonly packageJson:
    | {
        scripts?: Record<string, string>;
        main?: string;
        dependencies?: Record<string, string>;
        name?: string;
      }
    | undefined;
  /** Top-level file names. */
  readonly files: readonly string[];
  /** Source text to look for environment variable reads in (a few files, trimmed). */
  readonly sources: readonly string[];
}

export interface Detected {
  name: string;
  command: string[] | undefined;
  /** Where the command came from, in words. */
  commandFrom: string;
  usesPostgres: boolean;
  /** Variable names the service reads its database connection from (pieces, when it does not read DATABASE_URL). */
  databaseEnv: {
    url?: string;
    host?: string;
    port?: string;
    user?: string;
    password?: string;
    name?: string;
  };
  migrateCommand: string[] | undefined;
}

const POSTGRES_PACKAGES = [
  'pg',
  'postgres',
  'sequelize',
  'knex',
  'typeorm',
  'drizzle-orm',
  '@prisma/client',
  'kysely',
  'slonik',
  'pg-promise',
];
const PYTHON_ENTRIES = ['app.py', 'main.py', 'server.py', 'wsgi.py'];

/** `node server.js --flag` stays as argv; anything shell-like (&&, pipes, env assignments) runs through npm. */
export function commandFromScript(script: string): string[] | undefined {
  if (/[&|;<>$`()]|^\s*\w+=/.test(script)) return undefined;
  const words = script.trim().split(/\s+/);
  return words[0] === 'node' || words[0] === 'python3' || words[0] === 'python' ? words : undefined;
}

export function detectProject(p: ProjectFiles): Detected {
  const pkg = p.packageJson;
  const name = sanitiseName(pkg?.name ?? 'service');
  let command: string[] | undefined;
  let commandFrom = 'nothing found: give --command';
  if (pkg?.scripts?.start) {
    command = commandFromScript(pkg.scripts.start) ?? ['npm', 'start', '--silent'];
    commandFrom = `package.json scripts.start (${JSON.stringify(pkg.scripts.start)})`;
  } else if (pkg?.main) {
    command = ['node', pkg.main];
    commandFrom = `package.json main (${pkg.main})`;
  } else {
    const entry = PYTHON_ENTRIES.find((f) => p.files.includes(f));
    if (entry) {
      command = ['python3', entry];
      commandFrom = `${entry} (Python)`;
    }
  }
  const deps = Object.keys(pkg?.dependencies ?? {});
  const text = p.sources.join('\n');
  const variables = [...new Set(envReads(text))];
  const usesPostgres =
    deps.some((d) => POSTGRES_PACKAGES.includes(d)) ||
    /psycopg|asyncpg|postgres(ql)?:\/\//i.test(text) ||
    variables.includes('DATABASE_URL');
  const migrateScript = ['migrate', 'db:migrate', 'migration:run', 'migrate:latest'].find(
    (s) => pkg?.scripts?.[s],
  );
  return {
    name,
    command,
    commandFrom,
    usesPostgres,
    databaseEnv: usesPostgres ? databaseVariables(variables) : {},
    migrateCommand: migrateScript ? ['npm', 'run', migrateScript, '--silent'] : undefined,
  };
}

/** process.env.X, process.env['X'], os.environ['X'], os.environ.get('X'), os.getenv('X'). */
export function envReads(text: string): string[] {
  const patterns = [
    /process\.env\.([A-Z_][A-Z0-9_]*)/g,
    /process\.env\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
    /os\.environ(?:\.get)?\(\s*['"]([A-Z_][A-Z0-9_]*)['"]/g,
    /os\.environ\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
    /os\.getenv\(\s*['"]([A-Z_][A-Z0-9_]*)['"]/g,
  ];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] as string));
}

/**
 * Which variables carry the database's pieces, by their names: a name that speaks of the database (DB, PG,
 * POSTGRES, DATABASE) and ends in HOST, PORT, USER, PASS(WORD) or NAME. PGHOST and friends are libpq's own.
 */
export function databaseVariables(names: readonly string[]): Detected['databaseEnv'] {
  const out: Detected['databaseEnv'] = {};
  if (names.includes('DATABASE_URL')) out.url = 'DATABASE_URL';
  const dbish = names.filter(
    (n) => /(^|_)(DB|PG|POSTGRES|POSTGRESQL|DATABASE)(_|$)|^PG[A-Z]+$/.test(n) && n !== 'DATABASE_URL',
  );
  const pick = (re: RegExp) => dbish.find((n) => re.test(n));
  const host = pick(/HOST(NAME)?$/);
  const port = pick(/PORT$/);
  const user = pick(/USER(NAME)?$/);
  const password = pick(/PASS(WORD)?$|PWD$/);
  const name = pick(/(_NAME|DATABASE|_DB)$|^PGDATABASE$/);
  if (host) out.host = host;
  if (port) out.port = port;
  if (user) out.user = user;
  if (password) out.password = password;
  if (name) out.name = name;
  const url = dbish.find((n) => /URL$|URI$/.test(n));
  if (url && !out.url) out.url = url;
  return out;
}

function sanitiseName(raw: string): string {
  const name = raw
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 32);
  return name.replace(/-+$/, '') || 'service';
}

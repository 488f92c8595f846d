import { z } from 'zod';

export const CPU_MODES = ['async', 'blocking', 'fire-and-forget'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `a whole number from ${min} to ${max}`)
        .max(max, `a whole number from ${min} to ${max}`),
    );

const bool = z.enum(['true', 'false'], { error: 'true or false' }).transform((v) => v === 'true');

/**
 * Every setting of the service, read from the environment. Defaults suit a local run; NODE_ENV=production
 * (the Docker image) makes AUTH_TOKEN_SECRET mandatory and turns demo-user seeding off unless asked for.
 */
const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { error: 'development, production or test' })
    .default('development'),
  HOST: z.string().min(1, 'a host or IP address to listen on').default('0.0.0.0'),
  PORT: integer(0, 65535).default(3000),
  DATABASE_URL: z
    .string({ error: 'a postgres:// connection URL' })
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// connection URL'),
  DB_POOL_MAX: integer(1, 1000).default(10),
  APP_VERSION: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'letters, digits, dot, dash or underscore (1-64)')
    .default('V1'),
  INSTANCE_ID: z.string().default(''),
  CPU_MODE: z.enum(CPU_MODES, { error: CPU_MODES.join(', ') }).default('async'),
  CPU_ITERATIONS: integer(0, 1_000_000).default(1000),
  AUTH_TOKEN_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  AUTH_TOKEN_TTL_S: integer(1, 7 * 24 * 3600).default(3600),
  SEED_DEMO_USERS: bool.optional(),
  HEALTH_DB_TIMEOUT_MS: integer(1, 60_000).default(1000),
  SHUTDOWN_DELAY_MS: integer(0, 600_000).default(5000),
  SHUTDOWN_TIMEOUT_MS: integer(1, 3_600_000).default(30_000),
  KEEP_ALIVE_TIMEOUT_MS: integer(1, 3_600_000).default(65_000),
  HEADERS_TIMEOUT_MS: integer(1, 3_600_000).default(66_000),
  BODY_LIMIT_BYTES: integer(1, 100 * 1024 * 1024).default(100 * 1024),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'info', 'debug'], { error: 'error, warn, info or debug' })
    .default('info'),
});

type Parsed = z.infer<typeof schema>;
export type Settings = Omit<Parsed, 'AUTH_TOKEN_SECRET' | 'SEED_DEMO_USERS'> & {
  AUTH_TOKEN_SECRET: string;
  SEED_DEMO_USERS: boolean;
};

// Shared by every local instance so a token issued by one verifies on the others; never used in production.
export const DEV_TOKEN_SECRET = 'fleetproof-local-dev-secret-not-for-production';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Validates the environment; throws SettingsError whose message is one line per problem. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = parseEnv(schema, env);
  if (parsed.NODE_ENV === 'production' && !parsed.AUTH_TOKEN_SECRET) {
    throw new SettingsError(
      describe('AUTH_TOKEN_SECRET', undefined, 'a secret of at least 16 characters in production'),
    );
  }
  if (parsed.HEADERS_TIMEOUT_MS <= parsed.KEEP_ALIVE_TIMEOUT_MS) {
    const expected = `more than KEEP_ALIVE_TIMEOUT_MS (${parsed.KEEP_ALIVE_TIMEOUT_MS})`;
    throw new SettingsError(describe('HEADERS_TIMEOUT_MS', String(parsed.HEADERS_TIMEOUT_MS), expected));
  }
  return {
    ...parsed,
    AUTH_TOKEN_SECRET: parsed.AUTH_TOKEN_SECRET ?? DEV_TOKEN_SECRET,
    SEED_DEMO_USERS: seedDemoUsersByDefault(parsed),
  };
}

const migrationSchema = schema.pick({ NODE_ENV: true, DATABASE_URL: true, SEED_DEMO_USERS: true });
export type MigrationSettings = { DATABASE_URL: string; SEED_DEMO_USERS: boolean };

/** The migrate entry point needs only the database and the seeding switch, not the server's secrets. */
export function loadMigrationSettings(env: NodeJS.ProcessEnv = process.env): MigrationSettings {
  const parsed = parseEnv(migrationSchema, env);
  return { DATABASE_URL: parsed.DATABASE_URL, SEED_DEMO_USERS: seedDemoUsersByDefault(parsed) };
}

function seedDemoUsersByDefault(parsed: {
  NODE_ENV: string;
  SEED_DEMO_USERS?: boolean | undefined;
}): boolean {
  return parsed.SEED_DEMO_USERS ?? parsed.NODE_ENV !== 'production';
}

function parseEnv<S extends z.ZodObject>(shape: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const input = Object.fromEntries(Object.keys(shape.shape).map((key) => [key, emptyToUndefined(env[key])]));
  const result = shape.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return describe(key, env[key], issue.message);
  });
  throw new SettingsError(problems.join('\n'));
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function describe(key: string, value: string | undefined, expected: string): string {
  const shown = value === undefined ? 'not set' : `got ${JSON.stringify(redact(key, value))}`;
  return `invalid setting ${key}: ${shown}, expected ${expected}`;
}

/** Secrets never reach logs: a secret setting shows as ***, a URL's password as ***. */
function redact(key: string, value: string): string {
  if (key.includes('SECRET')) return '***';
  return value.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

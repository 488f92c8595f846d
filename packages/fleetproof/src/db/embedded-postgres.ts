import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { FleetError } from '../errors.js';
import { findFreePort, isPortFree } from '../util/free-port.js';
import { isProcessAlive, waitForExit } from '../util/process-alive.js';
import { type OsUser, unprivilegedUserForPostgres } from './os-user.js';
import { resolvePostgresBinaries } from './postgres-binaries.js';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use, kept between runs. */
  readonly dataDir: string;
  /** TCP port on 127.0.0.1. 0 = any free port. @default 54329 (another free port if that one is taken) */
  readonly port?: number;
  /** Database created for the application if missing. @default 'fleetproof' */
  readonly database?: string;
  /** Called for progress lines meant for the user. */
  readonly onProgress?: (line: string) => void;
}

export interface RunningPostgres {
  readonly url: string;
  /** The postmaster's pid (SIGINT = fast shutdown). */
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  /** Creates a database if it does not exist and returns its connection URL. */
  ensureDatabase(name: string): Promise<string>;
  /**
   * Stops the server (fast shutdown: clients are disconnected, a checkpoint is written), keeps it down for
   * `downMs`, starts it again on the same port and data, and resolves when it answers. `pid` is the new
   * server's from then on, and `stop` stops that one: a restarted server is still fleetproof's to manage.
   */
  restart(downMs: number, onDown?: () => void): Promise<void>;
  stop(): Promise<void>;
}

// Local-only credentials: the server listens on 127.0.0.1 and nowhere else.
const ROLE = 'fleetproof';
const PASSWORD = 'fleetproof';
export const DEFAULT_EMBEDDED_PORT = 54329;
const READY_TIMEOUT_MS = 30_000;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const progress = options.onProgress ?? (() => {});
  const binaries = await resolvePostgresBinaries();
  const osUser = osUserOrFail();
  const { dataDir } = options;
  const stateDir = dirname(dataDir);
  mkdirSync(stateDir, { recursive: true });
  if (osUser) ensureReachableBy(osUser, stateDir);
  const logFile = join(stateDir, 'postgres.log');
  const ownerFile = join(stateDir, 'postgres.owner');

  await stopOrphanedServer(dataDir, ownerFile);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    progress(`initialising embedded PostgreSQL in ${dataDir}`);
    await initdb(binaries.initdb, dataDir, osUser, logFile);
  }

  const port = await choosePort(options.port ?? DEFAULT_EMBEDDED_PORT);
  const adminUrl = urlFor(port, 'postgres');
  const serve = async () => {
    const logFd = openSync(logFile, 'a');
    const server = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      // detached: its own process group, so a terminal Ctrl-C does not stop it under the API still using it.
      {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        ...(osUser ? { uid: osUser.uid, gid: osUser.gid } : {}),
      },
    );
    writeFileSync(ownerFile, String(process.pid));
    await waitUntilReady(server, adminUrl, logFile);
    return server;
  };
  let child = await serve();

  const database = options.database ?? 'fleetproof';
  const running: RunningPostgres = {
    port,
    get pid() {
      return child.pid ?? -1;
    },
    logFile,
    url: urlFor(port, database),
    ensureDatabase: (name) => ensureDatabase(adminUrl, name).then(() => urlFor(port, name)),
    restart: async (downMs, onDown) => {
      await stopServer(child, ownerFile);
      onDown?.();
      await new Promise((r) => setTimeout(r, downMs));
      child = await serve();
    },
    stop: () => stopServer(child, ownerFile),
  };
  await running.ensureDatabase(database);
  return running;
}

function osUserOrFail(): OsUser | undefined {
  try {
    return unprivilegedUserForPostgres();
  } catch (error) {
    throw new FleetError('FLEET_ERR_DB_START', (error as Error).message);
  }
}

/**
 * The server runs as another user, who must be able to pass through every directory down to the data.
 * Our own state directory we open for traversal (x only, not read); an ancestor we do not own we only name.
 */
function ensureReachableBy(user: OsUser, stateDir: string): void {
  chmodSync(stateDir, statSync(stateDir).mode | 0o011);
  for (let dir = dirname(stateDir); ; dir = dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const canPass = uid === user.uid ? mode & 0o100 : gid === user.gid ? mode & 0o010 : mode & 0o001;
    if (!canPass) {
      throw new FleetError(
        'FLEET_ERR_DB_START',
        `embedded PostgreSQL runs as ${user.name} (uid ${user.uid}) because PostgreSQL refuses root, but ` +
          `${dir} (mode ${(mode & 0o777).toString(8)}) does not let it through; move the project, ` +
          'set FLEETPROOF_PG_OS_USER, or set DATABASE_URL',
      );
    }
    if (dir === dirname(dir)) return;
  }
}

function urlFor(port: number, database: string): string {
  return `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function choosePort(wanted: number): Promise<number> {
  if (wanted !== 0 && (await isPortFree(wanted))) return wanted;
  return findFreePort();
}

/**
 * A fleetproof that crashed leaves its postgres running with the data directory locked. If the fleetproof
 * that started it is gone, stop that server; if it is alive, the directory is genuinely in use.
 */
async function stopOrphanedServer(dataDir: string, ownerFile: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const serverPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(serverPid) || !isProcessAlive(serverPid)) return;
  const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : Number.NaN;
  if (Number.isInteger(ownerPid) && ownerPid !== process.pid && isProcessAlive(ownerPid)) {
    throw new FleetError(
      'FLEET_ERR_DB_IN_USE',
      `embedded PostgreSQL in ${dataDir} is in use by fleetproof pid ${ownerPid}; stop that one first`,
    );
  }
  process.kill(serverPid, 'SIGINT');
  if (!(await waitForExit(serverPid, 15_000))) process.kill(serverPid, 'SIGKILL');
}

async function initdb(initdbPath: string, dataDir: string, osUser: OsUser | undefined, logFile: string) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dirname(dataDir), '.pgpass-init');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (osUser) {
    chownSync(dataDir, osUser.uid, osUser.gid);
    chownSync(passwordFile, osUser.uid, osUser.gid);
  }
  try {
    const args = ['-D', dataDir, '-U', ROLE, `--pwfile=${passwordFile}`, '--auth=scram-sha-256'];
    await runToCompletion(initdbPath, [...args, '-E', 'UTF8', '--locale=C', '--no-sync'], osUser, logFile);
  } catch (error) {
    // A half-initialised directory would make every later start fail the same way: start clean next time.
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function runToCompletion(file: string, args: string[], osUser: OsUser | undefined, logFile: string) {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(osUser ? { uid: osUser.uid, gid: osUser.gid } : {}),
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('error', (error) => reject(new FleetError('FLEET_ERR_DB_START', error.message)));
    child.once('close', (code) => {
      writeFileSync(logFile, output, { flag: 'a' });
      if (code === 0) return resolve();
      const who = osUser ? ` (running as ${osUser.name}, uid ${osUser.uid})` : '';
      reject(new FleetError('FLEET_ERR_DB_START', `initdb failed with code ${code}${who}: ${output.trim()}`));
    });
  });
}

async function waitUntilReady(child: ChildProcess, adminUrl: string, logFile: string): Promise<void> {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await client.end().catch(() => {});
    }
  }
  if (!exited) child.kill('SIGKILL');
  const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n');
  const why = exited ? `exited with code ${child.exitCode}` : `was not ready after ${READY_TIMEOUT_MS} ms`;
  throw new FleetError(
    'FLEET_ERR_DB_START',
    `embedded PostgreSQL ${why}; last lines of ${logFile}:\n${tail}`,
  );
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)
        .catch((error: { code?: string }) => {
          // 42P04 duplicate_database: a concurrent caller created it first, which is what we wanted.
          if (error.code !== '42P04') throw error;
        });
    }
  } finally {
    await client.end();
  }
}

async function stopServer(child: ChildProcess, ownerFile: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // SIGINT = PostgreSQL's "fast" shutdown: disconnects clients, writes a checkpoint, exits.
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(ownerFile, { force: true });
}

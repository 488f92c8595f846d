import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { openProjectDatabase, redactUrl } from '../../db/project-database.js';
import { FleetError } from '../../errors.js';
import { findProjectRoot } from '../../project.js';
import { REFERENCE_SERVICE } from '../../service/reference-service.js';
import { runCommand } from '../../service/run-command.js';
import { waitHealthy } from '../../service/wait-healthy.js';
import { bold, dim, green, line } from '../output.js';

export const apiUsage = `fleetproof api [--port N] [--version V]
  Runs the reference API alone (one process) on the embedded PostgreSQL (or DATABASE_URL), until Ctrl-C.`;

const READY_TIMEOUT_MS = 30_000;

export async function apiCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: String(REFERENCE_SERVICE.port) },
      version: { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FleetError('FLEET_ERR_USAGE', `--port: got ${JSON.stringify(values.port)}, expected 1-65535`);
  }
  const root = findProjectRoot();
  const started = performance.now();
  line(bold('fleetproof api') + dim(` · ${root}`));

  const database = await openProjectDatabase(root, process.env, (text) => line(dim(`  ${text}`)));
  let api: ChildProcess | undefined;
  const stopAll = async () => {
    if (api && api.exitCode === null && api.signalCode === null) {
      const exited = new Promise((resolve) => api?.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    await database.stop();
  };

  try {
    const source = database.embedded ? 'embedded, data in .fleetproof/pg' : 'DATABASE_URL';
    line(`  database    ${redactUrl(database.url)} ${dim(`(${source})`)}`);
    const env = { ...process.env, DATABASE_URL: database.url };
    const migration = await runCommand(REFERENCE_SERVICE.migrateCommand, { cwd: root, env });
    if (migration.code !== 0)
      throw new FleetError('FLEET_ERR_MIGRATE', `migrate failed: ${migration.output}`);
    line(`  migrate     ${migration.output}`);

    api = spawn(REFERENCE_SERVICE.command[0], REFERENCE_SERVICE.command.slice(1), {
      cwd: root,
      // Its own process group: a terminal Ctrl-C reaches only us, and we stop the API before the database.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
        // No balancer in front of a lone API, so there is nobody to warn before closing the listener.
        SHUTDOWN_DELAY_MS: process.env.SHUTDOWN_DELAY_MS ?? '0',
        ...(values.version ? { APP_VERSION: values.version } : {}),
      },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(`${url}${REFERENCE_SERVICE.healthPath}`, api, READY_TIMEOUT_MS);
    } catch (error) {
      throw new FleetError(
        'FLEET_ERR_SERVICE_START',
        `the API did not become ready: ${(error as Error).message}`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    line(`  ${green('ready')}       ${bold(url)} ${dim(`(${seconds} s)`)}`);
    line(dim(`  try         curl ${url}/   ·   curl -X POST ${url}/   ·   ${url}/metrics`));
    line(dim('  Ctrl-C to stop'));
    return await untilStopped(api, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Resolves with 0 after a clean stop on SIGINT/SIGTERM, or fails if the API dies by itself. */
function untilStopped(api: ChildProcess, stopAll: () => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      line(dim('\n  stopping: API first, then the database'));
      stopAll().then(() => {
        line(green('  stopped'));
        resolve(0);
      }, reject);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    api.once('exit', (code, signal) => {
      if (stopping) return;
      stopping = true;
      stopAll().finally(() =>
        reject(new FleetError('FLEET_ERR_SERVICE_START', `the API exited on its own (${code ?? signal})`)),
      );
    });
  });
}

import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/load-config.js';
import { redactUrl } from '../../db/project-database.js';
import { FleetError } from '../../errors.js';
import { findProjectRoot } from '../../project.js';
import { migrateOnce, openFleetDatabase, templateEnv } from '../../runtime/fleet-database.js';
import { serviceEnvironment } from '../../service/connection-env.js';
import { waitHealthy } from '../../service/wait-healthy.js';
import { bold, dim, green, line } from '../output.js';

const READY_TIMEOUT_MS = 30_000;

export async function apiCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      version: { type: 'string' },
    },
    strict: true,
  });
  const root = findProjectRoot();
  const config = await loadConfig(root);
  const port = Number(values.port ?? config.service.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FleetError('FLEET_ERR_USAGE', `--port: got ${JSON.stringify(values.port)}, expected 1-65535`);
  }
  const started = performance.now();
  line(bold('fleetproof api') + dim(` · ${root}`));

  const say = (text: string) => line(dim(`  ${text}`));
  const db = await openFleetDatabase(root, config, undefined, say);
  let api: ChildProcess | undefined;
  const stopAll = async () => {
    if (api && api.exitCode === null && api.signalCode === null) {
      const exited = new Promise((resolve) => api?.once('exit', resolve));
      api.kill('SIGTERM');
      await exited;
    }
    await db.stop();
  };

  try {
    if (db.database) {
      const source = db.database.embedded ? 'embedded, data in .fleetproof/pg' : 'DATABASE_URL';
      line(`  database    ${redactUrl(db.database.url)} ${dim(`(${source})`)}`);
    }
    await migrateOnce(root, config, db.connection, (text) => line(`  ${text}`));
    const env = {
      ...process.env,
      ...serviceEnvironment(config, { db: db.connection, env: templateEnv(root) }),
    };

    const [file, ...args] = config.service.command;
    api = spawn(file as string, args, {
      cwd: root,
      // Its own process group: a terminal Ctrl-C reaches only us, and we stop the API before the database.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
        APP_VERSION: config.service.version,
        ...(values.version ? { APP_VERSION: values.version } : {}),
      },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(`${url}${config.healthCheck.path}`, api, READY_TIMEOUT_MS);
    } catch (error) {
      throw new FleetError(
        'FLEET_ERR_SERVICE_START',
        `${config.service.name} did not become ready: ${(error as Error).message}`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    line(`  ${green('ready')}       ${bold(url)} ${dim(`(${seconds} s)`)}`);
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
      line(dim('\n  stopping: the service first, then the database'));
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
        reject(
          new FleetError('FLEET_ERR_SERVICE_START', `the service exited on its own (${code ?? signal})`),
        ),
      );
    });
  });
}

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE, findConfigFile, loadConfig } from '../../config/load-config.js';
import { validateConfig } from '../../config/validate.js';
import { FleetError } from '../../errors.js';
import { renderConfig } from '../../init/config-template.js';
import { type Detected, detectProject, type ProjectFiles } from '../../init/detect.js';
import { HEALTH_CANDIDATES, probeService } from '../../init/probe-service.js';
import { stateDir } from '../../project.js';
import { migrateOnce, openFleetDatabase, templateEnv } from '../../runtime/fleet-database.js';
import { serviceEnvironment } from '../../service/connection-env.js';
import { bold, dim, green, line, yellow } from '../output.js';

const SOURCE_EXTENSIONS = /\.(c|m)?(j|t)s$|\.py$/;

/** A few source files near the top of the project (never node_modules), for variable names. */
function readSources(root: string): string[] {
  const texts: string[] = [];
  let budget = 400_000;
  const walk = (dir: string, depth: number) => {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (budget <= 0 || name.startsWith('.') || name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory() && depth < 3) walk(path, depth + 1);
      else if (stat?.isFile() && SOURCE_EXTENSIONS.test(name) && stat.size < 200_000) {
        const text = readFileSync(path, 'utf8');
        budget -= text.length;
        texts.push(text);
      }
    }
  };
  walk(root, 0);
  return texts;
}

function projectFiles(root: string): ProjectFiles {
  const packagePath = join(root, 'package.json');
  let packageJson: ProjectFiles['packageJson'];
  if (existsSync(packagePath)) {
    try {
      packageJson = JSON.parse(readFileSync(packagePath, 'utf8'));
    } catch (error) {
      throw new FleetError('FLEET_ERR_USAGE', `package.json could not be read: ${(error as Error).message}`);
    }
  }
  return { packageJson, files: readdirSync(root), sources: readSources(root) };
}

export async function initCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { command: { type: 'string' } }, strict: true });
  const root = process.cwd();
  const existing = findConfigFile(root);
  if (existing)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      `${existing} already exists in ${root}: init does not overwrite it (edit it, or delete it and run init again)`,
    );
  line(`${bold('fleetproof init')} ${dim(`· ${root}`)}`);
  const detected = detectProject(projectFiles(root));
  if (values.command) {
    detected.command = values.command.trim().split(/\s+/);
    detected.commandFrom = '--command';
  }
  const command = detected.command;
  if (!command)
    throw new FleetError(
      'FLEET_ERR_USAGE',
      'no way to start the service found: package.json has no scripts.start or main, and there is no app.py, main.py, server.py or wsgi.py; give it: fleetproof init --command "node server.js"',
    );
  line(`  command     ${command.join(' ')} ${dim(`(${detected.commandFrom})`)}`);
  const withCommand = { ...detected, command };
  const probe = await probeOnce(root, withCommand);
  const allInterfaces = probe.addresses.some((a) => a === '0.0.0.0' || a === '::');
  line(
    `  listens     port ${probe.port} on ${probe.addresses.join(', ')}${probe.honoursPort ? dim(' (the PORT it was given)') : yellow(' (not the PORT it was given)')} · ready in ${probe.startedInMs} ms`,
  );
  const healthPath = probe.health?.path ?? '/';
  if (probe.health && probe.health.path !== '/') {
    line(`  health      ${probe.health.path} answered ${probe.health.status}`);
  } else {
    line(
      yellow(
        `  health      no health route: ${HEALTH_CANDIDATES.filter((p) => p !== '/')
          .map((p) => `${p} ${probe.answers[p] || 'no answer'}`)
          .join(', ')}; checking ${healthPath} for now`,
      ),
    );
    line(
      `              proposed: add GET /health that touches what the service needs${detected.usesPostgres ? ' (SELECT 1 on its database)' : ''} and answers 200 only when it can serve, then set healthCheck.path`,
    );
  }
  const status = probe.health?.status ?? probe.answers['/'] ?? 200;
  const text = renderConfig({
    detected: withCommand,
    port: probe.port,
    healthPath,
    healthMatcher: status >= 200 && status < 300 ? String(status) : '200',
    loadPath: healthPath === '/' || !probe.answers['/'] || probe.answers['/'] >= 300 ? healthPath : '/',
    listensOnAllInterfaces: allInterfaces,
    honoursPort: probe.honoursPort,
  });
  const path = join(root, CONFIG_FILE);
  writeFileSync(path, text);
  // The config must load as written: a template that does not validate is our bug, caught here, not by the user.
  await loadConfig(root, CONFIG_FILE);
  line(green(`  wrote       ${path}`));
  line('');
  line('Next:');
  line(`  npx fleetproof prove --list     ${dim('the experiments this config runs')}`);
  line(`  npx fleetproof prove --quick    ${dim('a first verdict in a few minutes')}`);
  line(
    `  npx fleetproof up               ${dim('the fleet, live, until Ctrl-C; then load it: npx fleetproof load --scenario browse')}`,
  );
  return 0;
}

async function probeOnce(root: string, detected: Detected & { command: string[] }) {
  const config = validateConfig({
    service: { name: detected.name, command: detected.command, port: 3000, version: 'v1' },
    ...(detected.usesPostgres
      ? {
          database: {
            mode: 'embedded',
            env: { url: 'DATABASE_URL', ...detected.databaseEnv },
            ...(detected.migrateCommand ? { migrateCommand: detected.migrateCommand } : {}),
          },
        }
      : {}),
  });
  const say = (text: string) => line(dim(`  ${text}`));
  const db = await openFleetDatabase(root, config, undefined, say);
  try {
    if (db.connection)
      line(
        `  database    PostgreSQL for the probe; the service reads ${Object.values(config.database?.env ?? {}).join(', ')}`,
      );
    await migrateOnce(root, config, db.connection, say);
    const logDir = join(stateDir(root), 'init');
    mkdirSync(logDir, { recursive: true });
    say('starting the service once to find its port and health route');
    try {
      return await probeService({
        command: detected.command,
        cwd: root,
        env: serviceEnvironment(config, { db: db.connection, env: templateEnv(root) }),
        logFile: join(logDir, 'probe.log'),
      });
    } catch (error) {
      throw new FleetError('FLEET_ERR_SERVICE_START', (error as Error).message);
    }
  } finally {
    await db.stop();
  }
}

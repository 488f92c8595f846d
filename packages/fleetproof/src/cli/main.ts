#!/usr/bin/env node
import { ERROR_CODES, FleetError } from '../errors.js';
import { apiCommand, apiUsage } from './commands/api.js';
import { awsCommand, awsUsage } from './commands/aws.js';
import {
  deployCommand,
  deployUsage,
  downCommand,
  downUsage,
  scaleCommand,
  scaleUsage,
  statusCommand,
  statusUsage,
} from './commands/fleet-client-commands.js';
import { initCommand, initUsage } from './commands/init.js';
import { loadCommand, loadUsage } from './commands/load.js';
import { proveCommand, proveUsage } from './commands/prove.js';
import { upCommand, upUsage } from './commands/up.js';
import { errorLine, line } from './output.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  init: { run: initCommand, usage: initUsage },
  prove: { run: proveCommand, usage: proveUsage },
  up: { run: upCommand, usage: upUsage },
  status: { run: statusCommand, usage: statusUsage },
  scale: { run: scaleCommand, usage: scaleUsage },
  deploy: { run: deployCommand, usage: deployUsage },
  down: { run: () => downCommand(), usage: downUsage },
  load: { run: loadCommand, usage: loadUsage },
  api: { run: apiCommand, usage: apiUsage },
  aws: { run: awsCommand, usage: awsUsage },
};

function usage(): string {
  return ['usage: fleetproof <command> [options]', '', ...Object.values(COMMANDS).map((c) => c.usage)].join(
    '\n',
  );
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    line(usage());
    return name ? 0 : ERROR_CODES.FLEET_ERR_USAGE.exitCode;
  }
  const command = COMMANDS[name];
  if (!command)
    throw new FleetError('FLEET_ERR_USAGE', `unknown command ${JSON.stringify(name)}\n${usage()}`);
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof FleetError) {
      errorLine(`${error.message} [${error.code}]`);
      process.exit(error.exitCode);
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      errorLine(`${(error as Error).message}\n${usage()}`);
      process.exit(ERROR_CODES.FLEET_ERR_USAGE.exitCode);
    }
    errorLine((error as Error).stack ?? String(error));
    process.exit(1);
  },
);

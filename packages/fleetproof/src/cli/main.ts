#!/usr/bin/env node
import { ERROR_CODES, FleetError } from '../errors.js';
import { errorLine, line } from './output.js';
import * as usages from './usages.js';

type Run = (argv: string[]) => Promise<number>;
// Each command's module is imported when it runs: `fleetproof load` starts without the fleet's, the database
// client's or AWS's code. With tsx loaded only for configs and the load on the main thread, a YAML run of 32
// requests went from 0.46 to 0.26 s of CPU (bench:load judges CPU per request with start-up included).
const COMMANDS: Record<string, { run: () => Promise<Run>; usage: string }> = {
  init: { run: async () => (await import('./commands/init.js')).initCommand, usage: usages.initUsage },
  prove: { run: async () => (await import('./commands/prove.js')).proveCommand, usage: usages.proveUsage },
  up: { run: async () => (await import('./commands/up.js')).upCommand, usage: usages.upUsage },
  status: {
    run: async () => (await import('./commands/fleet-client-commands.js')).statusCommand,
    usage: usages.statusUsage,
  },
  scale: {
    run: async () => (await import('./commands/fleet-client-commands.js')).scaleCommand,
    usage: usages.scaleUsage,
  },
  deploy: {
    run: async () => (await import('./commands/fleet-client-commands.js')).deployCommand,
    usage: usages.deployUsage,
  },
  down: {
    run: async () => {
      const { downCommand } = await import('./commands/fleet-client-commands.js');
      return () => downCommand();
    },
    usage: usages.downUsage,
  },
  fault: { run: async () => (await import('./commands/fault.js')).faultCommand, usage: usages.faultUsage },
  load: { run: async () => (await import('./commands/load.js')).loadCommand, usage: usages.loadUsage },
  api: { run: async () => (await import('./commands/api.js')).apiCommand, usage: usages.apiUsage },
  aws: { run: async () => (await import('./commands/aws.js')).awsCommand, usage: usages.awsUsage },
  k8s: { run: async () => (await import('./commands/k8s.js')).k8sCommand, usage: usages.k8sUsage },
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
  return (await command.run())(rest);
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

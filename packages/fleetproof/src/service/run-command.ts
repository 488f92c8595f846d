import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing its combined output (kept for error messages). */
export function runCommand(argv: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<CommandResult>((resolve, reject) => {
    const [file, ...args] = argv;
    if (!file) return reject(new Error('empty command'));
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: output.trim() }));
  });
}

/**
 * Runs a release's service.build in its folder, streaming its output (progress for builds that take minutes)
 * and keeping all of it in a log file for the error message.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export type BuildCommand = string | readonly string[];

/** A string runs through /bin/sh (`npm ci && npm run build`); an array runs as it is. */
export function buildArgv(command: BuildCommand): string[] {
  return typeof command === 'string' ? ['/bin/sh', '-c', command] : [...command];
}

export function describeBuild(command: BuildCommand): string {
  return typeof command === 'string' ? command : command.join(' ');
}

export function runBuild(
  command: BuildCommand,
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; onLine: (line: string) => void },
): Promise<{ code: number | null; tail: string[] }> {
  const [file, ...args] = buildArgv(command);
  const log = createWriteStream(options.logFile);
  const tail: string[] = [];
  return new Promise((resolve) => {
    const child = spawn(file as string, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    const take = (chunk: Buffer) => {
      log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        options.onLine(l);
        tail.push(l);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const finish = (code: number | null) => {
      if (partial) {
        options.onLine(partial);
        tail.push(partial);
      }
      log.end(() => resolve({ code, tail }));
    };
    child.once('error', (error) => {
      tail.push(error.message);
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });
}

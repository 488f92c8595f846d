import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { arrayBufferOf } from './bytes.js';
import { K6ScriptError, type VuState } from './vu-state.js';

/** k6's open(path, mode): init context only, relative to the script's folder; 'b' gives an ArrayBuffer. */
export function makeOpen(state: () => VuState) {
  return (path: string, mode?: string): string | ArrayBuffer => {
    const s = state();
    if (s.phase !== 'init')
      throw new K6ScriptError('open() can only be called in the init context, as in k6');
    const full = isAbsolute(path) ? path : resolve(dirname(s.scriptPath), path);
    const bytes = readFileSync(full);
    return mode === 'b' ? arrayBufferOf(bytes) : bytes.toString('utf8');
  };
}

/** The script's console: what it logs, with the secrets it read redacted, as k6 redacts them. */
export function makeConsole(state: () => VuState): Console {
  const redacting = Object.create(console) as Console;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const write = console[level].bind(console);
    redacting[level] = (...args: unknown[]) => {
      let text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      for (const secret of state().secrets) text = text.split(secret).join('***SECRET_REDACTED***');
      write(text);
    };
  }
  return redacting;
}

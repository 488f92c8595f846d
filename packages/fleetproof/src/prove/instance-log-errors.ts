import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ERROR_LINE = /\b(error|exception|fatal|panic|traceback)\b/i;

/** The first `max` distinct lines of a log that read as errors, shortened for a verdict. */
export function errorLines(text: string, max: number): string[] {
  const found: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim().slice(0, 160);
    if (line && ERROR_LINE.test(line) && !found.includes(line)) found.push(line);
    if (found.length >= max) break;
  }
  return found;
}

/** What the instances of each version logged as errors (their log files in the run folder). */
export function versionErrorLines(
  logDir: string,
  instancesByVersion: Map<string, string[]>,
  max = 2,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [version, ids] of instancesByVersion) {
    const lines: string[] = [];
    for (const id of ids) {
      let text = '';
      try {
        text = readFileSync(join(logDir, `${id}.log`), 'utf8');
      } catch {
        continue;
      }
      for (const l of errorLines(text, max)) if (lines.length < max && !lines.includes(l)) lines.push(l);
    }
    if (lines.length > 0) out[version] = lines;
  }
  return out;
}

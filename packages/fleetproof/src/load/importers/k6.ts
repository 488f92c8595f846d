import { readFileSync } from 'node:fs';
import { compileK6 } from '../k6/compile-k6.js';
import type { LoadPlan } from '../plan.js';
import { scenariosFromOptions, unsupportedOptions } from './k6-options.js';
import { RefusedScript, UnsupportedInScript } from './unsupported.js';

/** A .ts file is a k6 script when it imports k6's modules (else it is an Artillery-shaped test object). */
export function looksLikeK6(path: string): boolean {
  return /\bfrom\s*['"]k6(\/[\w/-]+)?['"]|\bimport\s*['"]k6(\/[\w/-]+)?['"]/.test(readFileSync(path, 'utf8'));
}

/**
 * A k6 script as a plan. The script runs as in k6: each VU on a thread of its own, its init context run per
 * VU, every k6 call synchronous (see k6/vu-runtime-main.ts). Its options are what its init context exports.
 */
export async function importK6(path: string, env: Record<string, string> = {}): Promise<LoadPlan> {
  const script = await compileK6(path, env);
  const problems = unsupportedOptions(script.options);
  if (problems.length > 0) {
    throw new RefusedScript(path, 'k6', problems, 'options');
  }
  const declared = new Map(script.metrics.map((m) => [m.name, m.type] as const));
  const typeOf = (metric: string) => (metric === 'group_duration' ? 'trend' : declared.get(metric));
  const hasDefault = script.functions.includes('default');
  if (!hasDefault && !script.options.scenarios)
    throw new UnsupportedInScript(path, 'a script without export default function (and no scenarios)');
  const { scenarios, thresholds } = scenariosFromOptions(path, script.options, script.functions, typeOf);
  return { source: path, timeoutMs: 60_000, thresholds, scenarios, script };
}

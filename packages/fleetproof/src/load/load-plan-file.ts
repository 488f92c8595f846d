import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FleetError } from '../errors.js';
import type { ArtilleryOptions } from './artillery/artillery-script.js';
import { importArtillery, importArtilleryObject } from './importers/artillery.js';
import { type LoadPlan, withTarget } from './plan.js';

/**
 * A load test from a file: Artillery YAML (.yml/.yaml), a k6 script (.js/.mjs, or .ts importing k6 modules),
 * or a TypeScript module (.ts) whose default export has the Artillery script's shape (config + scenarios).
 */
export interface ScriptOptions {
  /** k6: __ENV entries (-e KEY=VALUE). */
  env?: Record<string, string>;
  /** Artillery: -e NAME, --config FILE, --overrides JSON. */
  artillery?: ArtilleryOptions;
}

export async function loadPlanFromFile(
  file: string,
  target?: string,
  options: ScriptOptions = {},
): Promise<LoadPlan> {
  const env = options.env ?? {};
  const path = resolve(file);
  const ext = extname(path);
  let plan: LoadPlan;
  // The k6 compiler (esbuild, acorn) and tsx load only for the scripts that need them: a YAML run starts
  // without them (fleetproof load's start-up counts in its CPU per request).
  const k6 = () => import('./importers/k6.js');
  try {
    if (ext === '.yml' || ext === '.yaml' || ext === '.json')
      plan = importArtillery(path, undefined, { ...options.artillery, ...(target ? { target } : {}) });
    else if (ext === '.js' || ext === '.mjs' || ext === '.cjs') plan = await (await k6()).importK6(path, env);
    else if ((ext === '.ts' || ext === '.mts') && (await k6()).looksLikeK6(path))
      plan = await (await k6()).importK6(path, env);
    else if (ext === '.ts' || ext === '.mts') {
      const { tsImport } = await import('tsx/esm/api');
      const module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as {
        default?: { default?: unknown };
      };
      // Outside an ESM package a .ts file loads as CommonJS, and its default export arrives wrapped once more.
      const value =
        module.default && 'default' in module.default && !('config' in module.default)
          ? module.default.default
          : module.default;
      plan = importArtilleryObject(path, value, { ...options.artillery, ...(target ? { target } : {}) });
    } else throw new Error(`${file}: expected .yml/.yaml (Artillery), .js/.mjs (k6) or .ts`);
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw new FleetError('FLEET_ERR_LOAD_SCRIPT', (error as Error).message, { cause: error });
  }
  return target ? withTarget(plan, target) : plan;
}

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The URL of a compiled sibling module (`./load-worker.js`). Worker threads and the modules a k6 script
 * imports must be compiled JavaScript; when this code itself runs from TypeScript sources (vitest, tsx) the
 * sibling is taken from the package's dist/ (`npm test` builds first), so all of them share one copy.
 */
export function builtModuleUrl(relative: string, from: string): string {
  const url = new URL(relative, from);
  const path = fileURLToPath(url);
  if (existsSync(path)) return url.href;
  const inDist = path.replace(/([/\\])src([/\\])/, '$1dist$2');
  if (existsSync(inDist)) return pathToFileURL(inDist).href;
  throw new Error(`${relative} is not built: run npm run build`);
}

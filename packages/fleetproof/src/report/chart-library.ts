import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * uPlot (MIT, ~50 kB minified), read from its npm package so the report can carry it inline: the page must
 * draw with no network access. Its licence header stays in the script.
 */
export function chartLibrary(): { script: string; css: string } {
  return {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

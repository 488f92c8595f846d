import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../src/config/load-config.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const SERVICE = "{ service: { name: 'svc', command: ['node', 'server.js'], port: 3000, version: 'v1' } }";

/** A project folder under the repository (so `fleetproof` resolves as it does in a user's project). */
function project(name: string, packageJson: object, file: string, text: string): string {
  const dir = join(REPO, '.fleetproof', 'config-forms', `${name}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  writeFileSync(join(dir, file), text);
  return dir;
}

describe('the config loads in every form a project writes it', () => {
  const esm = { name: 'a', type: 'module' };
  const cjs = { name: 'b' };
  it.each([
    [
      'TypeScript, ESM package',
      esm,
      'fleetproof.config.ts',
      `import { defineConfig } from 'fleetproof';\nexport default defineConfig(${SERVICE});\n`,
    ],
    [
      'TypeScript, CommonJS package (export default arrives wrapped)',
      cjs,
      'fleetproof.config.ts',
      `import { defineConfig } from 'fleetproof';\nexport default defineConfig(${SERVICE});\n`,
    ],
    [
      '.mts',
      cjs,
      'fleetproof.config.mts',
      `import { defineConfig } from 'fleetproof';\nexport default defineConfig(${SERVICE});\n`,
    ],
    [
      '.js in an ESM package',
      esm,
      'fleetproof.config.js',
      `import { defineConfig } from 'fleetproof';\nexport default defineConfig(${SERVICE});\n`,
    ],
    [
      '.js in a CommonJS package',
      cjs,
      'fleetproof.config.js',
      `const { defineConfig } = require('fleetproof');\nmodule.exports = defineConfig(${SERVICE});\n`,
    ],
    ['.cjs', esm, 'fleetproof.config.cjs', `module.exports = ${SERVICE};\n`],
    ['.mjs', cjs, 'fleetproof.config.mjs', `export default ${SERVICE};\n`],
  ])('%s', async (_, pkg, file, text) => {
    const dir = project(file.replace(/\W/g, ''), pkg, file, text);
    expect(findConfigFile(dir)).toBe(file);
    const config = await loadConfig(dir);
    expect(config.service.name).toBe('svc');
    expect(config.database).toBeUndefined();
  });

  it('names every problem of a CommonJS config, not a wrapper key', async () => {
    const dir = project(
      'bad',
      cjs,
      'fleetproof.config.ts',
      "export default { service: { name: 'svc', command: [], port: 0, version: 'v1' }, scalling: {} };\n",
    );
    await expect(loadConfig(dir)).rejects.toThrow(
      /service\.command: got \[\].*\n.*service\.port: got 0.*\n.*scalling: unknown key/s,
    );
  });

  it('says how to make one when there is none', async () => {
    const dir = project('none', cjs, 'server.js', '');
    await expect(loadConfig(dir)).rejects.toThrow(/no fleetproof config .* run npx fleetproof init/);
  });
});

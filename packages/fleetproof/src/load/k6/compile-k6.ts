import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { builtModuleUrl } from '../built-module.js';
import { RefusedScript } from '../importers/unsupported.js';
import type { K6ScriptPlan } from '../plan.js';
import { type ModuleExports, scanK6Source, servedModule } from './scan-k6-source.js';
import { VuThread } from './vu-thread.js';
import type { ProbeResult } from './wire.js';

/** The modules fleetproof serves to k6 scripts, by import specifier. */
export const SERVED_MODULES: Record<string, string> = {
  k6: './modules/k6.js',
  'k6/http': './modules/http.js',
  'k6/metrics': './modules/metrics.js',
  'k6/encoding': './modules/encoding.js',
  'k6/crypto': './modules/crypto.js',
  'k6/execution': './modules/execution.js',
  'k6/timers': './modules/timers.js',
  'k6/secrets': './modules/secrets.js',
  'k6/data': './modules/data.js',
  'jslib:k6-summary': './modules/jslib-summary.js',
  'jslib:k6-utils': './modules/jslib-utils.js',
};

const moduleUrl = (name: string) => builtModuleUrl(SERVED_MODULES[name] as string, import.meta.url);

let servedExports: ModuleExports | undefined;
async function exportsOfServedModules(): Promise<ModuleExports> {
  if (!servedExports) {
    const entries = await Promise.all(
      Object.keys(SERVED_MODULES).map(
        async (name) => [name, Object.keys(await import(moduleUrl(name)))] as const,
      ),
    );
    servedExports = Object.fromEntries(entries);
  }
  return servedExports;
}

/** Every unsupported item in the script and the local modules it imports, each as "file line N: what". */
async function scanAll(entry: string): Promise<string[]> {
  const served = await exportsOfServedModules();
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const { problems: found, localImports } = scanK6Source(readFileSync(file, 'utf8'), served);
    const name = relative(dirname(entry), file) || file;
    problems.push(...found.map((p) => `${name} ${p}`));
    for (const specifier of localImports) {
      const base = resolve(dirname(file), specifier);
      const candidates = [
        base,
        `${base}.js`,
        `${base}.ts`,
        `${base}.mjs`,
        join(base, 'index.js'),
        join(base, 'index.ts'),
      ];
      const hit = candidates.find((c) => existsSync(c) && !c.endsWith('/'));
      if (hit && !/\.(json|txt|csv)$/.test(hit)) queue.push(hit);
    }
  }
  return problems;
}

/** The script and its own modules as one ES module, k6's modules pointed at fleetproof's. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
    mainFields: ['module', 'main'],
    plugins: [
      {
        name: 'k6-modules',
        setup(b) {
          b.onResolve({ filter: /^(k6($|\/)|https?:)/ }, async (args) => {
            const module = servedModule(args.path, await exportsOfServedModules());
            if (!module) return { errors: [{ text: `${args.path} is not a module fleetproof provides` }] };
            return { path: moduleUrl(module), external: true };
          });
        },
      },
    ],
  }).catch(
    (error: { errors?: { text: string; location?: { file: string; line: number } }[]; message: string }) => {
      const details = error.errors?.map((e) =>
        e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text,
      );
      throw new Error(`${entry}: the script does not compile: ${details?.join('; ') ?? error.message}`);
    },
  );
  const code = result.outputFiles[0]?.text ?? '';
  const dir = join(tmpdir(), 'fleetproof-k6');
  mkdirSync(dir, { recursive: true });
  const path = join(
    dir,
    `${createHash('sha256')
      .update(entry + code)
      .digest('hex')
      .slice(0, 16)}.mjs`,
  );
  writeFileSync(path, code);
  return pathToFileURL(path).href;
}

/** Runs the init context once, as k6 does before a test, to read options, exports and declared metrics. */
function probe(script: Omit<K6ScriptPlan, 'functions' | 'metrics'>): Promise<ProbeResult> {
  const shared = new Map<string, unknown>();
  return new Promise((resolvePromise, reject) => {
    let result: ProbeResult | undefined;
    const thread = new VuThread(
      { ...script, env: { ...process.env, ...script.env } },
      0,
      async (_thread, call) => {
        if (call.op === 'shared-get') return { data: shared.get(call.name) };
        if (call.op === 'shared-set') shared.set(call.name, call.data);
        return {};
      },
      'probe',
      (r) => {
        result = r;
      },
    );
    thread.ready.then(
      () => {
        void thread.terminate();
        if (result) resolvePromise(result);
        else reject(new Error('the script ended its init context without a result'));
      },
      (error: Error) => {
        void thread.terminate();
        reject(new Error(`${script.scriptPath}: the init context threw: ${error.message}`));
      },
    );
  });
}

/** A k6 script (.js, .mjs or .ts) ready to run: refused whole when it uses anything fleetproof lacks. */
export async function compileK6(path: string, env: Record<string, string> = {}): Promise<K6ScriptPlan> {
  const problems = await scanAll(path);
  if (problems.length > 0) {
    throw new RefusedScript(path, 'k6', problems);
  }
  const base = { moduleUrl: await bundle(path), scriptPath: path, options: {}, env };
  const probed = await probe(base);
  return { ...base, options: probed.options, functions: probed.functions, metrics: probed.metrics };
}

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'acorn';
import { type BuildOptions, build, type PluginBuild } from 'esbuild';
import { builtModuleUrl } from '../built-module.js';
import { RefusedScript } from '../importers/unsupported.js';
import type { K6ScriptPlan } from '../plan.js';
import { asyncTransform } from './async-transform.js';
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

const k6Plugin = (resolveTo: (module: string, specifier: string) => { path: string; external: boolean }) => ({
  name: 'k6-modules',
  setup(b: PluginBuild) {
    b.onResolve({ filter: /^(k6($|\/)|https?:)/ }, async (args) => {
      const module = servedModule(args.path, await exportsOfServedModules());
      if (!module) return { errors: [{ text: `${args.path} is not a module fleetproof provides` }] };
      return resolveTo(module, args.path);
    });
  },
});

async function esbuildText(options: BuildOptions, entry: string): Promise<string> {
  return (await esbuildFiles(options, entry)).code;
}

async function esbuildFiles(options: BuildOptions, entry: string): Promise<{ code: string; map?: string }> {
  const result = await build({
    ...options,
    write: false,
    logLevel: 'silent',
    bundle: true,
    outdir: outputDir(),
  }).catch(
    (error: { errors?: { text: string; location?: { file: string; line: number } }[]; message: string }) => {
      const details = error.errors?.map((e) =>
        e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text,
      );
      throw new Error(`${entry}: the script does not compile: ${details?.join('; ') ?? error.message}`);
    },
  );
  const files = result.outputFiles ?? [];
  const code = files.find((f) => !f.path.endsWith('.map'))?.text ?? '';
  const map = files.find((f) => f.path.endsWith('.map'))?.text;
  return map ? { code, map } : { code };
}

const outputDir = () => {
  const dir = join(tmpdir(), 'fleetproof-k6');
  mkdirSync(dir, { recursive: true });
  return dir;
};

function writeOutput(entry: string, code: string, suffix: string): string {
  const path = join(
    outputDir(),
    `${createHash('sha256')
      .update(entry + code)
      .digest('hex')
      .slice(0, 16)}${suffix}`,
  );
  // Named by its content, so concurrent runs of one script (segments on one machine) write the same path:
  // written aside and renamed, a reader never imports a file another run is still writing.
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, path);
  return path;
}

/** The script and its own modules as one ES module, k6's modules left as imports of their names. */
function bundleScript(entry: string): Promise<{ code: string; map?: string }> {
  return esbuildFiles(
    {
      entryPoints: [entry],
      sourcemap: 'external',
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      plugins: [k6Plugin((_module, specifier) => ({ path: specifier, external: true }))],
    },
    entry,
  );
}

/** For a VU thread: the bundle with k6's modules pointed at fleetproof's files. */
function threadModule(entry: string, code: string): string {
  const served = new Map(Object.keys(SERVED_MODULES).map((name) => [name, moduleUrl(name)]));
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as {
    body: { type: string; source?: { start: number; end: number; value: string } }[];
  };
  let out = '';
  let from = 0;
  for (const node of ast.body) {
    if (!node.source) continue;
    const module = servedModule(node.source.value, servedExports ?? {});
    const url = module && served.get(module);
    if (!url) continue;
    out += code.slice(from, node.source.start) + JSON.stringify(url);
    from = node.source.end;
  }
  return pathToFileURL(writeOutput(entry, out + code.slice(from), '.mjs')).href;
}

/**
 * For the fast path: the rewritten bundle with fleetproof's k6 modules inside it, as one function whose every
 * call is one VU's instance of the script (inline-vu.ts).
 */
async function inlineFactory(entry: string, rewritten: string, functions: string[]): Promise<string> {
  const scriptPath = writeOutput(entry, rewritten, '.fast.mjs');
  const init = fileURLToPath(builtModuleUrl('./inline-init.js', import.meta.url));
  const names = functions.map((f) => (f === 'default' ? 'default' : f));
  const contents = [
    `import ${JSON.stringify(init)};`,
    `export { ${names.join(', ')} } from ${JSON.stringify(scriptPath)};`,
    `export { __fpState, __fpTimers } from ${JSON.stringify(init)};`,
  ].join('\n');
  const code = await esbuildText(
    {
      stdin: { contents, resolveDir: dirname(entry), sourcefile: 'fleetproof-vu.js' },
      format: 'iife',
      globalName: '__fpScript',
      platform: 'node',
      target: 'es2022',
      plugins: [k6Plugin((module) => ({ path: fileURLToPath(moduleUrl(module)), external: false }))],
    },
    entry,
  );
  return writeOutput(entry, code, '.vu.js');
}

/** Runs the init context once, as k6 does before a test, to read options, exports and declared metrics. */
function probe(script: Omit<K6ScriptPlan, 'functions' | 'metrics' | 'runtime'>): Promise<ProbeResult> {
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

/** "line 12: …" of the bundle as "helpers.js line 3: …" of the file the user wrote. */
function inScript(reason: string, map: string | undefined, entry: string): string {
  const m = /^line (\d+): (.*)$/s.exec(reason);
  if (!m || !map) return reason;
  const found = new SourceMap(JSON.parse(map)).findEntry(Number(m[1]) - 1, 0) as {
    originalSource?: string;
    originalLine?: number;
  };
  if (found.originalSource === undefined || found.originalLine === undefined) return reason;
  const file = relative(dirname(entry), resolve(outputDir(), found.originalSource.replace(/^file:\/\//, '')));
  return `${file} line ${found.originalLine + 1}: ${m[2]}`;
}

/** A k6 script (.js, .mjs or .ts) ready to run: refused whole when it uses anything fleetproof lacks. */
export async function compileK6(path: string, env: Record<string, string> = {}): Promise<K6ScriptPlan> {
  const problems = await scanAll(path);
  if (problems.length > 0) throw new RefusedScript(path, 'k6', problems);
  const { code: bundled, map } = await bundleScript(path);
  const base = { moduleUrl: threadModule(path, bundled), scriptPath: path, options: {}, env };
  const probed = await probe(base);
  const plan = { ...base, options: probed.options, functions: probed.functions, metrics: probed.metrics };
  // Inline VUs where the analysis proves the rewrite safe (several times cheaper per request, and on a small
  // machine the generator's CPU is taken from the service under test); FLEETPROOF_K6_THREADS=1 asks for a
  // thread per VU, which is always exact. (An earlier build lost the variant experiment's 5xx with inline
  // VUs; on this one they reproduce it: 13, 14 and 17 of ~350 requests in three runs of prove --only variant.)
  const fast =
    process.env.FLEETPROOF_K6_THREADS === '1'
      ? { ok: false as const, reasons: ['FLEETPROOF_K6_THREADS=1 asks for a thread per VU'] }
      : asyncTransform(bundled);
  if (!fast.ok)
    return {
      ...plan,
      runtime: { kind: 'threads', reasons: fast.reasons.map((r) => inScript(r, map, path)) },
    };
  return {
    ...plan,
    runtime: { kind: 'inline', factoryPath: await inlineFactory(path, fast.code, probed.functions) },
  };
}

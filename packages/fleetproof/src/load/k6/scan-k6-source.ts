/**
 * Finds what a k6 script uses that fleetproof cannot run, every item with its line, before anything runs.
 * Works on the text (JavaScript or TypeScript alike): comments are blanked first so the lines stay put.
 */

/** Modules fleetproof serves, with the names each exports (read from the modules themselves). */
export type ModuleExports = Record<string, readonly string[]>;

const JSLIBS: [RegExp, string][] = [
  [/^https:\/\/jslib\.k6\.io\/k6-summary\/[\w.-]+\/index\.js$/, 'jslib:k6-summary'],
  [/^https:\/\/jslib\.k6\.io\/k6-utils\/[\w.-]+\/index\.js$/, 'jslib:k6-utils'],
];

/** Which served module a specifier names: a k6 module, a known jslib URL, or undefined. */
export function servedModule(specifier: string, served: ModuleExports): string | undefined {
  if (specifier in served && !specifier.startsWith('jslib:')) return specifier;
  for (const [pattern, name] of JSLIBS) if (pattern.test(specifier)) return name;
  return undefined;
}

/** Replaces comments with spaces (newlines kept), leaving strings and template literals alone. */
export function blankComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export interface ScanResult {
  /** Every unsupported use: "line 3: import from "k6/ws" (WebSockets)". */
  problems: string[];
  /** Relative imports (the script's own modules), to scan in turn. */
  localImports: string[];
}

const WHY: Record<string, string> = {
  'k6/ws': 'WebSockets',
  'k6/net/grpc': 'gRPC',
  'k6/html': 'HTML parsing',
  'k6/browser': 'browser testing',
  'k6/experimental/browser': 'browser testing',
  'k6/experimental/websockets': 'WebSockets',
  'k6/experimental/redis': 'Redis',
  'k6/experimental/streams': 'streams',
  'k6/experimental/fs': 'the fs module',
  'k6/experimental/csv': 'the csv module',
};

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

export function scanK6Source(source: string, served: ModuleExports): ScanResult {
  const text = blankComments(source);
  const problems: string[] = [];
  const localImports: string[] = [];
  const importPattern =
    /\bimport\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s+as\s+([\w$]+)\s*)?(?:\{([^}]*)\}\s*)?(?:from\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  /** Local names of default / namespace imports per served module, to check their members. */
  const objectNames = new Map<string, string>();
  for (const m of text.matchAll(importPattern)) {
    const specifier = (m[4] ?? m[5] ?? m[6]) as string;
    const line = lineOf(text, m.index ?? 0);
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) {
      localImports.push(specifier);
      continue;
    }
    const module = servedModule(specifier, served);
    if (!module) {
      if (specifier.startsWith('k6') || /^https?:/.test(specifier) || specifier.startsWith('node:')) {
        const why =
          WHY[specifier] ??
          (specifier.startsWith('k6/x/')
            ? 'a k6 extension'
            : specifier.startsWith('http')
              ? 'a remote module'
              : specifier.startsWith('node:')
                ? 'a Node.js module, which k6 does not have'
                : 'a module fleetproof does not provide');
        problems.push(`line ${line}: import from ${JSON.stringify(specifier)} (${why})`);
      }
      continue;
    }
    const exported = served[module] ?? [];
    for (const part of (m[3] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const name = part.split(/\s+as\s+/)[0]?.trim() as string;
      if (!exported.includes(name)) problems.push(`line ${line}: ${name} from ${JSON.stringify(specifier)}`);
    }
    for (const local of [m[1], m[2]]) if (local) objectNames.set(local, module);
  }
  for (const [local, module] of objectNames) {
    const exported = served[module] ?? [];
    const members = new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}\\.([\\w$]+)`, 'g');
    for (const m of text.matchAll(members)) {
      const name = m[1] as string;
      if (module === 'k6/execution' || module === 'k6/secrets') continue;
      if (!exported.includes(name))
        problems.push(`line ${lineOf(text, m.index ?? 0)}: ${local}.${name} (${module})`);
    }
  }
  for (const m of text.matchAll(/\.(html|submitForm|clickLink)\s*\(/g)) {
    problems.push(`line ${lineOf(text, m.index ?? 0)}: Response.${m[1]}() (k6/html parsing)`);
  }
  for (const m of text.matchAll(/\bexec\.scenario\.progress\b/g)) {
    problems.push(`line ${lineOf(text, m.index ?? 0)}: exec.scenario.progress`);
  }
  return { problems: [...new Set(problems)], localImports };
}

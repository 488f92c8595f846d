import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Node, parse } from 'acorn';
import { builtModuleUrl } from '../built-module.js';
import type { LoadPlan } from '../plan.js';
import { scenariosFromOptions } from './k6-options.js';
import { UnsupportedInScript } from './unsupported.js';

type AnyNode = Node & Record<string, unknown>;
const HTTP_FUNCTIONS = ['get', 'post', 'put', 'patch', 'del', 'request', 'head', 'options'];
const SHIMS = {
  'k6/http': builtModuleUrl('../k6-shims/http.js', import.meta.url),
  k6: builtModuleUrl('../k6-shims/k6.js', import.meta.url),
};

/**
 * A k6 script as a plan. k6 runs each VU's code synchronously on its own goja runtime; here VUs are
 * asynchronous, so the exported functions are made `async` and every k6/http call and `sleep` gets an
 * `await` (calls must sit directly in an exported function for that to be correct). `options` must be a
 * literal. Anything else k6 offers stops the import with its name.
 */
export function importK6(path: string, source = readFileSync(path, 'utf8')): LoadPlan {
  let ast: AnyNode;
  try {
    ast = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      locations: true,
    }) as unknown as AnyNode;
  } catch (error) {
    throw new Error(`${path}: not a JavaScript module k6 could run: ${(error as Error).message}`);
  }
  const edits: { at: number; end?: number; text: string; order: number }[] = [];
  const httpNames = new Set<string>();
  /** Named k6/http imports: local name → k6 function. */
  const httpImported = new Map<string, string>();
  const k6Names = new Map<string, string>();
  const importLocals = new Set<AnyNode>();
  let options: Record<string, unknown> = {};
  const exported = new Map<string, AnyNode>();

  for (const node of ast.body as AnyNode[]) {
    if (node.type === 'ImportDeclaration') {
      const from = (node.source as { value: string }).value;
      if (!(from in SHIMS))
        throw new UnsupportedInScript(path, `import from ${JSON.stringify(from)}`, 'only k6/http and k6');
      for (const spec of node.specifiers as AnyNode[]) {
        importLocals.add(spec.local as AnyNode);
        if (spec.type === 'ImportSpecifier') importLocals.add(spec.imported as AnyNode);
        const local = (spec.local as { name: string }).name;
        if (from === 'k6/http') {
          if (spec.type !== 'ImportDefaultSpecifier' && spec.type !== 'ImportNamespaceSpecifier') {
            const imported = (spec.imported as { name: string }).name;
            if (!HTTP_FUNCTIONS.includes(imported))
              throw new UnsupportedInScript(path, `k6/http ${imported}`);
          }
          httpNames.add(local);
        } else {
          if (spec.type !== 'ImportSpecifier')
            throw new UnsupportedInScript(path, 'a default import of k6', 'import { check, sleep }');
          const imported = (spec.imported as { name: string }).name;
          if (imported !== 'check' && imported !== 'sleep')
            throw new UnsupportedInScript(path, `k6 ${imported}`, 'only check and sleep');
          k6Names.set(local, imported);
        }
      }
      // Every use of these names is rewritten to __fpHttp/__fpK6 (any other use is refused), so the import goes.
      edits.push({ at: node.start, end: node.end, text: '', order: 0 });
    } else if (
      node.type === 'ExportNamedDeclaration' &&
      (node.declaration as AnyNode | null)?.type === 'VariableDeclaration'
    ) {
      for (const decl of (node.declaration as AnyNode).declarations as AnyNode[]) {
        const name = (decl.id as { name: string }).name;
        if (name === 'options')
          options = literal(path, decl.init as AnyNode, 'options') as Record<string, unknown>;
        else if (isFunction(decl.init as AnyNode | null)) exported.set(name, decl.init as AnyNode);
      }
    } else if (
      node.type === 'ExportNamedDeclaration' &&
      (node.declaration as AnyNode | null)?.type === 'FunctionDeclaration'
    ) {
      const fn = node.declaration as AnyNode;
      exported.set((fn.id as { name: string }).name, fn);
    } else if (node.type === 'ExportDefaultDeclaration') {
      const decl = node.declaration as AnyNode;
      if (!isFunction(decl)) throw new UnsupportedInScript(path, 'a default export that is not a function');
      exported.set('default', decl);
    } else if (node.type === 'ExportNamedDeclaration') {
      throw new UnsupportedInScript(path, 'export lists (export { a, b })');
    }
  }
  if (!exported.has('default') && !options.scenarios)
    throw new UnsupportedInScript(path, 'a script without export default function');

  /** `http.get`, `get` (named import), `sleep`, `check`: which shim function a call goes to. */
  const shimCall = (call: AnyNode): { shim: string; label: string } | undefined => {
    const callee = call.callee as AnyNode;
    if (
      callee.type === 'MemberExpression' &&
      (callee.object as AnyNode).type === 'Identifier' &&
      httpNames.has((callee.object as { name: string }).name)
    ) {
      const prop = (callee.property as { name?: string }).name ?? '';
      if (!HTTP_FUNCTIONS.includes(prop)) throw new UnsupportedInScript(path, `http.${prop}`);
      return { shim: `__fpHttp.${prop}`, label: `http.${prop}` };
    }
    if (callee.type === 'Identifier') {
      const name = (callee as unknown as { name: string }).name;
      if (httpNames.has(name))
        return { shim: `__fpHttp.${httpImported.get(name) ?? 'request'}`, label: name };
      const k6 = k6Names.get(name);
      if (k6) return { shim: `__fpK6.${k6}`, label: k6 };
    }
    return undefined;
  };
  const exportedFns = new Set(exported.values());
  const shimmedCallees = new Set<AnyNode>();
  // Each VU's calls carry the VU explicitly (an extra first argument) rather than through AsyncLocalStorage,
  // whose promise hooks cost a quarter of the generator's throughput.
  walk(ast, [], (node, fnStack) => {
    if (node.type !== 'CallExpression') return;
    const target = shimCall(node);
    if (!target) return;
    const owner = fnStack.at(-1);
    if (!owner || !exportedFns.has(owner)) {
      const line = (node.loc as { start: { line: number } } | undefined)?.start.line;
      throw new UnsupportedInScript(
        path,
        `${target.label}() on line ${line} outside an exported function`,
        'call it directly in the exported function',
      );
    }
    const callee = node.callee as AnyNode;
    shimmedCallees.add(callee);
    if (callee.type === 'MemberExpression') shimmedCallees.add(callee.object as AnyNode);
    edits.push({ at: callee.start, end: callee.end, text: target.shim, order: 0 });
    if (target.label !== 'check') edits.push({ at: node.start, text: 'await ', order: 1 });
    const args = node.arguments as AnyNode[];
    const first = args[0];
    if (first) edits.push({ at: first.start, text: '__fpVu, ', order: 2 });
    else edits.push({ at: node.end - 1, text: '__fpVu', order: 2 });
  });
  // Any other use of the imported names (aliasing, passing http around) would bypass the rewrite.
  walk(ast, [], (node) => {
    if (node.type !== 'Identifier' || shimmedCallees.has(node)) return;
    const name = (node as unknown as { name: string }).name;
    if ((httpNames.has(name) || k6Names.has(name)) && !importLocals.has(node)) {
      throw new UnsupportedInScript(
        path,
        `using ${name} other than calling it (line ${(node.loc as { start: { line: number } }).start.line})`,
      );
    }
  });
  for (const fn of exportedFns) {
    if (!fn.async) edits.push({ at: fn.start, text: 'async ', order: 0 });
    const params = fn.params as AnyNode[];
    if (params.length > 1)
      throw new UnsupportedInScript(path, 'exported functions with more than one parameter');
    const last = params.at(-1);
    const open = source.indexOf('(', (fn.id as AnyNode | null)?.end ?? fn.start);
    edits.push(
      last
        ? { at: last.end, text: ', __fpVu', order: 0 }
        : { at: open + 1, text: '__fpData, __fpVu', order: 0 },
    );
  }

  // Applied from the end backwards; at one position the text ends up as __fpVu, → await → callee.
  let compiled = `import * as __fpHttp from ${JSON.stringify(SHIMS['k6/http'])};\nimport * as __fpK6 from ${JSON.stringify(SHIMS.k6)};\n`;
  let body = source;
  for (const edit of edits.sort((a, b) => b.at - a.at || a.order - b.order)) {
    body = body.slice(0, edit.at) + edit.text + body.slice(edit.end ?? edit.at);
  }
  compiled += body;
  const dir = join(tmpdir(), 'fleetproof-k6');
  mkdirSync(dir, { recursive: true });
  const modulePath = join(
    dir,
    `${createHash('sha256')
      .update(path + compiled)
      .digest('hex')
      .slice(0, 16)}.mjs`,
  );
  writeFileSync(modulePath, compiled);

  const { scenarios, thresholds } = scenariosFromOptions(path, options, [...exported.keys()]);
  for (const scenario of scenarios) {
    for (const flow of scenario.flows)
      if (flow.kind === 'k6') flow.modulePath = pathToFileURL(modulePath).href;
  }
  return { source: path, timeoutMs: 60_000, thresholds, scenarios };
}

function isFunction(node: AnyNode | null | undefined): boolean {
  return (
    !!node && ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'].includes(node.type)
  );
}

function walk(node: AnyNode, fnStack: AnyNode[], visit: (node: AnyNode, fnStack: AnyNode[]) => void): void {
  visit(node, fnStack);
  const inner = isFunction(node) ? [...fnStack, node] : fnStack;
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value)
        if (child && typeof child.type === 'string') walk(child as AnyNode, inner, visit);
    } else if (value && typeof (value as AnyNode).type === 'string') {
      walk(value as AnyNode, inner, visit);
    }
  }
}

/** Evaluates a literal (objects, arrays, strings, numbers, booleans, null, negative numbers) without running code. */
function literal(path: string, node: AnyNode, where: string): unknown {
  switch (node.type) {
    case 'Literal':
      return node.value;
    case 'TemplateLiteral':
      if ((node.expressions as unknown[]).length === 0)
        return (node.quasis as { value: { cooked: string } }[])[0]?.value.cooked;
      break;
    case 'UnaryExpression':
      if (node.operator === '-' && (node.argument as AnyNode).type === 'Literal')
        return -((node.argument as AnyNode).value as number);
      break;
    case 'ArrayExpression':
      return (node.elements as AnyNode[]).map((el, i) => literal(path, el, `${where}[${i}]`));
    case 'ObjectExpression':
      return Object.fromEntries(
        (node.properties as AnyNode[]).map((prop) => {
          if (prop.type !== 'Property' || prop.computed)
            throw new UnsupportedInScript(path, `${where}: computed or spread keys`);
          const key = prop.key as AnyNode;
          const name =
            key.type === 'Identifier' ? (key as unknown as { name: string }).name : String(key.value);
          return [name, literal(path, prop.value as AnyNode, `${where}.${name}`)];
        }),
      );
  }
  throw new UnsupportedInScript(path, `${where} computed at run time`, 'options must be a literal');
}

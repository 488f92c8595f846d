/**
 * The fast path for k6 scripts: one bundled module rewritten so that every function which can reach a
 * blocking k6 call (http.*, sleep, group) is `async` and every call that can reach one is awaited. Then many
 * VUs share a thread, each with its own instance of the module (per-VU state, as in k6), with no thread hop
 * per request. The rewrite is only correct when the analysis can see every path to a blocking call: a
 * function that blocks and is also used as a value (passed to forEach, stored in an object, a class method)
 * could be called by code that would not await it. Then the analysis refuses, with its reasons, and the
 * script runs on the thread-per-VU runtime instead, which is always exact.
 */
import { parse } from 'acorn';
import { analyze, type Reference, type Scope, type Variable } from 'eslint-scope';

type AnyNode = { type: string; start: number; end: number; loc?: { start: { line: number } } } & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: ESTree nodes are walked generically here.
  any
>;
type FnNode = AnyNode;

const HTTP_BLOCKING = new Set(['request', 'get', 'post', 'put', 'patch', 'del', 'head', 'options', 'batch']);
const K6_BLOCKING = new Set(['sleep', 'group']);
const TIMERS = new Set(['setTimeout', 'setInterval']);
const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const SHARED_GLOBALS = new Set(['globalThis', 'global', 'self', 'window']);

export type TransformResult = { ok: true; code: string } | { ok: false; reasons: string[] };

type Callee =
  | { kind: 'primitive'; name: string }
  | { kind: 'fn'; fn: FnNode }
  | { kind: 'timer' }
  | { kind: 'k6' }
  | { kind: 'unknown' };

const lineOf = (node: AnyNode) => node.loc?.start.line ?? 0;

/** What the analysis learns about the module: which bindings are k6's, which name functions, who calls whom. */
class ModuleFacts {
  readonly parent = new Map<AnyNode, AnyNode | undefined>();
  readonly owner = new Map<AnyNode, FnNode | undefined>();
  readonly referenceOf = new Map<AnyNode, Reference>();
  /** k6 bindings: 'http' / 'k6' objects, blocking named imports, timers, and 'other' k6 names. */
  readonly k6Binding = new Map<Variable, 'http' | 'k6' | 'blocking' | 'timer' | 'other'>();
  readonly fnOf = new Map<Variable, FnNode>();
  readonly objectOf = new Map<Variable, AnyNode>();
  readonly functions: FnNode[] = [];
  readonly calls: AnyNode[] = [];
  readonly reasons: string[] = [];

  constructor(readonly ast: AnyNode) {
    const manager = analyze(ast as never, { ecmaVersion: 2022, sourceType: 'module' });
    const visit = (node: AnyNode, parent: AnyNode | undefined, fn: FnNode | undefined) => {
      this.parent.set(node, parent);
      this.owner.set(node, fn);
      const isFn = FUNCTION_TYPES.has(node.type);
      if (isFn) this.functions.push(node);
      if (node.type === 'CallExpression' || node.type === 'NewExpression') this.calls.push(node);
      for (const key of Object.keys(node)) {
        if (key === 'loc' || key === 'range') continue;
        const value = node[key];
        const inner = isFn ? node : fn;
        if (Array.isArray(value)) {
          for (const child of value) if (child && typeof child.type === 'string') visit(child, node, inner);
        } else if (value && typeof value.type === 'string') visit(value, node, inner);
      }
    };
    visit(ast, undefined, undefined);
    for (const scope of manager.scopes as Scope[]) {
      for (const ref of scope.references) this.referenceOf.set(ref.identifier as unknown as AnyNode, ref);
      for (const variable of scope.variables) this.classify(variable);
      for (const ref of scope.through) {
        if (SHARED_GLOBALS.has(ref.identifier.name))
          this.reasons.push(
            `line ${lineOf(ref.identifier as unknown as AnyNode)}: ${ref.identifier.name} is shared by every VU in one thread`,
          );
      }
    }
  }

  private classify(variable: Variable): void {
    const def = variable.defs[0];
    if (!def || variable.defs.length !== 1) return;
    const node = def.node as unknown as AnyNode;
    if (def.type === 'ImportBinding') {
      const declaration = def.parent as unknown as AnyNode;
      const source = String(declaration.source.value);
      const imported =
        node.type === 'ImportSpecifier' ? String(node.imported.name ?? node.imported.value) : undefined;
      if (source === 'k6/http')
        this.k6Binding.set(
          variable,
          imported ? (HTTP_BLOCKING.has(imported) ? 'blocking' : 'other') : 'http',
        );
      else if (source === 'k6') {
        if (imported === 'randomSeed')
          this.reasons.push(
            `line ${lineOf(node)}: randomSeed seeds the Math.random every VU in one thread shares`,
          );
        this.k6Binding.set(variable, imported ? (K6_BLOCKING.has(imported) ? 'blocking' : 'other') : 'k6');
      } else if (source === 'k6/timers')
        this.k6Binding.set(variable, imported && TIMERS.has(imported) ? 'timer' : 'other');
      else this.k6Binding.set(variable, 'other');
      return;
    }
    const reassigned = variable.references.some((r) => r.isWrite() && !r.init);
    if (def.type === 'FunctionName') this.fnOf.set(variable, node);
    else if (def.type === 'Variable' && !reassigned && node.init) {
      if (FUNCTION_TYPES.has(node.init.type)) this.fnOf.set(variable, node.init);
      else if (
        node.init.type === 'ObjectExpression' &&
        (def.parent as unknown as AnyNode | null)?.kind === 'const'
      )
        this.objectOf.set(variable, node.init);
    }
  }

  resolve(identifier: AnyNode): Variable | undefined {
    return this.referenceOf.get(identifier)?.resolved ?? undefined;
  }

  /** A property of a tracked object literal: the function it holds, if any. */
  propertyFunction(object: AnyNode, name: string): FnNode | undefined {
    for (const prop of object.properties as AnyNode[]) {
      if (prop.type !== 'Property' || prop.computed) continue;
      const key = prop.key.type === 'Identifier' ? prop.key.name : String(prop.key.value);
      if (key === name && FUNCTION_TYPES.has(prop.value.type)) return prop.value;
    }
    return undefined;
  }

  callee(call: AnyNode): Callee {
    let callee = call.callee as AnyNode;
    if (callee.type === 'SequenceExpression') callee = callee.expressions.at(-1);
    if (callee.type === 'ChainExpression') callee = callee.expression;
    if (FUNCTION_TYPES.has(callee.type)) return { kind: 'fn', fn: callee };
    if (callee.type === 'Identifier') {
      const variable = this.resolve(callee);
      if (!variable) return TIMERS.has(callee.name) ? { kind: 'timer' } : { kind: 'unknown' };
      const binding = this.k6Binding.get(variable);
      if (binding === 'blocking') return { kind: 'primitive', name: callee.name };
      if (binding === 'timer') return { kind: 'timer' };
      if (binding) return { kind: 'k6' };
      const fn = this.fnOf.get(variable);
      return fn ? { kind: 'fn', fn } : { kind: 'unknown' };
    }
    if (callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier') {
      const variable = this.resolve(callee.object);
      const name = String(callee.property.name);
      if (!variable) return { kind: 'unknown' };
      const binding = this.k6Binding.get(variable);
      if (binding === 'http')
        return HTTP_BLOCKING.has(name) ? { kind: 'primitive', name: `http.${name}` } : { kind: 'k6' };
      if (binding === 'k6') return K6_BLOCKING.has(name) ? { kind: 'primitive', name } : { kind: 'k6' };
      if (binding) return { kind: 'k6' };
      const object = this.objectOf.get(variable);
      const fn = object && this.propertyFunction(object, name);
      return fn ? { kind: 'fn', fn } : { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }

  /** Whether a value used at `node` (an argument, an export) is only ever called by code that awaits it. */
  safeSink(node: AnyNode): boolean {
    const parent = this.parent.get(node);
    if (!parent) return false;
    if (parent.type === 'ExportSpecifier' || parent.type === 'ExportDefaultDeclaration') return true;
    if (parent.type === 'CallExpression' && parent.callee !== node) {
      const callee = this.callee(parent);
      const index = (parent.arguments as AnyNode[]).indexOf(node);
      // group(name, fn) awaits fn; k6/timers run callbacks on the event loop and ignore what they return.
      if (callee.kind === 'primitive' && callee.name.endsWith('group')) return index === 1;
      if (callee.kind === 'timer') return index === 0;
    }
    return false;
  }
}

/** The function a variable, a declaration or an inline function value stands for, and where it is used. */
function valueUses(facts: ModuleFacts, fn: FnNode): AnyNode[] {
  const parent = facts.parent.get(fn);
  if (fn.type === 'FunctionDeclaration') {
    const variable = [...facts.fnOf].find(([, f]) => f === fn)?.[0];
    return (variable?.references ?? [])
      .map((r) => r.identifier as unknown as AnyNode)
      .filter((id) => !isCallee(facts, id));
  }
  const bound = [...facts.fnOf].find(([, f]) => f === fn)?.[0];
  if (bound)
    return bound.references
      .filter((r) => !r.init)
      .map((r) => r.identifier as unknown as AnyNode)
      .filter((id) => !isCallee(facts, id));
  if (parent && (parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === fn)
    return [];
  return [fn];
}

function isCallee(facts: ModuleFacts, identifier: AnyNode): boolean {
  const parent = facts.parent.get(identifier);
  return !!parent && parent.type === 'CallExpression' && parent.callee === identifier;
}

/** Analyses the module and, when it can prove the rewrite safe, returns it rewritten. */
export function asyncTransform(code: string): TransformResult {
  let ast: AnyNode;
  let facts: ModuleFacts;
  try {
    ast = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      locations: true,
      ranges: true,
    }) as unknown as AnyNode;
    facts = new ModuleFacts(ast);
  } catch (error) {
    return { ok: false, reasons: [`the analysis could not read the script: ${(error as Error).message}`] };
  }
  const reasons = [...facts.reasons];
  const colored = new Set<FnNode>();
  const edges: { caller: FnNode | undefined; call: AnyNode; callee: Callee }[] = facts.calls.map((call) => ({
    caller: facts.owner.get(call),
    call,
    callee: facts.callee(call),
  }));
  for (const e of edges) if (e.callee.kind === 'primitive' && e.caller) colored.add(e.caller);
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of edges) {
      if (e.callee.kind === 'fn' && colored.has(e.callee.fn) && e.caller && !colored.has(e.caller)) {
        colored.add(e.caller);
        changed = true;
      }
    }
  }
  checkK6References(facts, reasons);
  for (const fn of colored) checkColored(facts, fn, edges, reasons);
  for (const e of edges) {
    const blocks = e.callee.kind === 'primitive' || (e.callee.kind === 'fn' && colored.has(e.callee.fn));
    if (blocks && !e.caller) reasons.push(`line ${lineOf(e.call)}: a blocking call in the init context`);
    if (blocks && e.call.type === 'NewExpression')
      reasons.push(`line ${lineOf(e.call)}: a constructor that blocks`);
  }
  if (reasons.length > 0) return { ok: false, reasons: [...new Set(reasons)] };
  return { ok: true, code: rewrite(code, facts, colored, edges) };
}

/** k6's blocking functions may only be called, not passed around (http itself neither). */
function checkK6References(facts: ModuleFacts, reasons: string[]): void {
  for (const [variable, binding] of facts.k6Binding) {
    if (binding !== 'http' && binding !== 'k6' && binding !== 'blocking') continue;
    for (const ref of variable.references) {
      const id = ref.identifier as unknown as AnyNode;
      const parent = facts.parent.get(id);
      if (!parent) continue;
      if (binding === 'blocking' && isCallee(facts, id)) continue;
      if (binding !== 'blocking' && parent.type === 'MemberExpression' && parent.object === id) {
        const grand = facts.parent.get(parent);
        const name = String(parent.property.name);
        const blocking = binding === 'http' ? HTTP_BLOCKING.has(name) : K6_BLOCKING.has(name);
        if (!blocking || (grand?.type === 'CallExpression' && grand.callee === parent)) continue;
      }
      reasons.push(`line ${lineOf(id)}: ${id.name} used other than by calling it`);
    }
  }
}

function checkColored(facts: ModuleFacts, fn: FnNode, edges: { callee: Callee }[], reasons: string[]): void {
  const parent = facts.parent.get(fn);
  const name = fn.id?.name ?? (parent?.type === 'VariableDeclarator' ? parent.id.name : 'a function');
  if (fn.generator) reasons.push(`line ${lineOf(fn)}: ${name} is a generator that blocks`);
  if (
    parent?.type === 'MethodDefinition' ||
    (parent?.type === 'Property' && (parent.kind === 'get' || parent.kind === 'set'))
  )
    reasons.push(`line ${lineOf(fn)}: ${name} is a class method, getter or setter that blocks`);
  if (fn.async && edges.some((e) => e.callee.kind === 'fn' && e.callee.fn === fn))
    reasons.push(
      `line ${lineOf(fn)}: ${name} is async, blocks, and is called by the script (awaiting it would change its meaning)`,
    );
  // A function of a tracked object: used through obj.name() only, unless the object itself is passed around.
  if (parent?.type === 'Property') {
    const object = facts.parent.get(parent) as AnyNode;
    const variable = [...facts.objectOf].find(([, o]) => o === object)?.[0];
    const passed =
      !variable ||
      variable.references.some((r) => {
        const id = r.identifier as unknown as AnyNode;
        const p = facts.parent.get(id);
        return !r.init && !(p?.type === 'MemberExpression' && p.object === id);
      });
    if (passed)
      reasons.push(`line ${lineOf(fn)}: ${name}, which blocks, belongs to an object that is passed around`);
    return;
  }
  for (const use of valueUses(facts, fn)) {
    if (!facts.safeSink(use))
      reasons.push(
        `line ${lineOf(use)}: ${name}, which blocks, is used as a value (k6 would call it synchronously)`,
      );
  }
}

function rewrite(
  code: string,
  facts: ModuleFacts,
  colored: Set<FnNode>,
  edges: { call: AnyNode; callee: Callee }[],
): string {
  const inserts: { at: number; text: string; rank: number }[] = [];
  for (const fn of colored) {
    if (fn.async) continue;
    const parent = facts.parent.get(fn);
    const at = parent?.type === 'Property' && (parent.method || parent.shorthand) ? parent.start : fn.start;
    inserts.push({ at, text: 'async ', rank: -1e9 });
  }
  for (const e of edges) {
    if (!(e.callee.kind === 'primitive' || (e.callee.kind === 'fn' && colored.has(e.callee.fn)))) continue;
    const span = e.call.end - e.call.start;
    inserts.push({ at: e.call.start, text: '(await ', rank: -span });
    inserts.push({ at: e.call.end, text: ')', rank: span });
  }
  // At one position: 'async ' first, then the widest call's '(await ' outermost; ')' of the narrowest first.
  inserts.sort((a, b) => a.at - b.at || a.rank - b.rank);
  let out = '';
  let from = 0;
  for (const insert of inserts) {
    out += code.slice(from, insert.at) + insert.text;
    from = insert.at;
  }
  return out + code.slice(from);
}

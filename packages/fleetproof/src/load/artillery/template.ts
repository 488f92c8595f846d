/**
 * Artillery's templates, as its engine_util renders them: `{{ name }}` from the VU's variables (a path such as
 * `user.id` or `items[0]`), a template that is one variable alone keeps the value's type, a missing variable
 * renders as "undefined" inside a string, and `{{ $fn(args) }}` calls one of the context's functions.
 */
export interface TemplateContext {
  vars: Record<string, unknown>;
  funcs: Record<string, (...args: unknown[]) => unknown>;
}

const VARIABLE = /{{{?[\s$\w.[\]'"-]+}}}?/g;
const CALL = /{{\s*(\$[A-Za-z0-9_]+)\s*\(\s*([A-Za-z0-9_,\s.'"-]*)\s*\)\s*}}/;

/** lodash.get's path syntax: a.b[0].c, a["b"]. */
export function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const [, key, index, quoted] of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[["']([^"']+)["']\]/g)) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[(key ?? quoted ?? index) as string];
  }
  return current;
}

function literal(arg: string): unknown {
  const t = arg.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t.replace(/^['"]|['"]$/g, '');
}

function renderString(text: string, context: TemplateContext): unknown {
  if (!text.includes('{{')) return text;
  const call = CALL.exec(text);
  if (call) {
    const fn = context.funcs[call[1] as string];
    if (fn) {
      const args = (call[2] as string)
        .split(',')
        .filter((a) => a.trim() !== '')
        .map(literal);
      return renderString(text.replace(CALL, String(fn(...args))), context);
    }
  }
  const matches = text.match(VARIABLE);
  if (matches && matches.length === 1 && matches[0] === text) {
    return getPath(context.vars, text.replace(/[{}]/g, '').trim());
  }
  return text.replace(VARIABLE, (token) => {
    const value = getPath(context.vars, token.replace(/[{}]/g, '').trim());
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  });
}

/** Renders strings anywhere in a value (keys too), leaving the original untouched. */
export function template(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return renderString(value, context);
  if (Array.isArray(value)) return value.map((v) => template(v, context));
  if (value && typeof value === 'object' && (value as object).constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[String(renderString(k, context))] = template(v, context);
    return out;
  }
  return value;
}

export function randomNumber(min: unknown, max: unknown): number {
  const lo = Number(min ?? 0);
  const hi = Number(max ?? 1);
  return Math.floor(lo + Math.random() * (hi - lo + 1));
}

export function randomString(length: unknown = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < Number(length); i++) s += alphabet.charAt((Math.random() * alphabet.length) | 0);
  return s;
}

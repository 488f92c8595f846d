/**
 * The expressions Artillery evaluates with filtrex: ensure's conditions ("http.response_time.p99 < 200 and
 * vusers.failed == 0") and ifTrue ("statusCode == 200"). Numbers, strings, names (dotted, $-prefixed),
 * arithmetic, comparisons, and/or/not, parentheses. A comparison with a name that has no value is false.
 */
type Token = { kind: 'num' | 'str' | 'name' | 'op'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?)|"([^"]*)"|'([^']*)'|([A-Za-z_$][\w$.]*(?:\[\d+\])*)|(==|!=|<=|>=|<|>|\+|-|\*|\/|%|\(|\)))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`cannot read ${JSON.stringify(text.slice(at))} in ${JSON.stringify(text)}`);
    at = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined)
      tokens.push({ kind: 'str', value: (m[2] ?? m[3]) as string });
    else if (m[4] !== undefined)
      tokens.push(
        ['and', 'or', 'not'].includes(m[4]) ? { kind: 'op', value: m[4] } : { kind: 'name', value: m[4] },
      );
    else tokens.push({ kind: 'op', value: m[5] as string });
  }
  return tokens;
}

/** Evaluates an expression over named values; returns a number or string (true = 1, false = 0). */
export function evaluate(text: string, lookup: (name: string) => unknown): unknown {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.value;
  const next = () => tokens[i++];
  const truthy = (v: unknown) => (typeof v === 'number' ? v !== 0 : Boolean(v));
  const or = (): unknown => {
    let left = and();
    while (peek() === 'or') {
      next();
      const right = and();
      left = truthy(left) || truthy(right) ? 1 : 0;
    }
    return left;
  };
  const and = (): unknown => {
    let left = not();
    while (peek() === 'and') {
      next();
      const right = not();
      left = truthy(left) && truthy(right) ? 1 : 0;
    }
    return left;
  };
  const not = (): unknown => {
    if (peek() === 'not') {
      next();
      return truthy(not()) ? 0 : 1;
    }
    return compare();
  };
  const compare = (): unknown => {
    const left = sum();
    const op = peek();
    if (op && ['==', '!=', '<', '<=', '>', '>='].includes(op)) {
      next();
      const right = sum();
      if (left === undefined || right === undefined) return 0;
      const l = left as number;
      const r = right as number;
      // filtrex compares loosely: 200 == "200".
      const result =
        op === '=='
          ? String(l) === String(r)
          : op === '!='
            ? String(l) !== String(r)
            : op === '<'
              ? l < r
              : op === '<='
                ? l <= r
                : op === '>'
                  ? l > r
                  : l >= r;
      return result ? 1 : 0;
    }
    return left;
  };
  const sum = (): unknown => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = next()?.value;
      const right = product();
      left = op === '+' ? Number(left) + Number(right) : Number(left) - Number(right);
    }
    return left;
  };
  const product = (): unknown => {
    let left = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = next()?.value;
      const right = Number(unary());
      left = op === '*' ? Number(left) * right : op === '/' ? Number(left) / right : Number(left) % right;
    }
    return left;
  };
  const unary = (): unknown => {
    if (peek() === '-') {
      next();
      return -Number(unary());
    }
    return atom();
  };
  const atom = (): unknown => {
    const token = next();
    if (!token) throw new Error(`${JSON.stringify(text)} ends too early`);
    if (token.kind === 'num') return Number(token.value);
    if (token.kind === 'str') return token.value;
    if (token.kind === 'name') return lookup(token.value);
    if (token.value === '(') {
      const value = or();
      if (next()?.value !== ')') throw new Error(`${JSON.stringify(text)}: a ( is not closed`);
      return value;
    }
    throw new Error(`${JSON.stringify(text)}: unexpected ${token.value}`);
  };
  const value = or();
  if (i < tokens.length) throw new Error(`${JSON.stringify(text)}: unexpected ${tokens[i]?.value}`);
  return value;
}

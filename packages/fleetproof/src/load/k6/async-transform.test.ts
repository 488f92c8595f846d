import { describe, expect, it } from 'vitest';
import { asyncTransform } from './async-transform.js';

const HEAD = 'import http from "k6/http";\nimport { check, group, sleep } from "k6";\n';

describe('asyncTransform: the rewrite where every path to a blocking call is known', () => {
  it.each([
    [
      'a helper, an arrow bound to a const, an object literal method, a group callback',
      `function helper(p) { return http.get(p); }
const viaArrow = (p) => helper(p);
const api = { login(u) { return http.post('/l', u).json('t'); } };
function main() { api.login('a'); group('g', () => { viaArrow('/x'); sleep(1); }); check(helper('/y'), { ok: (r) => r.status === 200 }); }
export { main as default };`,
      `async function helper(p) { return (await http.get(p)); }
const viaArrow = async (p) => (await helper(p));
const api = { async login(u) { return (await http.post('/l', u)).json('t'); } };
async function main() { (await api.login('a')); (await group('g', async () => { (await viaArrow('/x')); (await sleep(1)); })); check((await helper('/y')), { ok: (r) => r.status === 200 }); }
export { main as default };`,
    ],
    [
      'a timer callback that makes a request',
      `import { setTimeout } from "k6/timers";\nexport default function () { setTimeout(() => http.get('/later'), 10); }`,
      `import { setTimeout } from "k6/timers";\nexport default function () { setTimeout(async () => (await http.get('/later')), 10); }`,
    ],
    [
      'code that never blocks is left as it is',
      'export default function () { check(1, { one: (v) => v === 1 }); }',
      'export default function () { check(1, { one: (v) => v === 1 }); }',
    ],
  ])('%s', (_name, source, expected) => {
    expect(asyncTransform(HEAD + source)).toEqual({ ok: true, code: HEAD + expected });
  });
});

describe('asyncTransform: refuses when it cannot see who calls a blocking function', () => {
  it.each([
    [
      'a forEach callback',
      "export default function () { ['/a'].forEach((p) => http.get(p)); }",
      'line 3: a function, which blocks, is used as a value',
    ],
    [
      'a blocking function passed on',
      'function go() { http.get("/"); }\nexport default function () { [1].map(go); }',
      'line 4: go, which blocks, is used as a value',
    ],
    [
      'http.get taken as a value',
      'const get = http.get;\nexport default function () { get("/"); }',
      'line 3: http used other than by calling it',
    ],
    [
      'a class method that blocks',
      'class Page { open() { return http.get("/p"); } }\nexport default function () { new Page().open(); }',
      'line 3: a function is a class method, getter or setter that blocks',
    ],
    [
      'an object with blocking methods passed around',
      'const api = { go() { http.get("/"); } };\nfunction use(o) { o.go(); }\nexport default function () { use(api); }',
      'belongs to an object that is passed around',
    ],
    [
      'globalThis, shared by VUs on one thread',
      'globalThis.count = 0;\nexport default function () { http.get("/"); }',
      'line 3: globalThis is shared by every VU in one thread',
    ],
    [
      'randomSeed, one Math.random for all',
      'import { randomSeed } from "k6";\nexport default function () { randomSeed(1); }',
      'randomSeed seeds the Math.random every VU in one thread shares',
    ],
    [
      'a request in the init context',
      'http.get("/");\nexport default function () {}',
      'line 3: a blocking call in the init context',
    ],
    [
      'an async function that blocks and is called',
      'async function go() { http.get("/"); }\nexport default function () { go(); }',
      'go is async, blocks, and is called by the script',
    ],
  ])('%s', (_name, source, reason) => {
    const result = asyncTransform(HEAD + source);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.reasons.join('\n')).toContain(reason);
  });
});

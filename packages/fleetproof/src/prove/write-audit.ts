import pg from 'pg';
import { Agent, request } from 'undici';
import type { RequestTemplate, WriteConfig } from '../config/proof-schema.js';
import { jsonPath, resolveUrl } from '../load/flow-runner.js';

/** A write the service acknowledged: its id, and the unique token fleetproof put in it (if the template has one). */
export interface AcknowledgedWrite {
  id: string;
  token: string;
}

export interface WriteLedger {
  /** Writes the service acknowledged with a 2xx carrying an id. */
  acknowledged: AcknowledgedWrite[];
  /** Requests that got no 2xx with an id (an error status, a reset, a timeout): their write may or may not exist. */
  unacknowledged: number;
  /** A 2xx whose body had no id at the configured path (the first one seen), if any. */
  noIdExample: string | undefined;
  /** Per second (run time, s) → [acknowledged, unacknowledged]. */
  perSecond: Map<number, [number, number]>;
}

const TOKEN = /\{\{\s*token\s*\}\}/;

/** `{{ id }}` and `{{ token }}` in a template's URL (encoded) and body (as JSON-safe text). */
function fill(text: string, vars: { id?: string; token: string }, encode: (v: string) => string): string {
  return text
    .replace(/\{\{\s*token\s*\}\}/g, encode(vars.token))
    .replace(/\{\{\s*id\s*\}\}/g, vars.id === undefined ? '{{ id }}' : encode(vars.id));
}

const jsonText = (v: string) => JSON.stringify(v).slice(1, -1);

function send(
  template: RequestTemplate,
  base: string,
  dispatcher: Agent,
  vars: { id?: string; token: string },
) {
  const headers: Record<string, string> = { ...template.headers };
  let body: string | undefined = template.body;
  if (template.json !== undefined) {
    body = JSON.stringify(template.json);
    headers['content-type'] ??= 'application/json';
  }
  return request(resolveUrl(fill(template.url, vars, encodeURIComponent), base), {
    method: template.method as 'GET',
    headers,
    body:
      body === undefined ? undefined : fill(body, vars, template.json !== undefined ? jsonText : (v) => v),
    dispatcher,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
}

/**
 * Whether the write's template carries `{{ token }}`: then each write is unique, and a read-back must show
 * that write's token, not merely answer 2xx (another instance's own write under the same id would).
 */
export function usesToken(write: WriteConfig): boolean {
  return TOKEN.test(JSON.stringify(write.request));
}

let tokenCounter = 0;
const newToken = () =>
  `fp${process.pid.toString(36)}${Date.now().toString(36)}${(tokenCounter++).toString(36)}`;

/**
 * `writers` clients send the configured write in a loop through the balancer and keep a ledger of the ids
 * the service acknowledged and of the requests that ended without one. Bounded: stops by itself after `maxMs`.
 */
export function startWriters(
  write: WriteConfig,
  base: string,
  writers: number,
  runStartedAt: number,
  maxMs = 180_000,
) {
  const ledger: WriteLedger = {
    acknowledged: [],
    unacknowledged: 0,
    noIdExample: undefined,
    perSecond: new Map(),
  };
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: writers });
  let running = true;
  const deadline = Date.now() + maxMs;
  const tally = (ok: boolean) => {
    const second = Math.floor((Date.now() - runStartedAt) / 1000);
    const counts = ledger.perSecond.get(second) ?? [0, 0];
    counts[ok ? 0 : 1] += 1;
    ledger.perSecond.set(second, counts);
  };
  const writer = async () => {
    while (running && Date.now() < deadline) {
      try {
        const token = newToken();
        const res = await send(write.request, base, dispatcher, { token });
        const text = await res.body.text();
        let id: unknown;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          try {
            id = jsonPath(JSON.parse(text), write.id);
          } catch {
            id = undefined;
          }
          if (id === undefined || id === null || typeof id === 'object')
            ledger.noIdExample ??= text.slice(0, 200);
        }
        if (typeof id === 'string' || typeof id === 'number') {
          ledger.acknowledged.push({ id: String(id), token });
          tally(true);
        } else {
          ledger.unacknowledged += 1;
          tally(false);
        }
      } catch {
        ledger.unacknowledged += 1;
        tally(false);
        // A refused connection fails at once: do not spin while no target is registered.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, writer));
  return {
    ledger,
    async stop(): Promise<WriteLedger> {
      running = false;
      await done;
      await dispatcher.close();
      return ledger;
    },
  };
}

/**
 * Each acknowledged write read back: through the balancer (found = 2xx, and its token in the body when the
 * write carried one) or from the database (found = a row; `$2` in the query is the token).
 */
export async function readBack(
  write: WriteConfig,
  writes: readonly AcknowledgedWrite[],
  base: string,
  databaseUrl: string | undefined,
): Promise<{ missing: string[]; statuses: Record<string, number> }> {
  const missing: string[] = [];
  const statuses: Record<string, number> = {};
  const count = (key: string) => {
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const queue = [...writes];
  if (write.readBack.sql) {
    const sql = write.readBack.sql;
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const w of queue) {
        const { rowCount } = await client.query(sql, /\$2\b/.test(sql) ? [w.id, w.token] : [w.id]);
        count(rowCount ? 'row' : 'no row');
        if (!rowCount) missing.push(w.id);
      }
    } finally {
      await client.end();
    }
    return { missing, statuses };
  }
  const template = write.readBack.request as RequestTemplate;
  const checkToken = usesToken(write);
  const dispatcher = new Agent({ connections: 8 });
  const worker = async () => {
    for (let w = queue.shift(); w !== undefined; w = queue.shift()) {
      let status = 0;
      let body = '';
      try {
        const res = await send(template, base, dispatcher, w);
        body = await res.body.text();
        status = res.statusCode;
      } catch {
        status = 0;
      }
      const ok = status >= 200 && status < 300;
      if (ok && checkToken && !body.includes(w.token)) {
        count(`${status} with another write's content`);
        missing.push(w.id);
      } else {
        count(String(status));
        if (!ok) missing.push(w.id);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await dispatcher.close();
  return { missing, statuses };
}

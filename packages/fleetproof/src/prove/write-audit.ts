import pg from 'pg';
import { Agent, request } from 'undici';
import type { RequestTemplate, WriteConfig } from '../config/proof-schema.js';
import { jsonPath, resolveUrl } from '../load/flow-runner.js';

export interface WriteLedger {
  /** ids the service acknowledged with a 2xx. */
  acknowledged: string[];
  /** Requests that got no 2xx with an id (an error status, a reset, a timeout): their write may or may not exist. */
  unacknowledged: number;
  /** A 2xx whose body had no id at the configured path (the first one seen), if any. */
  noIdExample: string | undefined;
  /** Per second (run time, s) → [acknowledged, unacknowledged]. */
  perSecond: Map<number, [number, number]>;
}

const fillId = (text: string, id: string) => text.replace(/\{\{\s*id\s*\}\}/g, encodeURIComponent(id));

function send(template: RequestTemplate, base: string, dispatcher: Agent, id?: string) {
  const headers: Record<string, string> = { ...template.headers };
  let body: string | undefined = template.body;
  if (template.json !== undefined) {
    body = JSON.stringify(template.json);
    headers['content-type'] ??= 'application/json';
  }
  const url = resolveUrl(id === undefined ? template.url : fillId(template.url, id), base);
  return request(url, {
    method: template.method as 'GET',
    headers,
    body: body !== undefined && id !== undefined ? fillId(body, id) : body,
    dispatcher,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
}

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
        const res = await send(write.request, base, dispatcher);
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
          ledger.acknowledged.push(String(id));
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

/** Each id read back: through the balancer (2xx = found) or from the database (a row = found). */
export async function readBack(
  write: WriteConfig,
  ids: readonly string[],
  base: string,
  databaseUrl: string | undefined,
): Promise<{ missing: string[]; statuses: Record<string, number> }> {
  const missing: string[] = [];
  const statuses: Record<string, number> = {};
  const queue = [...ids];
  if (write.readBack.sql) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const id of queue) {
        const { rowCount } = await client.query(write.readBack.sql, [id]);
        if (!rowCount) missing.push(id);
      }
    } finally {
      await client.end();
    }
    return { missing, statuses: { row: ids.length - missing.length, 'no row': missing.length } };
  }
  const template = write.readBack.request as RequestTemplate;
  const dispatcher = new Agent({ connections: 8 });
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let status = 0;
      try {
        const res = await send(template, base, dispatcher, id);
        await res.body.dump();
        status = res.statusCode;
      } catch {
        status = 0;
      }
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (status < 200 || status >= 300) missing.push(id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await dispatcher.close();
  return { missing, statuses };
}

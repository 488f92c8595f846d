import { Agent, request } from 'undici';

export interface WriteLedger {
  /** ids the service acknowledged with a 2xx. */
  acknowledged: number[];
  /** Requests that got no 2xx (an error status, a reset, a timeout): their row may or may not exist. */
  unacknowledged: number;
  /** Per second (run time, s) → [acknowledged, unacknowledged]. */
  perSecond: Map<number, [number, number]>;
}

/**
 * `writers` clients POST / in a loop and keep a ledger of what the service acknowledged (the id in each 2xx
 * answer) and how many requests ended without one. Bounded: stops by itself after `maxMs`.
 */
export function startWriters(url: string, writers: number, runStartedAt: number, maxMs = 120_000) {
  const ledger: WriteLedger = { acknowledged: [], unacknowledged: 0, perSecond: new Map() };
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
        const res = await request(url, {
          method: 'POST',
          dispatcher,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const text = await res.body.text();
        const id = res.statusCode < 300 ? (JSON.parse(text) as { id?: unknown }).id : undefined;
        if (typeof id === 'number') {
          ledger.acknowledged.push(id);
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

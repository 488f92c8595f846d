import { request } from 'undici';

export interface ProbeSample {
  /** ms from the run's start. */
  t: number;
  status: number;
  /** The start of the body (or the transport error). */
  body: string;
  /** How long the request took, to the end of its body (or its error). */
  ms: number;
}

/**
 * What the first report's author did by hand: reload a page every `everyMs` and read it. Bounded: it stops by
 * itself after `maxMs`.
 */
export function startVersionProbe(url: string, runStartedAt: number, everyMs = 200, maxMs = 180_000) {
  const samples: ProbeSample[] = [];
  let running = true;
  const deadline = Date.now() + maxMs;
  const loop = (async () => {
    while (running && Date.now() < deadline) {
      const t = Date.now() - runStartedAt;
      try {
        const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
        const body = (await res.body.text()).slice(0, 4096);
        samples.push({ t, status: res.statusCode, body, ms: Date.now() - runStartedAt - t });
      } catch (error) {
        samples.push({ t, status: 0, body: (error as Error).message, ms: Date.now() - runStartedAt - t });
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    async stop(): Promise<ProbeSample[]> {
      running = false;
      await loop;
      return samples;
    },
  };
}

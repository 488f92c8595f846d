import { request } from 'undici';

export interface ProbeSample {
  /** ms from the run's start. */
  t: number;
  status: number;
  message: string;
}

/**
 * What the first report's author did by hand: refresh the page every `everyMs` and read the message. Bounded:
 * it stops by itself after `maxMs`.
 */
export function startVersionProbe(url: string, runStartedAt: number, everyMs = 200, maxMs = 120_000) {
  const samples: ProbeSample[] = [];
  let running = true;
  const deadline = Date.now() + maxMs;
  const loop = (async () => {
    while (running && Date.now() < deadline) {
      const t = Date.now() - runStartedAt;
      try {
        const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
        const text = await res.body.text();
        let message = text.slice(0, 60);
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? message;
        } catch {}
        samples.push({ t, status: res.statusCode, message });
      } catch (error) {
        samples.push({ t, status: 0, message: (error as Error).message });
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

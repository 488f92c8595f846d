import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';

/** Polls `url` until it answers 200, the child exits, or the timeout passes. Resolves with the elapsed ms. */
export async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${url} answered 200`);
    }
    if ((await probe(url)) === 200) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

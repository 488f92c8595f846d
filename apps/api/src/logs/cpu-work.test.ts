import { pbkdf2 } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { doCpuWork } from './cpu-work.js';

/** Runs the work and records whether a timer queued just before it got to run before the work finished. */
async function timerRanDuring(mode: Parameters<typeof doCpuWork>[0]): Promise<boolean> {
  let timerRan = false;
  setTimeout(() => {
    timerRan = true;
  }, 0);
  await doCpuWork(mode, 200);
  return timerRan;
}

describe('doCpuWork', () => {
  it('blocking holds the event loop: a timer due meanwhile cannot run until the work is done', async () => {
    expect(await timerRanDuring('blocking')).toBe(false);
  });

  it('async leaves the event loop free: the timer runs while the work is in the thread pool', async () => {
    expect(await timerRanDuring('async')).toBe(true);
  });

  it('fire-and-forget returns at once and leaves the work queued in the thread pool, delaying other pool users', async () => {
    const baselineMs = await timedPoolCall();
    const started = performance.now();
    await doCpuWork('fire-and-forget', 4000);
    const returnedAfterMs = performance.now() - started;
    // 4000 pbkdf2 calls are ~0.4 s of CPU; returning that fast means none of it was waited for...
    const queuedMs = await timedPoolCall();
    expect(returnedAfterMs).toBeLessThan(queuedMs);
    // ...and a pool call issued next waits behind the whole backlog (argon2, DNS and fs share this pool).
    expect(queuedMs).toBeGreaterThan(Math.max(20, baselineMs * 20));
  });
});

function timedPoolCall(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    pbkdf2('x', 'y', 1, 8, 'sha256', (error) =>
      error ? reject(error) : resolve(performance.now() - started),
    ),
  );
}

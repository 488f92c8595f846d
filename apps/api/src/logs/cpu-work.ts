import { pbkdf2, pbkdf2Sync } from 'node:crypto';
import { promisify } from 'node:util';
import type { CpuMode } from '../config/settings.js';

const pbkdf2Async = promisify(pbkdf2);

// The seed's unit of work: pbkdf2('secret', 'salt', 100, 64, 'sha512'), about 0.1 ms of CPU each.
const PASSWORD = 'secret';
const SALT = 'salt';
const ROUNDS = 100;
const KEY_BYTES = 64;
const DIGEST = 'sha512';

function ignore(): void {}

/**
 * Burns CPU the way POST / does in the field report, in one of three modes:
 * - async: each pbkdf2 runs in libuv's thread pool and is awaited, so the event loop stays free (the fix);
 * - blocking: pbkdf2Sync on the event loop, so nothing else (health checks included) is served meanwhile;
 * - fire-and-forget: the seed's final code, callbacks never awaited: the response returns at once while the
 *   thread pool queues the work, which then delays every other pool user (DNS, file I/O, argon2).
 */
export async function doCpuWork(mode: CpuMode, iterations: number): Promise<void> {
  switch (mode) {
    case 'blocking':
      for (let i = 0; i < iterations; i++) pbkdf2Sync(PASSWORD, SALT, ROUNDS, KEY_BYTES, DIGEST);
      return;
    case 'fire-and-forget':
      for (let i = 0; i < iterations; i++) pbkdf2(PASSWORD, SALT, ROUNDS, KEY_BYTES, DIGEST, ignore);
      return;
    case 'async':
      for (let i = 0; i < iterations; i++) await pbkdf2Async(PASSWORD, SALT, ROUNDS, KEY_BYTES, DIGEST);
      return;
  }
}

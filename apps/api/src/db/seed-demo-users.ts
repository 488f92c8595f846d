import { inArray } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { hashPassword } from '../auth/password.js';
import { users } from './schema.js';

/**
 * Local demo accounts for the login scenario (documented in the README; never seeded in production unless
 * SEED_DEMO_USERS=true). Load tests log in as these.
 */
export const DEMO_USERS = [
  { email: 'demo@fleetproof.local', password: 'fleetproof-demo' },
  { email: 'alice@fleetproof.local', password: 'alice-password' },
  { email: 'bob@fleetproof.local', password: 'bob-password' },
] as const;

/** Inserts the demo users that are missing; hashing only those keeps repeated migrations cheap. */
export async function seedDemoUsers(db: NodePgDatabase): Promise<number> {
  const emails = DEMO_USERS.map((u) => u.email);
  const existing = await db.select({ email: users.email }).from(users).where(inArray(users.email, emails));
  const have = new Set(existing.map((row) => row.email));
  const missing = DEMO_USERS.filter((u) => !have.has(u.email));
  if (missing.length === 0) return 0;
  const rows = await Promise.all(
    missing.map(async (u) => ({ email: u.email, passwordHash: await hashPassword(u.password) })),
  );
  const inserted = await db.insert(users).values(rows).onConflictDoNothing().returning({ id: users.id });
  return inserted.length;
}

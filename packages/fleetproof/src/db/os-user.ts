import { readFileSync } from 'node:fs';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** Reads a user from /etc/passwd without spawning `id`, so it works in minimal containers too. */
export function lookupOsUser(name: string, passwdPath = '/etc/passwd'): OsUser | undefined {
  let text: string;
  try {
    text = readFileSync(passwdPath, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

/**
 * PostgreSQL refuses to run as root. When we are root we run it as an existing unprivileged account instead
 * of creating one (creating users changes the host): FLEETPROOF_PG_OS_USER if set, else `postgres`, else `nobody`.
 * Returns undefined when we are not root and no switch is needed.
 */
export function unprivilegedUserForPostgres(env: NodeJS.ProcessEnv = process.env): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const wanted = env.FLEETPROOF_PG_OS_USER;
  const candidates = wanted ? [wanted] : ['postgres', 'nobody'];
  for (const name of candidates) {
    const user = lookupOsUser(name);
    if (user && user.uid !== 0) return user;
  }
  throw new Error(
    `PostgreSQL cannot run as root and no unprivileged user was found (tried ${candidates.join(', ')}); ` +
      'set FLEETPROOF_PG_OS_USER to an existing non-root user, or set DATABASE_URL to a database you run yourself',
  );
}

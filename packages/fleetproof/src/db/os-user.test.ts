import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupOsUser } from './os-user.js';

describe('lookupOsUser', () => {
  const passwd = join(tmpdir(), `passwd-${process.pid}`);
  writeFileSync(
    passwd,
    'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:103:PostgreSQL:/var/lib/postgresql:/bin/bash\n' +
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  );

  it('reads uid and gid of a named user', () => {
    expect(lookupOsUser('postgres', passwd)).toEqual({ name: 'postgres', uid: 101, gid: 103 });
    expect(lookupOsUser('nobody', passwd)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
  });

  it('returns undefined for a missing user or an unreadable file', () => {
    expect(lookupOsUser('postgre', passwd)).toBeUndefined();
    expect(lookupOsUser('root', '/no/such/file')).toBeUndefined();
  });
});

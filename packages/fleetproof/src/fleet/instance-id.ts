import { randomBytes } from 'node:crypto';

/** An EC2-style instance id: `i-` and 17 hex digits. */
export function newInstanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

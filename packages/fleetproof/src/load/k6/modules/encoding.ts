/** k6/encoding: base64 in k6's four alphabets (std, rawstd, url, rawurl). */

import { arrayBufferOf, bytesOf, type ScriptBytes } from '../bytes.js';
import { K6ScriptError } from '../vu-state.js';

type Alphabet = 'std' | 'rawstd' | 'url' | 'rawurl';
type Input = ScriptBytes;

function check(encoding: string): Alphabet {
  if (!['std', 'rawstd', 'url', 'rawurl'].includes(encoding))
    throw new K6ScriptError(`b64 encoding ${JSON.stringify(encoding)}: expected std, rawstd, url or rawurl`);
  return encoding as Alphabet;
}

export function b64encode(input: Input, encoding: string = 'std'): string {
  const alphabet = check(encoding);
  const bytes = bytesOf(input);
  if (alphabet === 'std') return bytes.toString('base64');
  if (alphabet === 'rawstd') return bytes.toString('base64').replace(/=+$/, '');
  const url = bytes.toString('base64url');
  return alphabet === 'rawurl' ? url : url.padEnd(Math.ceil(url.length / 4) * 4, '=');
}

export function b64decode(input: string, encoding: string = 'std', format?: string): ArrayBuffer | string {
  const alphabet = check(encoding);
  const bytes = Buffer.from(input, alphabet === 'url' || alphabet === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return bytes.toString('utf8');
  return arrayBufferOf(bytes);
}

export default { b64encode, b64decode };

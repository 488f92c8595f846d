/** k6/crypto: hashes, HMAC and random bytes, output in k6's encodings (hex, base64, base64url, base64rawurl, binary). */
import * as nodeCrypto from 'node:crypto';
import { arrayBufferOf, bytesOf, type ScriptBytes } from '../bytes.js';
import { K6ScriptError } from '../vu-state.js';

const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

type Input = ScriptBytes;

function algorithm(name: string): string {
  const a = ALGORITHMS[name];
  if (!a)
    throw new K6ScriptError(
      `crypto: algorithm ${JSON.stringify(name)}: expected one of ${Object.keys(ALGORITHMS).join(', ')}`,
    );
  return a;
}

function output(digest: Buffer, encoding: string): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'base64url': {
      const url = digest.toString('base64url');
      return url.padEnd(Math.ceil(url.length / 4) * 4, '=');
    }
    case 'base64rawurl':
      return digest.toString('base64url');
    case 'binary':
      return arrayBufferOf(digest);
    default:
      throw new K6ScriptError(
        `crypto: output encoding ${JSON.stringify(encoding)}: expected hex, base64, base64url, base64rawurl or binary`,
      );
  }
}

class Hasher {
  constructor(private readonly hash: nodeCrypto.Hash | nodeCrypto.Hmac) {}
  update(input: Input): void {
    this.hash.update(bytesOf(input));
  }
  digest(encoding: string) {
    return output(this.hash.digest(), encoding);
  }
}

export const createHash = (name: string) => new Hasher(nodeCrypto.createHash(algorithm(name)));
export const createHMAC = (name: string, secret: Input) =>
  new Hasher(nodeCrypto.createHmac(algorithm(name), bytesOf(secret)));
export const hmac = (name: string, secret: Input, data: Input, encoding: string) =>
  output(nodeCrypto.createHmac(algorithm(name), bytesOf(secret)).update(bytesOf(data)).digest(), encoding);

const hashWith = (name: string) => (input: Input, encoding: string) =>
  output(nodeCrypto.createHash(algorithm(name)).update(bytesOf(input)).digest(), encoding);
export const md4 = hashWith('md4');
export const md5 = hashWith('md5');
export const sha1 = hashWith('sha1');
export const sha256 = hashWith('sha256');
export const sha384 = hashWith('sha384');
export const sha512 = hashWith('sha512');
export const sha512_224 = hashWith('sha512_224');
export const sha512_256 = hashWith('sha512_256');
export const ripemd160 = hashWith('ripemd160');

export function randomBytes(size: number): ArrayBuffer {
  const bytes = nodeCrypto.randomBytes(size);
  return arrayBufferOf(bytes);
}

export default {
  createHash,
  createHMAC,
  hmac,
  md4,
  md5,
  sha1,
  sha256,
  sha384,
  sha512,
  sha512_224,
  sha512_256,
  ripemd160,
  randomBytes,
};

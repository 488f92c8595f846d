/** Script data as bytes: a string as UTF-8, an ArrayBuffer or typed array as it is (k6's "string or ArrayBuffer"). */
export type ScriptBytes = string | ArrayBuffer | ArrayBufferView;

export function bytesOf(input: ScriptBytes): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer) return Buffer.from(input);
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

/** A Buffer's bytes as the ArrayBuffer k6 hands scripts. */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

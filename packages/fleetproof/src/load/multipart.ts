/** One part of a multipart/form-data body: a field, or a file when it has a filename. */
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Uint8Array | string;
}

/**
 * A multipart/form-data body (RFC 7578) from its parts, with the caller's boundary (k6 and Artillery each
 * shape theirs as their own clients do).
 */
export function multipartBody(boundary: string, parts: readonly FormPart[]): Buffer {
  const chunks: Uint8Array[] = [];
  const push = (text: string) => chunks.push(Buffer.from(text, 'utf8'));
  for (const part of parts) {
    const filename = part.filename !== undefined ? `; filename="${part.filename}"` : '';
    const type = part.contentType !== undefined ? `Content-Type: ${part.contentType}\r\n` : '';
    push(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n${type}\r\n`);
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data);
    push('\r\n');
  }
  push(`--${boundary}--\r\n`);
  return Buffer.concat(chunks);
}

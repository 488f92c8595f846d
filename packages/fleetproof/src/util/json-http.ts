import type { IncomingMessage, ServerResponse } from 'node:http';
import { FleetError } from '../errors.js';

const MAX_BODY = 64 * 1024;

/** A request's JSON object body ({} when empty), or a usage error saying what came instead. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new FleetError('FLEET_ERR_USAGE', `request body over ${MAX_BODY / 1024} KB`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: the same message as for a JSON value that is not an object
  }
  throw new FleetError(
    'FLEET_ERR_USAGE',
    `request body: got ${JSON.stringify(text.slice(0, 80))}, expected a JSON object`,
  );
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A FleetError as 400 (409 while a refresh runs) with its code; anything else as 500. */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) return void res.end();
  if (error instanceof FleetError) {
    const status = error.code === 'FLEET_ERR_REFRESH_IN_PROGRESS' ? 409 : 400;
    sendJson(res, status, { error: error.message, code: error.code });
  } else {
    sendJson(res, 500, { error: (error as Error).message });
  }
}

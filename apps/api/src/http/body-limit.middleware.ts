import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Rejects a declared Content-Length over the limit with 413 before reading the body, whatever its type.
 * JSON bodies sent chunked are limited while parsing instead (body-parser's `limit`).
 */
export function bodyLimitMiddleware(limitBytes: number) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      res.statusCode = 413;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Connection', 'close');
      res.end(
        JSON.stringify({
          statusCode: 413,
          error: 'Payload Too Large',
          message: `request body exceeds the limit of ${limitBytes} bytes`,
        }),
      );
      return;
    }
    next();
  };
}
